// Unit tests of lib/harness/checkers/perf.ts on hand-written histories:
// op pairing, quantiles, latency summary, bucket counts of the quantile and
// rate graphs, partition shading, sampling, failures, and SVG structure.

import assert from "node:assert/strict";
import { join } from "node:path";
import {
  bucketMiddle,
  checkPerf,
  completedOps,
  latencyQuantileSeries,
  latencyRawSeries,
  latencySummary,
  nemesisBands,
  partitionBands,
  quantile,
  rateSeries,
} from "../../lib/harness/checkers/perf.ts";
import type { Op, OpType, Process } from "../../lib/harness/types.ts";
import { assertWellFormed } from "./support/xml_check.ts";

/** Builds a history with explicit times in ms; ops are sorted by time at the end. */
class Timed {
  private readonly ops: Omit<Op, "index">[] = [];

  op(process: Process, f: string, type: OpType, start_ms: number, end_ms?: number): this {
    this.ops.push({ time: start_ms * 1e6, type: "invoke", process, f, value: null });
    if (end_ms !== undefined) this.ops.push({ time: end_ms * 1e6, type, process, f, value: null });
    return this;
  }

  nemesis(f: string, at_ms: number): this {
    this.ops.push({ time: at_ms * 1e6, type: "info", process: "nemesis", f, value: null });
    return this;
  }

  build(): Op[] {
    const sorted = this.ops.map((op, i) => ({ op, i }))
      .sort((a, b) => a.op.time - b.op.time || a.i - b.i);
    return sorted.map(({ op }, index) => ({ index, ...op }) as Op);
  }
}

function tempDir(): string {
  return Deno.makeTempDirSync({ prefix: "perf-test-" });
}

Deno.test("quantile: Jepsen's floor(n·q) element, clamped to the last", () => {
  const values = Array.from({ length: 100 }, (_, i) => i + 1);
  assert.equal(quantile(values, 0.5), 51);
  assert.equal(quantile(values, 0.95), 96);
  assert.equal(quantile(values, 0.99), 100);
  assert.equal(quantile(values, 1), 100);
  assert.equal(quantile([7], 0.5), 7);
  assert.throws(() => quantile([], 0.5), RangeError);
});

Deno.test("pairing: client invocations with their completions; nemesis and unfinished ops out", () => {
  const history = new Timed()
    .op(0, "read", "ok", 0, 5)
    .op(1, "write", "info", 1, 1001)
    .nemesis("start-partition", 2)
    .op(2, "read", "fail", 3)
    .op(0, "write", "ok", 6, 8)
    .build();
  const ops = completedOps(history);
  assert.deepEqual(ops.map((op) => [op.f, op.type, op.latency_ms]), [
    ["read", "ok", 5],
    ["write", "ok", 2],
    ["write", "info", 1000],
  ]);
});

Deno.test("latency summary: every completion per f (Jepsen's), and ok-only under ok", () => {
  const timed = new Timed();
  for (let i = 0; i < 20; i++) timed.op(i, "read", "ok", i * 10, i * 10 + i + 1); // 1..20 ms
  timed.op(100, "read", "info", 0, 5000).op(101, "write", "ok", 0, 3).op(102, "cas", "fail", 0, 9);
  const summary = latencySummary(completedOps(timed.build()));
  assert.deepEqual(summary, {
    cas: { count: 1, quantiles: { "0.5": 9, "0.95": 9, "0.99": 9, "1": 9 } },
    read: {
      count: 21,
      quantiles: { "0.5": 11, "0.95": 20, "0.99": 5000, "1": 5000 },
      ok: { count: 20, quantiles: { "0.5": 11, "0.95": 20, "0.99": 20, "1": 20 } },
    },
    write: {
      count: 1,
      quantiles: { "0.5": 3, "0.95": 3, "0.99": 3, "1": 3 },
      ok: { count: 1, quantiles: { "0.5": 3, "0.95": 3, "0.99": 3, "1": 3 } },
    },
  });
});

Deno.test("quantile graph: 30 s buckets of invocation time, per f and quantile", () => {
  assert.equal(bucketMiddle(0, 30), 15);
  assert.equal(bucketMiddle(29.9, 30), 15);
  assert.equal(bucketMiddle(30, 30), 45);
  const history = new Timed()
    .op(0, "read", "ok", 1_000, 1_010) // 10 ms, bucket 15
    .op(1, "read", "ok", 2_000, 2_030) // 30 ms, bucket 15
    .op(0, "read", "ok", 31_000, 31_100) // 100 ms, bucket 45
    .op(1, "write", "ok", 40_000, 40_002) // 2 ms, bucket 45
    .build();
  const series = latencyQuantileSeries(completedOps(history));
  const by_label = new Map(series.map((s) => [s.label, s.points]));
  assert.deepEqual([...by_label.keys()].sort(), [
    "read 0.5",
    "read 0.95",
    "read 0.99",
    "read 1",
    "write 0.5",
    "write 0.95",
    "write 0.99",
    "write 1",
  ]);
  assert.deepEqual(by_label.get("read 0.5"), [[15, 30], [45, 100]]);
  assert.deepEqual(by_label.get("read 1"), [[15, 30], [45, 100]]);
  assert.deepEqual(by_label.get("write 0.5"), [[45, 2]]);
});

Deno.test("rate graph: completions per second per f and type in 10 s buckets", () => {
  const history = new Timed()
    .op(0, "read", "ok", 0, 1_000)
    .op(0, "read", "ok", 1_500, 2_000)
    .op(0, "read", "fail", 2_500, 3_000)
    .op(0, "read", "ok", 11_000, 12_000)
    .op(1, "add", "info", 5_000, 25_000)
    .op(2, "add", "ok", 5_000) // Never completes: not counted.
    .build();
  const series = rateSeries(completedOps(history));
  assert.deepEqual(series.map((s) => [s.label, s.points, s.color]), [
    ["add info", [[25, 0.1]], "#FFA400"],
    ["read fail", [[5, 0.1]], "#FF1E90"],
    ["read ok", [[5, 0.2], [15, 0.1]], "#81BFFC"],
  ]);
});

Deno.test("partition periods: start to stop, or to the end of the history", () => {
  const history = new Timed()
    .nemesis("start-partition", 2_000)
    .nemesis("start-partition", 2_001)
    .nemesis("stop-partition", 4_000)
    .nemesis("stop-partition", 4_001)
    .nemesis("start-partition", 6_000)
    .op(0, "read", "ok", 7_000, 8_000)
    .build();
  const shade = { color: "#E9DCA0", label: "partition" };
  assert.deepEqual(partitionBands(history), [
    { from: 2, to: 4, ...shade },
    { from: 6, to: 8, ...shade },
  ]);
  assert.deepEqual(partitionBands([]), []);
});

Deno.test("fault periods: pause to resume and kill to start, each in its own colour", () => {
  const history = new Timed()
    .nemesis("pause", 1_000)
    .nemesis("kill", 2_000)
    .nemesis("resume", 3_000)
    .nemesis("start", 5_000)
    .op(0, "read", "ok", 6_000, 7_000)
    .build();
  assert.deepEqual(nemesisBands(history), [
    { from: 1, to: 3, color: "#A0B1E9", label: "pause" },
    { from: 2, to: 5, color: "#E9A4A0", label: "kill" },
  ]);
});

Deno.test("raw latency: one series per f and type; sampling keeps the count bounded", () => {
  const timed = new Timed();
  for (let i = 0; i < 10; i++) timed.op(i, "read", i % 2 ? "ok" : "fail", i, i + 1);
  const ops = completedOps(timed.build());
  const full = latencyRawSeries(ops);
  assert.equal(full.stride, 1);
  assert.deepEqual(full.series.map((s) => [s.label, s.points.length]), [
    ["read fail", 5],
    ["read ok", 5],
  ]);
  const sampled = latencyRawSeries(ops, 3);
  assert.equal(sampled.stride, 4);
  assert.equal(sampled.series.reduce((n, s) => n + s.points.length, 0), 3);
});

Deno.test("checkPerf writes three well-formed SVGs; partitions are shaded #E9DCA0", () => {
  const dir = tempDir();
  const history = new Timed()
    .op(0, "read", "ok", 0, 2)
    .nemesis("start-partition", 1_000)
    .op(1, "write", "info", 1_000, 6_000)
    .nemesis("stop-partition", 3_000)
    .op(0, "read", "fail", 4_000, 4_000) // Zero latency still plots on the log axis.
    .build();
  const result = checkPerf(history, dir);
  assert.deepEqual(Object.keys(result), ["latency-graph", "rate-graph", "latency-ms", "valid?"]);
  assert.deepEqual(result["latency-graph"], { "valid?": true });
  assert.deepEqual(result["rate-graph"], { "valid?": true });
  assert.equal(result["valid?"], true);
  for (const name of ["latency-raw.svg", "latency-quantiles.svg", "rate.svg"]) {
    const svg = Deno.readTextFileSync(join(dir, name));
    assertWellFormed(svg);
    assert.match(
      svg,
      /<rect class="band" x="[\d.]+" y="40" width="[\d.]+" height="390" fill="#E9DCA0"\/>/,
    );
    assert.match(svg, />partition<\/text>/, `${name} legend`);
  }
  const raw = Deno.readTextFileSync(join(dir, "latency-raw.svg"));
  assert.match(raw, />read ok<\/text>/);
  assert.match(raw, />write info<\/text>/);
  assert.match(raw, />1000<\/text>/, "log axis reaches the 5 s info op");
  const calm = tempDir();
  checkPerf(new Timed().op(0, "read", "ok", 0, 2).build(), calm);
  assert.doesNotMatch(Deno.readTextFileSync(join(calm, "rate.svg")), /E9DCA0/);
});

Deno.test("an empty history is fine; a graph that cannot be written is unknown", () => {
  const empty = checkPerf([], tempDir());
  assert.equal(empty["valid?"], true);
  assert.deepEqual(empty["latency-ms"], {});
  const missing = join(tempDir(), "no", "such", "dir");
  const result = checkPerf(new Timed().op(0, "read", "ok", 0, 2).build(), missing);
  const latency = result["latency-graph"] as { "valid?": unknown; error: string };
  assert.equal(latency["valid?"], "unknown");
  assert.match(latency.error, /NotFound/);
  assert.equal((result["rate-graph"] as { "valid?": unknown })["valid?"], "unknown");
  assert.equal(result["valid?"], "unknown");
});
