/**
 * The report's plots, sized for short runs: latency over time with one colour per op kind
 * (`f`; failed and indeterminate ops hollow), latency quantiles and throughput in buckets
 * sized so a run has about `TARGET_BUCKETS` of them, and for broadcast (and g-set) the
 * distribution of stable latencies. Every plot shades fault periods.
 *
 * Fault periods are read generically from nemesis ops: an op whose `f` is `start-X` (or
 * `pause`/`kill`) opens a period, the next `stop-X` (`resume`/`start`) closes it, and one
 * still open at the end runs to the end. Each fault kind gets its own colour.
 *
 * @module
 */

import type { Op } from "../types.ts";
import { type CompletedOp, completedOps } from "../checkers/perf.ts";
import { setFullElementResults } from "../checkers/set_full.ts";
import { type ChartBand, type ChartSeries, renderChart } from "./chart.ts";

/** About this many buckets per run in the quantile and throughput plots. */
export const TARGET_BUCKETS = 20;
/** At most this many points are drawn in the latency scatter (evenly sampled). */
export const MAX_SCATTER_POINTS = 20_000;
/** Bucket widths (s) the plots choose from. */
const BUCKET_CHOICES_S = [0.1, 0.25, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300];

/** Colours per op kind, in order of first appearance. */
export const F_COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"];
const QUANTILE_COLORS: Record<string, string> = {
  "0.5": "#1f77b4",
  "0.95": "#ff7f0e",
  "0.99": "#d62728",
  "1": "#555",
};
const FAULT_COLORS = ["#E9C46A", "#9AD1D4", "#F4A3A8", "#B8E0A0"];

/** A plot and its legend. */
export interface Plot {
  id: string;
  svg: string;
  legend: { label: string; color: string; hollow?: boolean }[];
  note?: string;
}

/** A fault period, in seconds of relative time. */
export interface FaultBand {
  fault: string;
  from: number;
  to: number;
}

const OPENERS: Record<string, string> = { pause: "resume", kill: "start" };

/** The fault periods of a history (nemesis start/stop pairs, by `f`). */
export function faultPeriods(history: readonly Op[], end_s: number): FaultBand[] {
  const open = new Map<string, { fault: string; from: number; closer: string }>();
  const out: FaultBand[] = [];
  for (const op of history) {
    // Jepsen logs each nemesis op twice (info invoke, info completion): the first opens or
    // closes; the second finds its period already open or already closed and is skipped.
    if (op.process !== "nemesis") continue;
    const t = op.time / 1e9;
    const closing = [...open.entries()].find(([, o]) => o.closer === op.f);
    if (closing !== undefined) {
      out.push({ fault: closing[1].fault, from: closing[1].from, to: t });
      open.delete(closing[0]);
      continue;
    }
    const fault = op.f.startsWith("start-") ? op.f.slice(6) : OPENERS[op.f] ? op.f : undefined;
    if (fault === undefined || open.has(fault)) continue;
    const closer = op.f.startsWith("start-") ? `stop-${fault}` : OPENERS[op.f];
    open.set(fault, { fault, from: t, closer });
  }
  for (const o of open.values()) out.push({ fault: o.fault, from: o.from, to: end_s });
  return out.sort((a, b) => a.from - b.from);
}

/** The time of the history's last op, in seconds (a loop: histories can be long). */
export function endSeconds(history: readonly Op[]): number {
  let end = 0;
  for (const op of history) if (op.time > end) end = op.time;
  return end / 1e9;
}

/** A bucket width giving about `TARGET_BUCKETS` buckets over `span_s`. */
export function bucketWidth(span_s: number): number {
  const want = Math.max(span_s, 0.1) / TARGET_BUCKETS;
  return BUCKET_CHOICES_S.find((w) => w >= want) ?? BUCKET_CHOICES_S.at(-1)!;
}

/** Every plot the run supports. */
export function buildPlots(history: readonly Op[], workload: string): Plot[] {
  const ops = completedOps(history);
  const end_s = endSeconds(history);
  const faults = faultPeriods(history, end_s);
  const fault_kinds = [...new Set(faults.map((f) => f.fault))];
  const bands: ChartBand[] = faults.map((f) => ({
    ...f,
    label: f.fault,
    color: FAULT_COLORS[fault_kinds.indexOf(f.fault) % FAULT_COLORS.length],
  }));
  const fault_legend = fault_kinds.map((k, i) => ({
    label: `${k} (shaded)`,
    color: FAULT_COLORS[i % FAULT_COLORS.length],
  }));
  const x_range: [number, number] = [0, Math.max(end_s, 1)];
  const plots = [
    latencyScatter(ops, bands, x_range),
    latencyQuantiles(ops, bands, x_range, end_s),
    throughput(ops, bands, x_range, end_s),
  ];
  if (workload === "broadcast" || workload === "g-set") {
    const stable = stableLatencies(history, workload === "broadcast" ? "broadcast" : "add");
    if (stable !== undefined) plots.push(stable);
  }
  for (const plot of plots) plot.legend.push(...fault_legend);
  return plots;
}

function fColors(ops: readonly CompletedOp[]): Map<string, string> {
  const colors = new Map<string, string>();
  for (const op of ops) {
    if (!colors.has(op.f)) colors.set(op.f, F_COLORS[colors.size % F_COLORS.length]);
  }
  return colors;
}

function latencyScatter(
  ops: readonly CompletedOp[],
  bands: ChartBand[],
  x_range: [number, number],
): Plot {
  const colors = fColors(ops);
  const step = Math.max(1, Math.ceil(ops.length / MAX_SCATTER_POINTS));
  const log = wantsLog(ops.map((op) => op.latency_ms));
  const sampled = ops.filter((_, i) => i % step === 0);
  const series: ChartSeries[] = [];
  const legend: Plot["legend"] = [];
  for (const [f, color] of colors) {
    for (const hollow of [false, true]) {
      const points = sampled.filter((op) => op.f === f && (op.type !== "ok") === hollow)
        .map((op) => [op.invoke_s, latencyY(op.latency_ms, log)] as const);
      if (points.length === 0) continue;
      const label = hollow ? `${f} fail/info` : `${f} ok`;
      series.push({ label, color, kind: "points", hollow, points });
      legend.push({ label, color, hollow });
    }
  }
  let note = step > 1
    ? `Every ${step}th of ${ops.length} ops drawn (${sampled.length} shown).`
    : `All ${ops.length} completed ops drawn.`;
  if (ops.length > 0 && ops.every((op) => op.latency_ms === 0)) {
    note += " Every op took 0 ms: in the simulator a node's handling takes no virtual time " +
      "unless --sim-cpu-us is set, and client links have no latency.";
  }
  return {
    id: "plot-latency",
    svg: renderChart({
      id: "plot-latency-svg",
      title: "Latency of each operation (by invocation time)",
      x_label: "time (s)",
      y_label: log ? "latency (ms, log)" : "latency (ms)",
      y_log: log,
      x_range,
      series,
      bands,
    }),
    legend,
    note,
  };
}

/** Floor of a log latency axis, in ms. */
const LOG_FLOOR_MS = 0.01;

/** A log axis only when latencies span more than a decade above 0.1 ms; else linear. */
export function wantsLog(latencies_ms: readonly number[]): boolean {
  let lo = Infinity, hi = 0;
  for (const v of latencies_ms) {
    if (v > hi) hi = v;
    if (v > 0 && v < lo) lo = v;
  }
  return hi >= 1 && hi / Math.max(lo, 0.1) > 10;
}

function latencyY(latency_ms: number, log: boolean): number {
  return log ? Math.max(latency_ms, LOG_FLOOR_MS) : latency_ms;
}

function quantileOf(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))];
}

function latencyQuantiles(
  ops: readonly CompletedOp[],
  bands: ChartBand[],
  x_range: [number, number],
  end_s: number,
): Plot {
  const width = bucketWidth(end_s);
  const buckets = new Map<number, number[]>();
  for (const op of ops) {
    if (op.type !== "ok") continue;
    const b = Math.floor(op.invoke_s / width);
    const list = buckets.get(b) ?? [];
    list.push(op.latency_ms);
    buckets.set(b, list);
  }
  const keys = [...buckets.keys()].sort((a, b) => a - b);
  const log = wantsLog([...buckets.values()].flat());
  const series: ChartSeries[] = Object.entries(QUANTILE_COLORS).map(([q, color]) => ({
    label: q === "1" ? "max" : `p${Number(q) * 100}`,
    color,
    kind: "line" as const,
    points: keys.map((k) => {
      const sorted = buckets.get(k)!.sort((a, b) => a - b);
      return [(k + 0.5) * width, latencyY(quantileOf(sorted, Number(q)), log)] as const;
    }),
  }));
  return {
    id: "plot-quantiles",
    svg: renderChart({
      id: "plot-quantiles-svg",
      title: `Latency quantiles of ok ops, ${width} s buckets`,
      x_label: "time (s)",
      y_label: log ? "latency (ms, log)" : "latency (ms)",
      y_log: log,
      x_range,
      series,
      bands,
    }),
    legend: series.map((s) => ({ label: s.label, color: s.color })),
    note: `${keys.length} buckets of ${width} s.`,
  };
}

function throughput(
  ops: readonly CompletedOp[],
  bands: ChartBand[],
  x_range: [number, number],
  end_s: number,
): Plot {
  const width = bucketWidth(end_s);
  const colors = fColors(ops);
  const series: ChartSeries[] = [];
  const last = Math.floor(end_s / width);
  const groups: [string, string, (op: CompletedOp) => boolean][] = [
    ...[...colors].map(([f, color]) =>
      [`${f} ok`, color, (op: CompletedOp) => op.f === f && op.type === "ok"] as [
        string,
        string,
        (op: CompletedOp) => boolean,
      ]
    ),
    ["all fail/info", "#999", (op) => op.type !== "ok"],
  ];
  for (const [label, color, pick] of groups) {
    const counts = new Array(last + 1).fill(0);
    for (const op of ops) if (pick(op)) counts[Math.min(last, Math.floor(op.complete_s / width))]++;
    if (counts.every((c) => c === 0)) continue;
    series.push({
      label,
      color,
      kind: "line",
      points: counts.map((c, i) => [(i + 0.5) * width, c / width] as const),
    });
  }
  return {
    id: "plot-throughput",
    svg: renderChart({
      id: "plot-throughput-svg",
      title: `Throughput (completions per second), ${width} s buckets`,
      x_label: "time (s)",
      y_label: "ops/s",
      x_range,
      series,
      bands,
    }),
    legend: series.map((s) => ({ label: s.label, color: s.color })),
  };
}

function stableLatencies(history: readonly Op[], add_f: string): Plot | undefined {
  let values: number[];
  try {
    values = setFullElementResults(history, { add_f })
      .flatMap((r) => r["stable-latency"] === null ? [] : [r["stable-latency"]]);
  } catch {
    return undefined; // A history the checker rejects has no stable latencies to draw.
  }
  if (values.length === 0) return undefined;
  const max = values.reduce((a, b) => Math.max(a, b), 0);
  const width = niceBin(max);
  const counts = new Map<number, number>();
  for (const v of values) {
    const b = Math.floor(v / width);
    counts.set(b, (counts.get(b) ?? 0) + 1);
  }
  const sorted = [...values].sort((a, b) => a - b);
  const median = quantileOf(sorted, 0.5);
  return {
    id: "plot-stable",
    svg: renderChart({
      id: "plot-stable-svg",
      title: `Stable latency of ${values.length} broadcast values (add → visible on every read)`,
      x_label: "stable latency (ms)",
      y_label: "values",
      x_range: [0, (Math.floor(max / width) + 1) * width],
      series: [{
        label: "values",
        color: "#1f77b4",
        kind: "bars",
        bar_width: width,
        points: [...counts].map(([b, c]) => [b * width, c] as const),
      }],
    }),
    legend: [{ label: `values per ${width} ms bin`, color: "#1f77b4" }],
    note: `median ${median.toFixed(0)} ms, p95 ${quantileOf(sorted, 0.95).toFixed(0)} ms, ` +
      `max ${max.toFixed(0)} ms.`,
  };
}

/** A histogram bin width giving about 30 bins up to `max`. */
function niceBin(max: number): number {
  const raw = Math.max(max, 1) / 30;
  const power = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5]) if (m * power >= raw) return m * power;
  return 10 * power;
}
