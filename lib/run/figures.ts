/**
 * The figures a run is judged by, read from what a test run leaves in its
 * store directory: the results map (`results.json` from the embedded harness,
 * `results.edn` from a real Maelstrom) and the history (`history.jsonl` or
 * `history.edn`), plus the wall-clock run time measured by the runner.
 *
 * Op latency is what Jepsen's perf checker plots (`jepsen/checker/perf.clj`
 * v0.3.7: `util/history->latencies` pairs every invocation with its
 * completion, and the quantile graphs group every completed invocation by
 * `:f`, ok, info and fail alike): invoke → completion per process over every
 * client op, final-phase ops included (they are client ops too). The ok-only
 * figures (`ok_latency_*`) are kept and labelled so. Ops of a final phase
 * Maelstrom does not run (`harness_only`) are left out. Missing data gives a
 * missing figure, never a guessed one.
 *
 * @module
 */

import { parseEdn, parseEdnForms } from "./edn.ts";
import type { Metric } from "./types.ts";

/** Figures of one run; a metric is absent when the run did not produce it. */
export type Figures = Partial<Record<Metric, number>>;

/** The results-map verdict: Maelstrom's `valid?` (true, false or "unknown"). */
export type Validity = true | false | "unknown";

/** The part of a history entry the figures need. */
export interface HistoryOp {
  type: string;
  process: unknown;
  time: number;
  /** A harness-only final-phase op (txn-rw-register's final reads; see lib/harness/types.ts). */
  harness_only?: boolean;
}

/** Maelstrom's quantile: the sorted value at index `min(n-1, floor(n·q))`; undefined if empty. */
export function quantile(sorted: readonly number[], q: number): number | undefined {
  if (sorted.length === 0) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))];
}

/** The median of `values` (mean of the middle two for an even count); undefined if empty. */
export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/**
 * Sorted latencies in ms of completed client ops (invoke → the same process's next
 * completion): every completion, as Jepsen's perf checker counts, or only ok ones.
 */
export function latenciesMs(
  history: Iterable<HistoryOp>,
  which: "every-completion" | "ok-only",
): number[] {
  const invoked_at = new Map<unknown, number>();
  const latencies_ms: number[] = [];
  for (const op of history) {
    if (op.process === "nemesis" || op.harness_only) continue;
    if (op.type === "invoke") {
      invoked_at.set(op.process, op.time);
      continue;
    }
    const start = invoked_at.get(op.process);
    invoked_at.delete(op.process);
    if (start === undefined) continue;
    if (which === "ok-only" && op.type !== "ok") continue;
    latencies_ms.push((op.time - start) / 1e6);
  }
  return latencies_ms.sort((a, b) => a - b);
}

/** Latencies in ms of every client op that completed ok (invoke → ok on the same process). */
export function okLatenciesMs(history: Iterable<HistoryOp>): number[] {
  return latenciesMs(history, "ok-only");
}

/** Latency figures (median and p99, ms): over every completion (Jepsen's), and ok-only. */
export function latencyFigures(history: Iterable<HistoryOp>): Figures {
  const ops = [...history];
  const every_ms = latenciesMs(ops, "every-completion");
  const ok_ms = latenciesMs(ops, "ok-only");
  const figures: Figures = {};
  setIfNumber(figures, "latency_median_ms", quantile(every_ms, 0.5));
  setIfNumber(figures, "latency_p99_ms", quantile(every_ms, 0.99));
  setIfNumber(figures, "ok_latency_median_ms", quantile(ok_ms, 0.5));
  setIfNumber(figures, "ok_latency_p99_ms", quantile(ok_ms, 0.99));
  return figures;
}

/** The figures found in a results map (JSON or decoded EDN: keys without colons). */
export function resultFigures(results: unknown): Figures {
  const figures: Figures = {};
  setIfNumber(figures, "servers_msgs_per_op", path(results, "net", "servers", "msgs-per-op"));
  setIfNumber(figures, "all_msgs_per_op", path(results, "net", "all", "msgs-per-op"));
  setIfNumber(figures, "ok_fraction", path(results, "availability", "ok-fraction"));
  const stable = path(results, "workload", "stable-latencies");
  setIfNumber(figures, "stable_latency_median_ms", quantileKey(stable, 0.5));
  setIfNumber(figures, "stable_latency_max_ms", quantileKey(stable, 1));
  return figures;
}

/** The top-level `valid?` of a results map, or undefined if it has none. */
export function resultValidity(results: unknown): Validity | undefined {
  const valid = path(results, "valid?");
  if (valid === true || valid === false || valid === "unknown") return valid;
  return undefined;
}

/** The top-level checkers whose `valid?` is not true, e.g. `["workload: false"]`. */
export function failingCheckers(results: unknown): string[] {
  if (results === null || typeof results !== "object") return [];
  const failing: string[] = [];
  for (const [name, result] of Object.entries(results)) {
    const valid = path(result, "valid?");
    if (valid !== undefined && valid !== true) failing.push(`${name}: ${valid}`);
  }
  return failing;
}

/** What a store directory holds: validity, figures, and the seed when recorded. */
export interface StoreReading {
  validity?: Validity;
  /** Checkers that judged the run invalid or unknown. */
  failing: string[];
  figures: Figures;
  seed?: number;
  /** Why something could not be read (missing files are normal after a crash). */
  problems: string[];
}

/** How one kind of store names and encodes its results and history. */
interface StoreFormat {
  results_file: string;
  history_file: string;
  parseResults(text: string): unknown;
  parseHistory(text: string): Iterable<HistoryOp>;
}

const EMBEDDED_STORE: StoreFormat = {
  results_file: "results.json",
  history_file: "history.jsonl",
  parseResults: (text) => JSON.parse(text),
  parseHistory: (text) => jsonLines(text),
};

const MAELSTROM_STORE: StoreFormat = {
  results_file: "results.edn",
  history_file: "history.edn",
  parseResults: (text) => parseEdn(text),
  parseHistory: (text) => parseEdnForms(text) as unknown as HistoryOp[],
};

/** Reads an embedded-harness store directory (`results.json`, `history.jsonl`, `test.json`). */
export async function readEmbeddedStore(store_path: string): Promise<StoreReading> {
  const reading = await readStore(store_path, EMBEDDED_STORE);
  const test = await readText(`${store_path}/test.json`, reading, { optional: true });
  if (test !== undefined) {
    try {
      const seed = path(JSON.parse(test), "seed");
      if (typeof seed === "number") reading.seed = seed;
    } catch { /* The seed is informative only. */ }
  }
  return reading;
}

/** Reads a real Maelstrom store directory (`results.edn`, `history.edn`). */
export function readMaelstromStore(store_path: string): Promise<StoreReading> {
  return readStore(store_path, MAELSTROM_STORE);
}

/** Validity, failing checkers and figures from a store's results and history files. */
async function readStore(store_path: string, format: StoreFormat): Promise<StoreReading> {
  const reading: StoreReading = { figures: {}, failing: [], problems: [] };
  const results = await readText(`${store_path}/${format.results_file}`, reading);
  if (results !== undefined) {
    try {
      const parsed = format.parseResults(results);
      reading.validity = resultValidity(parsed);
      reading.failing = failingCheckers(parsed);
      Object.assign(reading.figures, resultFigures(parsed));
    } catch (error) {
      reading.problems.push(`${format.results_file}: ${(error as Error).message}`);
    }
  }
  const history = await readText(`${store_path}/${format.history_file}`, reading);
  if (history !== undefined) {
    try {
      Object.assign(reading.figures, latencyFigures(format.parseHistory(history)));
    } catch (error) {
      reading.problems.push(`${format.history_file}: ${(error as Error).message}`);
    }
  }
  return reading;
}

function* jsonLines(text: string): Generator<HistoryOp> {
  for (const line of text.split("\n")) {
    if (line.trim() !== "") yield JSON.parse(line) as HistoryOp;
  }
}

async function readText(
  file: string,
  reading: StoreReading,
  { optional = false } = {},
): Promise<string | undefined> {
  try {
    return await Deno.readTextFile(file);
  } catch (error) {
    if (!optional) reading.problems.push(`cannot read ${file}: ${(error as Error).message}`);
    return undefined;
  }
}

function path(value: unknown, ...keys: string[]): unknown {
  let current = value;
  for (const key of keys) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** A quantile from a map keyed by the quantile, tolerating "1", "1.0" and "1.00" spellings. */
function quantileKey(quantiles: unknown, q: number): unknown {
  if (quantiles === null || typeof quantiles !== "object") return undefined;
  for (const [key, value] of Object.entries(quantiles)) {
    if (key.trim() !== "" && Number(key) === q) return value;
  }
  return undefined;
}

function setIfNumber(figures: Figures, metric: Metric, value: unknown): void {
  if (typeof value === "number" && Number.isFinite(value)) figures[metric] = value;
}
