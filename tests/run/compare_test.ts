/** Tests of lib/run/compare.ts: rows paired by id, speed-up and msgs/op deviation. */

import assert from "node:assert/strict";
import { compareSummaries, renderComparison } from "../../lib/run/compare.ts";

const real = {
  rows: [
    { id: "3c", verdict: "pass", figures: { run_time_s: 40, servers_msgs_per_op: 2.0 }, runs: [] },
    { id: "4", verdict: "pass", figures: { run_time_s: 30, servers_msgs_per_op: 0 }, runs: [] },
    { id: "5a", verdict: "pass", figures: { run_time_s: 50 }, runs: [] },
  ],
};
const sim = {
  sim: true,
  wall_time_s: 3,
  rows: [
    { id: "4", verdict: "pass", figures: { run_time_s: 1, servers_msgs_per_op: 0.1 }, runs: [] },
    {
      id: "3c",
      verdict: "invalid",
      figures: { run_time_s: 2, servers_msgs_per_op: 2.2 },
      runs: [],
    },
  ],
};

Deno.test("compare: rows paired by id in the first file's order; speed-up and deviation", () => {
  const rows = compareSummaries(real, sim);
  assert.deepEqual(rows.map((r) => r.id), ["3c", "4"], "a row missing from either is left out");
  assert.equal(rows[0].speedup, 20);
  assert.ok(Math.abs(rows[0].msgs_deviation! - 0.1) < 1e-9);
  assert.deepEqual(rows[0].verdicts, ["pass", "invalid"]);
  assert.equal(rows[1].msgs_deviation, undefined, "no deviation from a zero baseline");
  const text = renderComparison(rows, ["real", "sim"]);
  assert.match(text, /^3c\s+pass\s+invalid\s+40\.0\s+2\.0\s+20x\s+2\.00\s+2\.20\s+10\.0%$/m);
  assert.match(text, /Sum of row wall times: real 70 s, sim 3 s\./);
});
