// Tests of lib/harness/scheduler.ts on a manual clock: stagger rate, time
// limit, thread/node/process bookkeeping, client reuse, rate 0, final phase.

import assert from "node:assert/strict";
import { SimEnv } from "../../lib/sim_env.ts";
import { Rng } from "../../lib/harness/rng.ts";
import { History } from "../../lib/harness/history.ts";
import { type ClosableClient, Scheduler } from "../../lib/harness/scheduler.ts";
import { ThreadRotation } from "../../lib/harness/thread_rotation.ts";
import {
  type Completion,
  type OpSpec,
  RpcTimeout,
  type Workload,
} from "../../lib/harness/types.ts";

interface FakeOptions {
  latency_ms?: number;
  reusable?: boolean;
  /** Ops whose value is in this set time out (info). */
  timeout_values?: Set<number>;
}

function fakeWorkload(env: SimEnv, o: FakeOptions = {}): Workload {
  let n = 0;
  return {
    name: "echo",
    idempotent: new Set(),
    reusable_client: o.reusable ?? false,
    rpc_timeout_ms: 5000,
    generator: () => ({ next: () => ({ f: "op", value: n++ }) }),
    async invoke(client, spec: OpSpec): Promise<Completion> {
      await new Promise((resolve) => env.setTimer(resolve as () => void, o.latency_ms ?? 1));
      if (o.timeout_values?.has(spec.value as number)) throw new RpcTimeout(5000);
      return { value: { client: client.id, node: client.node } };
    },
    check: () => ({ "valid?": true }),
  };
}

function makeScheduler(env: SimEnv, workload: Workload, over: Partial<{
  rate: number;
  concurrency: number;
  time_limit_s: number;
  nodes: string[];
}> = {}) {
  const history = new History(env);
  const opened: string[] = [];
  let next_client = 0;
  const scheduler = new Scheduler({
    workload,
    nodes: over.nodes ?? ["n0", "n1"],
    concurrency: over.concurrency ?? 2,
    rate: over.rate ?? 100,
    time_limit_s: over.time_limit_s ?? 10,
    clock: env,
    rng: new Rng(4),
    history,
    openClient(node): ClosableClient {
      const id = `c${next_client++}`;
      opened.push(id);
      return { id, node, rpc: () => Promise.reject(new Error("unused")), close: () => {} };
    },
  });
  return { history, scheduler, opened };
}

async function runToEnd(env: SimEnv, promise: Promise<void>, step_ms = 1): Promise<void> {
  let done = false;
  void promise.then(() => done = true);
  for (let i = 0; i < 1e6 && !done; i++) await env.advance(step_ms);
  assert.ok(done, "scheduler finished");
}

Deno.test("stagger: about rate ops/s over all threads, first op at 0, none after the limit", async () => {
  const env = new SimEnv();
  const { history, scheduler } = makeScheduler(env, fakeWorkload(env));
  await runToEnd(env, scheduler.runMain());
  const invokes = history.ops.filter((op) => op.type === "invoke");
  assert.ok(invokes.length > 900 && invokes.length < 1100, `${invokes.length} ops`);
  assert.equal(invokes[0].time, 0);
  assert.ok(invokes.at(-1)!.time < 10_000 * 1e6);
  for (let i = 1; i < invokes.length; i++) {
    const gap_ms = (invokes[i].time - invokes[i - 1].time) / 1e6;
    assert.ok(gap_ms >= 0 && gap_ms <= 21, `gap ${gap_ms}`); // < 2/rate plus clock granularity
  }
  assert.equal(history.ops.length, 2 * invokes.length, "every invoke completed");
  assert.equal(env.pendingTimers(), 0);
});

Deno.test("the rate is a ceiling: slow replies limit throughput to concurrency / latency", async () => {
  const env = new SimEnv();
  const { history, scheduler } = makeScheduler(env, fakeWorkload(env, { latency_ms: 100 }), {
    rate: 1000,
    concurrency: 2,
    time_limit_s: 5,
  });
  await runToEnd(env, scheduler.runMain());
  const invokes = history.ops.filter((op) => op.type === "invoke").length;
  assert.ok(invokes >= 98 && invokes <= 102, `${invokes} ops`);
});

Deno.test("thread t uses node t mod N; info bumps the process and reopens non-reusable clients", async () => {
  const env = new SimEnv();
  const workload = fakeWorkload(env, { timeout_values: new Set([0, 1]) });
  const { history, scheduler, opened } = makeScheduler(env, workload, {
    concurrency: 3,
    time_limit_s: 1,
  });
  await runToEnd(env, scheduler.runMain());
  const ops = history.ops;
  for (const op of ops) {
    if (op.process === "nemesis") continue;
    assert.equal(op.node, ["n0", "n1"][(op.process as number) % 3 % 2]);
  }
  const infos = ops.filter((op) => op.type === "info");
  assert.equal(infos.length, 2);
  for (const info of infos) {
    assert.equal(info.error, "net-timeout");
    const later = ops.filter((op) =>
      op.index > info.index && op.process === (info.process as number) + 3
    );
    assert.ok(later.length > 0, "the thread continues as process + concurrency");
    assert.ok(!ops.some((op) => op.index > info.index && op.process === info.process));
  }
  assert.equal(opened.length, 3 + 2, "two fresh clients after two infos");
});

Deno.test("reusable clients survive info completions", async () => {
  const env = new SimEnv();
  const workload = fakeWorkload(env, { timeout_values: new Set([0, 1, 2]), reusable: true });
  const { scheduler, opened } = makeScheduler(env, workload, { concurrency: 2, time_limit_s: 1 });
  await runToEnd(env, scheduler.runMain());
  assert.equal(opened.length, 2);
});

Deno.test("rate 0: no client ops, and the phase still lasts the time limit", async () => {
  const env = new SimEnv();
  const { history, scheduler } = makeScheduler(env, fakeWorkload(env), {
    rate: 0,
    time_limit_s: 3,
  });
  let nemesis_cutoff = 0;
  const main = new Scheduler({
    ...(scheduler as unknown as { deps: ConstructorParameters<typeof Scheduler>[0] }).deps,
    nemesis: (cutoff_ms) => {
      nemesis_cutoff = cutoff_ms;
      return Promise.resolve();
    },
  });
  await runToEnd(env, main.runMain(), 10);
  assert.equal(history.ops.length, 0);
  assert.ok(env.now_ms() >= 3000);
  assert.equal(nemesis_cutoff, 3000);
});

Deno.test("in-flight ops complete after the cutoff", async () => {
  const env = new SimEnv();
  const { history, scheduler } = makeScheduler(env, fakeWorkload(env, { latency_ms: 700 }), {
    time_limit_s: 1,
    concurrency: 1,
  });
  await runToEnd(env, scheduler.runMain());
  const last = history.ops.at(-1)!;
  assert.equal(last.type, "ok");
  assert.ok(last.time > 1000 * 1e6);
});

Deno.test("final phase: ops on a chosen thread, marked final", async () => {
  const env = new SimEnv();
  const { history, scheduler } = makeScheduler(env, fakeWorkload(env), {
    rate: 0,
    time_limit_s: 1,
  });
  await runToEnd(env, scheduler.runMain(), 10);
  const phase = scheduler.finalPhase();
  assert.equal(phase.threads, 2);
  const done = phase.invoke(1, { f: "read", value: null, final: true });
  await env.advance(1);
  const completion = await done;
  assert.equal(completion.type, "ok");
  assert.equal(completion.final, true);
  assert.deepEqual(history.ops.map((op) => [op.type, op.process, op.node, op.final]), [
    ["invoke", 1, "n1", true],
    ["ok", 1, "n1", true],
  ]);
  assert.throws(() => phase.invoke(5, { f: "read", value: null }), /no client thread 5/);
});

Deno.test("a client that cannot open fails the op with no-client", async () => {
  const env = new SimEnv();
  const history = new History(env);
  const scheduler = new Scheduler({
    workload: fakeWorkload(env),
    nodes: ["n0"],
    concurrency: 1,
    rate: 10,
    time_limit_s: 1,
    clock: env,
    rng: new Rng(1),
    history,
    openClient: () => {
      throw new Error("network closed");
    },
  });
  await runToEnd(env, scheduler.runMain());
  const completions = history.ops.filter((op) => op.type !== "invoke");
  assert.ok(completions.length > 0);
  for (const op of completions) {
    assert.equal(op.type, "fail");
    assert.deepEqual(op.error, ["no-client", "network closed"]);
  }
});

Deno.test("thread choice: Jepsen's rotation, the nemesis slot wrapping to thread 0", () => {
  // jepsen.generator.context: some-free-process searches from next-thread-index, busy-thread
  // advances it by one modulo concurrency + 1 (the :nemesis slot).
  const rotation = new ThreadRotation(3);
  const picks: number[] = [];
  for (let i = 0; i < 10; i++) {
    picks.push(rotation.order(() => true)[0]);
    rotation.dispatched();
  }
  assert.deepEqual(picks, [0, 1, 2, 0, 0, 1, 2, 0, 0, 1]);
  // Busy threads are skipped; the index still advances by one, whichever thread was taken.
  const r = new ThreadRotation(4);
  r.dispatched(); // next-thread-index 1
  assert.deepEqual(r.order((t) => t !== 1 && t !== 2), [3, 0]);
  r.dispatched();
  r.dispatched();
  r.dispatched(); // 4: the nemesis slot
  assert.deepEqual(r.order((t) => t !== 0), [1, 2, 3]);
});

Deno.test("thread choice: the scheduler hands each op to the thread Jepsen's context would pick", async () => {
  const env = new SimEnv();
  // 5 ms ops at ~300 ops/s over 3 threads: threads are sometimes busy, sometimes all free.
  const { history, scheduler } = makeScheduler(env, fakeWorkload(env, { latency_ms: 5 }), {
    concurrency: 3,
    nodes: ["n0", "n1", "n2"],
    rate: 300,
    time_limit_s: 2,
  });
  await runToEnd(env, scheduler.runMain());
  // Replay the history through Jepsen's rule: the first free thread from next-thread-index.
  const model = new ThreadRotation(3);
  const busy = new Set<number>();
  let invokes = 0, skipped_busy = 0;
  for (const op of history.ops) {
    const thread = (op.process as number) % 3;
    if (op.type !== "invoke") {
      busy.delete(thread);
      continue;
    }
    const order = model.order((t) => !busy.has(t));
    assert.equal(thread, order[0], `op ${op.index}: free ${order}`);
    if (model.next_thread_index < 3 && order[0] !== model.next_thread_index) skipped_busy++;
    model.dispatched();
    busy.add(thread);
    invokes++;
  }
  assert.ok(invokes > 400, `${invokes} ops`);
  assert.ok(skipped_busy > 0, "some ops found their rotation slot busy");
  const first = history.ops.filter((op) => op.type === "invoke").slice(0, 4);
  assert.deepEqual(first.map((op) => op.node), ["n0", "n1", "n2", "n0"]);
});

Deno.test("thread choice: a nemesis op advances the rotation too (Jepsen's busy-thread)", async () => {
  const env = new SimEnv();
  const history = new History(env);
  let next_client = 0;
  const scheduler = new Scheduler({
    workload: fakeWorkload(env),
    nodes: ["n0", "n1", "n2"],
    concurrency: 3,
    rate: 10,
    time_limit_s: 1,
    clock: env,
    rng: new Rng(4),
    history,
    openClient(node): ClosableClient {
      const id = `c${next_client++}`;
      return { id, node, rpc: () => Promise.reject(new Error("unused")), close: () => {} };
    },
    // One nemesis op (invocation and completion, both info) before the first client op.
    nemesis: () => {
      history.record({ type: "info", process: "nemesis", f: "start-partition", value: "majority" });
      history.record({ type: "info", process: "nemesis", f: "start-partition", value: [] });
      return Promise.resolve();
    },
  });
  await runToEnd(env, scheduler.runMain());
  const processes = history.ops.filter((op) => op.type === "invoke").map((op) => op.process);
  assert.ok(processes.length >= 4, `${processes}`);
  // next-thread-index is 1 after the nemesis op: threads 1, 2, then the nemesis slot wraps to 0.
  assert.deepEqual(processes.slice(0, 4), [1, 2, 0, 0]);
});
