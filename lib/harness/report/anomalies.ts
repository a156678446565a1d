/**
 * The anomalies of a run, read from its results map: one entry per kind a failing checker
 * reported, with its explanation (explain.ts) and the history operations that show it.
 *
 * Operations are found two ways: op-like objects (`index` and `f`) anywhere in the kind's
 * payload, and for value-based kinds (lost broadcast values, duplicate ids) the operations
 * that carried those values. At most `MAX_OPS_PER_ANOMALY` are listed, and the count left
 * out is said.
 *
 * @module
 */

import type { Op } from "../types.ts";
import { explain, type Explanation } from "./explain.ts";

/** Operations listed per anomaly. */
export const MAX_OPS_PER_ANOMALY = 12;
/** Characters of raw payload shown per anomaly. */
export const MAX_RAW_CHARS = 1500;

/** One anomaly kind of one checker. */
export interface Anomaly extends Explanation {
  checker: string;
  kind: string;
  /** How many instances the checker counted, when it says. */
  count?: number;
  /** History indices of operations that show it (bounded). */
  op_indices: number[];
  /** Operations found beyond the bound. */
  ops_left_out: number;
  /** A short JSON excerpt of the checker's own report. */
  raw: string;
  /** Plain-words lines for the first cases, when the kind has a known case shape. */
  cases: string[];
}

/** Cases described in words per anomaly. */
export const MAX_CASES = 8;

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Kinds shown first, most telling first; the rest keep their order after these. */
const PRIORITY = [
  "crashed",
  "lost",
  "lost-write",
  "nonlinearizable",
  "duplicated",
  "counter-final-read",
  "G0",
  "G1a",
  "G1b",
  "G1c",
  "G-single",
  "G2",
  "duplicate",
  "inconsistent-offsets",
  "nonmonotonic-poll",
  "poll-skip",
  "unseen",
];

function rank(kind: string): number {
  const i = PRIORITY.indexOf(kind.replace(/-(realtime|process)$/, ""));
  return i === -1 ? PRIORITY.length : i;
}

/**
 * The anomalies of every checker whose `valid?` is not true: the most telling kinds first
 * (lost data, broken consistency), then the rest in results order.
 */
export function findAnomalies(results: Json, history: readonly Op[]): Anomaly[] {
  return collectAnomalies(results, history)
    .map((a, i) => ({ a, i }))
    .sort((x, y) => rank(x.a.kind) - rank(y.a.kind) || x.i - y.i)
    .map(({ a }) => a);
}

function collectAnomalies(results: Json, history: readonly Op[]): Anomaly[] {
  const out: Anomaly[] = [];
  for (const [checker, result] of Object.entries(results)) {
    if (!isObject(result) || result["valid?"] === true || result["valid?"] === undefined) continue;
    const before = out.length;
    const add = (kind: string, payload: unknown, count?: number, extra_ops: number[] = []) =>
      out.push(anomaly(checker, kind, payload, history, count, extra_ops));
    if (checker === "node-errors") nodeErrors(result, add);
    else if (checker === "stats") stats(result, add);
    else if (checker === "availability") add("availability-low", result);
    else workload(result, history, add);
    if (out.length === before) add(checker, result);
  }
  return out;
}

type Add = (kind: string, payload: unknown, count?: number, extra_ops?: number[]) => void;

function nodeErrors(result: Json, add: Add): void {
  const by_kind = isObject(result["by-kind"]) ? result["by-kind"] : {};
  const issues = Array.isArray(result.issues) ? result.issues : [];
  for (const [kind, count] of Object.entries(by_kind)) {
    add(kind, issues.filter((i) => isObject(i) && i.kind === kind), Number(count));
  }
}

function stats(result: Json, add: Add): void {
  const by_f = isObject(result["by-f"]) ? result["by-f"] : {};
  for (const [f, counts] of Object.entries(by_f)) {
    if (isObject(counts) && counts["valid?"] === false) add("stats-no-ok", { f, ...counts });
  }
}

function workload(result: Json, history: readonly Op[], add: Add): void {
  // Elle (txn-*): anomaly-types and anomalies.
  if (Array.isArray(result["anomaly-types"]) && isObject(result.anomalies)) {
    for (const kind of result["anomaly-types"] as string[]) {
      const cases = result.anomalies[kind];
      add(kind, cases, Array.isArray(cases) ? cases.length : undefined);
    }
    return;
  }
  // kafka: bad-error-types, each {count, errs}.
  if (Array.isArray(result["bad-error-types"])) {
    for (const kind of result["bad-error-types"] as string[]) {
      const payload = result[kind];
      add(kind, payload, isObject(payload) ? countOf(payload.count) : undefined);
    }
    return;
  }
  // set-full (broadcast, g-set).
  if (Array.isArray(result.lost) && Number(result["lost-count"]) > 0) {
    add("lost", result.lost, Number(result["lost-count"]), opsCarrying(history, result.lost));
  }
  if (Array.isArray(result.lost)) return;
  // lin-kv: per-key failures.
  if (isObject(result.results) && Array.isArray(result.failures)) {
    for (const key of result.failures) {
      add("nonlinearizable", (result.results as Json)[String(key)]);
    }
    return;
  }
  // counters: final reads outside the acceptable set.
  if (Array.isArray(result.errors) && "acceptable" in result) {
    add("counter-final-read", result, result.errors.length);
    return;
  }
  if (Number(result["duplicated-count"]) > 0) {
    const values = isObject(result.duplicated) ? Object.keys(result.duplicated) : [];
    add("duplicated", result, Number(result["duplicated-count"]), opsCarrying(history, values));
    return;
  }
  if (Number(result["error-count"]) > 0) {
    add("echo-mismatch", result, Number(result["error-count"]));
  }
}

function countOf(value: unknown): number | undefined {
  return typeof value === "number" ? value : undefined;
}

/** Indices of client invocations whose value is one of `values` (compared as JSON text). */
function opsCarrying(history: readonly Op[], values: readonly unknown[]): number[] {
  const wanted = new Set(values.map((v) => typeof v === "string" ? v : JSON.stringify(v)));
  const out: number[] = [];
  for (const op of history) {
    if (op.process === "nemesis" || op.value === null || op.value === undefined) continue;
    const text = JSON.stringify(op.value);
    if (wanted.has(text) || (typeof op.value === "string" && wanted.has(op.value))) {
      out.push(op.index);
    }
  }
  return out;
}

/** History indices of op-like objects (`index` number, `f` string) anywhere in `payload`. */
export function opIndicesIn(payload: unknown, limit = 10_000): number[] {
  const found = new Set<number>();
  const stack: unknown[] = [payload];
  let visited = 0;
  while (stack.length > 0 && visited++ < limit) {
    const value = stack.pop();
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push(value[i]);
      continue;
    }
    if (!isObject(value)) continue;
    if (typeof value.index === "number" && typeof value.f === "string") found.add(value.index);
    if (typeof value.invoke_index === "number") found.add(value.invoke_index);
    for (const child of Object.values(value)) stack.push(child);
  }
  return [...found];
}

function anomaly(
  checker: string,
  kind: string,
  payload: unknown,
  history: readonly Op[],
  count: number | undefined,
  extra_ops: number[],
): Anomaly {
  const indices = [...new Set([...opIndicesIn(payload), ...extra_ops])]
    .filter((i) => i >= 0 && i < history.length)
    .sort((a, b) => a - b);
  let raw = JSON.stringify(payload) ?? "null";
  if (raw.length > MAX_RAW_CHARS) {
    raw = raw.slice(0, MAX_RAW_CHARS) + ` … (${raw.length - MAX_RAW_CHARS} more characters)`;
  }
  return {
    checker,
    kind,
    ...explain(kind),
    cases: describeCases(kind, payload),
    count,
    op_indices: indices.slice(0, MAX_OPS_PER_ANOMALY),
    ops_left_out: Math.max(0, indices.length - MAX_OPS_PER_ANOMALY),
    raw,
  };
}

/** Kafka's lost-write cases in words: which message, who acknowledged it, who read past it. */
function describeCases(kind: string, payload: unknown): string[] {
  if (kind !== "lost-write" || !isObject(payload) || !Array.isArray(payload.errs)) return [];
  return payload.errs.slice(0, MAX_CASES).flatMap((c) => {
    if (!isObject(c)) return [];
    const writer = isObject(c.writer) ? `op ${c.writer.index}` : "an unknown op";
    const reader = isObject(c["max-read"]) ? `op ${c["max-read"].index}` : "a later poll";
    return [
      `key ${c.key}: message ${JSON.stringify(c.value)} at offset ${c.index}, acknowledged ` +
      `by ${writer}; ${reader} read up to offset ${c["max-read-index"]} without it.`,
    ];
  });
}
