// Tests of challenges/lin-kv.ts: the state machine and log, then small Raft clusters
// simulated in-process (SimEnv clocks, 1 ms per network hop, scripted partitions),
// then short runs through the embedded harness.

import assert from "node:assert/strict";
import { type Body, type Message, Node, RPCError } from "../../lib/maelstrom.ts";
import { SimEnv } from "../../lib/sim_env.ts";
import { checkLinearizable } from "../../lib/harness/checkers/linearizable.ts";
import type { Op } from "../../lib/harness/types.ts";
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
  private next_msg_id = 1;

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
      for (const msg of sent) this.deliver(msg);
      each_ms?.();
    }
  }

  private deliver(msg: Message): void {
    const target = this.nodes.get(msg.dest);
    if (target === undefined) {
      this.to_clients.push(msg);
      return;
    }
    if (this.cut.has(`${msg.src}>${msg.dest}`)) return;
    target.node.handleMessage(msg);
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

/** Runs clients against a cluster under random partitions; returns the history. */
async function randomRun(
  seed: number,
  duration_ms: number,
): Promise<{ history: Op[]; ok: number }> {
  const random = rngFrom(seed);
  const cluster = await startCluster(3, seed);
  const history: Op[] = [];
  let next_process = 6;
  const clients: SimClient[] = Array.from({ length: 6 }, (_, i) => ({
    id: `c${i + 1}`,
    process: i,
    node: `n${i % 3}`,
  }));
  const record = (type: Op["type"], process: number, f: string, value: unknown) =>
    history.push({ index: history.length, time: cluster.now_ms * 1e6, type, process, f, value });
  let seen_replies = 0;
  let ok = 0;
  let next_nemesis_ms = 300;
  await cluster.run(duration_ms, () => {
    const now = cluster.now_ms;
    if (now >= next_nemesis_ms) {
      next_nemesis_ms = now + 200 + Math.floor(random() * 800);
      cluster.heal();
      const shape = Math.floor(random() * 4);
      const order = [...cluster.ids].sort(() => random() - 0.5);
      if (shape === 1) cluster.partition([order[0]], [order[1], order[2]]);
      if (shape === 2) {
        for (let i = 0; i < 3; i++) cluster.cut.add(`${order[i]}>${order[(i + 1) % 3]}`);
      }
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
      const [f, value, body]: [string, unknown, Body] = clients.indexOf(client) < 2
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
  for (const seed of [11, 12, 13]) {
    const { history, ok } = await randomRun(seed, 6000);
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
