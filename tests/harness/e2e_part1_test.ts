// End-to-end runs of the part-1 workloads (echo, unique-ids, broadcast, g-set, g-counter,
// pn-counter) through the real harness runtime with tiny TS test nodes
// (tests/harness/nodes/part1_*.ts): correct nodes are valid, and nodes with the bugs a learner
// writes are invalid with the anomaly named in the workload result. Each run takes a few
// seconds: short time limits, short nemesis intervals and a short recovery wait.

import assert from "node:assert/strict";
import type { TestOutcome } from "../../lib/harness/runner.ts";
import type { CheckResult, TestOptions } from "../../lib/harness/types.ts";
import { part1Options } from "./support/part1_history.ts";
import { runTestNode, workloadResult } from "./support/test_node.ts";

const THREE_NODES = ["n0", "n1", "n2"];

function run(
  node: string,
  overrides: Partial<TestOptions>,
  bin_args: string[] = [],
): Promise<TestOutcome> {
  return runTestNode(
    node,
    (bin, store_dir) => part1Options({ bin, bin_args, store_dir, seed: 4242, ...overrides }),
    { recovery_ms: 500 },
  );
}

function assertValid(outcome: TestOutcome): CheckResult {
  const workload = workloadResult(outcome);
  assert.equal(workload["valid?"], true, JSON.stringify(workload).slice(0, 2000));
  assert.equal(outcome.valid, true, JSON.stringify(outcome.results).slice(0, 2000));
  assert.equal(outcome.exit_code, 0);
  return workload;
}

function assertInvalid(outcome: TestOutcome): CheckResult {
  const workload = workloadResult(outcome);
  assert.equal(workload["valid?"], false, JSON.stringify(workload).slice(0, 2000));
  assert.equal(outcome.valid, false);
  assert.equal(outcome.exit_code, 1);
  return workload;
}

const partitioned: Partial<TestOptions> = { nemesis: ["partition"], nemesis_interval_s: 0.5 };

Deno.test("e2e part 1: a correct echo node is valid", async () => {
  const outcome = await run("part1_echo", {
    workload: "echo",
    nodes: ["n0"],
    concurrency: 1,
    time_limit_s: 2,
    rate: 20,
  });
  const workload = assertValid(outcome);
  assert.deepEqual(workload["errors"], []);
  const stats = outcome.results!.stats as CheckResult;
  assert.ok((stats["ok-count"] as number) > 10);
});

Deno.test("e2e part 1: an echo node that changes the payload is invalid", async () => {
  const outcome = await run("part1_echo", {
    workload: "echo",
    nodes: ["n0", "n1"],
    concurrency: 2,
    time_limit_s: 2,
    rate: 20,
  }, ["--bug", "wrong-echo"]);
  const workload = assertInvalid(outcome);
  const errors = workload["errors"] as unknown[][];
  assert.ok(errors.length > 0);
  assert.equal(errors[0][0], "Expected a message with :echo");
  assert.match(String(errors[0][1]), /^Please echo \d+$/);
  assert.equal(workload["error-count"], errors.length);
});

Deno.test("e2e part 1: replies with an extra key are malformed: info ops with exceptions", async () => {
  const outcome = await run("part1_echo", {
    workload: "echo",
    nodes: ["n0"],
    concurrency: 1,
    time_limit_s: 1,
    rate: 10,
  }, ["--bug", "extra-key"]);
  assert.ok(outcome.results, `run aborted: ${outcome.error}`);
  const stats = outcome.results.stats as CheckResult;
  assert.equal(stats["ok-count"], 0);
  assert.ok((stats["info-count"] as number) > 0);
  assert.equal(stats["valid?"], false); // no echo ever completed ok
  assert.equal(workloadResult(outcome)["valid?"], true); // info ops are not checked
  const exceptions = JSON.stringify(outcome.results.exceptions);
  assert.match(exceptions, /unexpected key \\"node\\"/);
  assert.equal(outcome.valid, false);
});

Deno.test("e2e part 1: local unique ids are valid and totally available under partitions", async () => {
  const outcome = await run("part1_unique_ids", {
    workload: "unique-ids",
    nodes: THREE_NODES,
    time_limit_s: 2,
    rate: 300,
    availability: "total",
    ...partitioned,
  });
  const workload = assertValid(outcome);
  assert.ok((workload["acknowledged-count"] as number) > 100);
  assert.equal(workload["duplicated-count"], 0);
});

Deno.test("e2e part 1: per-node counters as ids are duplicates", async () => {
  const outcome = await run("part1_unique_ids", {
    workload: "unique-ids",
    nodes: THREE_NODES,
    time_limit_s: 2,
    rate: 100,
  }, ["--bug", "duplicate"]);
  const workload = assertInvalid(outcome);
  assert.ok((workload["duplicated-count"] as number) > 0);
  const counts = Object.values(workload["duplicated"] as Record<string, number>);
  assert.ok(counts.every((count) => count >= 2));
  assert.equal(typeof (workload["range"] as unknown[])[0], "number");
});

Deno.test("e2e part 1: a gossiping broadcast node is valid under partitions", async () => {
  const outcome = await run("part1_set", {
    workload: "broadcast",
    nodes: THREE_NODES,
    time_limit_s: 3,
    rate: 30,
    ...partitioned,
  }, ["--workload", "broadcast"]);
  const workload = assertValid(outcome);
  assert.equal(workload["lost-count"], 0);
  assert.ok((workload["stable-count"] as number) > 0);
  assert.ok(workload["stable-latencies"] !== undefined);
});

Deno.test("e2e part 1: broadcast with a tree4 topology on 6 nodes is valid", async () => {
  const outcome = await run("part1_set", {
    workload: "broadcast",
    nodes: ["n0", "n1", "n2", "n3", "n4", "n5"],
    concurrency: 6,
    topology: "tree4",
    time_limit_s: 2,
    rate: 30,
  }, ["--workload", "broadcast"]);
  assertValid(outcome);
});

Deno.test("e2e part 1: broadcast without relaying loses messages", async () => {
  const outcome = await run("part1_set", {
    workload: "broadcast",
    nodes: THREE_NODES,
    time_limit_s: 2,
    rate: 30,
  }, ["--workload", "broadcast", "--bug", "no-relay"]);
  const workload = assertInvalid(outcome);
  assert.ok((workload["lost-count"] as number) > 0);
  assert.ok((workload["lost"] as unknown[]).length > 0);
  assert.ok(workload["lost-latencies"] !== undefined);
});

Deno.test("e2e part 1: a gossiping g-set node is valid under partitions", async () => {
  const outcome = await run("part1_set", {
    workload: "g-set",
    nodes: THREE_NODES,
    time_limit_s: 3,
    rate: 30,
    ...partitioned,
  }, ["--workload", "g-set"]);
  const workload = assertValid(outcome);
  assert.equal(workload["lost-count"], 0);
});

Deno.test("e2e part 1: a g-set that keeps adds local loses elements", async () => {
  const outcome = await run("part1_set", {
    workload: "g-set",
    nodes: THREE_NODES,
    time_limit_s: 2,
    rate: 30,
  }, ["--workload", "g-set", "--bug", "no-relay"]);
  const workload = assertInvalid(outcome);
  assert.ok((workload["lost-count"] as number) > 0);
});

for (const name of ["g-counter", "pn-counter"] as const) {
  Deno.test(`e2e part 1: a CRDT ${name} node is valid under partitions`, async () => {
    const outcome = await run("part1_counter", {
      workload: name,
      nodes: THREE_NODES,
      time_limit_s: 3,
      rate: 50,
      ...partitioned,
    });
    const workload = assertValid(outcome);
    const reads = workload["final-reads"] as number[];
    assert.equal(reads.length, 3);
    assert.equal(new Set(reads).size, 1);
  });

  Deno.test(`e2e part 1: a ${name} node that never shares its adds loses increments`, async () => {
    const outcome = await run("part1_counter", {
      workload: name,
      nodes: THREE_NODES,
      time_limit_s: 2,
      rate: 50,
    }, ["--bug", "local-only"]);
    const workload = assertInvalid(outcome);
    assert.ok((workload["errors"] as unknown[]).length > 0);
    assert.equal((workload["final-reads"] as number[]).length, 3);
  });
}
