// Tests of lib/harness/network.ts on a manual clock: latency, ordering,
// partitions, journal, unregistering and the latency samplers.

import assert from "node:assert/strict";
import { SimEnv } from "../../lib/sim_env.ts";
import { Rng } from "../../lib/harness/rng.ts";
import {
  type JournalEvent,
  latencySampler,
  type NetMessage,
  Network,
  NetworkError,
} from "../../lib/harness/network.ts";
import type { LatencyDist } from "../../lib/harness/types.ts";

function setup(latency_ms = 0, dist: LatencyDist = "constant") {
  const env = new SimEnv();
  const journal: JournalEvent[] = [];
  const net = new Network({
    latency_ms,
    latency_dist: dist,
    rng: new Rng(7),
    clock: env,
    journal: (e) => journal.push(e),
  });
  const inbox = new Map<string, { at_ms: number; message: NetMessage }[]>();
  for (const id of ["n0", "n1", "n2", "c0", "lin-kv"]) {
    inbox.set(id, []);
    net.register(id, (message) => inbox.get(id)!.push({ at_ms: env.now_ms(), message }));
  }
  return { env, net, journal, inbox };
}

Deno.test("constant latency delays node-to-node messages, not client traffic", async () => {
  const { env, net, inbox } = setup(100);
  net.send("n0", "n1", { type: "a" });
  net.send("c0", "n1", { type: "b" });
  net.send("n1", "lin-kv", { type: "c" });
  await env.advance(0);
  assert.deepEqual(inbox.get("n1")!.map((d) => [d.message.body.type, d.at_ms]), [["b", 0]]);
  await env.advance(99);
  assert.equal(inbox.get("n1")!.length, 1);
  await env.advance(1);
  assert.deepEqual(inbox.get("n1")!.map((d) => [d.message.body.type, d.at_ms]), [
    ["b", 0],
    ["a", 100],
  ]);
  assert.deepEqual(inbox.get("lin-kv")!.map((d) => d.at_ms), [100]);
});

Deno.test("message ids count from 0; journal has send then recv with contiguous ids", async () => {
  const { env, net, journal } = setup(5);
  const m0 = net.send("n0", "n1", { type: "x" });
  const m1 = net.send("n1", "n0", { type: "y" });
  assert.deepEqual([m0.id, m1.id], [0, 1]);
  await env.advance(5);
  assert.deepEqual(journal.map((e) => [e.id, e.type, e.message.id]), [
    [0, "send", 0],
    [1, "send", 1],
    [2, "recv", 0],
    [3, "recv", 1],
  ]);
  assert.equal(journal[2].time, 5_000_000);
  assert.deepEqual(journal[0].message, { id: 0, src: "n0", dest: "n1", body: { type: "x" } });
});

Deno.test("per receiver, delivery is in deadline order; ties keep send order", async () => {
  const { env, net, inbox } = setup(0);
  for (let i = 0; i < 50; i++) net.send(i % 2 ? "n0" : "n2", "n1", { type: "m", i });
  await env.advance(0);
  assert.deepEqual(inbox.get("n1")!.map((d) => d.message.body.i), [...Array(50).keys()]);
});

Deno.test("uniform latency: per receiver in deadline order, each within [0, 2L)", async () => {
  const { env, net, inbox } = setup(50, "uniform");
  const sent_at = new Map<number, number>();
  for (let i = 0; i < 200; i++) {
    sent_at.set(i, env.now_ms());
    net.send("n0", "n1", { type: "m", i });
    await env.advance(1);
  }
  await env.advance(200);
  const got = inbox.get("n1")!;
  assert.equal(got.length, 200);
  for (let k = 1; k < got.length; k++) assert.ok(got[k].at_ms >= got[k - 1].at_ms);
  for (const d of got) {
    const latency = d.at_ms - sent_at.get(d.message.body.i)!;
    assert.ok(latency >= 0 && latency < 100, `latency ${latency}`);
  }
  const reordered = got.some((d, k) => k > 0 && d.message.body.i < got[k - 1].message.body.i);
  assert.ok(reordered, "uniform latency reorders some messages");
});

Deno.test("partitions drop at the receiver without a recv event; heal restores", async () => {
  const { env, net, inbox, journal } = setup(10);
  net.drop("n0", "n1");
  net.send("n0", "n1", { type: "dropped" });
  net.send("n1", "n0", { type: "kept" }); // partitions are one-way
  net.send("n2", "n1", { type: "other" });
  await env.advance(10);
  assert.deepEqual(inbox.get("n1")!.map((d) => d.message.body.type), ["other"]);
  assert.deepEqual(inbox.get("n0")!.map((d) => d.message.body.type), ["kept"]);
  assert.equal(journal.filter((e) => e.type === "recv").length, 2);
  assert.equal(journal.filter((e) => e.type === "send").length, 3);
  net.heal();
  net.send("n0", "n1", { type: "after-heal" });
  await env.advance(10);
  assert.equal(inbox.get("n1")!.at(-1)!.message.body.type, "after-heal");
});

Deno.test("a partition applies when the message falls due, not when it was sent", async () => {
  const { env, net, inbox } = setup(10);
  net.send("n0", "n1", { type: "late" });
  net.partition(new Map([["n1", ["n0"]]]));
  await env.advance(10);
  assert.equal(inbox.get("n1")!.length, 0);
});

Deno.test("unknown ids are rejected; closed clients are told apart; unregister drops queue", async () => {
  const { env, net, inbox } = setup(10);
  assert.throws(
    () => net.send("n9", "n1", { type: "x" }),
    (e) => e instanceof NetworkError && e.kind === "invalid-src",
  );
  assert.throws(
    () => net.send("n0", "zz", { type: "x" }),
    (e) => e instanceof NetworkError && e.kind === "invalid-dest",
  );
  const id = net.nextClientId();
  assert.equal(id, "c0");
  assert.throws(
    () => net.send("n0", "c5", { type: "x" }),
    (e) => e instanceof NetworkError && e.kind === "invalid-dest",
  );
  net.unregister("c0");
  assert.throws(
    () => net.send("n0", "c0", { type: "x" }),
    (e) => e instanceof NetworkError && e.kind === "closed-client",
  );
  net.send("n0", "n2", { type: "x" });
  net.unregister("n2");
  await env.advance(20);
  assert.equal(inbox.get("n2")!.length, 0);
  assert.equal(env.pendingTimers(), 0);
});

Deno.test("one timer per receiver, however many messages wait", async () => {
  const { env, net, inbox } = setup(100);
  for (let i = 0; i < 1000; i++) net.send("n0", "n1", { type: "m" });
  assert.equal(env.pendingTimers(), 1);
  for (let i = 0; i < 10; i++) net.send("n0", "n2", { type: "m" });
  assert.equal(env.pendingTimers(), 2);
  await env.advance(100);
  assert.equal(inbox.get("n1")!.length, 1000);
  assert.equal(env.pendingTimers(), 0);
});

Deno.test("latency samplers: constant, uniform on [0, 2L), exponential with mean L", () => {
  assert.equal(latencySampler(7, "constant", new Rng(1))(), 7);
  const uniform = latencySampler(10, "uniform", new Rng(1));
  const seen = new Set<number>();
  for (let i = 0; i < 2000; i++) seen.add(uniform());
  assert.deepEqual([...seen].sort((a, b) => a - b), [...Array(20).keys()]);
  const exponential = latencySampler(20, "exponential", new Rng(2));
  let sum = 0;
  for (let i = 0; i < 20000; i++) {
    const x = exponential();
    assert.ok(Number.isInteger(x) && x >= 0);
    sum += x;
  }
  const mean = sum / 20000;
  assert.ok(mean > 18 && mean < 21, `mean ${mean}`); // truncation lowers the mean by ~0.5
  assert.throws(() => latencySampler(0, "uniform", new Rng(1)), /latency > 0/);
  assert.throws(() => latencySampler(0, "exponential", new Rng(1)), /latency > 0/);
});
