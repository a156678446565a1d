/**
 * The perf checker (`harness.md` §10.2): Jepsen's latency and rate graphs,
 * drawn as SVG by lib/harness/viz/plot.ts instead of gnuplot PNGs (same
 * names, `.svg` where Maelstrom writes `.png`; no gnuplot needed):
 *
 * - `latency-raw.svg`: every completed client op's latency (ms, log axis)
 *   against its invocation time, coloured by completion type, shaped by `f`;
 * - `latency-quantiles.svg`: quantiles 0.5, 0.95, 0.99 and 1 of latency per
 *   `f`, in 30 s buckets of invocation time;
 * - `rate.svg`: completions per second by `f` and type, in 10 s buckets of
 *   completion time.
 *
 * Fault periods (start-partition to stop-partition, pause to resume, kill
 * to start, or to the end) are shaded with Jepsen's colours (`#E9DCA0`,
 * `#A0B1E9`, `#E9A4A0`). Result: `{latency-graph, rate-graph, valid?}` as in
 * Maelstrom, where a graph that fails to render is `{valid?: "unknown",
 * error}`. Addition beyond Maelstrom: `latency-ms`, per `f`, the count of
 * completed ops and quantiles 0.5/0.95/0.99/1 of their latency in ms over
 * every completion, ok, info and fail alike, as Jepsen's quantile graph
 * counts them (`jepsen.checker.perf/quantiles-graph!` groups every completed
 * invocation by `:f`), and the same for ok ops only under `ok` (JavaScript
 * lists the key "1" first). `latency-raw.svg` draws at most `MAX_RAW_POINTS`
 * ops, evenly sampled, and says so in its title when it samples.
 *
 * @module
 */

import { join } from "node:path";
import type { CheckResult, Op, Validity } from "../types.ts";
import { mergeValid } from "./compose.ts";
import { pairOps } from "../history.ts";
import { type Band, renderPlot, type Series, SHAPES } from "../viz/plot.ts";

/** Latency quantiles of the graph and of the summary. */
export const PERF_QUANTILES = [0.5, 0.95, 0.99, 1] as const;
/** Bucket width of the quantile graph, in seconds. */
export const QUANTILE_BUCKET_S = 30;
/** Bucket width of the rate graph, in seconds. */
export const RATE_BUCKET_S = 10;
/** At most this many ops are drawn in latency-raw.svg. */
export const MAX_RAW_POINTS = 50_000;
/** The shade of partition periods. */
export const PARTITION_COLOR = "#E9DCA0";

/** Jepsen's colours per completion type. */
export const TYPE_COLORS = { ok: "#81BFFC", info: "#FFA400", fail: "#FF1E90" } as const;
const QUANTILE_COLORS = ["#81BFFC", "#FFA400", "#FF1E90", "#5E2CA5"];

/** A client op with its completion. */
export interface CompletedOp {
  f: string;
  type: "ok" | "fail" | "info";
  invoke_s: number;
  complete_s: number;
  latency_ms: number;
}

/** Pairs each client invocation with its process's next completion; unfinished ops are left out. */
export function completedOps(history: readonly Op[]): CompletedOp[] {
  const out: CompletedOp[] = [];
  for (const { invoke, completion } of pairOps(history)) {
    if (completion === undefined) continue;
    out.push({
      f: invoke.f,
      type: completion.type,
      invoke_s: invoke.time / 1e9,
      complete_s: completion.time / 1e9,
      latency_ms: (completion.time - invoke.time) / 1e6,
    });
  }
  return out;
}

/** A kind of fault period: Jepsen's nemesis perf specs (jepsen/nemesis/combined.clj `:perf`). */
export interface FaultKind {
  name: string;
  start: string;
  stop: string;
  color: string;
}

/** Partition, pause and kill, with Jepsen's colours. */
export const FAULT_KINDS: readonly FaultKind[] = [
  { name: "partition", start: "start-partition", stop: "stop-partition", color: PARTITION_COLOR },
  { name: "pause", start: "pause", stop: "resume", color: "#A0B1E9" },
  { name: "kill", start: "kill", stop: "start", color: "#E9A4A0" },
];

/** Periods of one fault kind in seconds: from a start op to the next stop op, or to the end. */
export function faultBands(history: readonly Op[], kind: FaultKind): Band[] {
  const bands: Band[] = [];
  const band = (from: number, to: number): Band => ({
    from,
    to,
    color: kind.color,
    label: kind.name,
  });
  let open_s: number | undefined;
  for (const op of history) {
    if (op.process !== "nemesis") continue;
    if (op.f === kind.start && open_s === undefined) open_s = op.time / 1e9;
    if (op.f === kind.stop && open_s !== undefined) {
      bands.push(band(open_s, op.time / 1e9));
      open_s = undefined;
    }
  }
  if (open_s !== undefined) {
    const end_s = history.length === 0 ? open_s : history[history.length - 1].time / 1e9;
    bands.push(band(open_s, Math.max(open_s, end_s)));
  }
  return bands;
}

/** Partition periods in seconds: from a start-partition to the next stop-partition or the end. */
export function partitionBands(history: readonly Op[]): Band[] {
  return faultBands(history, FAULT_KINDS[0]);
}

/** Every fault period (partition, pause, kill), each band coloured and labelled by its kind. */
export function nemesisBands(history: readonly Op[]): Band[] {
  return FAULT_KINDS.flatMap((kind) => faultBands(history, kind));
}

/** Jepsen's quantile of ascending values: the element at floor(n·q), clamped. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) throw new RangeError("quantile of no values");
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))];
}

function quantileMap(sorted: readonly number[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const q of PERF_QUANTILES) out[String(q)] = round3(quantile(sorted, q));
  return out;
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/**
 * Per `f`, sorted: the count of completed ops and their latency quantiles in ms over every
 * completion (Jepsen's), and under `ok` the same over ok completions only.
 */
export function latencySummary(ops: readonly CompletedOp[]): Record<string, unknown> {
  const by_f = groupLatencies(ops, (op) => op.f);
  const ok_by_f = groupLatencies(ops.filter((op) => op.type === "ok"), (op) => op.f);
  const out: Record<string, unknown> = {};
  for (const [f, latencies] of by_f) {
    const ok = ok_by_f.get(f);
    out[f] = {
      count: latencies.length,
      quantiles: quantileMap(latencies),
      ...(ok === undefined ? {} : { ok: { count: ok.length, quantiles: quantileMap(ok) } }),
    };
  }
  return out;
}

/** Sorted latencies grouped by key, keys in sorted order. */
function groupLatencies(
  ops: readonly CompletedOp[],
  key: (op: CompletedOp) => string,
): Map<string, number[]> {
  const groups = new Map<string, number[]>();
  for (const op of ops) {
    const k = key(op);
    let list = groups.get(k);
    if (list === undefined) groups.set(k, list = []);
    list.push(op.latency_ms);
  }
  for (const list of groups.values()) list.sort((a, b) => a - b);
  return new Map([...groups].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** The middle of the `width_s` bucket that holds `t_s` (Jepsen's `bucket-time`). */
export function bucketMiddle(t_s: number, width_s: number): number {
  return Math.floor(t_s / width_s) * width_s + width_s / 2;
}

function sortedKeys<T>(map: Map<string, T>): string[] {
  return [...map.keys()].sort();
}

function fIndex(ops: readonly CompletedOp[]): Map<string, number> {
  const fs = [...new Set(ops.map((op) => op.f))].sort();
  return new Map(fs.map((f, i) => [f, i]));
}

/** Series of latency-raw.svg: one per (f, type), every `stride`-th op. */
export function latencyRawSeries(ops: readonly CompletedOp[], max_points = MAX_RAW_POINTS) {
  const stride = Math.max(1, Math.ceil(ops.length / max_points));
  const shapes = fIndex(ops);
  const groups = new Map<string, Series & { points: [number, number][] }>();
  for (let i = 0; i < ops.length; i += stride) {
    const op = ops[i];
    const key = `${op.f} ${op.type}`;
    let s = groups.get(key);
    if (s === undefined) {
      s = {
        label: key,
        color: TYPE_COLORS[op.type],
        kind: "points",
        shape: SHAPES[shapes.get(op.f)! % SHAPES.length],
        points: [],
      };
      groups.set(key, s);
    }
    s.points.push([op.invoke_s, Math.max(op.latency_ms, 1e-3)]);
  }
  return { stride, series: sortedKeys(groups).map((k) => groups.get(k)!) };
}

/** Series of latency-quantiles.svg: per f and quantile, one point per 30 s bucket. */
export function latencyQuantileSeries(ops: readonly CompletedOp[]): Series[] {
  const by_bucket = groupLatencies(
    ops,
    (op) => `${op.f}\u0000${bucketMiddle(op.invoke_s, QUANTILE_BUCKET_S)}`,
  );
  const shapes = fIndex(ops);
  const series = new Map<string, Series & { points: [number, number][] }>();
  for (const [key, latencies] of by_bucket) {
    const [f, middle] = key.split("\u0000");
    PERF_QUANTILES.forEach((q, qi) => {
      const label = `${f} ${q}`;
      let s = series.get(label);
      if (s === undefined) {
        s = {
          label,
          color: QUANTILE_COLORS[qi],
          kind: "line",
          shape: SHAPES[shapes.get(f)! % SHAPES.length],
          points: [],
        };
        series.set(label, s);
      }
      s.points.push([Number(middle), Math.max(quantile(latencies, q), 1e-3)]);
    });
  }
  for (const s of series.values()) s.points.sort((a, b) => a[0] - b[0]);
  return [...series.values()];
}

/** Series of rate.svg: completions per second per (f, type), one point per 10 s bucket. */
export function rateSeries(ops: readonly CompletedOp[]): Series[] {
  const counts = new Map<string, Map<number, number>>();
  for (const op of ops) {
    const key = `${op.f} ${op.type}`;
    let buckets = counts.get(key);
    if (buckets === undefined) counts.set(key, buckets = new Map());
    const middle = bucketMiddle(op.complete_s, RATE_BUCKET_S);
    buckets.set(middle, (buckets.get(middle) ?? 0) + 1);
  }
  const shapes = fIndex(ops);
  return sortedKeys(counts).map((key) => {
    const [f, type] = splitLast(key);
    const points = [...counts.get(key)!].sort((a, b) => a[0] - b[0])
      .map(([middle, n]) => [middle, n / RATE_BUCKET_S] as [number, number]);
    return {
      label: key,
      color: TYPE_COLORS[type as keyof typeof TYPE_COLORS],
      kind: "line" as const,
      shape: SHAPES[shapes.get(f)! % SHAPES.length],
      points,
    };
  });
}

function splitLast(key: string): [string, string] {
  const i = key.lastIndexOf(" ");
  return [key.slice(0, i), key.slice(i + 1)];
}

function span(ops: readonly CompletedOp[], bands: readonly Band[]): number {
  let end_s = 1;
  for (const op of ops) end_s = Math.max(end_s, op.complete_s);
  for (const band of bands) end_s = Math.max(end_s, band.to);
  return end_s;
}

/** Renderers of the three SVG files (by file name) for the latency and rate graphs. */
export function perfGraphs(ops: readonly CompletedOp[], bands: readonly Band[]): {
  latency: () => Record<string, string>;
  rate: () => Record<string, string>;
} {
  const x_min_span = span(ops, bands);
  const common = { bands, band_color: PARTITION_COLOR, x_min_span, x_label: "Time (s)" };
  return {
    latency: () => {
      const raw = latencyRawSeries(ops);
      const sampled = raw.stride === 1 ? "" : ` (1 op in ${raw.stride} shown)`;
      return {
        "latency-raw.svg": renderPlot({
          ...common,
          title: `Raw latency${sampled}`,
          y_label: "Latency (ms)",
          y_log: true,
          series: raw.series,
        }),
        "latency-quantiles.svg": renderPlot({
          ...common,
          title: `Latency quantiles (${QUANTILE_BUCKET_S} s buckets)`,
          y_label: "Latency (ms)",
          y_log: true,
          series: latencyQuantileSeries(ops),
        }),
      };
    },
    rate: () => ({
      "rate.svg": renderPlot({
        ...common,
        title: `Throughput (${RATE_BUCKET_S} s buckets)`,
        y_label: "Throughput (hz)",
        series: rateSeries(ops),
      }),
    }),
  };
}

function graphResult(render: () => Record<string, string>, store_path?: string): CheckResult {
  try {
    const files = render();
    if (store_path !== undefined) {
      for (const [name, svg] of Object.entries(files)) {
        Deno.writeTextFileSync(join(store_path, name), svg);
      }
    }
    return { "valid?": true };
  } catch (e) {
    const error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    return { "valid?": "unknown", error };
  }
}

/**
 * Renders the perf graphs into `store_path` (when given) and summarises ok latencies; with
 * `draw` false the graphs are not rendered at all (`--outputs failures`).
 */
export function checkPerf(history: readonly Op[], store_path?: string, draw = true): CheckResult {
  const ops = completedOps(history);
  const graphs = perfGraphs(ops, nemesisBands(history));
  const not_drawn = { "valid?": true, note: "not drawn: --outputs failures and the run passed" };
  const latency_graph = draw ? graphResult(graphs.latency, store_path) : not_drawn;
  const rate_graph = draw ? graphResult(graphs.rate, store_path) : not_drawn;
  const valid: Validity = mergeValid(latency_graph["valid?"], rate_graph["valid?"]);
  return {
    "latency-graph": latency_graph,
    "rate-graph": rate_graph,
    "latency-ms": latencySummary(ops),
    "valid?": valid,
  };
}
