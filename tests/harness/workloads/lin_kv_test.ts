// Tests of the lin-kv workload's generator and client (lib/harness/workloads/lin-kv.ts).

import assert from "node:assert/strict";
import { Rng } from "../../../lib/harness/rng.ts";
import { MalformedResponse } from "../../../lib/harness/types.ts";
import {
  createWorkload,
  linKvGenerator,
  linKvTimeoutMs,
} from "../../../lib/harness/workloads/lin-kv.ts";
import { FakeClient, testOptions } from "../support/part2_options.ts";

Deno.test("readers are threads 0..n-1; others write or cas values 0..4 on the group key", () => {
  const gen = linKvGenerator(new Rng(1), 3, 12);
  const fs = new Map<string, number>();
  for (let round = 0; round < 200; round++) {
    for (let thread = 0; thread < 12; thread++) {
      const op = gen.next(thread, thread)!;
      const [key, arg] = op.value as [number, unknown];
      assert.equal(key, Math.floor(thread / 6), "group g starts on key g");
      if (thread < 3) assert.deepEqual(op, { f: "read", value: [key, null] });
      else assert.notEqual(op.f, "read");
      if (op.f === "write") assert.ok(Number.isInteger(arg) && (arg as number) <= 4);
      if (op.f === "cas") assert.ok((arg as number[]).every((v) => v >= 0 && v <= 4));
      fs.set(op.f, (fs.get(op.f) ?? 0) + 1);
    }
  }
  const writes = fs.get("write")!, cas = fs.get("cas")!;
  assert.ok(cas > 1.6 * writes && cas < 2.4 * writes, `cas ${cas} vs write ${writes}`);
});

Deno.test("a group moves to the next unused key after more than 20 processes", () => {
  const gen = linKvGenerator(new Rng(2), 1, 4);
  // Group 0 = threads 0,1 on key 0; group 1 = threads 2,3 on key 1.
  let process = 0;
  const keys: number[] = [];
  for (let i = 0; i < 25; i++) {
    process = i === 0 ? 0 : process + 4; // thread 0 crashes every op
    keys.push((gen.next(0, process)!.value as [number])[0]);
    gen.next(1, 1);
  }
  assert.equal(keys[0], 0);
  const switched = keys.indexOf(2);
  assert.ok(switched > 0, `keys ${keys}`);
  assert.ok(keys.slice(0, switched).every((k) => k === 0));
  assert.equal((gen.next(2, 2)!.value as [number])[0], 1, "other group untouched");
});

Deno.test("concurrency must be a multiple of 2n", () => {
  assert.throws(() => linKvGenerator(new Rng(1), 2, 6), /multiple of 2 × node count \(4\), got 6/);
  assert.throws(
    () => createWorkload({ opts: testOptions({ nodes: ["n0"], concurrency: 1 }), rng: new Rng(1) }),
    /got 1/,
  );
});

Deno.test("timeout is max(10 × latency, 1000) ms; read is idempotent; client reusable", () => {
  assert.equal(linKvTimeoutMs(0), 1000);
  assert.equal(linKvTimeoutMs(250), 2500);
  const w = createWorkload({ opts: testOptions({ latency_ms: 300 }), rng: new Rng(1) });
  assert.equal(w.rpc_timeout_ms, 3000);
  assert.deepEqual([...w.idempotent], ["read"]);
  assert.equal(w.reusable_client, true);
});

Deno.test("ops map to read/write/cas RPCs and completion values", async () => {
  const w = createWorkload({ opts: testOptions(), rng: new Rng(1) });
  const client = new FakeClient((body) => {
    if (body.type === "read") return { type: "read_ok", value: 3 };
    return { type: `${body.type}_ok` };
  });
  assert.deepEqual(await w.invoke(client, { f: "read", value: [0, null] }), { value: [0, 3] });
  assert.deepEqual(await w.invoke(client, { f: "write", value: [0, 4] }), { value: [0, 4] });
  assert.deepEqual(await w.invoke(client, { f: "cas", value: [0, [4, 1]] }), {
    value: [0, [4, 1]],
  });
  assert.deepEqual(client.sent.map(({ msg_id: _, ...body }) => body), [
    { type: "read", key: 0 },
    { type: "write", key: 0, value: 4 },
    { type: "cas", key: 0, from: 4, to: 1 },
  ]);
});

Deno.test("a null read is ok; extra, missing or wrong keys are malformed", async () => {
  const w = createWorkload({ opts: testOptions(), rng: new Rng(1) });
  const reply = (body: object) => new FakeClient(() => body as never);
  const read = { f: "read", value: [0, null] };
  assert.deepEqual(await w.invoke(reply({ type: "read_ok", value: null }), read), {
    value: [0, null],
  });
  await assert.rejects(() => w.invoke(reply({ type: "read_ok" }), read), MalformedResponse);
  await assert.rejects(
    () => w.invoke(reply({ type: "read_ok", value: 1, extra: 2 }), read),
    /unexpected key "extra"/,
  );
  await assert.rejects(
    () => w.invoke(reply({ type: "write_ok" }), read),
    /type is "write_ok", expected "read_ok"/,
  );
  await assert.rejects(
    () => w.invoke(reply({ type: "write_ok", value: 1 }), { f: "write", value: [0, 1] }),
    MalformedResponse,
  );
});

Deno.test("lin-kv: readers get their reserve share of ops whatever the thread rotation", () => {
  // Jepsen picks reserve's range at random weighted by size, then the thread inside it; the
  // rotation alone would send 2 of 3 ops to thread 0 (1 node, 2 threads and the nemesis slot).
  const generator = linKvGenerator(new Rng(5), 1, 2);
  let reads = 0;
  for (let i = 0; i < 2000; i++) {
    const [thread] = generator.restrict!([i % 3 === 1 ? 1 : 0, i % 3 === 1 ? 0 : 1]);
    if (thread === 0) reads++;
  }
  assert.ok(reads > 900 && reads < 1100, `reads ${reads} of 2000`);
  assert.deepEqual(generator.restrict!([1]), [1], "a range with no free thread is not chosen");
  assert.deepEqual(generator.restrict!([]), []);
});
