// Tests for challenges/broadcast.ts: an in-process cluster with per-hop latency, partitions
// and message counts (deterministic, no sleeping), plus short runs through the harness.

import assert from "node:assert/strict";
import {
  broadcast,
  type BroadcastParams,
  MAX_ENTRIES_PER_MESSAGE,
  parseBroadcastArgs,
  syncPartners,
  TUNINGS,
} from "../../challenges/broadcast.ts";
import { type Body, type Message, Node } from "../../lib/maelstrom.ts";
import { seededRandom, SimEnv } from "../../lib/sim_env.ts";
import { fileURLToPath } from "node:url";
import { runChallenge, section, serversMsgsPerOp } from "../support/harness_run.ts";

/** Nodes on SimEnvs in lock-step, with a fixed delay per node-to-node hop. */
class LatencyCluster {
  readonly ids: string[];
  readonly nodes: Node[] = [];
  readonly envs: SimEnv[] = [];
  /** Node-to-node messages sent (dropped ones included, as Maelstrom counts them). */
  sent_between_nodes = 0;
  readonly sent_by_type = new Map<string, number>();
  /** Messages to clients (and to ids outside the cluster). */
  readonly to_clients: Message[] = [];
  now_ms = 0;
  private in_flight: { at_ms: number; msg: Message }[] = [];
  private cut = new Set<string>();
  private next_msg_id = 1;

  constructor(count: number, params: BroadcastParams, readonly latency_ms = 100, seed = 1) {
    this.ids = Array.from({ length: count }, (_, i) => `n${i}`);
    for (const [i, id] of this.ids.entries()) {
      const env = new SimEnv(seed * 1000 + i);
      const node = broadcast(new Node(env), params);
      node.handleMessage({
        src: "c0",
        dest: id,
        body: { type: "init", msg_id: 0, node_id: id, node_ids: this.ids },
      });
      this.nodes.push(node);
      this.envs.push(env);
    }
  }

  /** Cuts every link between the two groups, both ways. */
  partition(a: string[], b: string[]): void {
    for (const x of a) for (const y of b) this.cut.add(`${x}>${y}`).add(`${y}>${x}`);
  }

  heal(): void {
    this.cut.clear();
  }

  /** Sends a client request to node `index`; the reply lands in `to_clients`. */
  request(index: number, body: Body): number {
    const msg_id = this.next_msg_id++;
    const dest = this.ids[index];
    this.nodes[index].handleMessage({ src: "c1", dest, body: { ...body, msg_id } });
    return msg_id;
  }

  reply(msg_id: number): Body | undefined {
    return this.to_clients.find((m) => m.body.in_reply_to === msg_id)?.body;
  }

  /** What node `index` answers to a read, sorted. */
  async read(index: number): Promise<number[]> {
    const msg_id = this.request(index, { type: "read" });
    await this.collect();
    const body = this.reply(msg_id);
    assert.equal(body?.type, "read_ok");
    return [...(body!.messages as number[])].sort((x, y) => x - y);
  }

  /** Moves time forward in `step_ms` steps, delivering messages whose hop delay has passed. */
  async advance(ms: number, step_ms = 5): Promise<void> {
    for (let t = 0; t < ms; t += step_ms) {
      for (const env of this.envs) await env.advance(step_ms);
      this.now_ms += step_ms;
      await this.collect();
      const due = this.in_flight.filter((f) => f.at_ms <= this.now_ms);
      this.in_flight = this.in_flight.filter((f) => f.at_ms > this.now_ms);
      for (const { msg } of due) this.nodes[this.ids.indexOf(msg.dest)].handleMessage(msg);
      await this.collect();
    }
  }

  private async collect(): Promise<void> {
    for (const env of this.envs) {
      for (const msg of await env.takeSent()) this.route(msg);
    }
  }

  private route(msg: Message): void {
    if (msg.dest.startsWith("c") || !this.ids.includes(msg.dest)) {
      this.to_clients.push(msg);
      return;
    }
    this.sent_between_nodes++;
    this.sent_by_type.set(msg.body.type, (this.sent_by_type.get(msg.body.type) ?? 0) + 1);
    if (this.cut.has(`${msg.src}>${msg.dest}`)) return;
    this.in_flight.push({ at_ms: this.now_ms + this.latency_ms, msg });
  }
}

/** Broadcasts `count` values, one every `gap_ms`, each at a random node; returns the values. */
async function broadcastMany(
  cluster: LatencyCluster,
  count: number,
  gap_ms: number,
  seed: number,
  first = 0,
): Promise<number[]> {
  const random = seededRandom(seed);
  const values: number[] = [];
  for (let i = 0; i < count; i++) {
    const value = first + i;
    const msg_id = cluster.request(Math.floor(random() * cluster.ids.length), {
      type: "broadcast",
      message: value,
    });
    values.push(value);
    await cluster.advance(gap_ms);
    assert.equal(cluster.reply(msg_id)?.type, "broadcast_ok");
  }
  return values;
}

async function assertEveryNodeHolds(cluster: LatencyCluster, values: number[]): Promise<void> {
  for (let i = 0; i < cluster.ids.length; i++) {
    assert.deepEqual(await cluster.read(i), values, `node n${i}`);
  }
}

/** Node-to-node messages sent while `ms` of simulated time passes. */
async function messagesDuring(cluster: LatencyCluster, ms: number): Promise<number> {
  const before = cluster.sent_between_nodes;
  await cluster.advance(ms, 20);
  return cluster.sent_between_nodes - before;
}

Deno.test("a single node acknowledges topology and broadcasts and reads them back once", async () => {
  const cluster = new LatencyCluster(1, TUNINGS.latency);
  const topo = cluster.request(0, { type: "topology", topology: {} });
  const first = cluster.request(0, { type: "broadcast", message: 7 });
  cluster.request(0, { type: "broadcast", message: 7 });
  await cluster.advance(10);
  assert.equal(cluster.reply(first)?.type, "broadcast_ok");
  assert.equal(cluster.reply(topo)?.type, "topology_ok");
  assert.deepEqual(await cluster.read(0), [7]);
  assert.equal(cluster.sent_between_nodes, 0);
});

Deno.test("latency tuning: one hop after the flush window, n - 1 messages per flush", async () => {
  const params = TUNINGS.latency;
  const cluster = new LatencyCluster(25, params, 100, 2);
  const values = await broadcastMany(cluster, 40, 20, 11);
  // The last value waits out its origin's window, then makes its single hop.
  await cluster.advance(params.flush_ms + 100 + 5 - 20);
  await assertEveryNodeHolds(cluster, values);
  const gossip = cluster.sent_by_type.get("gossip")!;
  assert.equal(gossip % 24, 0, `every flush reaches all 24 peers: ${gossip}`);
  assert.ok(gossip <= 40 * 24 && gossip >= 30 * 24, `gossip messages: ${gossip}`);
  assert.equal(cluster.sent_by_type.get("sync") ?? 0, 0);
  // When traffic stops, each node confirms with its two partners once, then goes quiet.
  const closing = await messagesDuring(cluster, 6000);
  assert.ok(closing <= 2 * 2 * 25, `closing syncs: ${closing}`);
  assert.equal(await messagesDuring(cluster, 10_000), 0);
});

Deno.test("latency tuning: values an origin gets within its window share one flush", async () => {
  const cluster = new LatencyCluster(5, TUNINGS.latency, 100, 9);
  for (let i = 0; i < 3; i++) cluster.request(2, { type: "broadcast", message: i });
  await cluster.advance(TUNINGS.latency.flush_ms + 100 + 5);
  await assertEveryNodeHolds(cluster, [0, 1, 2]);
  assert.equal(cluster.sent_by_type.get("gossip"), 4);
});

Deno.test("batch tuning: origin to hub, one fan-out per flush, two hops plus the wait", async () => {
  const params = TUNINGS.batch;
  const cluster = new LatencyCluster(25, params, 100, 3);
  const duration_ms = 2000;
  const values = await broadcastMany(cluster, 100, duration_ms / 100, 12);
  await cluster.advance(100 + params.flush_ms + 100 + 10);
  await assertEveryNodeHolds(cluster, values);
  const gossip = cluster.sent_by_type.get("gossip")!;
  const max_flushes = Math.ceil((duration_ms + 100) / params.flush_ms) + 1;
  assert.ok(gossip <= 100 + 24 * max_flushes, `gossip messages: ${gossip}`);
  assert.ok(gossip / 100 < 3, `gossip per broadcast: ${gossip / 100}`);
  const closing = await messagesDuring(cluster, 6000);
  assert.ok(closing <= 2 * 2 * 24, `closing syncs: ${closing}`);
  assert.equal(await messagesDuring(cluster, 10_000), 0);
});

for (const tuning of ["latency", "batch"] as const) {
  Deno.test(`${tuning} tuning: values broadcast on both sides of a partition meet after it heals`, async () => {
    const cluster = new LatencyCluster(9, TUNINGS[tuning], 100, 4);
    const left = cluster.ids.slice(0, 4);
    const right = cluster.ids.slice(4);
    const before = await broadcastMany(cluster, 10, 30, 21);
    cluster.partition(left, right);
    const during = await broadcastMany(cluster, 60, 100, 22, 10);
    // A minority still reads its own side's values while cut off.
    assert.ok((await cluster.read(0)).length < 70);
    cluster.heal();
    await cluster.advance(7000, 20);
    await assertEveryNodeHolds(cluster, [...before, ...during]);
    assert.equal(await messagesDuring(cluster, 10_000), 0);
  });
}

Deno.test("batch tuning: an isolated hub catches up with everyone after healing", async () => {
  const cluster = new LatencyCluster(5, TUNINGS.batch, 50, 5);
  cluster.partition(["n0"], cluster.ids.slice(1));
  const values = await broadcastMany(cluster, 30, 100, 31);
  assert.ok((await cluster.read(1)).length < 30);
  cluster.heal();
  await cluster.advance(5000, 20);
  await assertEveryNodeHolds(cluster, values);
});

Deno.test("syncs to an unreachable partner back off, and the first after healing repairs", async () => {
  const params = TUNINGS.latency;
  const cluster = new LatencyCluster(2, params, 10, 10);
  cluster.partition(["n0"], ["n1"]);
  cluster.request(0, { type: "broadcast", message: 1 });
  await cluster.advance(23_000, 20);
  const syncs = cluster.sent_by_type.get("sync") ?? 0;
  // Overdue from 3 s on; attempts at +0, 0.25, 0.75, 1.75 s, then every 2 s: 13 by 23 s.
  assert.ok(syncs >= 10 && syncs <= 14, `syncs while cut off: ${syncs}`);
  cluster.heal();
  await cluster.advance(params.retry_max_ms + 100, 20);
  assert.deepEqual(await cluster.read(1), [1]);
});

Deno.test("a repair longer than one message continues in later syncs", async () => {
  const cluster = new LatencyCluster(2, TUNINGS.latency, 10, 6);
  cluster.partition(["n0"], ["n1"]);
  const count = MAX_ENTRIES_PER_MESSAGE + 200;
  for (let i = 0; i < count; i++) cluster.request(0, { type: "broadcast", message: i });
  await cluster.advance(100);
  cluster.heal();
  await cluster.advance(8000, 20);
  assert.equal((await cluster.read(1)).length, count);
  assert.ok(cluster.sent_by_type.get("sync")! >= 2);
});

Deno.test("a value broadcast twice is stored and read once", async () => {
  const cluster = new LatencyCluster(3, TUNINGS.latency, 10, 7);
  cluster.request(0, { type: "broadcast", message: 5 });
  cluster.request(1, { type: "broadcast", message: 5 });
  await cluster.advance(50);
  cluster.request(2, { type: "broadcast", message: 5 });
  await cluster.advance(50);
  for (let i = 0; i < 3; i++) assert.deepEqual(await cluster.read(i), [5]);
});

Deno.test("malformed peer messages are ignored or refused, never crash the node", async () => {
  const cluster = new LatencyCluster(3, TUNINGS.latency, 10, 8);
  const node = cluster.nodes[0];
  const bad_runs = [[9, 0, [1]], [0, -1, [2]], ["n1", 0, [3]], [1, 0, "x"], [1, 1e9, [4]], 7];
  node.handleMessage({ src: "n1", dest: "n0", body: { type: "gossip", runs: bad_runs } });
  node.handleMessage({ src: "n1", dest: "n0", body: { type: "gossip", have: "x" } });
  node.handleMessage({ src: "zz", dest: "n0", body: { type: "gossip", runs: [[1, 0, [6]]] } });
  node.handleMessage({ src: "zz", dest: "n0", body: { type: "sync", msg_id: 4, runs: [] } });
  const missing = cluster.request(0, { type: "broadcast" });
  await cluster.advance(50);
  assert.deepEqual(await cluster.read(0), []);
  assert.equal(cluster.reply(missing)?.code, 12);
  const refused = cluster.to_clients.find((m) => m.dest === "zz");
  assert.deepEqual([refused?.body.type, refused?.body.code], ["error", 12]);
  assert.equal(cluster.sent_between_nodes, 0);
});

Deno.test("sync partners form a strongly connected graph", () => {
  for (const relay of ["origin", "hub"] as const) {
    for (const n of [1, 2, 3, 5, 25, 26]) {
      const reached = new Set([0]);
      const queue = [0];
      while (queue.length > 0) {
        for (const p of syncPartners(queue.shift()!, n, relay)) {
          if (!reached.has(p)) reached.add(p) && queue.push(p);
        }
      }
      assert.equal(reached.size, n, `${relay} n=${n}`);
      for (let i = 0; i < n; i++) assert.ok(!syncPartners(i, n, relay).includes(i));
    }
  }
  assert.deepEqual(syncPartners(3, 25, "origin"), [4, 8]);
  assert.deepEqual(syncPartners(3, 25, "hub"), [0]);
});

Deno.test("--tuning selects a tuning; anything else is refused with the bad value", () => {
  assert.equal(parseBroadcastArgs([]).relay, "origin");
  assert.deepEqual(parseBroadcastArgs(["--tuning", "latency"]), TUNINGS.latency);
  assert.deepEqual(parseBroadcastArgs(["--tuning=batch"]), TUNINGS.batch);
  assert.equal(parseBroadcastArgs(["--tuning", "batch"]).relay, "hub");
  assert.throws(() => parseBroadcastArgs(["--tuning", "fast"]), /"fast"/);
  assert.throws(() => parseBroadcastArgs(["--speed", "1"]), /speed/);
});

Deno.test("the binary exits 2 with one line naming a bad --tuning", async () => {
  const script = fileURLToPath(new URL("../../challenges/broadcast.ts", import.meta.url));
  const command = new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", "-A", script, "--tuning", "fast"],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  });
  const { code, stderr } = await command.output();
  const lines = new TextDecoder().decode(stderr).trim().split("\n");
  assert.equal(code, 2);
  assert.equal(lines.length, 1);
  assert.match(lines[0], /"fast"/);
});

// --- Short runs through the harness (a few seconds each) -----------------------------------

interface RunFigures {
  valid: unknown;
  servers_msgs_per_op: number;
  lost: number;
}

/** Runs the challenge binary through the harness with `args` and returns the headline figures. */
async function harnessRun(args: string[], recovery_ms: number): Promise<RunFigures> {
  const outcome = await runChallenge("broadcast", ["-w", "broadcast", ...args], recovery_ms);
  const workload = section(outcome, "workload");
  return {
    valid: outcome.valid,
    servers_msgs_per_op: serversMsgsPerOp(outcome),
    lost: workload["lost-count"] as number,
  };
}

const FAST_3D = ["--node-count", "25", "--time-limit", "3", "--rate", "100", "--latency", "100"];

Deno.test("harness: 5 nodes under partitions lose nothing (3c, shortened)", async () => {
  const figures = await harnessRun([
    "--node-count",
    "5",
    "--time-limit",
    "4",
    "--rate",
    "30",
    "--nemesis",
    "partition",
    "--nemesis-interval",
    "1",
    "--seed",
    "7",
  ], 3000);
  assert.equal(figures.lost, 0);
  assert.equal(figures.valid, true, JSON.stringify(figures));
});

// In the simulator (runChallenge's default), so the message budgets hold whatever the machine's
// load; the full 3d/3e rows, with their latency targets, run in tests/run/sim_table_test.ts.
Deno.test("harness: latency tuning at 25 nodes is valid within 3d's message budget", async () => {
  const figures = await harnessRun([...FAST_3D, "--seed", "8", "--", "--tuning", "latency"], 1000);
  assert.equal(figures.valid, true, JSON.stringify(figures));
  // A 3 s run has ~300 ops, so the closing syncs (≤ 100 messages) add up to ~0.3 per op.
  assert.ok(figures.servers_msgs_per_op <= 13, JSON.stringify(figures));
});

Deno.test("harness: batch tuning at 25 nodes is valid within 3e's message budget", async () => {
  const figures = await harnessRun([...FAST_3D, "--seed", "9", "--", "--tuning", "batch"], 1000);
  assert.equal(figures.valid, true, JSON.stringify(figures));
  assert.ok(figures.servers_msgs_per_op <= 2, JSON.stringify(figures));
});
