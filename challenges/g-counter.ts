/**
 * Challenge 4: grow-only counter (Fly.io "Gossip Glomers" #4), durable in `seq-kv`.
 *
 * Design
 * - Each node owns one `seq-kv` key, its own id, holding the sum of the adds it
 *   has accepted. Only that node writes it, so no two writers ever race on a key.
 * - Write-behind: an `add` updates the node's in-memory total and is answered
 *   at once. Every `flush_interval_ms`, if the total changed, the node writes it
 *   with ONE `cas`. Messages then grow with time, not with the number of adds,
 *   and a slow seq-kv never holds up a client. The price is that a crash loses
 *   the last interval's adds (Maelstrom never crashes a node). A restarted node
 *   resumes from its key.
 * - The `cas` chain makes writes safe against seq-kv's quirks and late messages.
 *   Every write is `cas(from: last confirmed total, to: current total)`, and
 *   totals only grow, so the key never returns to an old value: a delayed,
 *   timed-out attempt can never overwrite a newer total. A node's own successful
 *   write moves its seq-kv view to the newest state, and only it writes its key,
 *   so a `cas` from the confirmed total cannot fail on a stale state. If it fails
 *   anyway (code 22), an earlier timed-out attempt landed: the node reads the key
 *   back and confirms that total.
 * - Peers learn totals by gossip, not by reading `seq-kv`: after a change (at
 *   most every `gossip_interval_ms`), and as a heartbeat every
 *   `heartbeat_interval_ms` even without one, a node sends every total it knows
 *   to every peer. Totals merge by max. Gossip is one message per peer;
 *   reading a key costs a request and a reply.
 * - Partitions: gossip to an unreachable peer is lost, and the heartbeats repair
 *   that after the network heals. Meanwhile a peer that has been silent for
 *   `silence_ms` is read from `seq-kv` (never partitioned) right after the node's
 *   own successful write. A read made then sees at least every write that
 *   finished before ours, so even seq-kv's stale reads are useful.
 * - `read` answers from memory: own total + the largest known total of every
 *   peer. It is eventually exact: once adds stop and the network heals, every
 *   node's read converges within one heartbeat.
 *
 * @module
 */

import { KV, Node, parseDurationArgs, RPCError, runNode } from "../lib/maelstrom.ts";

/** Tuning knobs; every one is a bound on time or memory. */
export interface CounterOptions {
  /** How often a changed total is written to seq-kv. */
  flush_interval_ms: number;
  /** Minimum gap between two change-driven gossip rounds. */
  gossip_interval_ms: number;
  /** Gossip even without a change this often, to repair what partitions dropped. */
  heartbeat_interval_ms: number;
  /** A peer unheard for this long is read from seq-kv after our next write. */
  silence_ms: number;
  /** Timeout of one seq-kv request. */
  kv_timeout_ms: number;
}

/** Defaults measured to stay well under 0.5 server messages per op at 100 ops/s. */
export const DEFAULT_COUNTER_OPTIONS: CounterOptions = {
  flush_interval_ms: 500,
  gossip_interval_ms: 1000,
  heartbeat_interval_ms: 2000,
  silence_ms: 3000,
  kv_timeout_ms: 1000,
};

/** Registers the g-counter handlers and background loops on `node`. */
export function gCounter(node: Node, options: Partial<CounterOptions> = {}): Node {
  const opts: CounterOptions = { ...DEFAULT_COUNTER_OPTIONS, ...options };
  const kv = new KV(node, "seq-kv", opts.kv_timeout_ms);
  const env = node.env;

  let local = 0; // Sum of every add this node accepted.
  let confirmed = 0; // Own total known to be in seq-kv; `local - confirmed` awaits a flush.
  const totals = new Map<string, number>(); // Largest known total of every peer.
  const last_heard_ms = new Map<string, number>();
  let flushing = false;
  let gossiped_total = -1;
  let last_gossip_ms = -Infinity;

  async function flush(): Promise<void> {
    if (flushing || local === confirmed) return;
    flushing = true;
    try {
      if (await writeTotal()) await readSilentPeers();
    } catch (e) {
      node.log(`flush failed, retrying next tick: ${(e as Error).message}`);
    } finally {
      flushing = false;
    }
  }

  /** One step of the cas chain; true when `local` as of the call became durable. */
  async function writeTotal(): Promise<boolean> {
    const target = local;
    try {
      await kv.cas(node.id, confirmed, target, { create_if_not_exists: true });
    } catch (e) {
      if (!(e instanceof RPCError) || !e.definite) throw e; // Unknown outcome: retry next tick.
      // The key moved past `confirmed`: an earlier, timed-out attempt landed.
      const stored = await kv.readOr<number>(node.id, 0);
      if (stored > confirmed && stored <= local) confirmed = stored;
      return false;
    }
    confirmed = target;
    return true;
  }

  /** Our write just made our seq-kv view current: use it for peers gossip cannot reach. */
  async function readSilentPeers(): Promise<void> {
    const now_ms = env.now_ms();
    for (const peer of node.peers()) {
      if (now_ms - (last_heard_ms.get(peer) ?? 0) < opts.silence_ms) continue;
      merge(peer, await kv.readOr<number>(peer, 0));
      last_heard_ms.set(peer, now_ms); // Counts as hearing it: at most one read per silence.
    }
  }

  function merge(peer: string, total: unknown): void {
    if (peer === node.id || typeof total !== "number" || !Number.isSafeInteger(total)) return;
    if (total > (totals.get(peer) ?? 0)) totals.set(peer, total);
  }

  function gossip(): void {
    const now_ms = env.now_ms();
    const changed = local !== gossiped_total;
    const since_ms = now_ms - last_gossip_ms;
    if (changed ? since_ms < opts.gossip_interval_ms : since_ms < opts.heartbeat_interval_ms) {
      return;
    }
    const known: Record<string, number> = Object.fromEntries(totals);
    known[node.id] = local;
    for (const peer of node.peers()) node.send(peer, { type: "totals", totals: known });
    gossiped_total = local;
    last_gossip_ms = now_ms;
  }

  function every(interval_ms: number, fn: () => void): void {
    const tick = () => {
      fn();
      env.setTimer(tick, interval_ms);
    };
    env.setTimer(tick, interval_ms);
  }

  node.on("init", async () => {
    // A restarted node resumes from its durable total. seq-kv keeps each node's view
    // monotonic, so this read sees at least every write our predecessor completed.
    try {
      local = confirmed = await kv.readOr<number>(node.id, 0);
    } catch (e) {
      node.log(`could not read own total, starting from 0: ${(e as Error).message}`);
    }
    every(opts.flush_interval_ms, () => void flush());
    // Gossip is checked at the finer of its two intervals; `gossip` decides.
    every(Math.min(opts.gossip_interval_ms, opts.heartbeat_interval_ms), gossip);
  });

  node.on("add", (req) => {
    const delta = req.body.delta;
    if (!Number.isSafeInteger(delta) || delta < 0) {
      throw RPCError.malformedRequest(`delta must be a non-negative integer, got ${delta}`);
    }
    local += delta;
    node.reply(req, { type: "add_ok" });
  });

  node.on("read", (req) => {
    let value = local;
    for (const total of totals.values()) value += total;
    node.reply(req, { type: "read_ok", value });
  });

  node.on("totals", (req) => {
    last_heard_ms.set(req.src, env.now_ms());
    const known = req.body.totals;
    if (typeof known !== "object" || known === null) return;
    for (const [peer, total] of Object.entries(known)) merge(peer, total);
  });

  return node;
}

/** Parses the binary's arguments into options; throws with a one-line message on bad input. */
export function parseCounterArgs(args: string[]): Partial<CounterOptions> {
  return parseDurationArgs(args, {
    "flush-interval-ms": "flush_interval_ms",
    "gossip-interval-ms": "gossip_interval_ms",
    "heartbeat-interval-ms": "heartbeat_interval_ms",
    "silence-ms": "silence_ms",
  });
}

/** Builds the node from its arguments (the simulator calls this too). */
export function setup(node: Node, args: string[]): void {
  gCounter(node, parseCounterArgs(args));
}

if (import.meta.main) await runNode(setup);
