// In-process tests of challenges/txn-list-append.ts against simulated lin-kv and lww-kv.

import assert from "node:assert/strict";
import { MAX_LOG, type MicroOp, txnListAppend } from "../../challenges/txn-list-append.ts";
import type { Body } from "../../lib/maelstrom.ts";
import { seededRandom } from "../../lib/sim_env.ts";
import { kvService, SimCluster } from "../support/sim_cluster.ts";
import { runChallenge, section, serversMsgsPerOp } from "../support/harness_run.ts";

/** lww-kv as Maelstrom implements it: two stores that never sync; each request picks one. */
function lwwService(seed: number): (body: Body) => Body | undefined {
  const random = seededRandom(seed);
  const stores = [kvService(), kvService()];
  return (body) => stores[random() < 0.5 ? 0 : 1](body);
}

interface Counted {
  c: SimCluster;
  lin_requests: () => number;
}

function cluster(count: number, seed = 1): Counted {
  const c = new SimCluster(count, txnListAppend, seed);
  const lin = kvService();
  let lin_requests = 0;
  c.services.set("lin-kv", (body) => {
    lin_requests++;
    return lin(body);
  });
  c.services.set("lww-kv", lwwService(seed));
  return { c, lin_requests: () => lin_requests };
}

async function txn(c: SimCluster, node: string, ops: MicroOp[]): Promise<MicroOp[]> {
  const msg_id = c.request(node, { type: "txn", txn: ops });
  for (let i = 0; i < 100 && !c.reply(msg_id); i++) await c.advance(5, 5);
  const reply = c.reply(msg_id);
  assert.equal(reply?.type, "txn_ok", `txn on ${node} answered ${JSON.stringify(reply)}`);
  return reply!.txn;
}

Deno.test("a transaction reads null, then its own appends, then committed lists", async () => {
  const { c } = cluster(1);
  assert.deepEqual(await txn(c, "n0", [["r", 1, null], ["append", 1, 1], ["r", 1, null]]), [
    ["r", 1, null],
    ["append", 1, 1],
    ["r", 1, [1]],
  ]);
  await txn(c, "n0", [["append", 1, 2], ["append", 2, 1]]);
  assert.deepEqual(await txn(c, "n0", [["r", 1, null], ["r", 2, null]]), [
    ["r", 1, [1, 2]],
    ["r", 2, [1]],
  ]);
});

Deno.test("a read on one node sees every commit acknowledged on another", async () => {
  const { c } = cluster(2);
  const expected: number[] = [];
  for (let i = 1; i <= 40; i++) {
    const writer = i % 2 === 0 ? "n0" : "n1";
    const reader = i % 2 === 0 ? "n1" : "n0";
    await txn(c, writer, [["append", 7, i]]);
    expected.push(i);
    assert.deepEqual(await txn(c, reader, [["r", 7, null]]), [["r", 7, expected]]);
  }
});

Deno.test("a node that missed every notice catches up through lww-kv segments", async () => {
  for (const seed of [1, 2, 3]) {
    const { c } = cluster(2, seed);
    c.partition("n0", "n1");
    const commits = MAX_LOG * 3 + 5;
    for (let i = 1; i <= commits; i++) await txn(c, "n0", [["append", i % 3, i]]);
    const lists = await txn(c, "n1", [["r", 0, null], ["r", 1, null], ["r", 2, null]]);
    for (const [, key, list] of lists) {
      const want = Array.from({ length: commits }, (_, i) => i + 1).filter((i) => i % 3 === key);
      assert.deepEqual(list, want, `key ${key} after ${commits} commits (seed ${seed})`);
    }
    // And the lagging node can commit on top of what it caught up to.
    await txn(c, "n1", [["append", 0, 1000]]);
    const [[, , list0]] = await txn(c, "n0", [["r", 0, null]]);
    assert.equal((list0 as number[]).at(-1), 1000);
  }
});

Deno.test("transactions queued together commit with one cas", async () => {
  const { c, lin_requests } = cluster(1);
  await txn(c, "n0", [["append", 1, 0]]);
  const before = lin_requests();
  const ids = Array.from(
    { length: 10 },
    (_, i) => c.request("n0", { type: "txn", txn: [["append", 1, i + 1]] }),
  );
  await c.advance(50);
  for (const id of ids) assert.equal(c.reply(id)?.type, "txn_ok");
  // The first request commits alone; the nine queued behind it share the next cas.
  assert.equal(lin_requests() - before, 2);
  const [[, , list]] = await txn(c, "n0", [["r", 1, null]]);
  assert.deepEqual(list, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
});

Deno.test("concurrent committers on two nodes agree on one order and lose nothing", async () => {
  const { c } = cluster(2, 5);
  c.partition("n0", "n1"); // no notices: every cas races blind
  const ids: number[] = [];
  for (let i = 1; i <= 30; i++) {
    ids.push(c.request("n0", { type: "txn", txn: [["r", 9, null], ["append", 9, i]] }));
    ids.push(c.request("n1", { type: "txn", txn: [["r", 9, null], ["append", 9, 100 + i]] }));
    await c.advance(5, 5);
  }
  await c.advance(2000);
  const acked = ids.map((id) => c.reply(id)).filter((r) => r?.type === "txn_ok");
  assert.ok(acked.length >= 50, `most transactions commit despite contention (${acked.length}/60)`);
  const [[, , final]] = await txn(c, "n0", [["r", 9, null]]);
  const final_list = final as number[];
  assert.equal(new Set(final_list).size, final_list.length, "no duplicates");
  for (const reply of acked) {
    const [[, , seen], [, , element]] = reply!.txn as MicroOp[];
    assert.ok(final_list.includes(element as number), `acked append ${element} is in the list`);
    // What a transaction read is exactly the prefix of the final order before its own append.
    const position = final_list.indexOf(element as number);
    assert.deepEqual(seen ?? [], final_list.slice(0, position));
  }
});

Deno.test("a malformed transaction gets error 12", async () => {
  const { c } = cluster(1);
  const msg_id = c.request("n0", { type: "txn", txn: [["w", 1, 2]] });
  await c.deliver();
  assert.equal(c.reply(msg_id)?.code, 12);
});

Deno.test("harness: two nodes at the chapter 4 rate are strict serializable within budget", async () => {
  const outcome = await runChallenge("txn-list-append", [
    ...["-w", "txn-list-append", "--node-count", "2", "--time-limit", "3", "--rate", "100"],
  ]);
  assert.equal(outcome.valid, true, JSON.stringify(section(outcome, "workload")).slice(0, 1000));
  assert.ok(serversMsgsPerOp(outcome) <= 4, `msgs-per-op ${serversMsgsPerOp(outcome)}`);
});

Deno.test("harness: ten clients on one node are strict serializable", async () => {
  const outcome = await runChallenge("txn-list-append", [
    ...["-w", "txn-list-append", "--node-count", "1", "--concurrency", "10n"],
    ...["--time-limit", "3", "--rate", "100"],
  ]);
  assert.equal(outcome.valid, true, JSON.stringify(section(outcome, "workload")).slice(0, 1000));
});
