// Tests of lib/harness/nemesis.ts: grudge shapes and the flip-flop schedule.

import assert from "node:assert/strict";
import { SimEnv } from "../../lib/sim_env.ts";
import { Rng } from "../../lib/harness/rng.ts";
import { Network } from "../../lib/harness/network.ts";
import { History } from "../../lib/harness/history.ts";
import {
  type Grudge,
  grudgeFor,
  grudgeToJson,
  majoritiesRingPerfect,
  majoritiesRingStochastic,
  PartitionNemesis,
} from "../../lib/harness/nemesis.ts";

const nodes = (n: number) => Array.from({ length: n }, (_, i) => `n${i}`);

/** Connected components under "a hears b and b hears a". */
function components(grudge: Grudge, all: string[]): string[][] {
  const hears = (a: string, b: string) => !grudge.get(a)?.has(b);
  const seen = new Set<string>();
  const out: string[][] = [];
  for (const start of all) {
    if (seen.has(start)) continue;
    const comp = [start];
    seen.add(start);
    for (let i = 0; i < comp.length; i++) {
      for (const other of all) {
        if (!seen.has(other) && hears(comp[i], other) && hears(other, comp[i])) {
          seen.add(other);
          comp.push(other);
        }
      }
    }
    out.push(comp.sort());
  }
  return out.sort((a, b) => a.length - b.length);
}

Deno.test("one: a single node cut off completely", () => {
  const all = nodes(5);
  const g = grudgeFor("one", all, new Rng(1));
  assert.deepEqual(components(g, all).map((c) => c.length), [1, 4]);
  const [lonely] = components(g, all)[0];
  assert.equal(g.get(lonely)!.size, 4);
});

Deno.test("majority: floor(n/2) and ceil(n/2)", () => {
  for (const n of [2, 3, 5, 6, 7]) {
    const all = nodes(n);
    const sizes = components(grudgeFor("majority", all, new Rng(n)), all).map((c) => c.length);
    assert.deepEqual(sizes, [Math.floor(n / 2), Math.ceil(n / 2)]);
  }
});

Deno.test("minority-third: floor((n-1)/3) nodes; none for n <= 3", () => {
  assert.equal(
    Object.keys(grudgeToJson(grudgeFor("minority-third", nodes(3), new Rng(1)))).length,
    0,
  );
  const all = nodes(7);
  const sizes = components(grudgeFor("minority-third", all, new Rng(2)), all).map((c) => c.length);
  assert.deepEqual(sizes, [2, 5]);
});

Deno.test("majorities-ring, perfect: every node hears a majority; 3 nodes ignore exactly one each, never mutually", () => {
  for (let seed = 0; seed < 20; seed++) {
    const g3 = majoritiesRingPerfect(nodes(3), new Rng(seed));
    for (const node of nodes(3)) assert.equal(g3.get(node)!.size, 1);
    for (const [a, ignored] of g3) for (const b of ignored) assert.ok(!g3.get(b)!.has(a));
    const g5 = majoritiesRingPerfect(nodes(5), new Rng(seed));
    for (const node of nodes(5)) assert.equal(5 - g5.get(node)!.size, 3);
  }
});

Deno.test("majorities-ring, stochastic (n > 5): symmetric, each node connected to >= a majority", () => {
  for (let seed = 0; seed < 20; seed++) {
    const all = nodes(9);
    const g = majoritiesRingStochastic(all, new Rng(seed));
    for (const a of all) {
      assert.ok(all.length - g.get(a)!.size >= 5, "sees a majority, itself included");
      for (const b of g.get(a)!) assert.ok(g.get(b)!.has(a), "symmetric");
    }
  }
  assert.equal(grudgeFor("majorities-ring", nodes(9), new Rng(1)).size, 9);
});

Deno.test("one node: no spec drops anything", () => {
  for (const spec of ["one", "majority", "minority-third", "majorities-ring"] as const) {
    assert.deepEqual(grudgeToJson(grudgeFor(spec, ["n0"], new Rng(1))), {});
  }
});

Deno.test("schedule: start at once, alternate, staggered gaps in [0, 2*interval), ops are info", async () => {
  const env = new SimEnv();
  const net = new Network({ latency_ms: 0, latency_dist: "constant", rng: new Rng(1), clock: env });
  const history = new History(env);
  const nemesis = new PartitionNemesis(net, nodes(5), new Rng(9), history, env, 1);
  let done = false;
  void nemesis.run(env.now_ms() + 30_000).then(() => done = true);
  await env.advance(0);
  assert.equal(history.ops.length, 2);
  assert.equal(history.ops[0].f, "start-partition");
  assert.ok(net.currentPartitions().size > 0 || history.ops[0].value === "minority-third");
  await env.advance(30_000);
  assert.ok(done);
  const ops = history.ops;
  assert.ok(ops.length > 20, `${ops.length} ops in 30 intervals`);
  for (let i = 0; i < ops.length; i += 2) {
    const [inv, comp] = [ops[i], ops[i + 1]];
    assert.equal(inv.process, "nemesis");
    assert.equal(inv.type, "info");
    assert.equal(comp.type, "info");
    assert.equal(inv.f, i % 4 === 0 ? "start-partition" : "stop-partition");
    if (inv.f === "start-partition") {
      assert.ok(
        ["one", "minority-third", "majority", "majorities-ring"].includes(inv.value as string),
      );
      assert.equal((comp.value as unknown[])[0], "isolated");
    } else {
      assert.equal(inv.value, null);
      assert.equal(comp.value, "network-healed");
    }
  }
  const starts = ops.filter((_op, i) => i % 2 === 0).map((op) => op.time / 1e6);
  for (let i = 1; i < starts.length; i++) {
    const gap = starts[i] - starts[i - 1];
    assert.ok(gap >= 0 && gap < 2000, `gap ${gap}`);
  }
  assert.ok(starts.at(-1)! < 30_000);
});

Deno.test("stop() ends the schedule early", async () => {
  const env = new SimEnv();
  const net = new Network({ latency_ms: 0, latency_dist: "constant", rng: new Rng(1), clock: env });
  const history = new History(env);
  const nemesis = new PartitionNemesis(net, nodes(3), new Rng(9), history, env, 10);
  let done = false;
  void nemesis.run(1e9).then(() => done = true);
  await env.advance(1);
  nemesis.stop();
  await env.advance(0);
  assert.ok(done);
  assert.equal(env.pendingTimers(), 0);
});
