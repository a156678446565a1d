// In-process tests of challenges/txn-rw-register.ts on a simulated cluster.

import assert from "node:assert/strict";
import {
  DEFAULT_OPTIONS,
  type MicroOp,
  parseOptions,
  txnRwRegister,
} from "../../challenges/txn-rw-register.ts";
import { SimCluster } from "../support/sim_cluster.ts";
import { runChallenge, section, serversMsgsPerOp } from "../support/harness_run.ts";

function cluster(count: number, seed = 1): SimCluster {
  return new SimCluster(count, (node) => txnRwRegister(node, DEFAULT_OPTIONS), seed);
}

async function txn(c: SimCluster, node: string, ops: MicroOp[]): Promise<MicroOp[]> {
  const msg_id = c.request(node, { type: "txn", txn: ops });
  await c.deliver();
  const reply = c.reply(msg_id);
  assert.equal(reply?.type, "txn_ok", `txn on ${node} answered ${JSON.stringify(reply)}`);
  return reply!.txn;
}

Deno.test("a transaction reads null for missing keys and sees its own writes", async () => {
  const c = cluster(1);
  assert.deepEqual(await txn(c, "n0", [["r", 1, null], ["w", 1, 5], ["r", 1, null]]), [
    ["r", 1, null],
    ["w", 1, 5],
    ["r", 1, 5],
  ]);
  assert.deepEqual(await txn(c, "n0", [["r", 1, null]]), [["r", 1, 5]]);
});

Deno.test("only the final write of a transaction is visible (no G1b)", async () => {
  const c = cluster(2);
  await txn(c, "n0", [["w", 1, 1], ["w", 1, 2]]);
  await c.advance(500);
  assert.deepEqual(await txn(c, "n1", [["r", 1, null]]), [["r", 1, 2]]);
});

Deno.test("writes replicate, and the outbox empties once acknowledged", async () => {
  const c = cluster(3);
  await txn(c, "n0", [["w", 1, 1], ["w", 2, 1]]);
  assert.deepEqual(await txn(c, "n2", [["r", 1, null]]), [["r", 1, null]], "not yet replicated");
  await c.advance(300);
  assert.deepEqual(await txn(c, "n2", [["r", 1, null], ["r", 2, null]]), [
    ["r", 1, 1],
    ["r", 2, 1],
  ]);
  const before = c.delivered;
  await c.advance(1000);
  assert.equal(c.delivered, before, "nothing is sent when every peer is up to date");
});

Deno.test("replicas converge on the same order of concurrent writes after a partition", async () => {
  for (const seed of [1, 2, 3]) {
    const c = cluster(2, seed);
    c.partition("n0", "n1");
    // Concurrent transactions on both sides write the same two keys in opposite orders.
    for (let i = 1; i <= 20; i++) {
      await txn(c, "n0", [["w", 1, i], ["w", 2, i]]);
      await txn(c, "n1", [["w", 2, 100 + i], ["w", 1, 100 + i]]);
      await c.advance(50);
    }
    assert.notDeepEqual(await txn(c, "n0", [["r", 1, null]]), await txn(c, "n1", [["r", 1, null]]));
    c.heal();
    await c.advance(500);
    const final0 = await txn(c, "n0", [["r", 1, null], ["r", 2, null]]);
    const final1 = await txn(c, "n1", [["r", 1, null], ["r", 2, null]]);
    assert.deepEqual(final0, final1, "both replicas agree");
    // Both keys' final values come from the same transaction: no write-write cycle (G0).
    assert.equal(final0[0][2], final0[1][2]);
  }
});

Deno.test("a transaction's writes become visible together (read atomic)", async () => {
  const c = cluster(2);
  for (let i = 1; i <= 30; i++) {
    await txn(c, "n0", [["w", 1, i], ["w", 2, i], ["w", 3, i]]);
    await c.advance(10);
    const [[, , x], [, , y], [, , z]] = await txn(c, "n1", [["r", 1, null], ["r", 2, null], [
      "r",
      3,
      null,
    ]]);
    assert.ok(x === y && y === z, `fractured read ${x} ${y} ${z}`);
  }
});

Deno.test("every transaction is answered during a partition (total availability)", async () => {
  const c = cluster(2);
  c.partition("n0", "n1");
  for (let i = 0; i < 10; i++) {
    await txn(c, "n0", [["w", i, i]]);
    await txn(c, "n1", [["r", i, null]]);
  }
});

Deno.test("a malformed transaction gets error 12, and bad arguments are named", async () => {
  const c = cluster(1);
  const msg_id = c.request("n0", { type: "txn", txn: [["x", 1, 2]] });
  await c.deliver();
  assert.equal(c.reply(msg_id)?.code, 12);
  assert.throws(() => parseOptions(["--replicate-interval-ms", "soon"]), /"soon"/);
  assert.equal(parseOptions(["--replicate-interval-ms", "20"]).replicate_interval_ms, 20);
});

const TXN_FLAGS = ["-w", "txn-rw-register", "--time-limit", "3", "--rate", "300"];

Deno.test("harness: 6c flags with partitions are valid even for read atomic", async () => {
  const outcome = await runChallenge("txn-rw-register", [
    ...TXN_FLAGS,
    ...["--node-count", "2", "--concurrency", "2n", "--availability", "total"],
    ...["--nemesis", "partition", "--nemesis-interval", "1"],
    ...["--consistency-models", "read-atomic"],
  ]);
  assert.equal(outcome.valid, true, JSON.stringify(section(outcome, "workload")).slice(0, 1000));
  assert.ok(serversMsgsPerOp(outcome) <= 1.0, `msgs-per-op ${serversMsgsPerOp(outcome)}`);
});

// As real node processes (a single node's validity does not depend on the machine's load).
Deno.test("harness: on a single node, transactions are strict serializable", async () => {
  const outcome = await runChallenge(
    "txn-rw-register",
    [
      ...TXN_FLAGS,
      ...[
        "--node-count",
        "1",
        "--concurrency",
        "4n",
        "--consistency-models",
        "strict-serializable",
      ],
    ],
    1000,
    "process",
  );
  assert.equal(outcome.valid, true, JSON.stringify(section(outcome, "workload")).slice(0, 1000));
});
