/**
 * Target checks: does a figure meet a row's bound? A row's targets are data
 * in the run table (run.ts); this module only compares and formats them.
 *
 * A target whose figure is missing is not met: a run that produced no
 * msgs-per-op cannot claim to be under budget.
 *
 * @module
 */

import type { Figures } from "./figures.ts";
import type { Metric, RunRow, Target } from "./types.ts";

/** Where a target comes from: the documentation (`stated`) or our own issues (`ours`). */
export type TargetSource = "stated" | "ours";

/** The outcome of one target on one (median) figure. */
export interface TargetCheck {
  source: TargetSource;
  metric: Metric;
  op: Target["op"];
  value: number;
  /** The figure compared, or undefined when the run did not produce it. */
  actual?: number;
  met: boolean;
}

/** Whether `actual` satisfies `target`. */
export function meets(target: Target, actual: number): boolean {
  if (target.op === "<") return actual < target.value;
  if (target.op === "<=") return actual <= target.value;
  return actual >= target.value;
}

/** Every target of `row` (stated first, then ours) checked against `figures`. */
export function checkTargets(row: RunRow, figures: Figures): TargetCheck[] {
  const sourced: [TargetSource, readonly Target[] | undefined][] = [
    ["stated", row.stated_targets],
    ["ours", row.our_targets],
  ];
  const checks: TargetCheck[] = [];
  for (const [source, targets] of sourced) {
    for (const target of targets ?? []) {
      const actual = figures[target.metric];
      const met = actual !== undefined && meets(target, actual);
      checks.push({
        source,
        metric: target.metric,
        op: target.op,
        value: target.value,
        actual,
        met,
      });
    }
  }
  return checks;
}

/** A bound as text, e.g. `≤12.5` or `<400`. */
export function formatBound(target: Pick<Target, "op" | "value">): string {
  const symbol = target.op === "<=" ? "≤" : target.op === ">=" ? "≥" : "<";
  return `${symbol}${target.value}`;
}

/** One line explaining a missed target, e.g. `servers_msgs_per_op 14.2 not ≤12.5 (ours)`. */
export function describeMiss(check: TargetCheck): string {
  const actual = check.actual === undefined ? "missing" : formatFigure(check.metric, check.actual);
  return `${check.metric} ${actual} not ${formatBound(check)} (${check.source})`;
}

/** A figure formatted with precision suited to its metric. */
export function formatFigure(metric: Metric, value: number): string {
  if (metric === "ok_fraction") return value.toFixed(4);
  if (metric === "run_time_s") return value.toFixed(1);
  if (metric.endsWith("_ms")) return value < 10 ? value.toFixed(2) : value.toFixed(0);
  return value.toFixed(2);
}
