// Tests of challenges/kafka.ts: in-process clusters on simulated clocks with partitions and
// reordering, checked against the kafka checker's rules, plus short runs through the real harness.

import assert from "node:assert/strict";
import { kafka, type KafkaOptions, parseKafkaArgs } from "../../challenges/kafka.ts";
import type { Body, Message } from "../../lib/maelstrom.ts";
import { Node } from "../../lib/maelstrom.ts";
import { seededRandom, settle, SimEnv } from "../../lib/sim_env.ts";
import { runChallenge, runSummary } from "../support/harness_run.ts";

interface InFlight {
  due_ms: number;
  msg: Message;
}

/** Kafka nodes and a network with per-message random latency, all on one simulated clock. */
class Cluster {
  readonly nodes = new Map<string, { node: Node; env: SimEnv }>();
  /** Receiver → senders it ignores. */
  partitions = new Map<string, Set<string>>();
  client_replies = new Map<number, Body>();
  server_msgs = 0;
  now_ms = 0;
  private in_flight: InFlight[] = [];
  private next_msg_id = 100;
  private readonly random: () => number;

  constructor(
    readonly ids: string[],
    seed: number,
    options: Partial<KafkaOptions> = {},
    readonly max_latency_ms = 5,
  ) {
    this.random = seededRandom(seed);
    for (const [i, id] of ids.entries()) {
      const env = new SimEnv(seed * 31 + i);
      const node = kafka(new Node(env), options);
      node.handleMessage({
        src: "c0",
        dest: id,
        body: { type: "init", msg_id: 1, node_id: id, node_ids: ids },
      });
      this.nodes.set(id, { node, env });
    }
  }

  /** Sends a client request to `dest`; the reply lands in `client_replies` under the msg_id. */
  request(dest: string, body: Body): number {
    const msg_id = this.next_msg_id++;
    this.nodes.get(dest)!.node.handleMessage({ src: "c1", dest, body: { ...body, msg_id } });
    return msg_id;
  }

  /** Sends a request and lets the node answer (client requests need no peer). */
  async call(dest: string, body: Body): Promise<Body> {
    const msg_id = this.request(dest, body);
    await this.collect();
    const reply = this.client_replies.get(msg_id);
    assert.ok(reply, `no reply to ${JSON.stringify(body)}`);
    return reply;
  }

  isolate(id: string): void {
    this.partitions = new Map();
    for (const other of this.ids) {
      if (other === id) this.partitions.set(id, new Set(this.ids.filter((x) => x !== id)));
      else this.partitions.set(other, new Set([id]));
    }
  }

  /** Advances every clock by `ms` in 1 ms steps, delivering messages as they fall due. */
  async run(ms: number): Promise<void> {
    for (let t = 0; t < ms; t++) {
      this.now_ms++;
      for (const { env } of this.nodes.values()) await env.advance(1);
      await this.collect();
      const due = this.in_flight.filter((f) => f.due_ms <= this.now_ms);
      this.in_flight = this.in_flight.filter((f) => f.due_ms > this.now_ms);
      for (const { msg } of due) {
        if (this.partitions.get(msg.dest)?.has(msg.src)) continue;
        this.nodes.get(msg.dest)?.node.handleMessage(msg);
      }
      await this.collect();
    }
  }

  private async collect(): Promise<void> {
    await settle();
    for (const { env } of this.nodes.values()) {
      for (const msg of await env.takeSent()) {
        if (msg.dest.startsWith("c")) {
          this.client_replies.set(msg.body.in_reply_to!, msg.body);
          continue;
        }
        this.server_msgs++;
        // Random latency reorders messages between the same two nodes.
        const latency_ms = 1 + Math.floor(this.random() * this.max_latency_ms);
        this.in_flight.push({ due_ms: this.now_ms + latency_ms, msg });
      }
    }
  }
}

/** One consumer: the client's offsets map, and what it read per key. */
interface Consumer {
  node: string;
  offsets: Record<string, number>;
  read: Map<string, number[]>;
}

/** The kafka checker's rules, applied to what the test saw (offsets are the order). */
class Judge {
  /** key → offset → message, from send results and polls on any node. */
  readonly log = new Map<string, Map<number, unknown>>();
  readonly sent = new Map<string, Set<number>>();

  recordSend(key: string, offset: number, msg: unknown): void {
    this.place(key, offset, msg);
    if (!this.sent.has(key)) this.sent.set(key, new Set());
    this.sent.get(key)!.add(offset);
  }

  recordPoll(consumer: Consumer, msgs: Record<string, [number, unknown][]>): void {
    for (const [key, pairs] of Object.entries(msgs)) {
      const read = consumer.read.get(key) ?? [];
      for (const [offset, msg] of pairs) {
        this.place(key, offset, msg);
        read.push(offset);
      }
      consumer.read.set(key, read);
      const last = pairs[pairs.length - 1][0];
      consumer.offsets[key] = Math.max(consumer.offsets[key] ?? 0, last + 1);
    }
  }

  /** No consumer skipped or repeated a message that some node or send revealed. */
  assertNoSkips(consumers: Consumer[]): void {
    for (const consumer of consumers) {
      for (const [key, read] of consumer.read) {
        const known = [...this.log.get(key)!.keys()].sort((a, b) => a - b);
        const start = known.indexOf(read[0]);
        assert.deepEqual(read, known.slice(start, start + read.length), `skip in key ${key}`);
      }
    }
  }

  private place(key: string, offset: number, msg: unknown): void {
    if (!this.log.has(key)) this.log.set(key, new Map());
    const at = this.log.get(key)!;
    if (at.has(offset)) {
      assert.deepEqual(at.get(offset), msg, `offset ${offset} of ${key} holds two messages`);
    }
    at.set(offset, msg);
  }
}

/** Random sends and polls on every node, with partitions, then a heal and full polls. */
async function randomRun(seed: number, steps: number, options: Partial<KafkaOptions> = {}) {
  const ids = ["n0", "n1", "n2"];
  const cluster = new Cluster(ids, seed, options, 20);
  const random = seededRandom(seed + 1000);
  const judge = new Judge();
  const keys = ["a", "b", "c", "d"];
  const consumers: Consumer[] = ids.map((node) => ({ node, offsets: {}, read: new Map() }));
  for (const c of consumers) for (const key of keys) c.offsets[key] = 0;
  let next_msg = 1;
  for (let step = 0; step < steps; step++) {
    if (step % 300 === 0) cluster.isolate(ids[Math.floor(random() * ids.length)]);
    if (step % 300 === 150) cluster.partitions = new Map();
    const node = ids[Math.floor(random() * ids.length)];
    if (random() < 0.5) {
      const key = keys[Math.floor(random() * keys.length)];
      const msg = next_msg++;
      const reply = await cluster.call(node, { type: "send", key, msg });
      judge.recordSend(key, reply.offset, msg);
    } else {
      const consumer = consumers[Math.floor(random() * consumers.length)];
      const reply = await cluster.call(consumer.node, { type: "poll", offsets: consumer.offsets });
      judge.recordPoll(consumer, reply.msgs);
    }
    await cluster.run(5);
  }
  judge.assertNoSkips(consumers);
  cluster.partitions = new Map();
  await cluster.run(3000);
  // After healing, every node returns every message ever sent, identically.
  const everything = Object.fromEntries(keys.map((key) => [key, 0]));
  const finals = [];
  for (const id of ids) {
    finals.push((await cluster.call(id, { type: "poll", offsets: everything })).msgs);
  }
  for (const msgs of finals) assert.deepEqual(msgs, finals[0]);
  for (const [key, offsets] of judge.sent) {
    assert.deepEqual(
      finals[0][key].map((pair: [number, unknown]) => pair[0]).sort(),
      [...offsets].sort(),
    );
  }
  const quiet_before = cluster.server_msgs;
  await cluster.run(1000);
  assert.equal(cluster.server_msgs, quiet_before, "an idle healed cluster sends nothing");
  return { cluster, judge, sends: next_msg - 1 };
}

Deno.test("one node: dense offsets, polls from an offset, commits are per-key maxima", async () => {
  const cluster = new Cluster(["n0"], 1);
  const offsets = [];
  for (const msg of [10, 11, 12]) {
    offsets.push((await cluster.call("n0", { type: "send", key: "k", msg })).offset);
  }
  assert.deepEqual(offsets, [0, 1, 2]);
  const poll = await cluster.call("n0", { type: "poll", offsets: { k: 1, other: 0 } });
  assert.deepEqual(poll, {
    type: "poll_ok",
    msgs: { k: [[1, 11], [2, 12]] },
    in_reply_to: poll.in_reply_to,
  });
  await cluster.call("n0", { type: "commit_offsets", offsets: { k: 2 } });
  await cluster.call("n0", { type: "commit_offsets", offsets: { k: 1 } });
  const listed = await cluster.call("n0", { type: "list_committed_offsets", keys: ["k", "none"] });
  assert.deepEqual(listed.offsets, { k: 2 });
});

Deno.test("a send is pollable on a peer only once every node promised no smaller offset", async () => {
  const cluster = new Cluster(["n0", "n1"], 2);
  const { offset } = await cluster.call("n0", { type: "send", key: "k", msg: "x" });
  assert.equal(offset % 2, 0, "n0 owns the even offsets");
  const early = await cluster.call("n0", { type: "poll", offsets: { k: 0 } });
  assert.deepEqual(early.msgs, {}, "not exposed before n1 promised");
  await cluster.run(100);
  for (const id of ["n0", "n1"]) {
    const poll = await cluster.call(id, { type: "poll", offsets: { k: 0 } });
    assert.deepEqual(poll.msgs, { k: [[offset, "x"]] }, id);
  }
  const next = await cluster.call("n1", { type: "send", key: "k", msg: "y" });
  assert.ok(next.offset > offset && next.offset % 2 === 1, "n1 caught up with n0's clock");
});

Deno.test("commits replicate and merge by max on every node", async () => {
  const cluster = new Cluster(["n0", "n1"], 3);
  await cluster.call("n0", { type: "commit_offsets", offsets: { k: 4 } });
  await cluster.call("n1", { type: "commit_offsets", offsets: { k: 2, j: 7 } });
  await cluster.run(100);
  for (const id of ["n0", "n1"]) {
    const listed = await cluster.call(id, { type: "list_committed_offsets", keys: ["k", "j"] });
    assert.deepEqual(listed.offsets, { k: 4, j: 7 }, id);
  }
});

Deno.test("sends, polls and commits answer during a partition; the backlog flows after", async () => {
  const cluster = new Cluster(["n0", "n1"], 4);
  cluster.isolate("n0");
  const sent = [];
  for (let i = 0; i < 50; i++) {
    sent.push((await cluster.call(i % 2 ? "n1" : "n0", { type: "send", key: "k", msg: i })).offset);
    await cluster.run(20);
  }
  await cluster.call("n0", { type: "commit_offsets", offsets: { k: 3 } });
  const stalled = await cluster.call("n1", { type: "poll", offsets: { k: 0 } });
  assert.deepEqual(stalled.msgs, {}, "nothing exposed while n0 is unreachable");
  cluster.partitions = new Map();
  await cluster.run(1000);
  for (const id of ["n0", "n1"]) {
    const poll = await cluster.call(id, { type: "poll", offsets: { k: 0 } });
    assert.deepEqual(
      poll.msgs.k.map((p: [number, unknown]) => p[0]),
      [...sent].sort((a, b) => a - b),
    );
  }
});

Deno.test("random runs with partitions and reordering: no skip, one message per offset (4 seeds)", async () => {
  for (const seed of [1, 2, 3, 4]) {
    const { cluster, sends } = await randomRun(seed, 1500);
    // One repl message per peer per tick at most, whatever the number of requests.
    assert.ok(
      cluster.server_msgs < cluster.now_ms / 25 * 6 + 100,
      `seed ${seed}: ${cluster.server_msgs}`,
    );
    assert.ok(sends > 500);
  }
});

Deno.test("bad requests get error 12 naming the value", async () => {
  const cluster = new Cluster(["n0"], 5);
  const cases: [Body, RegExp][] = [
    [{ type: "send", key: 3, msg: 1 }, /key must be a string, got 3/],
    [{ type: "send", key: "k" }, /send needs a msg/],
    [{ type: "poll", offsets: [1] }, /offsets must be an object/],
    [{ type: "commit_offsets", offsets: { k: "x" } }, /offset of key k must be an integer, got x/],
    [{ type: "list_committed_offsets", keys: "k" }, /keys must be a list, got k/],
  ];
  for (const [body, text] of cases) {
    const reply = await cluster.call("n0", body);
    assert.equal(reply.code, 12);
    assert.match(reply.text, text);
  }
});

Deno.test("parseKafkaArgs accepts intervals and rejects bad values in one line", () => {
  assert.deepEqual(parseKafkaArgs(["--tick-ms", "10"]), { tick_ms: 10 });
  assert.throws(() => parseKafkaArgs(["--resend-ms=-5"]), /--resend-ms .*"-5"/);
  assert.throws(() => parseKafkaArgs(["--bogus"]));
});

// As real node processes: validity and a zero message count do not depend on the machine's load.
Deno.test("harness: kafka on one node is valid with no server messages", async () => {
  const outcome = await runChallenge(
    "kafka",
    [
      "-w",
      "kafka",
      "--node-count",
      "1",
      "--concurrency",
      "2n",
      "--rate",
      "1000",
      "--time-limit",
      "2",
      "--seed",
      "5",
    ],
    200,
    "process",
  );
  const s = runSummary(outcome);
  assert.equal(s.valid, true, JSON.stringify(s).slice(0, 2000));
  assert.equal(s.servers_msgs_per_op, 0);
});

Deno.test("harness: kafka on two nodes with partitions is valid under 1 msg/op", async () => {
  const outcome = await runChallenge("kafka", [
    "-w",
    "kafka",
    "--node-count",
    "2",
    "--concurrency",
    "2n",
    "--rate",
    "1000",
    "--time-limit",
    "4",
    "--nemesis",
    "partition",
    "--nemesis-interval",
    "1",
    "--seed",
    "6",
  ], 1000);
  const s = runSummary(outcome);
  assert.equal(s.valid, true, JSON.stringify(s).slice(0, 2000));
  assert.ok(s.servers_msgs_per_op < 1, `servers msgs-per-op ${s.servers_msgs_per_op}`);
  assert.ok(s.ok_fraction > 0.99, `ok fraction ${s.ok_fraction}`);
});
