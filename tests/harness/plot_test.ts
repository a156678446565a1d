// Unit tests of lib/harness/viz/plot.ts and svg.ts: tick steps, log axis
// ticks, skipped non-finite points, the legend bound, escaping and structure.

import assert from "node:assert/strict";
import { MAX_LEGEND_ROWS, niceStep, renderPlot, type Series } from "../../lib/harness/viz/plot.ts";
import { el, escapeXml, num } from "../../lib/harness/viz/svg.ts";
import { assertWellFormed } from "./support/xml_check.ts";

Deno.test("svg helpers: escaping, two-decimal numbers, elements", () => {
  assert.equal(escapeXml(`<a href="x">&'\u0001`), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;\uFFFD");
  assert.equal(num(1 / 3), "0.33");
  assert.equal(num(-0.001), "0");
  assert.throws(() => num(NaN), /not a finite coordinate: NaN/);
  assert.equal(el("g", { a: 1.005, b: undefined, c: "<" }), '<g a="1" c="&lt;"/>');
});

Deno.test("tick steps are 1, 2 or 5 times a power of ten", () => {
  assert.equal(niceStep(10), 2);
  assert.equal(niceStep(60), 10);
  assert.equal(niceStep(0.7), 0.1);
  assert.equal(niceStep(3000), 500);
  assert.equal(niceStep(0), 1);
});

Deno.test("a log axis ticks at powers of ten; non-finite points are skipped", () => {
  const series: Series[] = [{
    label: "read ok",
    color: "#81BFFC",
    kind: "points",
    points: [[1, 0.5], [2, 40], [3, NaN], [Infinity, 2]],
  }];
  const svg = renderPlot({ title: "t", x_label: "x", y_label: "y", y_log: true, series });
  assertWellFormed(svg);
  for (const tick of ["0.1", "1", "10", "100"]) assert.match(svg, new RegExp(`>${tick}</text>`));
  assert.doesNotMatch(svg, />1000<\/text>/);
  assert.equal([...svg.matchAll(/<circle /g)].length, 2 + 1, "two points and the legend marker");
});

Deno.test("the legend shows at most MAX_LEGEND_ROWS series and counts the rest", () => {
  const series: Series[] = Array.from({ length: MAX_LEGEND_ROWS + 6 }, (_, i) => ({
    label: `f${i} <ok>`,
    color: "#000",
    kind: "line",
    points: [[0, i], [1, i + 1]],
  }));
  const svg = renderPlot({ title: "t", x_label: "x", y_label: "y", series });
  assertWellFormed(svg);
  assert.match(svg, />… 6 more series<\/text>/);
  assert.match(svg, />f0 &lt;ok&gt;<\/text>/);
  assert.doesNotMatch(svg, />f29 &lt;ok&gt;<\/text>/);
  assert.equal([...svg.matchAll(/<polyline /g)].length, MAX_LEGEND_ROWS + 6, "every series drawn");
});
