// Tests of the kafka workload (lib/harness/workloads/kafka.ts): generator, client, final phase.

import assert from "node:assert/strict";
import { Rng } from "../../../lib/harness/rng.ts";
import { type Body, MalformedResponse, type Op, type OpSpec } from "../../../lib/harness/types.ts";
import {
  ASSIGN_PROBABILITY,
  createKafkaWorkload,
  KafkaClients,
  KafkaGenerator,
  type KafkaTime,
  KeyedOps,
} from "../../../lib/harness/workloads/kafka.ts";
import { FakeClient, testOptions } from "../support/part2_options.ts";

class FakeTime implements KafkaTime {
  t_ms = 0;
  slept_ms = 0;
  now_ms() {
    return this.t_ms;
  }
  sleep(ms: number) {
    this.t_ms += ms;
    this.slept_ms += ms;
    return Promise.resolve();
  }
}

function op(index: number, type: Op["type"], f: string, value: unknown): Op {
  return { index, time: index, type, process: 0, f, value };
}

Deno.test("sends carry unique values 1..16 per key; keys rotate when full", () => {
  const ops = new KeyedOps(new Rng(3), 10, 16);
  const seen = new Map<string, number[]>();
  let polls = 0;
  for (let i = 0; i < 4000; i++) {
    const { spec, key } = ops.next();
    if (spec.f === "poll") {
      assert.deepEqual(spec.value, [["poll"]]);
      polls++;
      continue;
    }
    const [[f, k, v]] = spec.value as [string, string, number][];
    assert.equal(f, "send");
    assert.equal(k, key);
    assert.equal(typeof k, "string");
    const list = seen.get(k) ?? [];
    list.push(v);
    seen.set(k, list);
  }
  assert.ok(polls > 1800 && polls < 2200, `polls ${polls}`);
  for (const [key, values] of seen) {
    assert.deepEqual(values, values.map((_, i) => i + 1), `key ${key}`);
    assert.ok(values.length <= 16);
  }
  assert.ok(seen.size > 100, "full keys are replaced by fresh ones");
});

Deno.test("later keys in the pool are exponentially more likely", () => {
  const ops = new KeyedOps(new Rng(4), 3, 1_000_000);
  const counts = new Map<string, number>();
  for (let i = 0; i < 7000; i++) {
    const { key } = ops.next();
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const [c0, c1, c2] = ["0", "1", "2"].map((k) => counts.get(k)!);
  assert.ok(c1 > 1.6 * c0 && c2 > 1.6 * c1, `${c0} ${c1} ${c2}`);
});

Deno.test("bad key count or writes per key is a clear error", () => {
  assert.throws(() => new KeyedOps(new Rng(1), 0, 16), /--key-count, got 0/);
  assert.throws(() => new KeyedOps(new Rng(1), 10, -1), /--max-writes-per-key, got -1/);
});

Deno.test("generator: crash first, then about every 30 s / concurrency; assigns ~1/64", () => {
  const time = new FakeTime();
  const gen = new KafkaGenerator(new Rng(5), new KeyedOps(new Rng(6), 10, 16), 4, time);
  const fs = new Map<string, number>();
  assert.equal(gen.next(0, 0)!.f, "crash");
  for (let i = 0; i < 60_000; i++) {
    time.t_ms += 1; // 1000 ops/s for 60 s
    const spec = gen.next(i % 4, i % 4)!;
    fs.set(spec.f, (fs.get(spec.f) ?? 0) + 1);
  }
  const crashes = fs.get("crash")!;
  assert.ok(crashes >= 4 && crashes <= 14, `crashes ${crashes} (expected ≈ 60 s / 7.5 s = 8)`);
  const assigns = fs.get("assign")!;
  const expected = 60_000 * ASSIGN_PROBABILITY;
  assert.ok(assigns > 0.7 * expected && assigns < 1.3 * expected, `assigns ${assigns}`);
});

Deno.test("generator: an assign keeps the op for later and may add unread keys", () => {
  const time = new FakeTime();
  const gen = new KafkaGenerator(new Rng(8), new KeyedOps(new Rng(9), 10, 16), 1, time);
  gen.next(0, 0); // the initial crash
  gen.update(op(0, "invoke", "send", null), op(1, "ok", "send", [["send", "77", [5, 1]]]));
  assert.equal(gen.tracked.get("77"), 5);
  let widened = 0, assigns = 0;
  for (let i = 0; i < 20_000; i++) {
    const spec = gen.next(0, 0)!;
    if (spec.f !== "assign") continue;
    assigns++;
    const keys = spec.value as string[];
    if (keys.includes("77")) widened++;
    const after = gen.next(0, 0)!;
    if (after.f === "assign") continue;
    // The op after an assign is about the assigned key.
    const key = after.f === "send" ? (after.value as unknown[][])[0][1] : undefined;
    if (key !== undefined) assert.equal(key, keys[0]);
  }
  assert.ok(widened > 0.2 * assigns && widened < 0.5 * assigns, `${widened}/${assigns}`);
  gen.update(op(2, "invoke", "poll", null), op(3, "ok", "poll", [["poll", { "77": [[5, 1]] }]]));
  for (let i = 0; i < 5000; i++) {
    const spec = gen.next(0, 0)!;
    if (spec.f === "assign") assert.ok(!(spec.value as string[]).includes("77"), "caught up");
  }
});

function kafkaServer() {
  const logs = new Map<string, unknown[]>();
  const committed = new Map<string, number>();
  return (body: Body): Body => {
    switch (body.type) {
      case "send": {
        const log = logs.get(body.key) ?? [];
        log.push(body.msg);
        logs.set(body.key, log);
        return { type: "send_ok", offset: log.length - 1 };
      }
      case "poll": {
        const msgs: Record<string, [number, unknown][]> = {};
        for (const [key, from] of Object.entries(body.offsets as Record<string, number>)) {
          msgs[key] = (logs.get(key) ?? []).map((m, o) => [o, m] as [number, unknown])
            .slice(from, from + 2);
        }
        return { type: "poll_ok", msgs };
      }
      case "commit_offsets":
        for (const [k, o] of Object.entries(body.offsets as Record<string, number>)) {
          committed.set(k, o);
        }
        return { type: "commit_offsets_ok" };
      case "list_committed_offsets":
        return {
          type: "list_committed_offsets_ok",
          offsets: Object.fromEntries(
            (body.keys as string[]).filter((k) => committed.has(k)).map((
              k,
            ) => [k, committed.get(k)]),
          ),
        };
    }
    throw new Error(`unexpected ${body.type}`);
  };
}

Deno.test("client: send, assign, poll with commit, crash resets positions", async () => {
  const clients = new KafkaClients();
  const client = new FakeClient(kafkaServer());
  for (const m of [1, 2, 3]) {
    await clients.invoke(client, { f: "send", value: [["send", "5", m]] });
  }
  assert.deepEqual(
    await clients.invoke(client, { f: "send", value: [["send", "5", 4]] }),
    { value: [["send", "5", [3, 4]]] },
  );
  assert.deepEqual(await clients.invoke(client, { f: "assign", value: ["5"] }), { value: ["5"] });
  const poll: OpSpec = { f: "poll", value: [["poll"]] };
  assert.deepEqual(await clients.invoke(client, poll), {
    value: [["poll", { "5": [[0, 1], [1, 2]] }]],
  });
  assert.deepEqual(await clients.invoke(client, poll), {
    value: [["poll", { "5": [[2, 3], [3, 4]] }]],
  });
  const types = client.sent.map((b) => b.type);
  assert.deepEqual(types.slice(4), [
    "list_committed_offsets",
    "poll",
    "commit_offsets",
    "poll",
    "commit_offsets",
  ]);
  assert.deepEqual(client.sent[6].offsets, { "5": 1 });
  // After a crash the client has no positions. Maelstrom's assign asks for the committed offsets
  // but never uses them (it looks the key up in the whole reply body), so the fresh client starts
  // the key at 0 again, not at the committed offset 3.
  assert.equal((await clients.invoke(client, { f: "crash", value: null })).type, "info");
  await clients.invoke(client, { f: "assign", value: ["5"] });
  assert.equal(client.sent.at(-1)!.type, "list_committed_offsets");
  assert.deepEqual((await clients.invoke(client, poll)).value, [
    ["poll", { "5": [[0, 1], [1, 2]] }],
  ]);
});

Deno.test("client: an assign keeps the positions it holds and starts other keys at 0", async () => {
  const clients = new KafkaClients();
  const client = new FakeClient(kafkaServer());
  for (const [k, m] of [["1", 10], ["1", 11], ["1", 12], ["2", 20], ["2", 21]] as const) {
    await clients.invoke(client, { f: "send", value: [["send", k, m]] });
  }
  await clients.invoke(client, { f: "assign", value: ["1"] });
  const poll: OpSpec = { f: "poll", value: [["poll"]] };
  await clients.invoke(client, poll); // key 1: offsets 0, 1; commits 1
  await clients.invoke(client, { f: "assign", value: ["1", "2"] });
  assert.deepEqual((await clients.invoke(client, poll)).value, [
    ["poll", { "1": [[2, 12]], "2": [[0, 20], [1, 21]] }],
  ]);
});

Deno.test("client: assign with seek starts at 0 without asking the server", async () => {
  const clients = new KafkaClients();
  const client = new FakeClient(kafkaServer());
  await clients.invoke(client, { f: "send", value: [["send", "1", 9]] });
  const seek = { f: "assign", value: ["1"], seek_to_beginning: true };
  await clients.invoke(client, seek);
  assert.ok(!client.sent.some((b) => b.type === "list_committed_offsets"));
  assert.deepEqual((await clients.invoke(client, { f: "poll", value: [["poll"]] })).value, [
    ["poll", { "1": [[0, 9]] }],
  ]);
});

Deno.test("client: malformed replies are MalformedResponse", async () => {
  const cases: [OpSpec, Body][] = [
    [{ f: "send", value: [["send", "1", 1]] }, { type: "send_ok", offset: "0" }],
    [{ f: "send", value: [["send", "1", 1]] }, { type: "send_ok", offset: 0, extra: 1 }],
    [{ f: "poll", value: [["poll"]] }, { type: "poll_ok", msgs: { "1": [[0]] } }],
    [{ f: "poll", value: [["poll"]] }, { type: "poll_ok", msgs: [] }],
    [{ f: "poll", value: [["poll"]] }, { type: "poll_ok" }],
    [{ f: "assign", value: ["1"] }, { type: "list_committed_offsets_ok", offsets: { "1": "x" } }],
  ];
  for (const [spec, reply] of cases) {
    const client = new FakeClient(() => reply);
    await assert.rejects(
      () => new KafkaClients().invoke(client, spec),
      MalformedResponse,
      JSON.stringify(reply),
    );
  }
});

Deno.test("workload: shape, and a final phase that polls each thread up to the tracked offsets", async () => {
  const time = new FakeTime();
  const w = createKafkaWorkload(
    { opts: testOptions({ workload: "kafka", concurrency: 2 }), rng: new Rng(1) },
    time,
  );
  assert.equal(w.reusable_client, false);
  assert.deepEqual([...w.idempotent], ["assign"]);
  assert.equal(w.rpc_timeout_ms, 5000);
  const gen = w.generator();
  gen.update!(op(0, "invoke", "send", null), op(1, "ok", "send", [["send", "3", [2, 7]]]));
  const server = kafkaServer();
  for (const m of [5, 6, 7]) server({ type: "send", key: "3", msg: m });
  const clients = [new FakeClient(server, "c1"), new FakeClient(server, "c2")];
  const specs: OpSpec[][] = [[], []];
  let index = 10;
  await w.final!({
    threads: 2,
    elapsed_ms: () => time.t_ms,
    invoke: async (thread, spec) => {
      specs[thread].push(spec);
      const done = await w.invoke(clients[thread], spec);
      return op(index++, done.type ?? "ok", spec.f, done.value);
    },
  });
  for (const list of specs) {
    assert.deepEqual(list.map((s) => s.f), ["crash", "assign", "poll", "poll"]);
    assert.ok(list.every((s) => s.final === true));
    assert.deepEqual(list[1].value, ["3"]);
  }
});

Deno.test("workload: the final phase stops after 10 s when it cannot catch up", async () => {
  const time = new FakeTime();
  const w = createKafkaWorkload(
    { opts: testOptions({ workload: "kafka", concurrency: 1 }), rng: new Rng(2) },
    time,
  );
  w.generator().update!(
    op(0, "invoke", "send", null),
    op(1, "ok", "send", [["send", "3", [9, 7]]]),
  );
  const client = new FakeClient(kafkaServer()); // the log is empty: never catches up
  let polls = 0;
  await w.final!({
    threads: 1,
    elapsed_ms: () => time.t_ms,
    invoke: async (_thread, spec) => {
      if (spec.f === "poll") polls++;
      const done = await w.invoke(client, spec);
      return op(polls, done.type ?? "ok", spec.f, done.value);
    },
  });
  assert.ok(time.t_ms >= 10_000 && time.t_ms < 10_500, `stopped at ${time.t_ms}`);
  assert.ok(polls > 25 && polls < 90, `polls ${polls} (≈ 5 per second)`);
});

Deno.test("generator: op mix over a fixed seed matches Jepsen's (sub-p 1/64, Elle's re-drawn micro-ops)", () => {
  // Expected mix, from Jepsen v0.3.7 `jepsen.tests.kafka/workload` and Elle's `wr-txns`:
  // - assigns: `interleave-subscribes` emits one in place of an op with probability 1/64;
  // - every other op is Elle's micro-op, `(rand-nth [:r :w])`; a write that lands on a full key
  //   (16 writes) retires the key and draws the micro-op again, read-or-write included. A key takes
  //   16 writes and then one refused write, so q ≈ 1/17 of write draws are refused, and
  //   P(poll) = 0.5 / (1 − 0.5 q) ≈ 0.515 of the sends and polls (0.5 exactly if only the key
  //   were drawn again);
  // - crashes: one per 30 s / concurrency on average.
  const time = new FakeTime();
  const gen = new KafkaGenerator(new Rng(17), new KeyedOps(new Rng(18), 10, 16), 4, time);
  const counts = new Map<string, number>();
  const total = 200_000;
  for (let i = 0; i < total; i++) {
    time.t_ms += 1;
    const spec = gen.next(i % 4, i % 4)!;
    counts.set(spec.f, (counts.get(spec.f) ?? 0) + 1);
  }
  const [polls, sends, assigns] = ["poll", "send", "assign"].map((f) => counts.get(f) ?? 0);
  const q = 1 / 17;
  const poll_share = polls / (polls + sends);
  const expected = 0.5 / (1 - 0.5 * q);
  assert.ok(Math.abs(poll_share - expected) < 0.004, `poll share ${poll_share}, want ${expected}`);
  const assign_share = assigns / total;
  assert.ok(Math.abs(assign_share - 1 / 64) < 0.0015, `assign share ${assign_share}`);
  const crashes = counts.get("crash") ?? 0;
  assert.ok(crashes >= 12 && crashes <= 45, `crashes ${crashes} (≈ 200 s / 7.5 s = 27)`);
});
