// Tests of challenges/g-counter.ts: in-process clusters on simulated clocks with a seq-kv model
// that serves stale states the way Maelstrom's does, plus short runs through the real harness.

import assert from "node:assert/strict";
import { type CounterOptions, gCounter, parseCounterArgs } from "../../challenges/g-counter.ts";
import type { Body, Message } from "../../lib/maelstrom.ts";
import { Node } from "../../lib/maelstrom.ts";
import { seededRandom, settle, SimEnv } from "../../lib/sim_env.ts";
import { runChallenge, runSummary } from "../support/harness_run.ts";

/** Maelstrom's seq-kv (services.md §4): per-requester random stale states, writes promoted. */
class SeqKvModel {
  private buffer: Map<string, unknown>[] = [new Map()];
  private last_index = 0;
  private readonly clients = new Map<string, number>();
  constructor(private readonly random: () => number) {}

  handle(src: string, body: Body): Body {
    const ci = this.clients.get(src) ?? 0;
    const index = ci + Math.floor(this.random() * (this.last_index - ci + 1));
    const state = this.stateAt(index);
    const [next, response] = apply(state, body);
    if (next === state) {
      this.clients.set(src, index);
      return response;
    }
    const [promoted, response2] = apply(this.stateAt(this.last_index), body);
    this.last_index++;
    this.buffer.push(promoted);
    if (this.buffer.length > 32) this.buffer.shift();
    this.clients.set(src, this.last_index);
    return response2;
  }

  /** The newest value of `key`. */
  newest(key: string): unknown {
    return this.stateAt(this.last_index).get(key);
  }

  private stateAt(index: number): Map<string, unknown> {
    const len = this.buffer.length;
    const offset = (((index - this.last_index - 1) % len) + len) % len;
    return this.buffer[offset];
  }
}

function apply(state: Map<string, unknown>, body: Body): [Map<string, unknown>, Body] {
  const key = JSON.stringify(body.key);
  const has = state.has(key);
  const with_value = (value: unknown) => new Map(state).set(key, value);
  const error = (code: number) => ({ type: "error", code, text: "" });
  if (body.type === "read") {
    return [state, has ? { type: "read_ok", value: state.get(key) } : error(20)];
  }
  if (body.type === "write") return [with_value(body.value), { type: "write_ok" }];
  if (!has) {
    return body.create_if_not_exists
      ? [with_value(body.to), { type: "cas_ok" }]
      : [state, error(20)];
  }
  // Maelstrom compares values with Clojure's `=`: deep equality.
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  if (!same(state.get(key), body.from)) return [state, error(22)];
  return [same(state.get(key), body.to) ? state : with_value(body.to), { type: "cas_ok" }];
}

interface InFlight {
  due_ms: number;
  msg: Message;
}

/** A few nodes, one seq-kv and a network, all on one simulated clock. */
class Cluster {
  readonly nodes = new Map<string, { node: Node; env: SimEnv }>();
  readonly kv: SeqKvModel;
  /** Receiver → senders it ignores. */
  partitions = new Map<string, Set<string>>();
  /** Extra delay for seq-kv replies (to force timeouts). */
  kv_reply_delay_ms = 0;
  client_replies: Message[] = [];
  server_msgs = 0;
  now_ms = 0;
  private in_flight: InFlight[] = [];
  private next_msg_id = 100;

  constructor(
    readonly ids: string[],
    seed: number,
    readonly options: Partial<CounterOptions> = {},
    readonly latency_ms = 5,
  ) {
    this.kv = new SeqKvModel(seededRandom(seed * 7 + 1));
    for (const [i, id] of ids.entries()) this.boot(id, seed * 31 + i);
  }

  private boot(id: string, seed: number): void {
    const env = new SimEnv(seed);
    const node = gCounter(new Node(env), this.options);
    node.handleMessage({
      src: "c0",
      dest: id,
      body: { type: "init", msg_id: 1, node_id: id, node_ids: this.ids },
    });
    this.nodes.set(id, { node, env });
  }

  /** Replaces `id` with a fresh process (memory lost, seq-kv kept) and waits for its init. */
  async restart(id: string): Promise<void> {
    this.boot(id, 999);
    await this.run(50);
  }

  logs(id: string): string[] {
    return this.nodes.get(id)!.env.logs;
  }

  async start(): Promise<void> {
    await this.run(50); // Init reads the node's own total back from seq-kv.
    assert.equal(
      this.client_replies.filter((m) => m.body.type === "init_ok").length,
      this.ids.length,
    );
    this.client_replies = [];
  }

  /** Sends a client request to `dest`. */
  request(dest: string, body: Body): number {
    const msg_id = this.next_msg_id++;
    this.nodes.get(dest)!.node.handleMessage({ src: "c1", dest, body: { ...body, msg_id } });
    return msg_id;
  }

  replyTo(msg_id: number): Message | undefined {
    return this.client_replies.find((m) => m.body.in_reply_to === msg_id);
  }

  /** Advances every clock by `ms` in 1 ms steps, delivering messages as they fall due. */
  async run(ms: number): Promise<void> {
    for (let t = 0; t < ms; t++) {
      this.now_ms++;
      for (const { env } of this.nodes.values()) await env.advance(1);
      await this.collect();
      const due = this.in_flight.filter((f) => f.due_ms <= this.now_ms);
      this.in_flight = this.in_flight.filter((f) => f.due_ms > this.now_ms);
      for (const { msg } of due) this.deliver(msg);
      await this.collect();
    }
  }

  private deliver(msg: Message): void {
    if (msg.dest === "seq-kv") {
      const reply = this.kv.handle(msg.src, msg.body);
      this.enqueue(
        { src: "seq-kv", dest: msg.src, body: { ...reply, in_reply_to: msg.body.msg_id } },
        this.kv_reply_delay_ms,
      );
      return;
    }
    if (this.partitions.get(msg.dest)?.has(msg.src)) return;
    this.nodes.get(msg.dest)?.node.handleMessage(msg);
  }

  private enqueue(msg: Message, extra_ms = 0): void {
    this.server_msgs++;
    this.in_flight.push({ due_ms: this.now_ms + this.latency_ms + extra_ms, msg });
  }

  private async collect(): Promise<void> {
    await settle();
    for (const { env } of this.nodes.values()) {
      for (const msg of await env.takeSent()) {
        if (msg.dest.startsWith("c")) this.client_replies.push(msg);
        else this.enqueue(msg);
      }
    }
  }
}

/** Drives `ops` random client ops at `rate` per second with partitions, then heals and reads. */
async function randomRun(
  seed: number,
  ops: number,
  partition: boolean,
  options: Partial<CounterOptions> = {},
) {
  const ids = ["n0", "n1", "n2"];
  const cluster = new Cluster(ids, seed, options);
  await cluster.start();
  const random = seededRandom(seed);
  const adds: { msg_id: number; delta: number }[] = [];
  for (let i = 0; i < ops; i++) {
    if (partition && i % 200 === 0) {
      // Cut a random node off, or heal, every 2 s.
      const isolated = ids[Math.floor(random() * ids.length)];
      cluster.partitions = new Map();
      if (i % 400 === 0) {
        for (const id of ids) {
          if (id === isolated) cluster.partitions.set(id, new Set(ids.filter((x) => x !== id)));
          else cluster.partitions.set(id, new Set([isolated]));
        }
      }
    }
    const dest = ids[i % ids.length];
    if (random() < 1 / 3) {
      const delta = Math.floor(random() * 5);
      adds.push({ msg_id: cluster.request(dest, { type: "add", delta }), delta });
    } else {
      cluster.request(dest, { type: "read" });
    }
    await cluster.run(10);
  }
  await cluster.run(2000); // Any partition outlasts the last flushes and gossip.
  cluster.partitions = new Map();
  await cluster.run(10_000);
  const acked = adds.filter((a) => cluster.replyTo(a.msg_id)?.body.type === "add_ok");
  const expected = adds.reduce((sum, a) => sum + a.delta, 0);
  const reads = ids.map((id) => cluster.request(id, { type: "read" }));
  await cluster.run(20);
  const finals = reads.map((msg_id) => cluster.replyTo(msg_id)?.body.value);
  return { cluster, adds, acked, expected, finals };
}

/** The total a node's key holds (`[total, boot]`), or undefined. */
function stored(cluster: Cluster, id: string): number | undefined {
  const value = cluster.kv.newest(JSON.stringify(id)) as [number, string] | undefined;
  return value?.[0];
}

Deno.test("an add is answered only once the cas that holds it has landed in seq-kv", async () => {
  const cluster = new Cluster(["n0"], 1);
  await cluster.start();
  const add = cluster.request("n0", { type: "add", delta: 3 });
  await cluster.run(1);
  assert.equal(cluster.replyTo(add), undefined, "not before it is durable");
  await cluster.run(20); // One seq-kv round trip at 5 ms each way.
  assert.equal(stored(cluster, "n0"), 3);
  assert.equal(cluster.replyTo(add)?.body.type, "add_ok");
  const read = cluster.request("n0", { type: "read" });
  await cluster.run(1);
  assert.equal(cluster.replyTo(read)?.body.value, 3);
});

Deno.test("--ack early: an add is answered at once and written behind", async () => {
  const cluster = new Cluster(["n0"], 1, { ack: "early" });
  await cluster.start();
  const add = cluster.request("n0", { type: "add", delta: 3 });
  await cluster.run(1);
  assert.equal(cluster.replyTo(add)?.body.type, "add_ok");
  assert.equal(stored(cluster, "n0"), undefined, "written behind");
  await cluster.run(600);
  assert.equal(stored(cluster, "n0"), 3);
});

Deno.test("a dead predecessor's late write is counted, and our waiting adds go on top", async () => {
  const cluster = new Cluster(["n0"], 4);
  await cluster.start();
  cluster.kv_reply_delay_ms = 1500; // The predecessor's cas lands, its reply never matters.
  cluster.request("n0", { type: "add", delta: 5 });
  await cluster.run(3); // The cas is on its way: still in flight when the node dies.
  await cluster.restart("n0"); // Its init read may run before the old cas lands.
  cluster.kv_reply_delay_ms = 0;
  const add = cluster.request("n0", { type: "add", delta: 2 });
  await cluster.run(3000);
  assert.equal(cluster.replyTo(add)?.body.type, "add_ok");
  assert.equal(stored(cluster, "n0"), 7, "5 (never acknowledged, still counted) + 2");
});

Deno.test("a restarted node resumes from its total in seq-kv", async () => {
  const cluster = new Cluster(["n0", "n1"], 6);
  await cluster.start();
  cluster.request("n0", { type: "add", delta: 4 });
  cluster.request("n1", { type: "add", delta: 1 });
  await cluster.run(600);
  await cluster.restart("n0");
  cluster.request("n0", { type: "add", delta: 2 });
  await cluster.run(3000);
  assert.equal(stored(cluster, "n0"), 6);
  const reads = ["n0", "n1"].map((id) => cluster.request(id, { type: "read" }));
  await cluster.run(1);
  assert.deepEqual(reads.map((r) => cluster.replyTo(r)?.body.value), [7, 7]);
});

Deno.test("zero deltas are acknowledged at once; bad deltas get error 12", async () => {
  const cluster = new Cluster(["n0"], 2);
  await cluster.start();
  const zero = cluster.request("n0", { type: "add", delta: 0 });
  const negative = cluster.request("n0", { type: "add", delta: -1 });
  const text = cluster.request("n0", { type: "add", delta: "3" });
  await cluster.run(1);
  assert.equal(cluster.replyTo(zero)?.body.type, "add_ok");
  for (const msg_id of [negative, text]) {
    const body = cluster.replyTo(msg_id)?.body;
    assert.equal(body?.type, "error");
    assert.equal(body?.code, 12);
    assert.match(body?.text, /delta must be a non-negative integer/);
  }
});

Deno.test("a timed-out write that lands later is neither lost nor counted twice", async () => {
  const cluster = new Cluster(["n0", "n1"], 3);
  await cluster.start();
  cluster.kv_reply_delay_ms = 1500; // Longer than the 1 s seq-kv timeout.
  const first = cluster.request("n0", { type: "add", delta: 2 });
  await cluster.run(1200); // The cas of 2 reached seq-kv; its reply is late.
  const second = cluster.request("n0", { type: "add", delta: 4 });
  cluster.kv_reply_delay_ms = 0;
  await cluster.run(3000); // cas(0 → 6) fails on the landed 2, read-back, cas(2 → 6).
  assert.equal(stored(cluster, "n0"), 6);
  assert.equal(cluster.replyTo(first)?.body.type, "add_ok");
  assert.equal(cluster.replyTo(second)?.body.type, "add_ok");
  assert.ok(cluster.logs("n0").some((line) => line.includes("flush failed")), "a timeout happened");
  const reads = ["n0", "n1"].map((id) => cluster.request(id, { type: "read" }));
  await cluster.run(1);
  assert.deepEqual(reads.map((r) => cluster.replyTo(r)?.body.value), [6, 6]);
});

Deno.test("final reads are exact on every node after partitions heal (5 seeds)", async () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    const { acked, adds, expected, finals, cluster } = await randomRun(seed, 1000, true);
    const acked_sum = acked.reduce((sum, a) => sum + a.delta, 0);
    assert.ok(acked.length > adds.length * 0.95, `seed ${seed}: most adds acknowledged`);
    // Nothing is lost in the model, so every accepted add ends up counted.
    assert.deepEqual(finals, [expected, expected, expected], `seed ${seed}`);
    assert.ok(acked_sum <= expected);
    // Adds reach a node ~90 ms apart and a cas takes 10 ms, so each costs its own cas: the floor
    // is 2 × 1/3 × 4/5 ≈ 0.53 msgs per op (see the design header), plus gossip.
    assert.ok(cluster.server_msgs / 1003 < 0.75, `seed ${seed}: ${cluster.server_msgs} msgs`);
  }
});

Deno.test("without heartbeats a healed partition leaves stale nodes (the repair is needed)", async () => {
  const options = { heartbeat_interval_ms: 60_000, silence_ms: 60_000 };
  const { expected, finals } = await randomRun(1, 1000, true, options);
  assert.ok(finals.some((value) => value !== expected), `finals ${finals} vs ${expected}`);
});

Deno.test("parseCounterArgs accepts intervals and rejects bad values in one line", () => {
  assert.deepEqual(parseCounterArgs(["--flush-interval-ms", "250"]), { flush_interval_ms: 250 });
  assert.throws(() => parseCounterArgs(["--flush-interval-ms", "0"]), /got "0"/);
  assert.throws(() => parseCounterArgs(["--silence-ms", "abc"]), /--silence-ms .*"abc"/);
  assert.throws(() => parseCounterArgs(["--bogus"]));
  assert.deepEqual(parseCounterArgs(["--ack", "early"]), { ack: "early" });
  assert.deepEqual(parseCounterArgs(["--ack=durable", "--silence-ms", "9"]), {
    ack: "durable",
    silence_ms: 9,
  });
  assert.throws(() => parseCounterArgs(["--ack", "never"]), /--ack .*"never"/);
});

// One client per node waits for each add, so every non-zero add costs its own cas: the floor is
// 2 × 1/3 × 4/5 ≈ 0.53 msgs/op (see the design header); 0.75 leaves room for gossip.
Deno.test("harness: g-counter with partitions is valid, exact everywhere, under 0.75 msgs/op", async () => {
  const outcome = await runChallenge("g-counter", [
    "-w",
    "g-counter",
    "--node-count",
    "3",
    "--rate",
    "100",
    "--time-limit",
    "5",
    "--nemesis",
    "partition",
    "--nemesis-interval",
    "1",
    "--seed",
    "7",
  ], 3500);
  const s = runSummary(outcome);
  assert.equal(s.valid, true, JSON.stringify(s));
  const finals = s.workload["final-reads"] as number[];
  assert.equal(finals.length, 3);
  assert.ok(finals.every((value) => value === finals[0] && value > 0), `finals ${finals}`);
  assert.ok(s.servers_msgs_per_op < 0.75, `servers msgs-per-op ${s.servers_msgs_per_op}`);
});
