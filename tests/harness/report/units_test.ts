// The report's parts on hand-made inputs: every anomaly kind the checkers emit has a
// plain-words explanation; anomalies name their operations; fault periods pair nemesis ops
// by f; buckets suit short runs; the run-table row is found by flags; the embedded traffic
// says truthfully how much it leaves out; charts draw non-empty SVG.

import assert from "node:assert/strict";
import { explain, isExplained } from "../../../lib/harness/report/explain.ts";
import { findAnomalies, opIndicesIn } from "../../../lib/harness/report/anomalies.ts";
import {
  bucketWidth,
  buildPlots,
  faultPeriods,
  TARGET_BUCKETS,
} from "../../../lib/harness/report/plots.ts";
import { matchingRows } from "../../../lib/harness/report/targets.ts";
import { journalEvents, opsData, trafficData } from "../../../lib/harness/report/traffic.ts";
import { renderChart } from "../../../lib/harness/report/chart.ts";
import { parseTestArgs } from "../../../lib/harness/cli.ts";
import type { JournalEvent } from "../../../lib/harness/network.ts";
import type { Op } from "../../../lib/harness/types.ts";
import { NODE_ISSUE_KINDS } from "../../../lib/harness/node_output.ts";
import { HistoryBuilder } from "../support/history_builder.ts";

const CHECKER_KINDS = [
  // set-full, counters, unique-ids, echo, lin-kv (the report's names for them).
  "lost",
  "stale",
  "never-read",
  "counter-final-read",
  "duplicated",
  "echo-mismatch",
  "nonlinearizable",
  // kafka.ts `add(...)` and unseen, kafka_cycles.ts.
  "duplicate",
  "int-poll-skip",
  "int-nonmonotonic-poll",
  "int-nonmonotonic-send",
  "int-send-skip",
  "inconsistent-offsets",
  "precommitted-read",
  "G1a",
  "lost-write",
  "nonmonotonic-poll",
  "nonmonotonic-send",
  "poll-skip",
  "unseen",
  "G0",
  "G1c",
  "G0-realtime",
  "G1c-realtime",
  "strong-PL-1-cycle-exists",
  // Elle.
  "G1b",
  "G-single",
  "G-single-item-realtime",
  "G-nonadjacent",
  "G2",
  "G2-item",
  "G2-item-process",
  "internal",
  "incompatible-order",
  "dirty-update",
  "duplicate-elements",
  "cyclic-versions",
  "lost-update",
  "future-read",
  "empty-transaction-graph",
  "malformed-txn-ok",
  "cycle-search-timeout",
  // Every node issue kind (so a new one cannot go unexplained); stats and availability.
  ...NODE_ISSUE_KINDS,
  "stats-no-ok",
  "availability-low",
];

Deno.test("every anomaly kind the checkers report has its own explanation", () => {
  const missing = CHECKER_KINDS.filter((kind) => !isExplained(kind));
  assert.deepEqual(missing, []);
  assert.match(explain("G1c-realtime").title, /real-time order/);
  assert.equal(isExplained("no-such-kind"), false);
  assert.match(explain("no-such-kind").meaning, /no-such-kind/);
});

function history(): Op[] {
  return new HistoryBuilder()
    .op(0, "broadcast", "ok", 1) // 0, 1
    .op(1, "broadcast", "ok", 2) // 2, 3
    .op(0, "read", "ok", null, [2]) // 4, 5
    .ops;
}

Deno.test("anomalies: lost broadcast values name the ops that carried them; most telling first", () => {
  const results = {
    "valid?": false,
    "node-errors": {
      "valid?": false,
      "by-kind": { "line-not-valid-json": 2 },
      issues: [{ node: "n1", kind: "line-not-valid-json", message: "x" }],
    },
    workload: { "valid?": false, lost: [1], "lost-count": 1, stale: [], "stale-count": 0 },
    stats: { "valid?": true },
  };
  const anomalies = findAnomalies(results, history());
  assert.deepEqual(anomalies.map((a) => [a.checker, a.kind, a.count]), [
    ["workload", "lost", 1],
    ["node-errors", "line-not-valid-json", 2],
  ]);
  assert.deepEqual(anomalies[0].op_indices, [0, 1], "the invoke and ok of broadcast 1");
  assert.match(anomalies[0].meaning, /acknowledged/);
});

Deno.test("anomalies: kafka and Elle payloads give their ops' history indices, bounded", () => {
  const ops = Array.from({ length: 40 }, (_, i) => ({ index: i, f: "send", type: "ok" }));
  const results = {
    "valid?": false,
    workload: {
      "valid?": false,
      "bad-error-types": ["lost-write"],
      "lost-write": { count: 40, errs: ops.map((op) => ({ key: "1", index: 99, writer: op })) },
    },
  };
  const hist = Array.from({ length: 40 }, (_, i) => ({ index: i, time: i, type: "ok" }) as Op);
  const [lost] = findAnomalies(results, hist);
  assert.equal(lost.kind, "lost-write");
  assert.equal(lost.count, 40);
  assert.equal(lost.op_indices.length, 12);
  assert.equal(lost.ops_left_out, 28);
  assert.deepEqual(opIndicesIn({ cycle: [{ index: 3, f: "txn" }, { index: 5, f: "txn" }] }), [
    3,
    5,
  ]);
  const elle = findAnomalies({
    "valid?": false,
    workload: {
      "valid?": false,
      "anomaly-types": ["G-single"],
      anomalies: { "G-single": [{ cycle: [{ index: 1, f: "txn" }] }] },
    },
  }, hist);
  assert.deepEqual(elle.map((a) => [a.kind, a.op_indices]), [["G-single", [1]]]);
});

Deno.test("anomalies: a failing checker without known kinds still appears, generically", () => {
  const [a] = findAnomalies(
    { "valid?": "unknown", net: { "valid?": "unknown", error: "boom" } },
    [],
  );
  assert.equal(a.kind, "net");
  assert.match(a.raw, /boom/);
});

function nemesis(time_s: number, f: string): Op {
  return { index: 0, time: time_s * 1e9, type: "info", process: "nemesis", f, value: null };
}

Deno.test("fault periods pair nemesis start/stop ops by f; an open one runs to the end", () => {
  const h = [
    nemesis(1, "start-partition"),
    nemesis(1.01, "start-partition"),
    nemesis(3, "stop-partition"),
    nemesis(3.01, "stop-partition"),
    nemesis(4, "pause"),
    nemesis(5, "kill"),
    nemesis(6, "resume"),
    nemesis(7, "start"),
    nemesis(8, "start-clock-skew"),
  ];
  assert.deepEqual(faultPeriods(h, 10), [
    { fault: "partition", from: 1, to: 3 },
    { fault: "pause", from: 4, to: 6 },
    { fault: "kill", from: 5, to: 7 },
    { fault: "clock-skew", from: 8, to: 10 },
  ]);
});

Deno.test("buckets suit the run length: about TARGET_BUCKETS of them", () => {
  assert.equal(bucketWidth(20), 1);
  assert.equal(bucketWidth(60), 5);
  assert.equal(bucketWidth(3), 0.25);
  for (const span of [2, 10, 20, 30, 60, 120]) {
    const n = span / bucketWidth(span);
    assert.ok(n >= TARGET_BUCKETS / 3 && n <= TARGET_BUCKETS, `${span} s: ${n} buckets`);
  }
});

Deno.test("plots: latency by f in distinct colours, broadcast stable latencies, faults shaded", () => {
  const h = new HistoryBuilder()
    .op(0, "broadcast", "ok", 1)
    .op(1, "read", "ok", null, [1])
    .op(1, "read", "fail", null, null)
    .ops;
  h.push({ ...nemesis(0, "start-partition"), index: h.length });
  const plots = buildPlots(h, "broadcast");
  assert.deepEqual(plots.map((p) => p.id), [
    "plot-latency",
    "plot-quantiles",
    "plot-throughput",
    "plot-stable",
  ]);
  const latency = plots[0];
  const colors = latency.legend.filter((l) => !l.label.includes("shaded"));
  assert.deepEqual(colors.map((l) => l.label), ["broadcast ok", "read ok", "read fail/info"]);
  assert.notEqual(colors[0].color, colors[1].color);
  assert.ok(latency.legend.some((l) => l.label === "partition (shaded)"));
  assert.match(latency.svg, /<rect [^>]*fill-opacity="0.35"/);
  assert.equal(buildPlots(h, "kafka").length, 3, "no stable-latency plot outside broadcast");
});

Deno.test("charts: an empty chart is still a sized SVG; non-finite points are skipped", () => {
  const svg = renderChart({
    id: "c",
    title: "t",
    x_label: "x",
    y_label: "y",
    y_log: true,
    series: [{ label: "s", color: "#000", kind: "points", points: [[1, NaN], [2, 3]] }],
  });
  assert.match(svg, /^<svg [^>]*viewBox="0 0 760 280"/);
  assert.equal((svg.match(/<circle /g) ?? []).length, 1);
  assert.match(renderChart({ id: "e", title: "", x_label: "", y_label: "", series: [] }), /<svg/);
});

Deno.test("targets: a run with 3d's flags matches row 3d.1, not the partition row", () => {
  const base = ["-w", "broadcast", "--bin", Deno.execPath(), "--node-count", "25"];
  const flags = ["--time-limit", "20", "--rate", "100", "--latency", "100"];
  const opts = parseTestArgs([...base, ...flags, "--", "--tuning", "latency"]);
  assert.deepEqual(matchingRows(opts).map((r) => r.id), ["3d.1"]);
  const partition = parseTestArgs([
    ...base,
    ...flags,
    "--nemesis",
    "partition",
    "--",
    "--tuning",
    "latency",
  ]);
  assert.deepEqual(matchingRows(partition).map((r) => r.id), ["3d.2"]);
  assert.deepEqual(matchingRows(parseTestArgs([...base, ...flags])), [], "no tuning: no row");
});

function journal(count: number): JournalEvent[] {
  const events: JournalEvent[] = [
    {
      id: 0,
      time: 5e6,
      type: "send",
      message: { id: 0, src: "c0", dest: "n0", body: { type: "init" } },
    },
  ];
  for (let i = 1; i <= count; i++) {
    const message = { id: i, src: i % 2 ? "n1" : "c3", dest: "n0", body: { type: "gossip" } };
    events.push({ id: 2 * i - 1, time: 5e6 + i * 1e6, type: "send", message });
    if (i % 3 !== 0) events.push({ id: 2 * i, time: 5e6 + i * 1e6 + 5e5, type: "recv", message });
  }
  return events;
}

Deno.test("traffic: times from the last init event; truthful count of what is not embedded", () => {
  const data = trafficData(journal(10), 4);
  assert.equal(data.total, 10);
  assert.equal(data.messages.length, 4);
  assert.equal(data.not_embedded, 6);
  assert.deepEqual(data.ids, ["n0", "n1", "c3"], "nodes first, clients last");
  assert.deepEqual(data.messages[0], [1, 1.5, 1, 0, 0]);
  assert.equal(data.messages[2][1], -1, "the third was never delivered");
  const ops = opsData(history(), 2);
  assert.equal(ops.total, 3);
  assert.equal(ops.not_embedded, 1);
});

Deno.test("journalEvents reads the harness's lines by their head, others by JSON.parse", () => {
  const lines = [
    `{"id":7,"time":12,"type":"send","message":{"id":3,"src":"n\\"1","dest":"c2","body":{"type":"read_ok","messages":[1]}}}`,
    `{"time":13,"id":8,"type":"recv","message":{"id":3,"src":"n1","dest":"c2","body":{"type":"x"}}}`,
    "",
  ];
  const events = [...journalEvents(lines.join("\n"))];
  assert.deepEqual(events.map((e) => [e.id, e.time, e.type, e.message.id, e.message.src]), [
    [7, 12, "send", 3, 'n"1'],
    [8, 13, "recv", 3, "n1"],
  ]);
  assert.equal(events[0].message.body.type, "read_ok");
});
