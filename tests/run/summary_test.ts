/** Summary logic: medians over repeats, target checks, verdicts, exit code and the table. */

import assert from "node:assert/strict";
import {
  exitCode,
  formatCell,
  medianFigures,
  renderSummary,
  type RunRecord,
  runVerdict,
  summarizeRow,
  summaryJson,
  verdictCell,
} from "../../lib/run/summary.ts";
import { checkTargets, meets } from "../../lib/run/targets.ts";
import type { IndexedRow } from "../../lib/run/types.ts";

const ROW_3D: IndexedRow = {
  id: "3d.1",
  challenge: "broadcast",
  part: "3d",
  source: "test",
  workload: "broadcast",
  bin: "bin/broadcast",
  flags: { node_count: 25 },
  stated_targets: [{ metric: "servers_msgs_per_op", op: "<", value: 30 }],
  our_targets: [
    { metric: "servers_msgs_per_op", op: "<=", value: 12.5 },
    { metric: "stable_latency_max_ms", op: "<=", value: 250 },
  ],
};

const valid = (figures: RunRecord["figures"]): RunRecord => ({
  exit_code: 0,
  validity: true,
  figures,
  store_path: "store/broadcast/run",
  problems: [],
});

Deno.test("bounds compare as written: < strict, ≤ and ≥ inclusive", () => {
  assert.ok(meets({ metric: "ok_fraction", op: ">=", value: 0.999 }, 0.999));
  assert.ok(!meets({ metric: "ok_fraction", op: ">=", value: 0.999 }, 0.9989));
  assert.ok(meets({ metric: "servers_msgs_per_op", op: "<=", value: 12.5 }, 12.5));
  assert.ok(!meets({ metric: "servers_msgs_per_op", op: "<", value: 30 }, 30));
});

Deno.test("repeats are summarised by the median of each figure", () => {
  const figures = medianFigures([
    valid({ servers_msgs_per_op: 14, stable_latency_max_ms: 240 }),
    valid({ servers_msgs_per_op: 11, stable_latency_max_ms: 260 }),
    valid({ servers_msgs_per_op: 12, stable_latency_max_ms: 200 }),
  ]);
  assert.deepEqual(figures, { servers_msgs_per_op: 12, stable_latency_max_ms: 240 });
  assert.deepEqual(medianFigures([valid({ ok_fraction: 1 }), valid({ ok_fraction: 0.5 })]), {
    ok_fraction: 0.75,
  });
  assert.deepEqual(medianFigures([valid({}), valid({ run_time_s: 3 })]), { run_time_s: 3 });
});

Deno.test("a row passes when every run is valid and the medians meet every target", () => {
  const summary = summarizeRow(ROW_3D, "cmd", [
    valid({ servers_msgs_per_op: 14, stable_latency_max_ms: 240 }),
    valid({ servers_msgs_per_op: 11, stable_latency_max_ms: 260 }),
    valid({ servers_msgs_per_op: 12, stable_latency_max_ms: 200 }),
  ]);
  assert.equal(summary.verdict, "pass");
  assert.deepEqual(summary.checks.map((c) => c.met), [true, true, true]);
  assert.equal(exitCode([summary]), 0);
});

Deno.test("a valid row over our budget misses; the stated target alone is not enough", () => {
  const summary = summarizeRow(ROW_3D, "cmd", [
    valid({ servers_msgs_per_op: 20, stable_latency_max_ms: 100 }),
  ]);
  assert.equal(summary.verdict, "missed");
  assert.deepEqual(
    summary.checks.map((c) => [c.source, c.met]),
    [["stated", true], ["ours", false], ["ours", true]],
  );
  assert.equal(exitCode([summary]), 1);
});

Deno.test("a missing figure fails its target", () => {
  const checks = checkTargets(ROW_3D, { servers_msgs_per_op: 5 });
  assert.equal(checks.find((c) => c.metric === "stable_latency_max_ms")?.met, false);
  assert.equal(summarizeRow(ROW_3D, "cmd", [valid({ servers_msgs_per_op: 5 })]).verdict, "missed");
});

Deno.test("one invalid run makes the row invalid even when medians meet targets", () => {
  const good = valid({ servers_msgs_per_op: 5, stable_latency_max_ms: 100 });
  const bad: RunRecord = {
    ...good,
    exit_code: 1,
    validity: false,
    failing: ["workload: false"],
    store_path: "store/broadcast/x",
  };
  const summary = summarizeRow(ROW_3D, "cmd", [good, bad, good]);
  assert.equal(summary.verdict, "invalid");
  const text = renderSummary({ harness: "embedded", repeat: 3 }, [summary]);
  assert.match(text, /3d\.1 run 2: invalid \(exit 1\) \[workload: false\] store\/broadcast\/x/);
});

Deno.test("run verdicts follow the harness exit codes and results", () => {
  const run = (exit_code: number | undefined, validity?: RunRecord["validity"]) =>
    runVerdict({ exit_code, validity, figures: {}, store_path: "store/x/run", problems: [] });
  assert.equal(run(0, true), "pass");
  assert.equal(run(0), "pass");
  assert.equal(run(0, false), "invalid");
  assert.equal(run(1, false), "invalid");
  assert.equal(run(2, "unknown"), "unknown");
  assert.equal(run(0, "unknown"), "unknown");
  assert.equal(run(255), "crash");
  assert.equal(run(254), "error");
  assert.equal(run(undefined), "error");
  assert.equal(run(137), "crash");
  assert.equal(runVerdict({ exit_code: 0, figures: {}, problems: [] }), "error");
});

Deno.test("the worst verdict wins and no rows is not a pass", () => {
  const crash: RunRecord = { exit_code: 255, figures: {}, problems: [] };
  const invalid: RunRecord = { exit_code: 1, validity: false, figures: {}, problems: [] };
  assert.equal(summarizeRow(ROW_3D, "cmd", [invalid, crash]).verdict, "crash");
  assert.equal(summarizeRow(ROW_3D, "cmd", []).verdict, "error");
  assert.equal(exitCode([]), 1);
});

Deno.test("cells show the figure next to each bound and a mark", () => {
  const summary = summarizeRow(ROW_3D, "cmd", [valid({ servers_msgs_per_op: 11.2 })]);
  assert.equal(
    formatCell("servers_msgs_per_op", summary.figures, summary.checks),
    "11.20 <30 ≤12.5 ✓",
  );
  assert.equal(formatCell("stable_latency_max_ms", summary.figures, summary.checks), "- ≤250 ✗");
  assert.equal(formatCell("ok_fraction", { ok_fraction: 1 }, []), "1.0000");
});

Deno.test("the table names the smoke override, the misses and the count of passing rows", () => {
  const rows = [
    summarizeRow(ROW_3D, "cmd", [valid({ servers_msgs_per_op: 20, stable_latency_max_ms: 1 })]),
    summarizeRow({ ...ROW_3D, id: "3b", our_targets: [], stated_targets: [] }, "cmd", [
      valid({ run_time_s: 21 }),
    ]),
  ];
  const text = renderSummary({ harness: "embedded", repeat: 1, smoke_time_limit_s: 3 }, rows);
  assert.match(text, /SMOKE RUN: --time-limit 3/);
  assert.match(text, /3d\.1: missed servers_msgs_per_op 20\.00 not ≤12\.5 \(ours\)/);
  assert.match(text, /^3b\s+pass/m);
  assert.match(text, /1 of 2 rows pass\./);
  const json = summaryJson({ harness: "embedded", repeat: 1 }, rows) as { passed: boolean };
  assert.equal(json.passed, false);
});

Deno.test("one crash in three repeats is told as such, and its figures stay out of the medians", () => {
  const crash: RunRecord = { exit_code: 255, figures: { run_time_s: 900 }, problems: [] };
  const runs = [
    valid({ servers_msgs_per_op: 11, run_time_s: 20 }),
    crash,
    valid({ servers_msgs_per_op: 12, run_time_s: 22 }),
  ];
  const summary = summarizeRow(ROW_3D, "cmd", runs);
  assert.equal(summary.verdict, "crash");
  assert.equal(summary.figures.run_time_s, 21);
  assert.equal(summary.figures.servers_msgs_per_op, 11.5);
  assert.equal(verdictCell(summary), "crash (1 of 3 crashed)");
  const table = renderSummary({ harness: "embedded", repeat: 3 }, [summary]);
  assert.match(table, /^3d\.1\s+crash \(1 of 3 crashed\)\s/m);
  assert.doesNotMatch(table, /crash \(3 runs\)/);
});

Deno.test("the verdict cell counts runs only when repeated", () => {
  const fine = valid({ servers_msgs_per_op: 11, stable_latency_max_ms: 100 });
  const invalid: RunRecord = { exit_code: 1, validity: false, figures: {}, problems: [] };
  assert.equal(verdictCell(summarizeRow(ROW_3D, "cmd", [fine])), "pass");
  assert.equal(verdictCell(summarizeRow(ROW_3D, "cmd", [fine, fine, fine])), "pass (3 runs)");
  assert.equal(
    verdictCell(summarizeRow(ROW_3D, "cmd", [fine, invalid, invalid])),
    "invalid (2 of 3 invalid)",
  );
  const slow = valid({ servers_msgs_per_op: 40 });
  assert.equal(verdictCell(summarizeRow(ROW_3D, "cmd", [slow, slow])), "missed (2 runs)");
  // Only crashes: no completed run, so no figures at all rather than the crashes' figures.
  const crash: RunRecord = { exit_code: 255, figures: { run_time_s: 5 }, problems: [] };
  assert.deepEqual(summarizeRow(ROW_3D, "cmd", [crash, crash]).figures, {});
});
