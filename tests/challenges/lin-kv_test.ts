// Tests of challenges/lin-kv.ts: the state machine and log, then small Raft clusters
// simulated in-process (SimEnv clocks, 1 ms per network hop, scripted partitions),
// then short runs through the embedded harness.

import assert from "node:assert/strict";
import { type Body, type Message, Node, RPCError } from "../../lib/maelstrom.ts";
import { SimEnv } from "../../lib/sim_env.ts";
import { checkLinearizable } from "../../lib/harness/checkers/linearizable.ts";
import type { Op } from "../../lib/harness/types.ts";
import { runTest, type TestOutcome } from "../../lib/harness/runner.ts";
import { parseTestArgs } from "../../lib/harness/cli.ts";
import { writeLauncher } from "../../lib/launcher.ts";
import { fileURLToPath } from "node:url";
import {
  KeyValueMachine,
  parseLinKvArgs,
  RaftKv,
  RaftLog,
  type RaftOptions,
} from "../../challenges/lin-kv.ts";

// ─── State machine and log ──────────────────────────────────────────────────

Deno.test("machine: write, read, cas and the errors the workload expects", () => {
  const kv = new KeyValueMachine();
  assert.throws(() => kv.read(1), (e) => e instanceof RPCError && e.code === 20);
  assert.throws(
    () => kv.apply({ f: "cas", key: 1, from: 0, to: 1 }),
    (e) => e instanceof RPCError && e.code === 20,
  );
  assert.deepEqual(kv.apply({ f: "write", key: 1, value: 3 }), { type: "write_ok" });
  assert.deepEqual(kv.read(1), { type: "read_ok", value: 3 });
  assert.throws(
    () => kv.apply({ f: "cas", key: 1, from: 4, to: 0 }),
    (e) => e instanceof RPCError && e.code === 22,
  );
  assert.deepEqual(kv.apply({ f: "cas", key: 1, from: 3, to: 0 }), { type: "cas_ok" });
  assert.deepEqual(kv.read(1), { type: "read_ok", value: 0 });
  // Keys are compared as JSON: "1" and 1 are different keys; object key order does not matter.
  assert.throws(() => kv.read("1"), (e) => e instanceof RPCError && e.code === 20);
  kv.apply({ f: "write", key: { a: 1, b: 2 }, value: null });
  assert.deepEqual(kv.read({ b: 2, a: 1 }), { type: "read_ok", value: null });
});

Deno.test("machine: snapshot and restore round-trip", () => {
  const kv = new KeyValueMachine();
  kv.apply({ f: "write", key: 0, value: 1 });
  kv.apply({ f: "write", key: 2, value: [3] });
  const copy = new KeyValueMachine();
  copy.restore(kv.snapshot());
  assert.deepEqual(copy.read(2), { type: "read_ok", value: [3] });
  assert.deepEqual(copy.snapshot(), kv.snapshot());
});

Deno.test("log: terms, truncation, term search and snapshots", () => {
  const log = new RaftLog();
  const noop = { f: "noop" as const };
  log.append({ term: 1, op: noop }, { term: 1, op: noop }, { term: 2, op: noop }, {
    term: 2,
    op: noop,
  }, { term: 4, op: noop });
  assert.equal(log.lastIndex(), 5);
  assert.equal(log.lastTerm(), 4);
  assert.equal(log.termAt(0), 0);
  assert.equal(log.termAt(3), 2);
  assert.equal(log.termAt(6), undefined);
  assert.equal(log.firstIndexOfTerm(2, 4), 3);
  assert.equal(log.lastIndexOfTerm(2), 4);
  assert.equal(log.lastIndexOfTerm(3), 0);
  log.truncateFrom(4);
  assert.equal(log.lastIndex(), 3);
  assert.deepEqual(log.slice(2, 10).map((e) => e.term), [1, 2]);
  // A snapshot that agrees with the log at its index keeps the suffix.
  log.installSnapshot({ index: 2, term: 1, data: [] });
  assert.equal(log.lastIndex(), 3);
  assert.equal(log.termAt(1), undefined);
  assert.equal(log.termAt(2), 1);
  assert.equal(log.at(3).term, 2);
  // One that disagrees (or is beyond the log) replaces everything.
  log.installSnapshot({ index: 7, term: 5, data: [] });
  assert.equal(log.lastIndex(), 7);
  assert.equal(log.lastTerm(), 5);
});

Deno.test("args: defaults, overrides, and a clear error for a bad value", () => {
  assert.deepEqual(parseLinKvArgs([]), {});
  assert.deepEqual(parseLinKvArgs(["--heartbeat-ms", "20", "--relay", "off"]), {
    heartbeat_ms: 20,
    relay: false,
  });
  assert.throws(() => parseLinKvArgs(["--election-timeout-ms", "0"]), /election-timeout-ms.*"0"/);
  assert.throws(() => parseLinKvArgs(["--relay", "maybe"]), /relay.*"maybe"/);
  assert.throws(() => parseLinKvArgs(["--bogus"]));
});

// ─── A simulated cluster ────────────────────────────────────────────────────

interface SimNode {
  node: Node;
  env: SimEnv;
  raft: RaftKv;
}

/** n nodes on synchronised manual clocks; every hop takes 1 ms; `cut` drops src→dest. */
class Cluster {
  readonly nodes = new Map<string, SimNode>();
  /** Pairs "src>dest" whose messages are dropped (one-way). */
  readonly cut = new Set<string>();
  /** Messages delivered to clients, in order. */
  readonly to_clients: Message[] = [];
  now_ms = 0;
  /** Delay of each node-to-node message in ms (≥ 1); random delays reorder messages. */
  delay_ms: () => number = () => 1;
  private next_msg_id = 1;
  private in_flight: { due_ms: number; msg: Message }[] = [];

  constructor(readonly ids: string[], seed: number, options: Partial<RaftOptions> = {}) {
    ids.forEach((id, i) => {
      const env = new SimEnv(seed * 100 + i);
      const node = new Node(env);
      this.nodes.set(id, { node, env, raft: new RaftKv(node, options) });
    });
  }

  async init(): Promise<void> {
    for (const [id, { node, env }] of this.nodes) {
      node.handleMessage({
        src: "c0",
        dest: id,
        body: { type: "init", msg_id: 0, node_id: id, node_ids: this.ids },
      });
      await env.takeSent();
    }
  }

  raft(id: string): RaftKv {
    return this.nodes.get(id)!.raft;
  }

  leaders(): string[] {
    return this.ids.filter((id) => this.raft(id).role === "leader");
  }

  /** Sends a client request to `dest`; returns its msg_id. */
  request(client: string, dest: string, body: Body): number {
    const msg_id = this.next_msg_id++;
    this.nodes.get(dest)!.node.handleMessage({ src: client, dest, body: { ...body, msg_id } });
    return msg_id;
  }

  /** The reply to `msg_id`, if one arrived. */
  replyTo(msg_id: number): Body | undefined {
    return this.to_clients.find((m) => m.body.in_reply_to === msg_id)?.body;
  }

  /** Cuts every link between the two groups, both ways. */
  partition(a: string[], b: string[]): void {
    for (const x of a) {
      for (const y of b) {
        this.cut.add(`${x}>${y}`);
        this.cut.add(`${y}>${x}`);
      }
    }
  }

  heal(): void {
    this.cut.clear();
  }

  async run(ms: number, each_ms?: () => void): Promise<void> {
    for (let i = 0; i < ms; i++) {
      this.now_ms++;
      const sent: Message[] = [];
      for (const { env } of this.nodes.values()) {
        await env.advance(1);
        sent.push(...await env.takeSent());
      }
      for (const msg of sent) {
        if (!this.nodes.has(msg.dest)) this.to_clients.push(msg);
        else this.in_flight.push({ due_ms: this.now_ms + this.delay_ms() - 1, msg });
      }
      const due = this.in_flight.filter((m) => m.due_ms <= this.now_ms);
      this.in_flight = this.in_flight.filter((m) => m.due_ms > this.now_ms);
      for (const { msg } of due) this.deliver(msg);
      each_ms?.();
    }
  }

  private deliver(msg: Message): void {
    if (this.cut.has(`${msg.src}>${msg.dest}`)) return;
    this.nodes.get(msg.dest)!.node.handleMessage(msg);
  }
}

async function startCluster(
  n: number,
  seed = 1,
  options: Partial<RaftOptions> = {},
): Promise<Cluster> {
  const cluster = new Cluster(Array.from({ length: n }, (_, i) => `n${i}`), seed, options);
  await cluster.init();
  return cluster;
}

async function awaitLeader(cluster: Cluster, max_ms = 2000): Promise<string> {
  for (let t = 0; t < max_ms; t += 10) {
    const leaders = cluster.leaders();
    if (leaders.length === 1) return leaders[0];
    await cluster.run(10);
  }
  throw new Error(`no single leader after ${max_ms} ms: ${cluster.leaders()}`);
}

Deno.test("cluster of 1: elects itself, serves writes, reads and cas at once", async () => {
  const cluster = await startCluster(1);
  await awaitLeader(cluster);
  const w = cluster.request("c1", "n0", { type: "write", key: 0, value: 3 });
  await cluster.run(1);
  assert.deepEqual(cluster.replyTo(w), { type: "write_ok", in_reply_to: w });
  const r = cluster.request("c1", "n0", { type: "read", key: 0 });
  const missing = cluster.request("c1", "n0", { type: "read", key: 9 });
  const bad_cas = cluster.request("c1", "n0", { type: "cas", key: 0, from: 1, to: 2 });
  const cas = cluster.request("c1", "n0", { type: "cas", key: 0, from: 3, to: 4 });
  await cluster.run(2);
  assert.equal(cluster.replyTo(r)?.value, 3);
  assert.equal(cluster.replyTo(missing)?.code, 20);
  assert.equal(cluster.replyTo(bad_cas)?.code, 22);
  assert.equal(cluster.replyTo(cas)?.type, "cas_ok");
  const malformed = cluster.request("c1", "n0", { type: "write", key: 0 });
  await cluster.run(1);
  assert.equal(cluster.replyTo(malformed)?.code, 12);
});

Deno.test("cluster of 3: one leader; followers forward; the leader answers after commit", async () => {
  const cluster = await startCluster(3, 2);
  const leader = await awaitLeader(cluster);
  await cluster.run(100);
  assert.deepEqual(cluster.leaders(), [leader]);
  const follower = cluster.ids.find((id) => id !== leader)!;
  const w = cluster.request("c1", follower, { type: "write", key: "k", value: 1 });
  // Hop 1: forward to the leader; hop 2: append_entries out; hop 3: acks back, commit, reply.
  await cluster.run(2);
  assert.equal(cluster.replyTo(w), undefined, "acknowledged before a majority stored it");
  await cluster.run(3);
  const reply = cluster.to_clients.find((m) => m.body.in_reply_to === w)!;
  assert.equal(reply.body.type, "write_ok");
  assert.equal(reply.src, leader, "the leader answers the client directly");
  const r = cluster.request("c2", follower, { type: "read", key: "k" });
  await cluster.run(10);
  assert.equal(cluster.replyTo(r)?.value, 1);
  // Every node applies the same entries.
  await cluster.run(100);
  for (const id of cluster.ids) assert.deepEqual(cluster.raft(id).machine.read("k").value, 1);
});

Deno.test("a leader cut off from the majority never acknowledges and serves no stale read", async () => {
  const cluster = await startCluster(3, 3);
  const old_leader = await awaitLeader(cluster);
  const w0 = cluster.request("c1", old_leader, { type: "write", key: 0, value: 0 });
  await cluster.run(20);
  assert.equal(cluster.replyTo(w0)?.type, "write_ok");

  const others = cluster.ids.filter((id) => id !== old_leader);
  cluster.partition([old_leader], others);
  const lost = cluster.request("c1", old_leader, { type: "write", key: 0, value: 1 });
  const stale = cluster.request("c2", old_leader, { type: "read", key: 0 });
  await cluster.run(1500);
  const new_leaders = cluster.leaders();
  assert.equal(new_leaders.length, 1);
  assert.ok(others.includes(new_leaders[0]), "the majority side elects a leader");
  // The majority side serves meanwhile.
  const w2 = cluster.request("c3", others[0], { type: "write", key: 0, value: 2 });
  await cluster.run(20);
  assert.equal(cluster.replyTo(w2)?.type, "write_ok");

  cluster.heal();
  await cluster.run(500);
  assert.notEqual(cluster.replyTo(lost)?.type, "write_ok", "false acknowledgement");
  const stale_reply = cluster.replyTo(stale);
  assert.ok(stale_reply === undefined || stale_reply.type === "error", "stale read answered");
  // The old leader's uncommitted entry was replaced: all nodes agree on 2.
  for (const id of cluster.ids) assert.equal(cluster.raft(id).machine.read(0).value, 2);
  for (const id of cluster.ids) {
    assert.equal(cluster.raft(id).log.lastIndex(), cluster.raft(others[0]).log.lastIndex());
  }
});

Deno.test("a node returning from isolation does not depose a healthy leader (pre-vote)", async () => {
  const cluster = await startCluster(3, 4);
  const leader = await awaitLeader(cluster);
  const loner = cluster.ids.find((id) => id !== leader)!;
  const term = cluster.raft(leader).term;
  cluster.partition([loner], cluster.ids.filter((id) => id !== loner));
  await cluster.run(2000);
  cluster.heal();
  await cluster.run(500);
  assert.deepEqual(cluster.leaders(), [leader]);
  assert.equal(cluster.raft(leader).term, term);
  assert.equal(cluster.raft(loner).term, term, "pre-votes must not raise the term");
});

Deno.test("requests without a leader: queued, then a definite error 11 if none appears", async () => {
  const cluster = await startCluster(3, 5);
  const leader = await awaitLeader(cluster);
  const loner = cluster.ids.find((id) => id !== leader)!;
  cluster.partition([loner], cluster.ids.filter((id) => id !== loner));
  await cluster.run(1000);
  assert.equal(cluster.raft(loner).leader, null);
  const r = cluster.request("c1", loner, { type: "write", key: 0, value: 1 });
  await cluster.run(300);
  assert.equal(cluster.replyTo(r), undefined, "refused while an election may still succeed");
  await cluster.run(1000);
  assert.equal(cluster.replyTo(r)?.code, 11);
});

Deno.test("one-way ring partition: relaying keeps a 3-node cluster serving", async () => {
  for (const relay of [true, false]) {
    const cluster = await startCluster(3, 6, { relay });
    await awaitLeader(cluster);
    // Maelstrom's majorities-ring for 3 nodes: n1 ignores n0, n2 ignores n1, n0 ignores n2.
    for (const [src, dest] of [["n0", "n1"], ["n1", "n2"], ["n2", "n0"]]) {
      cluster.cut.add(`${src}>${dest}`);
    }
    await cluster.run(1500);
    const acked: number[] = [];
    for (let i = 0; i < 6; i++) {
      acked.push(cluster.request(`c${i}`, `n${i % 3}`, { type: "write", key: 0, value: i }));
      await cluster.run(100);
    }
    await cluster.run(1000);
    const ok = acked.filter((id) => cluster.replyTo(id)?.type === "write_ok").length;
    if (relay) assert.equal(ok, 6, "every write through the ring should succeed");
    else assert.equal(ok, 0, "without relays no majority round trip exists");
  }
});

Deno.test("log compaction: a lagging follower catches up through a snapshot", async () => {
  const cluster = await startCluster(3, 7);
  const leader = await awaitLeader(cluster);
  const lagging = cluster.ids.find((id) => id !== leader)!;
  cluster.partition([lagging], cluster.ids.filter((id) => id !== lagging));
  // Writes sent in bursts, 2500 in all, so the leader compacts past the follower's log.
  for (let i = 0; i < 2500; i++) {
    cluster.request(`c${i % 5}`, leader, { type: "write", key: i % 7, value: i });
    if (i % 100 === 99) await cluster.run(5);
  }
  await cluster.run(50);
  assert.ok(cluster.raft(leader).log.snapshot.index >= 2000);
  assert.ok(cluster.raft(lagging).log.lastIndex() < cluster.raft(leader).log.snapshot.index);
  cluster.heal();
  await cluster.run(500);
  const a = cluster.raft(leader);
  const b = cluster.raft(lagging);
  assert.deepEqual(b.machine.snapshot().sort(), a.machine.snapshot().sort());
  assert.equal(b.commit_index, a.commit_index);
  // The log stays bounded: at most one compaction interval of entries after the snapshot.
  assert.ok(a.log.lastIndex() - a.log.snapshot.index <= 1000);
});

// ─── One node fed crafted messages ──────────────────────────────────────────

/** Node n1 of [n0, n1, n2], initialised, with a helper that feeds it a peer message. */
async function loneNode() {
  const env = new SimEnv(9);
  const node = new Node(env);
  const raft = new RaftKv(node);
  node.handleMessage({
    src: "c0",
    dest: "n1",
    body: { type: "init", msg_id: 0, node_id: "n1", node_ids: ["n0", "n1", "n2"] },
  });
  await env.takeSent();
  /** Delivers `body` from `src`; returns n1's direct answers to `src`. */
  const feed = async (src: string, body: Body): Promise<Body[]> => {
    node.handleMessage({ src, dest: "n1", body });
    const sent = await env.takeSent();
    return sent.filter((m) => m.dest === src && m.body.type !== "relay").map((m) => m.body);
  };
  return { env, raft, feed };
}

const noop = { f: "noop" as const };

Deno.test("follower: a delayed shorter batch never erases entries a later batch added", async () => {
  const { raft, feed } = await loneNode();
  const append = (entries: number, leader_commit = 0) => ({
    type: "append_entries",
    term: 1,
    round: entries,
    prev_log_index: 0,
    prev_log_term: 0,
    entries: Array.from({ length: entries }, () => ({ term: 1, op: noop })),
    leader_commit,
  });
  const [long] = await feed("n0", append(3));
  assert.deepEqual([long.success, long.match_index], [true, 3]);
  const [short] = await feed("n0", append(2, 3));
  assert.deepEqual([short.success, short.match_index], [true, 2]);
  assert.equal(raft.log.lastIndex(), 3);
  // leader_commit 3 but this batch only proves indexes up to 2 match.
  assert.equal(raft.commit_index, 2);
});

Deno.test("follower: mismatch answers the conflicting term and its first index", async () => {
  const { raft, feed } = await loneNode();
  const entries = [1, 1, 2, 2, 2].map((term) => ({ term, op: noop }));
  await feed("n0", {
    type: "append_entries",
    term: 2,
    round: 1,
    prev_log_index: 0,
    prev_log_term: 0,
    entries,
    leader_commit: 0,
  });
  const [gap] = await feed("n2", {
    type: "append_entries",
    term: 3,
    round: 1,
    prev_log_index: 9,
    prev_log_term: 3,
    entries: [],
    leader_commit: 0,
  });
  assert.deepEqual([gap.success, gap.conflict_index, gap.conflict_term], [false, 6, 0]);
  const [conflict] = await feed("n2", {
    type: "append_entries",
    term: 3,
    round: 2,
    prev_log_index: 5,
    prev_log_term: 3,
    entries: [],
    leader_commit: 0,
  });
  assert.deepEqual([conflict.success, conflict.conflict_index, conflict.conflict_term], [
    false,
    3,
    2,
  ]);
  // A leader whose log agrees up to 2 overwrites the rest.
  const [fixed] = await feed("n2", {
    type: "append_entries",
    term: 3,
    round: 3,
    prev_log_index: 2,
    prev_log_term: 1,
    entries: [{ term: 3, op: noop }],
    leader_commit: 3,
  });
  assert.deepEqual([fixed.success, fixed.match_index], [true, 3]);
  assert.equal(raft.log.lastIndex(), 3);
  assert.equal(raft.log.lastTerm(), 3);
});

Deno.test("votes: granted only to candidates whose log is at least as up to date", async () => {
  const { env, raft, feed } = await loneNode();
  await feed("n0", {
    type: "append_entries",
    term: 2,
    round: 1,
    prev_log_index: 0,
    prev_log_term: 0,
    entries: [{ term: 1, op: noop }, { term: 2, op: noop }],
    leader_commit: 0,
  });
  // While the leader is alive, nobody gets a vote or a pre-vote.
  const [sticky] = await feed("n2", {
    type: "request_vote",
    term: 3,
    pre_vote: true,
    last_log_index: 9,
    last_log_term: 2,
  });
  assert.equal(sticky.granted, false);
  await env.advance(250); // The leader falls silent past the minimum election timeout.
  await env.takeSent();
  const ask = async (
    pre_vote: boolean,
    term: number,
    last_log_index: number,
    last_log_term: number,
  ) =>
    (await feed("n2", { type: "request_vote", term, pre_vote, last_log_index, last_log_term }))
      .find((b) => b.type === "request_vote_res")!;
  const term_now = raft.term;
  assert.equal((await ask(true, term_now + 1, 5, 1)).granted, false, "older last term");
  assert.equal((await ask(true, term_now + 1, 1, 2)).granted, false, "shorter log");
  assert.equal((await ask(true, term_now + 1, 2, 2)).granted, true);
  assert.equal(raft.term, term_now, "a pre-vote changes no term");
  assert.equal((await ask(false, term_now + 1, 1, 2)).granted, false, "shorter log");
  assert.equal((await ask(false, term_now + 1, 2, 2)).granted, true);
  assert.equal(raft.voted_for, "n2");
  const other = await feed("n0", {
    type: "request_vote",
    term: term_now + 1,
    pre_vote: false,
    last_log_index: 2,
    last_log_term: 2,
  });
  assert.equal(
    other.find((b) => b.type === "request_vote_res")!.granted,
    false,
    "one vote per term",
  );
});

Deno.test("read index: a new leader does not answer reads before committing in its term", async () => {
  const cluster = await startCluster(3, 8);
  const a = await awaitLeader(cluster);
  const [b, c] = cluster.ids.filter((id) => id !== a);
  const w0 = cluster.request("c1", a, { type: "write", key: 0, value: 0 });
  await cluster.run(100);
  assert.equal(cluster.replyTo(w0)?.type, "write_ok");
  // c misses the next write; b stores it, so a commits and answers, then a is cut off
  // before telling b that the entry committed.
  cluster.cut.add(`${a}>${c}`);
  const w1 = cluster.request("c1", a, { type: "write", key: 0, value: 1 });
  for (let t = 0; t < 20 && cluster.replyTo(w1) === undefined; t++) await cluster.run(1);
  assert.equal(cluster.replyTo(w1)?.type, "write_ok");
  cluster.partition([a], [b, c]);
  assert.ok(cluster.raft(b).commit_index < cluster.raft(a).commit_index);
  // b (which has the entry) wins; a read sent the moment it leads must still see 1.
  let read: number | undefined;
  // The read is delivered in the same turn as the winning vote, before b's first
  // append_entries, so the first round (which c rejects) already confirms it.
  for (let t = 0; t < 2000 && read === undefined; t++) {
    await cluster.run(1, () => {
      if (cluster.raft(b).role !== "leader") return;
      read = cluster.request("c2", b, { type: "read", key: 0 });
    });
  }
  assert.ok(read !== undefined, "b never became leader");
  await cluster.run(50);
  assert.equal(cluster.replyTo(read)?.value, 1);
});

// ─── Randomised runs checked for linearizability ────────────────────────────

/** Small seeded generator for the test's own choices. */
function rngFrom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

interface SimClient {
  id: string;
  process: number;
  node: string;
  /** The outstanding request, if any. */
  waiting?: { msg_id: number; f: string; value: unknown; deadline_ms: number };
}

/** Heals, then maybe cuts: a random split, random one-way links, or a one-way ring. */
function injectFault(cluster: Cluster, random: () => number): void {
  cluster.heal();
  const order = [...cluster.ids].sort(() => random() - 0.5);
  const n = order.length;
  switch (Math.floor(random() * 4)) {
    case 1: {
      const k = 1 + Math.floor(random() * Math.floor(n / 2));
      cluster.partition(order.slice(0, k), order.slice(k));
      break;
    }
    case 2:
      for (const src of order) {
        for (const dest of order) {
          if (src !== dest && random() < 0.35) cluster.cut.add(`${src}>${dest}`);
        }
      }
      break;
    case 3:
      for (let i = 0; i < n; i++) cluster.cut.add(`${order[i]}>${order[(i + 1) % n]}`);
      break;
  }
}

/** How a randomised run is set up. */
interface RandomRun {
  seed: number;
  node_count: number;
  duration_ms: number;
  /** Node-to-node delays are 1 + ⌊u³ × this⌋ ms: mostly short, some long (reordering). */
  max_delay_ms: number;
  /** Timing for the nodes; short timeouts make elections frequent. */
  options?: Partial<RaftOptions>;
}

/** Runs 2n clients (n readers) on key 0 under random faults; returns the history. */
async function randomRun(run: RandomRun): Promise<{ history: Op[]; ok: number }> {
  const random = rngFrom(run.seed);
  const cluster = await startCluster(run.node_count, run.seed, run.options);
  cluster.delay_ms = () => 1 + Math.floor(random() ** 3 * run.max_delay_ms);
  const history: Op[] = [];
  let next_process = 2 * run.node_count;
  const clients: SimClient[] = Array.from({ length: 2 * run.node_count }, (_, i) => ({
    id: `c${i + 1}`,
    process: i,
    node: `n${i % run.node_count}`,
  }));
  const record = (type: Op["type"], process: number, f: string, value: unknown) =>
    history.push({ index: history.length, time: cluster.now_ms * 1e6, type, process, f, value });
  let seen_replies = 0;
  let ok = 0;
  let next_nemesis_ms = 300;
  await cluster.run(run.duration_ms, () => {
    const now = cluster.now_ms;
    if (now >= next_nemesis_ms) {
      next_nemesis_ms = now + 200 + Math.floor(random() * 800);
      injectFault(cluster, random);
    }
    // Completions.
    for (; seen_replies < cluster.to_clients.length; seen_replies++) {
      const msg = cluster.to_clients[seen_replies];
      const client = clients.find((c) => c.id === msg.dest);
      const w = client?.waiting;
      if (!client || !w || msg.body.in_reply_to !== w.msg_id) continue;
      client.waiting = undefined;
      if (msg.body.type === "error") {
        const definite = new RPCError(msg.body.code).definite || w.f === "read";
        record(definite ? "fail" : "info", client.process, w.f, w.value);
        if (!definite) client.process = next_process++;
        continue;
      }
      ok++;
      const [key] = w.value as [unknown];
      const value = w.f === "read" ? [key, msg.body.value] : w.value;
      record("ok", client.process, w.f, value);
    }
    // Timeouts and new invocations.
    for (const client of clients) {
      const w = client.waiting;
      if (w && now >= w.deadline_ms) {
        client.waiting = undefined;
        record(w.f === "read" ? "fail" : "info", client.process, w.f, w.value);
        if (w.f !== "read") client.process = next_process++;
      }
      if (client.waiting || random() > 0.05) continue;
      const roll = random();
      const v = () => Math.floor(random() * 5);
      const [f, value, body]: [string, unknown, Body] = clients.indexOf(client) < run.node_count
        ? ["read", [0, null], { type: "read", key: 0 }]
        : roll < 0.33
        ? ["write", [0, 0], { type: "write", key: 0, value: 0 }]
        : ["cas", [0, [0, 0]], { type: "cas", key: 0, from: 0, to: 0 }];
      if (f === "write") body.value = (value as number[])[1] = v();
      if (f === "cas") {
        const pair = [v(), v()];
        (value as unknown[])[1] = pair;
        [body.from, body.to] = pair;
      }
      record("invoke", client.process, f, value);
      const msg_id = cluster.request(client.id, client.node, body);
      client.waiting = { msg_id, f, value, deadline_ms: now + 1000 };
    }
  });
  return { history, ok };
}

Deno.test("random partitions (incl. one-way rings): histories stay linearizable", async () => {
  const churn = { heartbeat_ms: 10, election_timeout_ms: 40 };
  const runs: RandomRun[] = [
    { seed: 11, node_count: 3, duration_ms: 6000, max_delay_ms: 1 },
    { seed: 12, node_count: 3, duration_ms: 6000, max_delay_ms: 30 },
    { seed: 13, node_count: 3, duration_ms: 6000, max_delay_ms: 100 },
    { seed: 14, node_count: 5, duration_ms: 6000, max_delay_ms: 30 },
    { seed: 15, node_count: 3, duration_ms: 6000, max_delay_ms: 30, options: churn },
    { seed: 16, node_count: 5, duration_ms: 6000, max_delay_ms: 60, options: churn },
  ];
  for (const run of runs) {
    const { seed } = run;
    const { history, ok } = await randomRun(run);
    const result = checkLinearizable(history);
    if (Deno.env.get("G_DEBUG")) {
      console.log(
        seed,
        history.length,
        ok,
        history.filter((o) => o.type === "info").length,
        history.filter((o) => o.type === "fail").length,
        JSON.stringify(result).slice(0, 300),
      );
    }
    assert.equal(result["valid?"], true, `seed ${seed}: ${JSON.stringify(result).slice(0, 2000)}`);
    assert.ok(ok > 100, `seed ${seed}: only ${ok} ops succeeded`);
  }
});

// ─── Short runs through the embedded harness ────────────────────────────────

/** Runs the real binary through the harness with Maelstrom's CLI arguments. */
async function harnessRun(args: string[]): Promise<{ outcome: TestOutcome; ok_ops: number }> {
  const dir = await Deno.makeTempDir({ prefix: "lin-kv-test-" });
  try {
    const bin = `${dir}/lin-kv`;
    await writeLauncher(bin, fileURLToPath(new URL("../../challenges/lin-kv.ts", import.meta.url)));
    const opts = parseTestArgs(["-w", "lin-kv", "--bin", bin, "--store", dir, ...args]);
    const outcome = await runTest(opts, { console: () => {} });
    const history = await Deno.readTextFile(`${outcome.store_path}/history.jsonl`);
    const ok_ops = history.split("\n").filter((line) => line.includes(`"type":"ok"`)).length;
    return { outcome, ok_ops };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("harness: one node, then three nodes at rate 100, are linearizable", async () => {
  const single = await harnessRun([
    ...["--node-count", "1", "--concurrency", "2n", "--time-limit", "2", "--rate", "20"],
    ...["--seed", "1"],
  ]);
  assert.equal(single.outcome.valid, true, single.outcome.error);
  assert.ok(single.ok_ops >= 10, `only ${single.ok_ops} ok ops`);
  const three = await harnessRun([
    ...["--node-count", "3", "--concurrency", "2n", "--time-limit", "3", "--rate", "100"],
    ...["--seed", "2"],
  ]);
  assert.equal(three.outcome.valid, true, three.outcome.error);
  assert.ok(three.ok_ops >= 100, `only ${three.ok_ops} ok ops`);
});

Deno.test("harness: three nodes under partitions stay linearizable and available", async () => {
  const { outcome, ok_ops } = await harnessRun([
    ...["--node-count", "3", "--concurrency", "4n", "--time-limit", "6", "--rate", "60"],
    ...["--nemesis", "partition", "--nemesis-interval", "1", "--seed", "3"],
  ]);
  assert.equal(outcome.valid, true, outcome.error ?? JSON.stringify(outcome.results?.workload));
  assert.ok(ok_ops >= 100, `only ${ok_ops} ok ops`);
});

Deno.test("binary: a bad argument is one clear line on stderr and exit code 2", async () => {
  const script = fileURLToPath(new URL("../../challenges/lin-kv.ts", import.meta.url));
  const { code, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", "-A", script, "--heartbeat-ms", "soon"],
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).output();
  assert.equal(code, 2);
  const lines = new TextDecoder().decode(stderr).trim().split("\n");
  assert.equal(lines.length, 1);
  assert.match(lines[0], /--heartbeat-ms.*"soon"/);
});
