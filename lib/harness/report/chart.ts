/**
 * A small inline-SVG chart for report.html: linear x (seconds), linear or log y, point, line
 * and bar series, shaded x intervals with their own colours (fault periods). Returns an
 * `<svg>` element (no XML prolog) sized by its viewBox, so the page scales it; the legend is
 * HTML next to it (page.ts).
 *
 * @module
 */

import { el, num, textEl } from "../viz/svg.ts";
import { niceStep } from "../viz/plot.ts";

/** One drawn series. */
export interface ChartSeries {
  label: string;
  color: string;
  kind: "points" | "line" | "bars";
  /** Hollow markers (points only): failed or indeterminate ops. */
  hollow?: boolean;
  points: readonly (readonly [number, number])[];
  /** Bars: the width of each bar in x units. */
  bar_width?: number;
}

/** A shaded x interval. */
export interface ChartBand {
  from: number;
  to: number;
  label: string;
  color: string;
}

/** What to draw. */
export interface ChartSpec {
  id: string;
  title: string;
  x_label: string;
  y_label: string;
  y_log?: boolean;
  x_range?: [number, number];
  series: readonly ChartSeries[];
  bands?: readonly ChartBand[];
}

/** The chart's viewBox size in px. */
export const CHART_W = 760;
export const CHART_H = 280;
const M = { left: 62, right: 14, top: 26, bottom: 40 };
const PW = CHART_W - M.left - M.right;
const PH = CHART_H - M.top - M.bottom;

interface Axis {
  map(v: number): number;
  ticks: number[];
  label(v: number): string;
}

function linearAxis(lo: number, hi: number, px0: number, px1: number): Axis {
  if (!(hi > lo)) hi = lo + 1;
  const step = niceStep(hi - lo, 6);
  const start = Math.floor(lo / step) * step;
  const end = Math.ceil(hi / step) * step;
  const ticks: number[] = [];
  for (let v = start; v <= end + step / 1e6 && ticks.length < 50; v += step) ticks.push(v);
  return {
    map: (v) => px0 + (v - start) / (end - start) * (px1 - px0),
    ticks,
    label: (v) => String(Number(v.toPrecision(4))),
  };
}

function logAxis(lo: number, hi: number, px0: number, px1: number): Axis {
  const a = Math.floor(Math.log10(Math.max(lo, 1e-3)));
  const b = Math.max(a + 1, Math.ceil(Math.log10(Math.max(hi, 1e-3))));
  const ticks: number[] = [];
  for (let e = a; e <= b; e++) ticks.push(10 ** e);
  return {
    map: (v) => px0 + (Math.log10(Math.max(v, 10 ** a)) - a) / (b - a) * (px1 - px0),
    ticks,
    label: (v) => String(Number(v.toPrecision(3))),
  };
}

function extent(values: number[], fallback: [number, number]): [number, number] {
  let lo = Infinity, hi = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo === Infinity ? fallback : [lo, hi];
}

/** Renders the chart as an inline `<svg>` element. */
export function renderChart(spec: ChartSpec): string {
  const xs = spec.series.flatMap((s) => s.points.map((p) => p[0]));
  const ys = spec.series.flatMap((s) => s.points.map((p) => p[1]));
  const [x0, x1] = spec.x_range ?? extent(xs, [0, 1]);
  const [ylo, yhi] = extent(ys, [0, 1]);
  const x = linearAxis(x0, x1, M.left, M.left + PW);
  const y = spec.y_log
    ? logAxis(Math.max(ylo, 0.01), yhi, M.top + PH, M.top)
    : linearAxis(Math.min(0, ylo), yhi, M.top + PH, M.top);
  const parts: string[] = [];
  for (const band of spec.bands ?? []) {
    const bx0 = Math.max(M.left, x.map(band.from));
    const bx1 = Math.min(M.left + PW, x.map(band.to));
    if (bx1 <= bx0) continue;
    parts.push(el(
      "rect",
      { x: bx0, y: M.top, width: bx1 - bx0, height: PH, fill: band.color, "fill-opacity": 0.35 },
      textEl("title", {}, `${band.label} ${num(band.from)}–${num(band.to)} s`),
    ));
  }
  parts.push(axes(spec, x, y));
  for (const series of spec.series) parts.push(drawSeries(series, x, y));
  return el("svg", {
    id: spec.id,
    class: "chart",
    viewBox: `0 0 ${CHART_W} ${CHART_H}`,
    width: CHART_W,
    height: CHART_H,
    role: "img",
    "aria-label": spec.title,
    xmlns: "http://www.w3.org/2000/svg",
  }, parts.join(""));
}

function axes(spec: ChartSpec, x: Axis, y: Axis): string {
  const out: string[] = [
    textEl("text", { x: M.left, y: 16, class: "chart-title" }, spec.title),
    el("rect", { x: M.left, y: M.top, width: PW, height: PH, fill: "none", stroke: "#999" }),
  ];
  for (const t of x.ticks) {
    const px = x.map(t);
    if (px < M.left - 0.5 || px > M.left + PW + 0.5) continue;
    out.push(el("line", { x1: px, x2: px, y1: M.top + PH, y2: M.top + PH + 4, stroke: "#999" }));
    out.push(textEl("text", { x: px, y: M.top + PH + 16, "text-anchor": "middle" }, x.label(t)));
  }
  for (const t of y.ticks) {
    const py = y.map(t);
    if (py < M.top - 0.5 || py > M.top + PH + 0.5) continue;
    out.push(el("line", { x1: M.left, x2: M.left + PW, y1: py, y2: py, stroke: "#eee" }));
    out.push(textEl("text", { x: M.left - 6, y: py + 4, "text-anchor": "end" }, y.label(t)));
  }
  out.push(textEl("text", {
    x: M.left + PW / 2,
    y: CHART_H - 6,
    "text-anchor": "middle",
  }, spec.x_label));
  out.push(textEl("text", {
    x: 14,
    y: M.top + PH / 2,
    "text-anchor": "middle",
    transform: `rotate(-90 14 ${num(M.top + PH / 2)})`,
  }, spec.y_label));
  return out.join("");
}

function drawSeries(series: ChartSeries, x: Axis, y: Axis): string {
  const inside = series.points.filter(([a, b]) => Number.isFinite(a) && Number.isFinite(b));
  const title = textEl("title", {}, series.label);
  if (series.kind === "line") {
    const d = inside.map(([a, b]) => `${num(x.map(a))},${num(y.map(b))}`).join(" ");
    return el("polyline", {
      points: d,
      fill: "none",
      stroke: series.color,
      "stroke-width": 2,
      "data-series": series.label,
    }, title);
  }
  if (series.kind === "bars") {
    const w = series.bar_width ?? 1;
    const base = y.map(y.ticks[0] ?? 0);
    const bars = inside.map(([a, b]) => {
      const left = x.map(a), right = x.map(a + w), top = y.map(b);
      return el("rect", {
        x: left,
        y: top,
        width: Math.max(1, right - left - 1),
        height: Math.max(0, base - top),
        fill: series.color,
      });
    });
    return el("g", { "data-series": series.label }, title + bars.join(""));
  }
  const marks = inside.map(([a, b]) =>
    el("circle", {
      cx: x.map(a),
      cy: y.map(b),
      r: series.hollow ? 3 : 2,
      ...(series.hollow
        ? { fill: "none", stroke: series.color, "stroke-width": 1.2 }
        : { fill: series.color, "fill-opacity": 0.7 }),
    })
  );
  return el("g", { "data-series": series.label }, title + marks.join(""));
}
