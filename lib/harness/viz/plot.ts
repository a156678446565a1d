/**
 * A minimal 2-D chart in SVG for the perf checker's graphs: linear x axis,
 * linear or log y axis, point and line series, a legend, and shaded x
 * intervals (partitions, pauses, kills). It replaces Jepsen's gnuplot PNGs.
 *
 * @module
 */

import { el, num, svgDocument, textEl } from "./svg.ts";

/** Marker shapes for point series, cycled by series index. */
export const SHAPES = ["circle", "square", "triangle", "diamond", "cross"] as const;
export type Shape = typeof SHAPES[number];

/** One series: scattered points or a polyline. */
export interface Series {
  label: string;
  color: string;
  kind: "points" | "line";
  /** Marker for points (and line vertices); default circle. */
  shape?: Shape;
  /** [x, y] pairs; non-finite pairs are skipped. */
  points: readonly (readonly [number, number])[];
}

/** A shaded interval of the x axis. */
export interface Band {
  from: number;
  to: number;
  /** The band's own shade (default: the spec's `band_color`). */
  color?: string;
  /** Its legend label (default: "partition"). */
  label?: string;
}

/** What to draw. */
export interface PlotSpec {
  title: string;
  x_label: string;
  y_label: string;
  y_log?: boolean;
  series: readonly Series[];
  bands?: readonly Band[];
  band_color?: string;
  /** The x axis covers at least [0, x_min_span]. */
  x_min_span?: number;
}

const WIDTH_PX = 1000;
const HEIGHT_PX = 480;
const MARGIN = { left: 70, right: 220, top: 40, bottom: 50 };
const PLOT_W = WIDTH_PX - MARGIN.left - MARGIN.right;
const PLOT_H = HEIGHT_PX - MARGIN.top - MARGIN.bottom;

interface Scale {
  map(v: number): number;
  ticks: number[];
  label(v: number): string;
}

/** A "nice" tick step near range/target: 1, 2 or 5 times a power of ten. */
export function niceStep(range: number, target = 8): number {
  if (!(range > 0)) return 1;
  const raw = range / target;
  const power = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5]) if (m * power >= raw) return m * power;
  return 10 * power;
}

function linearScale(lo: number, hi: number, px_from: number, px_to: number): Scale {
  const step = niceStep(hi - lo);
  const start = Math.floor(lo / step) * step;
  const end = Math.ceil(hi / step) * step;
  const span = end - start || 1;
  const ticks: number[] = [];
  for (let i = 0; start + i * step <= end + step / 1e6 && i <= 100; i++) {
    ticks.push(start + i * step);
  }
  return {
    map: (v) => px_from + (v - start) / span * (px_to - px_from),
    ticks,
    label: (v) => String(Number(v.toPrecision(6))),
  };
}

function logScale(lo: number, hi: number, px_from: number, px_to: number): Scale {
  const lo_exp = Math.floor(Math.log10(lo));
  const hi_exp = Math.max(lo_exp + 1, Math.ceil(Math.log10(hi)));
  const ticks: number[] = [];
  for (let e = lo_exp; e <= hi_exp; e++) ticks.push(10 ** e);
  return {
    map: (v) =>
      px_from + (Math.log10(Math.max(v, 10 ** lo_exp)) - lo_exp) / (hi_exp - lo_exp) *
        (px_to - px_from),
    ticks,
    label: (v) => String(Number(v.toPrecision(6))),
  };
}

function extent(spec: PlotSpec): { x: [number, number]; y: [number, number] } {
  let x_hi = spec.x_min_span ?? 1;
  let y_lo = Infinity;
  let y_hi = -Infinity;
  for (const s of spec.series) {
    for (const [x, y] of s.points) {
      if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
      x_hi = Math.max(x_hi, x);
      if (spec.y_log && !(y > 0)) continue;
      y_lo = Math.min(y_lo, y);
      y_hi = Math.max(y_hi, y);
    }
  }
  for (const band of spec.bands ?? []) x_hi = Math.max(x_hi, band.to);
  if (y_lo === Infinity) [y_lo, y_hi] = spec.y_log ? [1, 10] : [0, 1];
  if (!spec.y_log) y_lo = Math.min(0, y_lo);
  if (y_hi <= y_lo) y_hi = spec.y_log ? y_lo * 10 : y_lo + 1;
  return { x: [0, x_hi], y: [y_lo, y_hi] };
}

function marker(shape: Shape, x: number, y: number, color: string): string {
  switch (shape) {
    case "circle":
      return el("circle", { cx: x, cy: y, r: 2.5, fill: color });
    case "square":
      return el("rect", { x: x - 2.5, y: y - 2.5, width: 5, height: 5, fill: color });
    case "triangle":
      return el("path", { d: `M${num(x)} ${num(y - 3)}l3 5.5h-6z`, fill: color });
    case "diamond":
      return el("path", { d: `M${num(x)} ${num(y - 3.5)}l3 3.5l-3 3.5l-3 -3.5z`, fill: color });
    case "cross":
      return el("path", {
        d: `M${num(x - 3)} ${num(y - 3)}l6 6m0 -6l-6 6`,
        stroke: color,
        "stroke-width": 1.5,
      });
  }
}

/** Renders the chart as a standalone SVG document. */
export function renderPlot(spec: PlotSpec): string {
  const ext = extent(spec);
  const left = MARGIN.left;
  const right = MARGIN.left + PLOT_W;
  const top = MARGIN.top;
  const bottom = MARGIN.top + PLOT_H;
  const xs = linearScale(ext.x[0], ext.x[1], left, right);
  const ys = spec.y_log
    ? logScale(ext.y[0], ext.y[1], bottom, top)
    : linearScale(ext.y[0], ext.y[1], bottom, top);
  const parts: string[] = [];
  parts.push(el("rect", { x: left, y: top, width: PLOT_W, height: PLOT_H, fill: "#fff" }));
  for (const band of spec.bands ?? []) {
    const x0 = clamp(xs.map(band.from), left, right);
    const x1 = clamp(xs.map(band.to), left, right);
    parts.push(el("rect", {
      class: "band",
      x: x0,
      y: top,
      width: Math.max(0, x1 - x0),
      height: PLOT_H,
      fill: band.color ?? spec.band_color ?? "#E9DCA0",
    }));
  }
  parts.push(axes(xs, ys, left, right, top, bottom));
  spec.series.forEach((s, i) => parts.push(seriesMarkup(s, i, xs, ys)));
  parts.push(legend(spec, right + 15, top));
  parts.push(
    textEl("text", { x: WIDTH_PX / 2, y: 22, "text-anchor": "middle", class: "title" }, spec.title),
  );
  parts.push(
    textEl(
      "text",
      { x: (left + right) / 2, y: HEIGHT_PX - 10, "text-anchor": "middle" },
      spec.x_label,
    ),
  );
  parts.push(textEl("text", {
    x: 16,
    y: (top + bottom) / 2,
    "text-anchor": "middle",
    transform: `rotate(-90 16 ${num((top + bottom) / 2)})`,
  }, spec.y_label));
  const style = `svg { font-family: Helvetica, Arial, sans-serif; font-size: 11px; }
.title { font-size: 14px; font-weight: bold; }`;
  return svgDocument(WIDTH_PX, HEIGHT_PX, parts.join("\n"), style);
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}

function axes(xs: Scale, ys: Scale, left: number, right: number, top: number, bottom: number) {
  const out: string[] = [];
  for (const t of xs.ticks) {
    const x = xs.map(t);
    if (x < left - 0.5 || x > right + 0.5) continue;
    out.push(el("line", { x1: x, y1: top, x2: x, y2: bottom, stroke: "#eee" }));
    out.push(textEl("text", { x, y: bottom + 15, "text-anchor": "middle" }, xs.label(t)));
  }
  for (const t of ys.ticks) {
    const y = ys.map(t);
    if (y < top - 0.5 || y > bottom + 0.5) continue;
    out.push(el("line", { x1: left, y1: y, x2: right, y2: y, stroke: "#eee" }));
    out.push(textEl("text", { x: left - 6, y: y + 4, "text-anchor": "end" }, ys.label(t)));
  }
  out.push(el("rect", {
    x: left,
    y: top,
    width: right - left,
    height: bottom - top,
    fill: "none",
    stroke: "#000",
  }));
  return el("g", {}, out.join(""));
}

function seriesMarkup(s: Series, index: number, xs: Scale, ys: Scale): string {
  const shape = s.shape ?? SHAPES[index % SHAPES.length];
  const pts: [number, number][] = [];
  for (const [x, y] of s.points) {
    if (Number.isFinite(x) && Number.isFinite(y)) pts.push([xs.map(x), ys.map(y)]);
  }
  const out: string[] = [];
  if (s.kind === "line" && pts.length > 1) {
    out.push(el("polyline", {
      points: pts.map(([x, y]) => `${num(x)},${num(y)}`).join(" "),
      fill: "none",
      stroke: s.color,
      "stroke-width": 1.5,
    }));
  }
  for (const [x, y] of pts) out.push(marker(shape, x, y, s.color));
  return el("g", { "data-series": s.label }, out.join(""));
}

/** Legend rows beyond this are summarised in one "… more" row, so the legend fits. */
export const MAX_LEGEND_ROWS = 24;

function legend(spec: PlotSpec, x: number, y: number): string {
  const out: string[] = [];
  const shown = spec.series.slice(0, MAX_LEGEND_ROWS);
  shown.forEach((s, i) => {
    const row_y = y + 10 + i * 16;
    if (s.kind === "line") {
      out.push(el("line", { x1: x, y1: row_y, x2: x + 16, y2: row_y, stroke: s.color }));
    }
    out.push(marker(s.shape ?? SHAPES[i % SHAPES.length], x + 8, row_y, s.color));
    out.push(textEl("text", { x: x + 22, y: row_y + 4 }, s.label));
  });
  let rows = shown.length;
  if (spec.series.length > shown.length) {
    const more = spec.series.length - shown.length;
    out.push(textEl("text", { x: x + 22, y: y + 14 + rows * 16 }, `… ${more} more series`));
    rows++;
  }
  // One legend row per kind of band (partition, pause, kill), in order of first appearance.
  const kinds = new Map<string, string>();
  for (const band of spec.bands ?? []) {
    const label = band.label ?? "partition";
    if (!kinds.has(label)) kinds.set(label, band.color ?? spec.band_color ?? "#E9DCA0");
  }
  for (const [label, color] of kinds) {
    const row_y = y + 10 + rows * 16;
    out.push(el("rect", { x, y: row_y - 6, width: 16, height: 12, fill: color }));
    out.push(textEl("text", { x: x + 22, y: row_y + 4 }, label));
    rows++;
  }
  return el("g", {}, out.join(""));
}
