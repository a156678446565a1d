// End-to-end tests of the txn workloads and the Elle-style checker: real node
// processes (tests/harness/nodes/txn_*.ts) under the embedded harness, a few
// seconds each. Correct nodes pass; each buggy node fails under the model it
// violates, naming the anomaly (with a cycle where the anomaly is one).

import assert from "node:assert/strict";
import { parseTestArgs } from "../../lib/harness/cli.ts";
import type { CheckResult, Validity } from "../../lib/harness/types.ts";
import { runTestNode, workloadResult } from "./support/test_node.ts";

interface Run {
  valid: Validity;
  workload: CheckResult;
  results: CheckResult | undefined;
}

async function run(node: string, args: string[]): Promise<Run> {
  const outcome = await runTestNode(
    node,
    (bin, store_dir) => parseTestArgs([...args, "--bin", bin, "--store", store_dir]),
    { recovery_ms: 500 },
  );
  return { valid: outcome.valid, workload: workloadResult(outcome), results: outcome.results };
}

function anomalyTypes(result: CheckResult): string[] {
  return (result["anomaly-types"] as string[] | undefined) ?? [];
}

function firstCycle(result: CheckResult, type: string): { steps: { type: string }[] } {
  const cases = (result.anomalies as Record<string, { steps: { type: string }[] }[]>)[type];
  assert.ok(cases?.length, `no ${type} case in ${JSON.stringify(anomalyTypes(result))}`);
  assert.ok(cases[0].steps.length >= 2, "a cycle has at least two steps");
  return cases[0];
}

const SHORT = ["--time-limit", "3", "--concurrency", "2n"];

Deno.test("e2e txn-rw-register: a correct single node passes (6a settings, short)", async () => {
  const { valid, workload, results } = await run("txn_serial", [
    ...SHORT,
    "-w",
    "txn-rw-register",
    "--node-count",
    "1",
    "--rate",
    "1000",
    "--consistency-models",
    "read-uncommitted",
    "--availability",
    "total",
  ]);
  assert.equal(valid, true, JSON.stringify(workload).slice(0, 2000));
  assert.ok((workload["final-read-keys"] as number) > 0, "final reads ran");
  // Maelstrom has no final reads: they and their traffic stay out of msgs/op, availability and
  // stats, and are reported apart.
  const net = results!.net as Record<string, Record<string, number>>;
  const apart = net["harness-only-final-phase"] as unknown as {
    ops: number;
    clients: Record<string, number>;
  };
  assert.ok(apart.ops > 0, JSON.stringify(net));
  assert.equal(apart.clients["msg-count"], 2 * apart.ops, "one request and one reply per read");
  const stats = results!.stats as Record<string, Record<string, number>>;
  assert.equal(stats["harness-only-final-reads"].count, apart.ops);
  const per_op = net.all["msgs-per-op"];
  assert.ok(Math.abs(per_op - 2) < 0.05, `${per_op}: a request and a reply per main-phase op`);
  const availability = results!.availability as Record<string, unknown>;
  assert.ok("harness-only-final-reads" in availability);
});

Deno.test("e2e txn-list-append: a correct single node is strict-serializable", async () => {
  const { valid, workload } = await run("txn_serial", [
    ...SHORT,
    "-w",
    "txn-list-append",
    "--node-count",
    "1",
    "--rate",
    "1000",
    "--availability",
    "total",
  ]);
  assert.equal(valid, true, JSON.stringify(workload).slice(0, 2000));
});

Deno.test("e2e txn-rw-register: reads of aborted writes fail read-committed (G1a)", async () => {
  const args = [...SHORT, "-w", "txn-rw-register", "--node-count", "1", "--rate", "200"];
  const rc = await run("txn_aborted_reads", [...args, "--consistency-models", "read-committed"]);
  assert.equal(rc.valid, false);
  assert.ok(anomalyTypes(rc.workload).includes("G1a"), JSON.stringify(rc.workload).slice(0, 800));
  assert.deepEqual(rc.workload.not, ["read-committed"]);
});

Deno.test("e2e txn-rw-register: exposed intermediate writes fail read-committed (G1b)", async () => {
  const { valid, workload } = await run("txn_intermediate_reads", [
    ...SHORT,
    "-w",
    "txn-rw-register",
    "--node-count",
    "1",
    "--rate",
    "200",
    "--consistency-models",
    "read-committed",
  ]);
  assert.equal(valid, false);
  assert.ok(anomalyTypes(workload).includes("G1b"), JSON.stringify(workload).slice(0, 800));
});

Deno.test("e2e txn-rw-register: replicas ordering writes differently fail read-uncommitted (G0, final reads)", async () => {
  // Two writes per key make every key's converged final value order its two writers.
  const args = [
    "--time-limit",
    "3",
    "--concurrency",
    "2n",
    "-w",
    "txn-rw-register",
    "--node-count",
    "2",
    "--rate",
    "500",
    "--key-count",
    "4",
    "--max-txn-length",
    "8",
    "--max-writes-per-key",
    "2",
    "--consistency-models",
    "read-uncommitted",
  ];
  const { valid, workload } = await run("txn_key_owners", args);
  assert.equal(valid, false, JSON.stringify(workload).slice(0, 800));
  assert.deepEqual(anomalyTypes(workload), ["G0"]);
  assert.ok(firstCycle(workload, "G0").steps.every((s) => s.type === "ww"));
  // Maelstrom's exact checker (no final reads) cannot see it.
  const blind = await run("txn_key_owners", [...args, "--no-final-reads"]);
  assert.ok(!anomalyTypes(blind.workload).includes("G0"));
});

Deno.test("e2e txn-list-append: local execution with async replication is not serializable", async () => {
  const { valid, workload } = await run("txn_async_append", [
    ...SHORT,
    "-w",
    "txn-list-append",
    "--node-count",
    "2",
    "--rate",
    "200",
    "--consistency-models",
    "serializable",
  ]);
  assert.equal(valid, false);
  const types = anomalyTypes(workload);
  assert.ok(types.includes("incompatible-order"), JSON.stringify(types));
  const cycle = types.find((t) => ["G0", "G1c", "G-single-item", "G2-item"].includes(t));
  assert.ok(cycle, `no cycle anomaly in ${JSON.stringify(types)}`);
  firstCycle(workload, cycle);
});

Deno.test("e2e txn-rw-register: a txn_ok that drops micro-ops is malformed-txn-ok", async () => {
  const { valid, workload } = await run("txn_dropped_mops", [
    "--time-limit",
    "2",
    "--concurrency",
    "2n",
    "-w",
    "txn-rw-register",
    "--node-count",
    "1",
    "--rate",
    "100",
    "--consistency-models",
    "read-uncommitted",
  ]);
  assert.equal(valid, false);
  assert.ok(anomalyTypes(workload).includes("malformed-txn-ok"));
});
