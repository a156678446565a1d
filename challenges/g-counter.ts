/**
 * Challenge 4: grow-only counter (Fly.io "Gossip Glomers" #4), durable in `seq-kv`.
 *
 * Design
 * - Each node owns one `seq-kv` key, its own id, holding `[total, boot]`: the sum
 *   of the adds it has made durable, and a random tag of the incarnation (process
 *   lifetime) that wrote it. Only that node writes the key, so no two live
 *   writers ever race on it.
 * - Group commit: an `add` updates the node's in-memory total and waits for a
 *   flush: ONE `cas` writes the total, and when it lands the node acknowledges
 *   every add it covers. So an acknowledged add is in seq-kv and survives a crash
 *   of the node that took it (the kill nemesis). A flush starts as soon as an add
 *   arrives and none is in flight; adds that arrive meanwhile share the next one.
 *   An add of 0 changes nothing and is acknowledged at once. The price: every
 *   other add costs a `cas` unless another add shares it. With Maelstrom's default
 *   one client per node, a client waits for its add, so adds never share a flush
 *   and the floor is 2 messages per non-zero add — 8/15 ≈ 0.53 msgs/op for
 *   g-counter's mix (1/3 adds, deltas 0..4). The old write-behind design (answer
 *   at once, flush on a timer) cost 0.2 msgs/op and lost the last interval's adds
 *   in a crash; it remains as `--ack early`. At most `max_pending` adds wait; more
 *   are refused (code 11, definite), never left to hang.
 * - The `cas` chain makes writes safe against seq-kv's quirks and late messages.
 *   Every write is `cas(from: last value known stored, to: [current total, boot])`,
 *   and totals only grow, so the key never returns to an old value: a delayed,
 *   timed-out attempt can never overwrite a newer total. A node's own successful
 *   write moves its seq-kv view to the newest state, so a `cas` from the stored
 *   value cannot fail on a stale state. If it fails anyway (code 22), someone
 *   wrote the key since: the node reads it back. Its own tag means an earlier,
 *   timed-out attempt of this incarnation landed: that total is confirmed. Another
 *   tag means a dead predecessor's write was still in flight when this
 *   incarnation read the key at `init`; that write holds only adds the
 *   predecessor never acknowledged, so the node counts them and moves its own
 *   waiting adds on top (never mistaking them for durable).
 * - A restarted node resumes from its key. seq-kv keeps each client's view
 *   monotonic and the restarted node has the same id, so its `init` read sees at
 *   least every write its predecessor completed.
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
 *   peer. It may count adds not yet acknowledged (they are in flight, so any
 *   value up to them is allowed); it is eventually exact: once adds stop and the
 *   network heals, every node's read converges within one heartbeat.
 *
 * @module
 */

import { KV, Node, parseDurationArgs, RPCError, runNode } from "../lib/maelstrom.ts";

/** Tuning knobs; every one is a bound on time or memory. */
export interface CounterOptions {
  /** Retry period of a failed flush; with `--ack early`, the write-behind period. */
  flush_interval_ms: number;
  /** Minimum gap between two change-driven gossip rounds. */
  gossip_interval_ms: number;
  /** Gossip even without a change this often, to repair what partitions dropped. */
  heartbeat_interval_ms: number;
  /** A peer unheard for this long is read from seq-kv after our next write. */
  silence_ms: number;
  /** Timeout of one seq-kv request. */
  kv_timeout_ms: number;
  /** Adds waiting for their flush beyond this are refused. */
  max_pending: number;
  /** "durable": acknowledge an add once seq-kv holds it; "early": at once (write-behind). */
  ack: "durable" | "early";
}

/** Defaults measured to stay well under 0.5 server messages per op at 100 ops/s. */
export const DEFAULT_COUNTER_OPTIONS: CounterOptions = {
  flush_interval_ms: 500,
  gossip_interval_ms: 1000,
  heartbeat_interval_ms: 2000,
  silence_ms: 3000,
  kv_timeout_ms: 1000,
  max_pending: 100_000,
  ack: "durable",
};

/** What a node's key holds: its durable total and the incarnation that wrote it. */
type Stored = [total: number, boot: string];

function asStored(value: unknown): Stored | undefined {
  if (!Array.isArray(value) || value.length !== 2) return undefined;
  const [total, boot] = value;
  return Number.isSafeInteger(total) && typeof boot === "string" ? [total, boot] : undefined;
}

/** Registers the g-counter handlers and background loops on `node`. */
export function gCounter(node: Node, options: Partial<CounterOptions> = {}): Node {
  const opts: CounterOptions = { ...DEFAULT_COUNTER_OPTIONS, ...options };
  const kv = new KV(node, "seq-kv", opts.kv_timeout_ms);
  const env = node.env;
  // Distinguishes this incarnation's writes from a dead predecessor's late ones.
  const boot = Math.floor(env.random() * 2 ** 52).toString(36);

  let local = 0; // Sum of every add this node accepted.
  let confirmed = 0; // Own total known to be in seq-kv; `local - confirmed` awaits a flush.
  let stored: Stored | undefined; // The key's value as last known (the next cas's `from`).
  // Adds waiting for a flush, in order; each is durable once `confirmed >= upto`.
  let pending: { upto: number; ack: () => void }[] = [];
  const totals = new Map<string, number>(); // Largest known total of every peer.
  const last_heard_ms = new Map<string, number>();
  let flushing = false;
  let synced = false; // Whether the key's value at start is known (read at init, or later).
  let gossiped_total = -1;
  let last_gossip_ms = -Infinity;

  async function flush(): Promise<void> {
    if (flushing || (local === confirmed && synced)) return;
    flushing = true;
    let failed = false;
    try {
      if (!synced) {
        // The init read failed: take the key's value now, as a predecessor's (see `adopt`).
        adopt(asStored(await kv.readOr<unknown>(node.id, undefined)));
        synced = true;
      }
      if (local !== confirmed && await writeTotal()) await readSilentPeers();
    } catch (e) {
      failed = true;
      node.log(`flush failed, retrying next tick: ${(e as Error).message}`);
    } finally {
      flushing = false;
    }
    // Adds that came during this flush wait for the next one; failures retry on the timer.
    if (opts.ack === "durable" && pending.length > 0 && local !== confirmed && !failed) {
      void flush();
    }
  }

  /** One step of the cas chain; true when `local` as of the call became durable. */
  async function writeTotal(): Promise<boolean> {
    const target: Stored = [local, boot];
    try {
      await kv.cas(node.id, stored ?? [0, boot], target, { create_if_not_exists: true });
    } catch (e) {
      if (!(e instanceof RPCError) || !e.definite) throw e; // Unknown outcome: retry next tick.
      adopt(asStored(await kv.readOr<unknown>(node.id, undefined)));
      return false;
    }
    stored = target;
    confirm(target[0]);
    return true;
  }

  /** The key moved under us (see the design): take what it now holds. */
  function adopt(value: Stored | undefined): void {
    if (value === undefined || value[0] < confirmed) return; // A stale read: retry.
    if (value[1] === boot) {
      if (value[0] <= local) {
        stored = value;
        confirm(value[0]);
      }
      return;
    }
    // A predecessor's late write: its adds were never acknowledged; ours go on top.
    const shift = value[0] - confirmed;
    local += shift;
    for (const add of pending) add.upto += shift;
    stored = value;
    confirm(value[0]);
  }

  /** `total` is durable: acknowledge every add it covers. */
  function confirm(total: number): void {
    confirmed = Math.max(confirmed, total);
    let done = 0;
    while (done < pending.length && pending[done].upto <= confirmed) pending[done++].ack();
    if (done > 0) pending = pending.slice(done);
  }

  /** Our write just made our seq-kv view current: use it for peers gossip cannot reach. */
  async function readSilentPeers(): Promise<void> {
    const now_ms = env.now_ms();
    for (const peer of node.peers()) {
      if (now_ms - (last_heard_ms.get(peer) ?? 0) < opts.silence_ms) continue;
      merge(peer, asStored(await kv.readOr<unknown>(peer, undefined))?.[0]);
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
    // A restarted node resumes from its durable total (see the design).
    try {
      stored = asStored(await kv.readOr<unknown>(node.id, undefined));
      local = confirmed = stored?.[0] ?? 0;
      synced = true;
    } catch (e) {
      // The flush loop reads it again; until then reads may miss this node's durable total.
      node.log(`could not read own total, retrying: ${(e as Error).message}`);
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
    if (pending.length >= opts.max_pending) {
      throw RPCError.temporarilyUnavailable(`${pending.length} adds already wait for a flush`);
    }
    if (delta === 0 || opts.ack === "early") {
      local += delta;
      node.reply(req, { type: "add_ok" });
      return;
    }
    local += delta;
    pending.push({ upto: local, ack: () => node.reply(req, { type: "add_ok" }) });
    if (!flushing) queueMicrotask(() => void flush()); // Adds of this turn share the flush.
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
  const rest: string[] = [];
  let ack: CounterOptions["ack"] | undefined;
  for (let i = 0; i < args.length; i++) {
    const [flag, inline] = args[i].split("=", 2);
    if (flag !== "--ack") {
      rest.push(args[i]);
      continue;
    }
    const value = inline ?? args[++i];
    if (value !== "durable" && value !== "early") {
      throw new Error(`--ack must be durable or early, got ${JSON.stringify(value ?? "")}`);
    }
    ack = value;
  }
  const durations = parseDurationArgs(rest, {
    "flush-interval-ms": "flush_interval_ms",
    "gossip-interval-ms": "gossip_interval_ms",
    "heartbeat-interval-ms": "heartbeat_interval_ms",
    "silence-ms": "silence_ms",
  });
  return ack === undefined ? durations : { ...durations, ack };
}

/** Builds the node from its arguments (the simulator calls this too). */
export function setup(node: Node, args: string[]): void {
  gCounter(node, parseCounterArgs(args));
}

if (import.meta.main) await runNode(setup);
