// End-to-end runs of the kafka and lin-kv workloads through the real harness runtime, with
// tiny TS test nodes (tests/harness/nodes/kafka_log.ts, linkv_register.ts): correct nodes
// pass, buggy ones fail with the anomaly the checker is meant to find. Each run is a few
// seconds: short time limits and a short recovery wait before kafka's final phase.

import assert from "node:assert/strict";
import type { TestOutcome } from "../../lib/harness/runner.ts";
import type { TestOptions } from "../../lib/harness/types.ts";
import { testOptions } from "./support/part2_options.ts";
import { runTestNode, workloadResult } from "./support/test_node.ts";

function run(
  node: string,
  overrides: Partial<TestOptions>,
  bin_args: string[] = [],
): Promise<TestOutcome> {
  return runTestNode(
    node,
    (bin, store_dir) => testOptions({ bin, bin_args, store_dir, seed: 12345, ...overrides }),
    { recovery_ms: 300 },
  );
}

Deno.test("e2e: a correct single-node kafka log passes", async () => {
  const outcome = await run("kafka_log", {
    workload: "kafka",
    nodes: ["n0"],
    concurrency: 2,
    time_limit_s: 3,
    rate: 300,
  });
  const workload = workloadResult(outcome);
  assert.equal(workload["valid?"], true, JSON.stringify(workload["error-types"]));
  assert.equal(outcome.valid, true);
  assert.equal(outcome.exit_code, 0);
});

Deno.test("e2e: kafka offsets numbered per node on 2 nodes are duplicates/inconsistent", async () => {
  const outcome = await run("kafka_log", {
    workload: "kafka",
    nodes: ["n0", "n1"],
    concurrency: 4,
    time_limit_s: 3,
    rate: 300,
  }, ["per-node-offsets"]);
  const workload = workloadResult(outcome);
  assert.equal(workload["valid?"], false);
  const types = workload["error-types"] as string[];
  assert.ok(
    types.includes("duplicate") || types.includes("inconsistent-offsets"),
    JSON.stringify(types),
  );
  assert.equal(outcome.exit_code, 1);
});

Deno.test("e2e: a correct single-node lin-kv register passes", async () => {
  const outcome = await run("linkv_register", {
    workload: "lin-kv",
    nodes: ["n0"],
    concurrency: 2,
    time_limit_s: 3,
    rate: 20,
  });
  const workload = workloadResult(outcome);
  assert.equal(workload["valid?"], true, JSON.stringify(workload.failures));
  assert.equal(outcome.exit_code, 0);
});

Deno.test("e2e: lin-kv reads from stale followers on 3 nodes are not linearizable", async () => {
  const outcome = await run("linkv_register", {
    workload: "lin-kv",
    nodes: ["n0", "n1", "n2"],
    concurrency: 6,
    time_limit_s: 3,
    rate: 50,
  }, ["stale-followers"]);
  const workload = workloadResult(outcome);
  assert.equal(workload["valid?"], false);
  assert.deepEqual(workload.failures, [0]);
  const key = (workload.results as Record<string, Record<string, unknown>>)["0"];
  assert.equal((key.op as { f: string }).f, "read");
  assert.equal(outcome.exit_code, 1);
});

Deno.test("e2e: a leader-only lin-kv on 3 nodes stays linearizable under partitions", async () => {
  const outcome = await run("linkv_register", {
    workload: "lin-kv",
    nodes: ["n0", "n1", "n2"],
    concurrency: 6,
    time_limit_s: 4,
    rate: 40,
    nemesis: ["partition"],
    nemesis_interval_s: 1,
  }, ["leader"]);
  const workload = workloadResult(outcome);
  assert.equal(workload["valid?"], true, JSON.stringify(workload.failures));
  const stats = outcome.results!.stats as Record<string, number>;
  assert.ok(stats["info-count"] + stats["fail-count"] > 0, "partitions made some ops fail");
});
