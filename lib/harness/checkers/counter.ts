/**
 * The counter checker of g-counter and pn-counter (Maelstrom
 * `workload/pn_counter.clj`, algorithm A2 in
 * shared/maelstrom/workloads/README.md).
 *
 * The acceptable final values are the sum of the ok adds plus the sum of any
 * subset of the indeterminate (info) adds, kept as sorted, merged, closed
 * integer intervals. Every ok read marked `final` must lie in that set.
 *
 * Deviation (stricter than Maelstrom): the set is capped at
 * `MAX_ACCEPTABLE_INTERVALS` intervals; past that the checker throws (→
 * unknown) instead of growing without bound.
 *
 * @module
 */

import type { CheckResult, Op } from "../types.ts";
import { isJsonInteger, jsonText } from "../json_values.ts";

/** A closed integer interval [lo, hi]. */
export type Interval = [number, number];

/** Bound on the acceptable set's size; deltas are small, so real runs stay far below. */
export const MAX_ACCEPTABLE_INTERVALS = 100_000;

/** The acceptable final values: ok-delta sum plus any subset of the info deltas. */
export function acceptableSet(history: readonly Op[]): Interval[] {
  let definite_sum = 0;
  const info_deltas: number[] = [];
  for (const op of history) {
    if (op.f !== "add") continue;
    if (op.type === "ok") definite_sum += deltaOf(op);
    else if (op.type === "info") info_deltas.push(deltaOf(op));
  }
  let acceptable: Interval[] = [[definite_sum, definite_sum]];
  for (const delta of info_deltas) {
    const shifted = acceptable.map(([lo, hi]): Interval => [lo + delta, hi + delta]);
    acceptable = mergeIntervals([...acceptable, ...shifted]);
    if (acceptable.length > MAX_ACCEPTABLE_INTERVALS) {
      throw new RangeError(
        `acceptable set exceeds ${MAX_ACCEPTABLE_INTERVALS} intervals; refusing to grow it`,
      );
    }
  }
  return acceptable;
}

/** Sorts and merges intervals; [a,b] and [c,d] merge when c ≤ b+1 (integers). */
export function mergeIntervals(intervals: readonly Interval[]): Interval[] {
  const sorted = [...intervals].sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  const merged: Interval[] = [];
  for (const [lo, hi] of sorted) {
    const last = merged[merged.length - 1];
    if (last !== undefined && lo <= last[1] + 1) last[1] = Math.max(last[1], hi);
    else merged.push([lo, hi]);
  }
  return merged;
}

/** Whether the integer `value` lies in one of the intervals. */
export function intervalsContain(intervals: readonly Interval[], value: number | bigint): boolean {
  if (typeof value === "bigint") {
    return intervals.some(([lo, hi]) => BigInt(lo) <= value && value <= BigInt(hi));
  }
  return intervals.some(([lo, hi]) => lo <= value && value <= hi);
}

/** Judges final reads against the acceptable set (Maelstrom's pn-counter checker). */
export function checkCounter(history: readonly Op[]): CheckResult {
  const acceptable = acceptableSet(history);
  const final_reads = history.filter((op) => op.final === true && op.type === "ok");
  for (const read of final_reads) {
    if (!isJsonInteger(read.value)) {
      throw new TypeError(
        `final read ${read.index} returned a non-integer ${jsonText(read.value)}`,
      );
    }
  }
  const errors = final_reads.filter((read) =>
    !intervalsContain(acceptable, read.value as number | bigint)
  );
  return {
    "valid?": errors.length === 0,
    "errors": errors.length === 0 ? null : errors,
    "final-reads": final_reads.map((read) => read.value),
    "acceptable": acceptable,
  };
}

function deltaOf(op: Op): number {
  const delta = op.value;
  if (typeof delta !== "number" || !Number.isSafeInteger(delta)) {
    throw new TypeError(`add ${op.index} has a non-integer delta ${jsonText(delta)}`);
  }
  return delta;
}
