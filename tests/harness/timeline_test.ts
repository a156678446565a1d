// Unit tests of lib/harness/checkers/timeline.ts on hand-written histories:
// pairing (nemesis included), column order, boxes and colours, escaping,
// the op bound with its notice, and HTML structure.

import assert from "node:assert/strict";
import { join } from "node:path";
import {
  checkTimeline,
  processOrder,
  renderTimeline,
  timelineOps,
} from "../../lib/harness/checkers/timeline.ts";
import type { Op } from "../../lib/harness/types.ts";
import { HistoryBuilder } from "./support/history_builder.ts";
import { assertWellFormed } from "./support/xml_check.ts";

const HTML_VOID = new Set(["meta"]);

function count(text: string, pattern: RegExp): number {
  return [...text.matchAll(pattern)].length;
}

function nemesis(history: HistoryBuilder, f: string, value: unknown): void {
  const ops = history.ops;
  ops.push({
    index: ops.length,
    time: ops.length * 1e6,
    type: "info",
    process: "nemesis",
    f,
    value,
  });
}

Deno.test("pairing: invocations with completions, nemesis info ops two by two, open ops kept", () => {
  const h = new HistoryBuilder();
  h.invoke(0, "read", null);
  nemesis(h, "start-partition", "majority");
  h.complete(0, "ok", 3);
  nemesis(h, "start-partition", ["isolated", {}]);
  h.invoke(1, "write", 4);
  const ops = timelineOps(h.ops);
  assert.deepEqual(
    ops.map((o) => [o.process, o.invoke.index, o.completion?.index, o.completion?.type]),
    [[0, 0, 2, "ok"], ["nemesis", 1, 3, "info"], [1, 4, undefined, undefined]],
  );
});

Deno.test("columns: nemesis first, then processes in numeric order", () => {
  const h = new HistoryBuilder().op(10, "read", "ok", null).op(2, "read", "ok", null);
  nemesis(h, "stop-partition", null);
  nemesis(h, "stop-partition", "network-healed");
  h.op(0, "read", "ok", null);
  assert.deepEqual(processOrder(timelineOps(h.ops)), ["nemesis", 0, 2, 10]);
  const html = renderTimeline(h.ops);
  const headers = [...html.matchAll(/<div class="process"[^>]*>([^<]+)<\/div>/g)].map((m) => m[1]);
  assert.deepEqual(headers, ["nemesis", "0", "2", "10"]);
});

Deno.test("boxes: one per op, placed by process and time, coloured by type, escaped", () => {
  const h = new HistoryBuilder()
    .op(0, "write", "ok", "<b>&</b>")
    .op(1, "cas", "fail", [1, 2])
    .op(0, "read", "info", null);
  h.invoke(1, "read", null);
  h.ops[h.ops.length - 2].error = "net-timeout";
  const html = renderTimeline(h.ops);
  assertWellFormed(html, HTML_VOID);
  assert.equal(count(html, /<div class="op /g), 4);
  assert.equal(count(html, /class="op ok"/g), 1);
  assert.equal(count(html, /class="op fail"/g), 1);
  assert.equal(count(html, /class="op info"/g), 1);
  assert.equal(count(html, /class="op invoke"/g), 1, "the open read");
  assert.match(html, /\.op\.ok \{ background: #6DB6FE; \}/);
  // Process 1 is the second column (106 px in); its cas runs from 2 ms to 3 ms.
  assert.match(html, /class="op fail" style="left:106px;top:2px;width:100px;height:2px"/);
  assert.match(html, /write &quot;&lt;b&gt;&amp;&lt;\/b&gt;&quot;/);
  assert.doesNotMatch(html, /<b>/);
  assert.match(
    html,
    /title="process 0\nread invoked at 4\.0 ms: null\ninfo at 5\.0 ms \(1\.0 ms\)/,
  );
  assert.match(html, /error: &quot;net-timeout&quot;/);
  assert.doesNotMatch(html, /not drawn/);
});

Deno.test("bounded: at most max ops are drawn and the page says how many were left out", () => {
  const h = new HistoryBuilder();
  for (let i = 0; i < 30; i++) h.op(i % 3, "read", "ok", null);
  const html = renderTimeline(h.ops, 25);
  assertWellFormed(html, HTML_VOID);
  assert.equal(count(html, /<div class="op /g), 25);
  assert.match(html, /Showing the first 25 of 30 ops; 5 later ops are not drawn\./);
});

Deno.test("checkTimeline writes timeline.html and is valid, empty history included", () => {
  const dir = Deno.makeTempDirSync({ prefix: "timeline-test-" });
  const history: Op[] = new HistoryBuilder().op(0, "echo", "ok", "hi").ops;
  assert.deepEqual(checkTimeline(history, dir), { "valid?": true });
  assertWellFormed(Deno.readTextFileSync(join(dir, "timeline.html")), HTML_VOID);
  assert.deepEqual(checkTimeline([], dir), { "valid?": true });
  assertWellFormed(Deno.readTextFileSync(join(dir, "timeline.html")), HTML_VOID);
});
