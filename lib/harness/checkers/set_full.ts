/**
 * The set-full checker (Jepsen `checker/set-full`, algorithm A1 in
 * shared/maelstrom/workloads/README.md), used by broadcast and g-set.
 *
 * Each element added by an `add` invocation is followed through the ok reads:
 * when it became known (add ok, or first ok read that showed it), the latest
 * read invocation that saw it and the latest that missed it. From those it is
 * stable, lost or never read, with a stable (or lost) latency in ms.
 *
 * Deviation (stricter than Maelstrom): Jepsen means to report elements that
 * appear more than once in a single read but its test is dead code, so
 * `duplicated` is always empty there. Here an element listed twice in one ok
 * read is reported under `duplicated` (element → highest multiplicity) and
 * makes the result invalid, as the Jepsen code intends.
 *
 * Output note: latency quantile maps are JSON objects keyed "0", "0.5",
 * "0.95", "0.99", "1"; JavaScript lists the integer-like keys "0" and "1"
 * first when printing, unlike Jepsen's sorted map.
 *
 * @module
 */

import type { CheckResult, Op, Validity } from "../types.ts";
import { canonicalKey, compareTotal } from "../json_values.ts";

/** Quantile points of the latency distributions, as Jepsen reports them. */
export const LATENCY_QUANTILES = [0, 0.5, 0.95, 0.99, 1] as const;

/** How many of the stalest elements `worst-stale` lists. */
const WORST_STALE_LIMIT = 8;

/** One element's verdict, as listed in `worst-stale`. */
export interface ElementResult {
  element: unknown;
  outcome: "stable" | "lost" | "never-read";
  "stable-latency": number | null;
  "lost-latency": number | null;
  known: Op | null;
  "last-absent": Op | null;
}

/** Options of `checkSetFull`. */
export interface SetFullOptions {
  /** The `f` that adds one element (broadcast uses "broadcast"). */
  add_f?: string;
  /** Jepsen's `:linearizable?`: stale elements make the result invalid. */
  linearizable?: boolean;
}

interface ElementState {
  element: unknown;
  known: Op | null;
  last_present: Op | null;
  last_absent: Op | null;
}

/** Judges a history of adds and reads with Jepsen's set-full rules. */
export function checkSetFull(history: readonly Op[], options: SetFullOptions = {}): CheckResult {
  const { element_results, duplicates } = scanSetFull(history, options);
  const result = summarize(element_results, options.linearizable ?? false);
  result["duplicated-count"] = duplicates.length;
  result["duplicated"] = Object.fromEntries(
    duplicates.map(({ element, count }) => [elementLabel(element), count]),
  );
  if (duplicates.length > 0) result["valid?"] = false;
  return result;
}

/** Every element's outcome and latencies (the report plots the stable latencies). */
export function setFullElementResults(
  history: readonly Op[],
  options: SetFullOptions = {},
): ElementResult[] {
  return scanSetFull(history, options).element_results;
}

function scanSetFull(history: readonly Op[], options: SetFullOptions): {
  element_results: ElementResult[];
  duplicates: { element: unknown; count: number }[];
} {
  const add_f = options.add_f ?? "add";
  const elements = new Map<string, ElementState>();
  // Dense per-element slots keep the per-read sweep a tight loop.
  const states: ElementState[] = [];
  const slot_of = new Map<string, number>();
  const invocations = new Map<unknown, Op>();
  const duplicated = new Map<string, { element: unknown; count: number }>();

  for (const op of history) {
    if (op.process === "nemesis") continue;
    if (op.type === "invoke") invocations.set(op.process, op);
    if (op.f === add_f) {
      trackAdd(op);
    } else if (op.f === "read" && op.type === "ok") {
      const invocation = invocations.get(op.process);
      if (invocation === undefined) throw new Error(`ok read ${op.index} has no invocation`);
      observeRead(invocation, op);
    }
  }

  function trackAdd(op: Op): void {
    const key = canonicalKey(op.value);
    if (op.type === "invoke") {
      const state: ElementState = {
        element: op.value,
        known: null,
        last_present: null,
        last_absent: null,
      };
      elements.set(key, state);
      const slot = slot_of.get(key);
      if (slot === undefined) {
        slot_of.set(key, states.length);
        states.push(state);
      } else {
        states[slot] = state;
      }
      return;
    }
    const state = elements.get(key);
    if (op.type === "ok" && state !== undefined && state.known === null) state.known = op;
  }

  function observeRead(invocation: Op, completion: Op): void {
    if (!Array.isArray(completion.value)) {
      throw new TypeError(`ok read ${completion.index} has a non-array value`);
    }
    const counts = new Map<string, number>();
    for (const item of completion.value) {
      const key = canonicalKey(item);
      const count = (counts.get(key) ?? 0) + 1;
      counts.set(key, count);
      if (count > 1 && count > (duplicated.get(key)?.count ?? 0)) {
        duplicated.set(key, { element: item, count });
      }
    }
    const present = new Uint8Array(states.length);
    for (const key of counts.keys()) {
      const slot = slot_of.get(key);
      if (slot !== undefined) present[slot] = 1;
    }
    for (let slot = 0; slot < states.length; slot++) {
      const state = states[slot];
      if (present[slot] === 1) {
        if (state.known === null) state.known = completion;
        if (state.last_present === null || state.last_present.index < invocation.index) {
          state.last_present = invocation;
        }
      } else if (state.last_absent === null || state.last_absent.index < invocation.index) {
        state.last_absent = invocation;
      }
    }
  }

  const sorted = [...elements.values()].sort((a, b) => compareTotal(a.element, b.element));
  const duplicates = [...duplicated.values()].sort((a, b) => compareTotal(a.element, b.element));
  return { element_results: sorted.map(elementResult), duplicates };
}

/** One element's outcome and latencies (Jepsen `set-full-element-results`). */
function elementResult(state: ElementState): ElementResult {
  const { known, last_present, last_absent } = state;
  const absent_index = last_absent?.index ?? -1;
  const present_index = last_present?.index ?? -1;
  const stable = last_present !== null && absent_index < present_index;
  const lost = known !== null && last_absent !== null && present_index < absent_index &&
    known.index < absent_index;
  const known_time = known?.time ?? 0;
  const stable_latency = stable
    ? latencyMs(last_absent ? last_absent.time + 1 : 0, known_time)
    : null;
  const lost_latency = lost
    ? latencyMs(last_present ? last_present.time + 1 : 0, known_time)
    : null;
  return {
    element: state.element,
    outcome: stable ? "stable" : lost ? "lost" : "never-read",
    "stable-latency": stable_latency,
    "lost-latency": lost_latency,
    known,
    "last-absent": last_absent,
  };
}

function latencyMs(time_ns: number, known_time_ns: number): number {
  return Math.trunc(Math.max(0, time_ns - known_time_ns) / 1_000_000);
}

function summarize(results: ElementResult[], linearizable: boolean): CheckResult {
  const stable = results.filter((r) => r.outcome === "stable");
  const lost = results.filter((r) => r.outcome === "lost");
  const never_read = results.filter((r) => r.outcome === "never-read");
  const stale = stable.filter((r) => (r["stable-latency"] ?? 0) > 0);
  // Jepsen sorts by latency (stable sort) and reverses: ties list later elements first.
  const worst_stale = [...stale].sort((a, b) => a["stable-latency"]! - b["stable-latency"]!)
    .reverse().slice(0, WORST_STALE_LIMIT);
  let valid: Validity = true;
  if (lost.length > 0) valid = false;
  else if (stable.length === 0) valid = "unknown";
  else if (linearizable && stale.length > 0) valid = false;

  const result: CheckResult = {
    "valid?": valid,
    "attempt-count": results.length,
    "stable-count": stable.length,
    "lost-count": lost.length,
    "lost": lost.map((r) => r.element),
    "never-read-count": never_read.length,
    "never-read": never_read.map((r) => r.element),
    "stale-count": stale.length,
    "stale": stale.map((r) => r.element),
    "worst-stale": worst_stale,
  };
  const stable_latencies = results.flatMap((r) => r["stable-latency"] ?? []);
  const lost_latencies = results.flatMap((r) => r["lost-latency"] ?? []);
  if (stable_latencies.length > 0) result["stable-latencies"] = quantiles(stable_latencies);
  if (lost_latencies.length > 0) result["lost-latencies"] = quantiles(lost_latencies);
  return result;
}

/** Jepsen's `frequency-distribution`: the sorted value at `min(n-1, floor(n·q))` per point. */
export function quantiles(values: readonly number[]): Record<string, number> {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  const out: Record<string, number> = {};
  for (const point of LATENCY_QUANTILES) {
    out[String(point)] = sorted[Math.min(n - 1, Math.floor(n * point))];
  }
  return out;
}

function elementLabel(element: unknown): string {
  return typeof element === "string" ? element : canonicalKey(element);
}
