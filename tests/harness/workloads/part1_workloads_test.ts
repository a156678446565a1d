import {
  deepStrictEqual as assertEq,
  ok,
  rejects,
  strictEqual as assertEquals,
} from "node:assert/strict";
import {
  type Body,
  type FinalPhase,
  MalformedResponse,
  type Op,
  type OpSpec,
  RpcErrorReply,
  RpcTimeout,
  type TestOptions,
  type Workload,
  type WorkloadClient,
} from "../../../lib/harness/types.ts";
import { Rng } from "../../../lib/harness/rng.ts";
import { UnhandledRpcError } from "../../../lib/harness/workload_helpers.ts";
import { buildTopology } from "../../../lib/harness/topology.ts";
import { createWorkload as echo } from "../../../lib/harness/workloads/echo.ts";
import { createWorkload as uniqueIds } from "../../../lib/harness/workloads/unique-ids.ts";
import { createWorkload as broadcast } from "../../../lib/harness/workloads/broadcast.ts";
import { createWorkload as gSet } from "../../../lib/harness/workloads/g-set.ts";
import { createWorkload as gCounter } from "../../../lib/harness/workloads/g-counter.ts";
import { createWorkload as pnCounter } from "../../../lib/harness/workloads/pn-counter.ts";
import type { WorkloadFactory } from "../../../lib/harness/types.ts";
import { part1Options } from "../support/part1_history.ts";

function build(factory: WorkloadFactory, overrides: Partial<TestOptions> = {}): Workload {
  const opts = part1Options(overrides);
  return factory({ opts, rng: new Rng(opts.seed).fork("workload") });
}

function draw(workload: Workload, count: number, threads = 3): OpSpec[] {
  const generator = workload.generator();
  const specs: OpSpec[] = [];
  for (let i = 0; i < count; i++) {
    const spec = generator.next(i % threads, i % threads);
    if (spec === undefined) throw new Error("generator ran dry");
    specs.push(spec);
  }
  return specs;
}

/** A client that answers every request with `answer(body)`. */
class ScriptedClient implements WorkloadClient {
  readonly sent: Body[] = [];
  constructor(readonly answer: (body: Body) => Body, readonly id = "c1", readonly node = "n0") {}
  rpc(body: Body): Promise<Body> {
    const request = { ...body, msg_id: this.sent.length + 1 };
    this.sent.push(request);
    try {
      return Promise.resolve({ in_reply_to: request.msg_id, ...this.answer(request) });
    } catch (error) {
      return Promise.reject(error);
    }
  }
}

const FACTORIES: [string, WorkloadFactory][] = [
  ["echo", echo],
  ["unique-ids", uniqueIds],
  ["broadcast", broadcast],
  ["g-set", gSet],
  ["g-counter", gCounter],
  ["pn-counter", pnCounter],
];

Deno.test("part-1 generators are deterministic by seed and differ across seeds", () => {
  for (const [name, factory] of FACTORIES) {
    const a = draw(build(factory, { seed: 42 }), 200);
    const b = draw(build(factory, { seed: 42 }), 200);
    assertEq(a, b, `${name} not deterministic`);
    if (name === "unique-ids") continue; // no randomness at all
    const c = draw(build(factory, { seed: 43 }), 200);
    ok(JSON.stringify(a) !== JSON.stringify(c), `${name} ignores the seed`);
  }
});

Deno.test("part-1 workloads: names, idempotent sets, reusable clients, timeouts", () => {
  const expected: Record<string, [string[], boolean, boolean]> = {
    "echo": [[], false, false],
    "unique-ids": [[], true, false],
    "broadcast": [["read"], false, true],
    "g-set": [[], false, true],
    "g-counter": [[], false, true],
    "pn-counter": [[], false, true],
  };
  for (const [name, factory] of FACTORIES) {
    const workload = build(factory);
    const [idempotent, reusable, has_final] = expected[name];
    assertEquals(workload.name, name);
    assertEq([...workload.idempotent], idempotent, name);
    assertEquals(workload.reusable_client, reusable, name);
    assertEquals(workload.final !== undefined, has_final, name);
    assertEquals(workload.rpc_timeout_ms, 5000);
  }
});

Deno.test("echo generator: 'Please echo N' with N in 0..127, per-thread streams", () => {
  const specs = draw(build(echo), 3000);
  const numbers = new Set<number>();
  for (const spec of specs) {
    assertEquals(spec.f, "echo");
    const match = /^Please echo (\d+)$/.exec(spec.value as string);
    ok(match, `bad payload ${spec.value}`);
    numbers.add(Number(match[1]));
  }
  assertEquals(Math.min(...numbers), 0);
  assertEquals(Math.max(...numbers), 127);
  assertEquals(numbers.size, 128);
  // Thread 0's payloads do not depend on how often other threads ran.
  const alone = build(echo).generator();
  const mixed = build(echo).generator();
  const thread0_alone = [0, 1, 2].map(() => alone.next(0, 0)!.value);
  const thread0_mixed = [0, 1, 2].map(() => {
    mixed.next(1, 1);
    return mixed.next(0, 0)!.value;
  });
  assertEq(thread0_alone, thread0_mixed);
});

Deno.test("broadcast and g-set generators: ~50 % reads, unique consecutive values from 0", () => {
  for (const [factory, add_f] of [[broadcast, "broadcast"], [gSet, "add"]] as const) {
    const specs = draw(build(factory), 4000);
    const adds = specs.filter((spec) => spec.f === add_f);
    const reads = specs.filter((spec) => spec.f === "read");
    assertEquals(adds.length + reads.length, specs.length);
    ok(Math.abs(reads.length / specs.length - 0.5) < 0.04, `read share ${reads.length}`);
    assertEq(adds.map((spec) => spec.value), adds.map((_, i) => i));
    ok(reads.every((spec) => spec.value === null && spec.final === undefined));
  }
});

Deno.test("pn-counter generator: 50 % adds with delta in -5..4, 50 % reads", () => {
  const specs = draw(build(pnCounter), 6000);
  const deltas = specs.filter((spec) => spec.f === "add").map((spec) => spec.value as number);
  ok(Math.abs(deltas.length / specs.length - 0.5) < 0.03, `add share ${deltas.length}`);
  assertEq([...new Set(deltas)].sort((a, b) => a - b), [-5, -4, -3, -2, -1, 0, 1, 2, 3, 4]);
});

Deno.test("g-counter generator: 1/3 adds with delta in 0..4, 2/3 reads", () => {
  const specs = draw(build(gCounter), 6000);
  const deltas = specs.filter((spec) => spec.f === "add").map((spec) => spec.value as number);
  ok(Math.abs(deltas.length / specs.length - 1 / 3) < 0.03, `add share ${deltas.length}`);
  assertEq([...new Set(deltas)].sort((a, b) => a - b), [0, 1, 2, 3, 4]);
});

Deno.test("unique-ids generator: an endless stream of generate ops", () => {
  const specs = draw(build(uniqueIds), 50);
  ok(specs.every((spec) => spec.f === "generate" && spec.value === null));
});

Deno.test("echo invoke: sends the payload, returns the whole reply body", async () => {
  const workload = build(echo);
  const client = new ScriptedClient((body) => ({ type: "echo_ok", echo: body.echo }));
  const completion = await workload.invoke(client, { f: "echo", value: "Please echo 3" });
  assertEq(client.sent, [{ type: "echo", echo: "Please echo 3", msg_id: 1 }]);
  assertEq(completion, { value: { in_reply_to: 1, type: "echo_ok", echo: "Please echo 3" } });
});

Deno.test("closed reply schemas: extra, missing or mistyped keys are malformed", async () => {
  const cases: [Workload, OpSpec, Body][] = [
    [build(echo), { f: "echo", value: "x" }, { type: "echo_ok", echo: "x", extra: 1 }],
    [build(echo), { f: "echo", value: "x" }, { type: "echo_ok" }],
    [build(echo), { f: "echo", value: "x" }, { type: "echo_okk", echo: "x" }],
    [build(echo), { f: "echo", value: "x" }, {
      type: "echo_ok",
      echo: "x",
      msg_id: "7" as unknown as number,
    }],
    [build(uniqueIds), { f: "generate", value: null }, { type: "generate_ok" }],
    [build(uniqueIds), { f: "generate", value: null }, { type: "generate_ok", id: 1, n: 2 }],
    [build(broadcast), { f: "broadcast", value: 1 }, { type: "broadcast_ok", message: 1 }],
    [build(broadcast), { f: "read", value: null }, { type: "read_ok", messages: "1,2" }],
    [build(broadcast), { f: "read", value: null }, { type: "read_ok", value: [1] }],
    [build(gCounter), { f: "read", value: null }, { type: "read_ok", value: 1.5 }],
    [build(pnCounter), { f: "read", value: null }, { type: "read_ok", value: "3" }],
    [build(pnCounter), { f: "add", value: 1 }, { type: "add_ok", value: 1 }],
  ];
  for (const [workload, spec, answer] of cases) {
    const client = new ScriptedClient(() => answer);
    await rejects(workload.invoke(client, spec), MalformedResponse, JSON.stringify(answer));
  }
  // g-set: a malformed reply is an exception too (recorded as info).
  await rejects(
    build(gSet).invoke(new ScriptedClient(() => ({ type: "read_ok", value: {} })), {
      f: "read",
      value: null,
    }),
    MalformedResponse,
  );
});

Deno.test("well-formed replies give the completion values the checkers expect", async () => {
  const answer = (body: Body): Body => {
    switch (body.type) {
      case "generate":
        return { type: "generate_ok", id: "n0-1", msg_id: 4 };
      case "broadcast":
        return { type: "broadcast_ok" };
      case "add":
        return { type: "add_ok" };
      case "read":
        return body.type === "read" && last_workload === "counter"
          ? { type: "read_ok", value: 12 }
          : { type: "read_ok", messages: [1, 2], value: [3] };
      default:
        throw new Error(`unexpected ${body.type}`);
    }
  };
  let last_workload = "";
  const client = new ScriptedClient(answer);
  assertEq(await build(uniqueIds).invoke(client, { f: "generate", value: null }), {
    value: "n0-1",
  });
  assertEq(await build(broadcast).invoke(client, { f: "broadcast", value: 9 }), { value: 9 });
  const read_client = new ScriptedClient((body) =>
    body.type === "read" ? { type: "read_ok", messages: [1, 2] } : answer(body)
  );
  assertEq(await build(broadcast).invoke(read_client, { f: "read", value: null }), {
    value: [1, 2],
  });
  const set_client = new ScriptedClient(() => ({ type: "read_ok", value: [3] }));
  assertEq(await build(gSet).invoke(set_client, { f: "read", value: null }), { value: [3] });
  assertEq(await build(gSet).invoke(client, { f: "add", value: 4 }), { value: 4 });
  last_workload = "counter";
  assertEq(await build(pnCounter).invoke(client, { f: "add", value: -3 }), { value: -3 });
  assertEq(await build(gCounter).invoke(client, { f: "read", value: null }), { value: 12 });
  assertEq(client.sent.map((body) => body.type), ["generate", "broadcast", "add", "add", "read"]);
  assertEq(client.sent[2], { type: "add", element: 4, msg_id: 3 });
  assertEq(client.sent[3], { type: "add", delta: -3, msg_id: 4 });
});

Deno.test("error mapping: with-errors workloads pass RPC errors through to the runner", async () => {
  const error = new RpcErrorReply(11, "busy", { type: "error", code: 11 });
  for (const factory of [echo, uniqueIds, broadcast]) {
    const client = new ScriptedClient(() => {
      throw error;
    });
    const spec = draw(build(factory), 1)[0];
    await rejects(build(factory).invoke(client, spec), (thrown) => thrown === error);
  }
});

Deno.test("error mapping: g-set and counters turn every RPC error into an exception", async () => {
  const failures = [new RpcErrorReply(11, "busy", { type: "error", code: 11 }), new RpcTimeout(5)];
  for (const factory of [gSet, gCounter, pnCounter]) {
    for (const failure of failures) {
      const client = new ScriptedClient(() => {
        throw failure;
      });
      for (const spec of [{ f: "read", value: null }, { f: "add", value: 1 }]) {
        await rejects(
          build(factory).invoke(client, spec),
          (thrown) => thrown instanceof UnhandledRpcError && thrown.cause_error === failure,
        );
      }
    }
  }
});

Deno.test("broadcast setup sends the whole topology map and checks topology_ok", async () => {
  const workload = build(broadcast, { nodes: ["n0", "n1", "n2", "n3"], topology: "line" });
  const client = new ScriptedClient(() => ({ type: "topology_ok" }));
  await workload.setup!(client);
  assertEq(client.sent, [{
    type: "topology",
    topology: { n0: ["n1"], n1: ["n0", "n2"], n2: ["n1", "n3"], n3: ["n2"] },
    msg_id: 1,
  }]);
  const bad = new ScriptedClient(() => ({ type: "topology_ok", hello: 1 }));
  await rejects(workload.setup!(bad), MalformedResponse);
});

Deno.test("final phases: one read per thread, marked final except for g-set", async () => {
  for (
    const [factory, final] of [[broadcast, true], [gSet, undefined], [gCounter, true]] as const
  ) {
    const invoked: [number, OpSpec][] = [];
    const phase: FinalPhase = {
      threads: 4,
      invoke: (thread, spec) => {
        invoked.push([thread, spec]);
        return Promise.resolve({} as Op);
      },
      elapsed_ms: () => 0,
    };
    await build(factory).final!(phase);
    assertEq(invoked.map(([thread]) => thread), [0, 1, 2, 3]);
    for (const [, spec] of invoked) {
      assertEquals(spec.f, "read");
      assertEquals(spec.final, final);
    }
  }
});

Deno.test("topologies match Maelstrom's constructions", () => {
  const nodes = (n: number) => [...Array(n).keys()].map((i) => `n${i}`);
  assertEq(buildTopology("grid", nodes(5)), {
    n0: ["n3", "n1"],
    n1: ["n4", "n2", "n0"],
    n2: ["n1"],
    n3: ["n0", "n4"],
    n4: ["n1", "n3"],
  });
  assertEq(buildTopology("grid", nodes(1)), { n0: [] });
  assertEq(buildTopology("line", nodes(1)), {});
  assertEq(buildTopology("line", nodes(2)), { n0: ["n1"], n1: ["n0"] });
  assertEq(buildTopology("total", nodes(3)), {
    n0: ["n1", "n2"],
    n1: ["n0", "n2"],
    n2: ["n0", "n1"],
  });
  assertEq(buildTopology("tree", nodes(1)), { n0: [] });
  assertEq(buildTopology("tree2", nodes(6)), {
    n0: ["n1", "n2"],
    n1: ["n0", "n3", "n4"],
    n2: ["n0", "n5"],
    n3: ["n1"],
    n4: ["n1"],
    n5: ["n2"],
  });
  assertEq(buildTopology("tree", nodes(6)), buildTopology("tree2", nodes(6)));
  const tree3 = buildTopology("tree3", nodes(14));
  assertEq(tree3.n0, ["n1", "n2", "n3"]);
  assertEq(tree3.n1, ["n0", "n4", "n5", "n6"]);
  assertEq(tree3.n3, ["n0", "n10", "n11", "n12"]);
  assertEq(tree3.n4, ["n1", "n13"]);
  assertEq(tree3.n13, ["n4"]);
  const tree4 = buildTopology("tree4", nodes(25));
  assertEq(tree4.n0, ["n1", "n2", "n3", "n4"]);
  assertEq(tree4.n4, ["n0", "n17", "n18", "n19", "n20"]);
  assertEq(tree4.n5, ["n1", "n21", "n22", "n23", "n24"]);
  assertEq(tree4.n6, ["n1"]);
  // 25-node grid: 5×5, corners have 2 neighbours, the centre 4.
  const grid = buildTopology("grid", nodes(25));
  assertEq(grid.n0, ["n5", "n1"]);
  assertEq(grid.n12, ["n17", "n7", "n13", "n11"]);
  assertEq(grid.n24, ["n19", "n23"]);
  // Every topology is symmetric.
  for (const kind of ["grid", "line", "total", "tree2", "tree3", "tree4"] as const) {
    for (const n of [1, 2, 3, 7, 10, 25]) {
      const topology = buildTopology(kind, nodes(n));
      for (const [node, neighbours] of Object.entries(topology)) {
        for (const other of neighbours) ok(topology[other].includes(node), `${kind} ${n}`);
      }
    }
  }
});
