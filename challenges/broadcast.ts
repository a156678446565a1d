/**
 * Challenge 3a–3e: broadcast (Fly.io "Gossip Glomers" #3, Maelstrom's guide chapter 3).
 *
 * Every value a client broadcasts to any node must end up in every node's `read`, partitions
 * included. One algorithm, two tunings (`--tuning latency`, the default, or `--tuning batch`).
 *
 * ## Entries and vectors
 * The node that receives a client's `broadcast` is the value's *origin*; it numbers its values
 * 0, 1, 2, … An *entry* is (origin, seq, message), and every node keeps one log per origin. A
 * node's *vector* (`have`) holds, per origin, how many entries from seq 0 on it holds without a
 * gap. Vectors only grow, so a vector received from a peer is a safe lower bound of what that
 * peer holds. Every node-to-node message carries the sender's vector: acknowledgements ride
 * along for free and are never sent on their own.
 *
 * ## Fast path: origin → relay → everybody, no acks
 * Each origin has a *relay* that fans its entries out to every other node. A relay collects
 * entries for `flush_ms` from the first one it queues, then sends each other node one message
 * with the queued entries it is not known to hold: n − 1 messages per flush, however many
 * entries the flush carries.
 * - `latency`: the relay is the origin itself, so a value travels one hop (100 ms at
 *   `--latency 100`) after a 30 ms window. At 2 broadcasts/s per node the window catches a
 *   second value ~6 % of the time: ~22.6 messages per broadcast at 25 nodes, i.e. ~11.3 per
 *   client op (half the ops are reads), for a stable latency near 120 ms. Without batching
 *   n − 1 per broadcast is the floor, and every extra hop costs 100 ms.
 * - `batch`: one hub (the first node) relays for everybody. An origin sends each new value to
 *   the hub at once (1 message, ~0.5 per op); the hub flushes 260 ms after the first entry it
 *   queues, so each flush carries ~13 values and costs 24 messages (~0.85 per op). A value
 *   takes two hops plus the hub's wait: stable latency ~200 ms + U(0, 260 ms).
 * Nothing on the fast path is acknowledged or retried: losses are left to anti-entropy.
 *
 * ## Anti-entropy: sync with a few partners, only when one is overdue
 * Each node watches a few *partners*; the watch graph is strongly connected, so "every partner
 * holds at least what I hold", true at every node, means every node holds everything.
 * - `latency`: partners are the next node and the one √n further on a ring (diameter ≈ √n).
 * - `batch`: the hub watches everybody, everybody watches the hub.
 * A partner is *overdue* when our vector has an entry its last reported vector lacks and that
 * we have held for `suspect_after_ms` (entries learnt from a repair are suspect at once). Then
 * we send it a `sync` RPC carrying the entries it lacks and our vector; it merges them and
 * replies with the entries we lack and its vector. When everybody is in sync nothing is sent;
 * in steady state a partner's own traffic refreshes its vector long before it is overdue, so
 * syncs happen only after a loss (a partition) and once per partner when traffic stops.
 *
 * ## Bounds
 * At most `MAX_ENTRIES_PER_MESSAGE` entries per message (a longer repair continues in the next
 * sync); a relay flushes early once its queue holds a full message. While a partner does not
 * answer, syncs to it back off exponentially (250 ms up to 2 s), each open until its timeout,
 * at most `MAX_SYNCS_IN_FLIGHT` at once. An entry more than `MAX_SEQ_AHEAD` past an origin's
 * gap-free prefix is refused. Memory holds every value once (a read must return them all)
 * plus one vector per peer.
 *
 * ## Partitions
 * Every node keeps acknowledging and serving reads from what it holds. Fast-path messages lost
 * to a partition make partners overdue; their syncs fail and back off until the network heals,
 * then the next one (≤ 2 s later) carries the missing entries across, and entries learnt that
 * way are pushed on to the next partners at once.
 *
 * @module
 */

import {
  type Message,
  Node,
  parseFlags,
  RPCError,
  runNode,
  type TimerId,
} from "../lib/maelstrom.ts";

/** The named tunings selectable with `--tuning`. */
export type Tuning = "latency" | "batch";

/** The knobs of the algorithm (see the module header). */
export interface BroadcastParams {
  /** Who fans an origin's entries out: the origin itself, or one hub for everybody. */
  relay: "origin" | "hub";
  /** How long a relay collects entries before fanning them out. */
  flush_ms: number;
  /** How long a partner may lack an entry we hold before we sync it. */
  suspect_after_ms: number;
  /** How often to look for overdue partners. */
  check_interval_ms: number;
  /** How long a sync waits for its reply. */
  sync_timeout_ms: number;
  /** Wait before re-syncing a partner that has not answered; doubles per unanswered sync. */
  retry_min_ms: number;
  retry_max_ms: number;
}

/** The two tunings: one hop for latency, hub batching for message count. */
export const TUNINGS: Readonly<Record<Tuning, Readonly<BroadcastParams>>> = {
  latency: {
    relay: "origin",
    flush_ms: 30,
    suspect_after_ms: 3000,
    check_interval_ms: 200,
    sync_timeout_ms: 5000,
    retry_min_ms: 250,
    retry_max_ms: 2000,
  },
  batch: {
    relay: "hub",
    flush_ms: 260,
    suspect_after_ms: 3000,
    check_interval_ms: 200,
    sync_timeout_ms: 5000,
    retry_min_ms: 250,
    retry_max_ms: 2000,
  },
};

/** Upper bound on entries in one node-to-node message. */
export const MAX_ENTRIES_PER_MESSAGE = 1000;

/** Upper bound on unanswered syncs to one partner. */
export const MAX_SYNCS_IN_FLIGHT = 8;

/** Upper bound on how far past an origin's gap-free prefix an entry may land. */
export const MAX_SEQ_AHEAD = 100_000;

/** Entries on the wire: [origin index in node_ids, first seq, consecutive messages]. */
export type Run = [origin: number, first_seq: number, messages: unknown[]];

interface Entry {
  message: unknown;
  /** From this time on, a sync partner that lacks the entry is overdue. */
  suspect_at_ms: number;
}

/** One origin's entries by seq, and the length of their gap-free prefix. */
class OriginLog {
  readonly entries: (Entry | undefined)[] = [];
  prefix = 0;

  has(seq: number): boolean {
    return this.entries[seq] !== undefined;
  }

  put(seq: number, entry: Entry): void {
    this.entries[seq] = entry;
    while (this.entries[this.prefix] !== undefined) this.prefix++;
  }
}

interface SyncState {
  /** Syncs sent and not yet answered or timed out. */
  in_flight: number;
  /** Syncs sent since the partner last answered one: the exponent of the back-off. */
  unanswered: number;
  /** No new sync to this partner before this time. */
  next_at_ms: number;
}

/** A queued (origin, seq) reference to an entry that still has to be sent. */
type Ref = [origin: number, seq: number];

/** The replicated set of one node: logs, peers' vectors, fast path and anti-entropy. */
export class BroadcastState {
  private self = 0;
  private logs: OriginLog[] = [];
  private readonly values: unknown[] = [];
  private readonly value_keys = new Set<string>();
  private readonly index_of = new Map<string, number>();
  /** Per peer index: the largest vector it has reported. */
  private known: number[][] = [];
  private partners: number[] = [];
  private readonly syncs = new Map<number, SyncState>();
  private fanout: Ref[] = [];
  private fanout_timer: TimerId | undefined;
  private upstream: Ref[] = [];
  private upstream_timer: TimerId | undefined;

  constructor(readonly node: Node, readonly params: Readonly<BroadcastParams>) {}

  /** Sets up per-peer state once `init` names the cluster, and starts the anti-entropy clock. */
  start(): void {
    const ids = this.node.nodeIds;
    this.self = ids.indexOf(this.node.id);
    ids.forEach((id, index) => this.index_of.set(id, index));
    this.logs = ids.map(() => new OriginLog());
    this.known = ids.map(() => ids.map(() => 0));
    this.partners = syncPartners(this.self, ids.length, this.params.relay);
    for (const p of this.partners) {
      this.syncs.set(p, { in_flight: 0, unanswered: 0, next_at_ms: 0 });
    }
    if (this.partners.length > 0) this.scheduleCheck();
  }

  /** Every distinct value this node holds, in arrival order. */
  messages(): unknown[] {
    return this.values;
  }

  /** Our vector: per origin, the length of the gap-free prefix we hold. */
  have(): number[] {
    return this.logs.map((log) => log.prefix);
  }

  /** Records a value a client broadcast here; a value already held is not added again. */
  addOwn(message: unknown): void {
    if (this.value_keys.has(valueKey(message))) return;
    const log = this.logs[this.self];
    this.accept(this.self, log.entries.length, message, this.suspectAt());
  }

  /** Fast-path entries from a relay or an origin. */
  onGossip(req: Message): void {
    const peer = this.peerIndex(req.src);
    if (peer === undefined) return this.node.log(`ignoring gossip from unknown node ${req.src}`);
    this.learnVector(peer, req.body.have);
    this.mergeRuns(req.body.runs, this.suspectAt());
  }

  /** A partner's repair: merge its entries, answer with the ones it lacks and our vector. */
  onSync(req: Message): void {
    const peer = this.peerIndex(req.src);
    if (peer === undefined) throw RPCError.malformedRequest(`unknown node "${req.src}"`);
    this.learnVector(peer, req.body.have);
    this.mergeRuns(req.body.runs, this.node.env.now_ms());
    const their_have = sanitizeVector(req.body.have, this.logs.length);
    this.node.reply(req, { type: "sync_ok", runs: this.collect(their_have), have: this.have() });
  }

  private accept(origin: number, seq: number, message: unknown, suspect_at_ms: number): void {
    const log = this.logs[origin];
    if (log.has(seq) || seq >= log.prefix + MAX_SEQ_AHEAD) return;
    log.put(seq, { message, suspect_at_ms });
    const key = valueKey(message);
    if (!this.value_keys.has(key)) {
      this.value_keys.add(key);
      this.values.push(message);
    }
    if (this.relayOf(origin) === this.self) this.queueFanout([origin, seq]);
    else if (origin === this.self) this.queueUpstream([origin, seq]);
  }

  private mergeRuns(runs: unknown, suspect_at_ms: number): void {
    if (!Array.isArray(runs)) return;
    for (const run of runs) {
      if (!isRun(run, this.logs.length)) continue;
      const [origin, first_seq, messages] = run;
      messages.forEach((message, i) => this.accept(origin, first_seq + i, message, suspect_at_ms));
    }
  }

  private learnVector(peer: number, vector: unknown): void {
    const reported = sanitizeVector(vector, this.logs.length);
    const known = this.known[peer];
    for (let o = 0; o < known.length; o++) known[o] = Math.max(known[o], reported[o]);
  }

  // --- Fast path ---------------------------------------------------------------------------

  private queueFanout(ref: Ref): void {
    this.fanout.push(ref);
    if (this.fanout.length >= MAX_ENTRIES_PER_MESSAGE) return this.flushFanout();
    if (this.fanout_timer !== undefined) return;
    this.fanout_timer = this.node.env.setTimer(() => this.flushFanout(), this.params.flush_ms);
  }

  /** Sends every peer, in one message, the queued entries it is not known to hold. */
  private flushFanout(): void {
    if (this.fanout_timer !== undefined) this.node.env.clearTimer(this.fanout_timer);
    this.fanout_timer = undefined;
    const refs = this.fanout;
    this.fanout = [];
    for (let peer = 0; peer < this.logs.length; peer++) {
      if (peer === this.self) continue;
      const wanted = refs.filter(([o, seq]) => o !== peer && seq >= this.known[peer][o]);
      this.sendGossip(peer, wanted);
    }
  }

  private queueUpstream(ref: Ref): void {
    this.upstream.push(ref);
    if (this.upstream.length >= MAX_ENTRIES_PER_MESSAGE) return this.flushUpstream();
    if (this.upstream_timer !== undefined) return;
    // Zero delay: values that arrive in the same turn of the event loop share one message.
    this.upstream_timer = this.node.env.setTimer(() => this.flushUpstream(), 0);
  }

  private flushUpstream(): void {
    if (this.upstream_timer !== undefined) this.node.env.clearTimer(this.upstream_timer);
    this.upstream_timer = undefined;
    const refs = this.upstream;
    this.upstream = [];
    this.sendGossip(this.relayOf(this.self), refs);
  }

  private sendGossip(peer: number, refs: Ref[]): void {
    if (refs.length === 0) return;
    const dest = this.node.nodeIds[peer];
    for (const runs of toRuns(refs, (o, seq) => this.logs[o].entries[seq]!.message)) {
      this.node.send(dest, { type: "gossip", runs, have: this.have() });
    }
  }

  private relayOf(origin: number): number {
    return this.params.relay === "origin" ? origin : HUB_INDEX;
  }

  // --- Anti-entropy -------------------------------------------------------------------------

  private scheduleCheck(): void {
    this.node.env.setTimer(() => {
      this.checkPartners();
      this.scheduleCheck();
    }, this.params.check_interval_ms);
  }

  private checkPartners(): void {
    const now_ms = this.node.env.now_ms();
    for (const peer of this.partners) {
      const state = this.syncs.get(peer)!;
      if (state.in_flight >= MAX_SYNCS_IN_FLIGHT || now_ms < state.next_at_ms) continue;
      if (this.isOverdue(peer, now_ms)) void this.sync(peer, state);
    }
  }

  /** True when `peer` lacks an entry of our gap-free prefix that we have held long enough. */
  private isOverdue(peer: number, now_ms: number): boolean {
    const known = this.known[peer];
    for (let o = 0; o < this.logs.length; o++) {
      const log = this.logs[o];
      for (let seq = known[o]; seq < log.prefix; seq++) {
        if (log.entries[seq]!.suspect_at_ms <= now_ms) return true;
      }
    }
    return false;
  }

  /** Sends `peer` what it lacks and merges its answer. While it does not answer (a partition),
   * the next attempt waits twice as long each time, up to `retry_max_ms`; earlier attempts stay
   * open until their timeout, so a slow network still gets its answers through. */
  private async sync(peer: number, state: SyncState): Promise<void> {
    const { retry_min_ms, retry_max_ms, sync_timeout_ms } = this.params;
    const wait_ms = Math.min(retry_min_ms * 2 ** state.unanswered, retry_max_ms);
    state.next_at_ms = this.node.env.now_ms() + wait_ms;
    state.unanswered++;
    state.in_flight++;
    const body = { type: "sync", runs: this.collect(this.known[peer]), have: this.have() };
    try {
      const dest = this.node.nodeIds[peer];
      const reply = await this.node.rpc(dest, body, { timeout_ms: sync_timeout_ms });
      this.learnVector(peer, reply.have);
      this.mergeRuns(reply.runs, this.node.env.now_ms());
      state.unanswered = 0;
      state.next_at_ms = 0;
    } catch {
      // Timed out: the back-off already set by this attempt stands.
    } finally {
      state.in_flight--;
    }
  }

  /** Up to one message's worth of our gap-free entries past `from`, as runs. */
  private collect(from: number[]): Run[] {
    const refs: Ref[] = [];
    for (let o = 0; o < this.logs.length && refs.length < MAX_ENTRIES_PER_MESSAGE; o++) {
      const end = Math.min(this.logs[o].prefix, from[o] + MAX_ENTRIES_PER_MESSAGE - refs.length);
      for (let seq = from[o]; seq < end; seq++) refs.push([o, seq]);
    }
    return toRuns(refs, (o, seq) => this.logs[o].entries[seq]!.message)[0] ?? [];
  }

  private suspectAt(): number {
    return this.node.env.now_ms() + this.params.suspect_after_ms;
  }

  private peerIndex(id: string): number | undefined {
    const index = this.index_of.get(id);
    return index === undefined || index === this.self ? undefined : index;
  }
}

/** The batch tuning's hub: the first node in node_ids. */
const HUB_INDEX = 0;

/** Who `self` watches: a strongly connected graph over `n` nodes. */
export function syncPartners(self: number, n: number, relay: BroadcastParams["relay"]): number[] {
  if (n <= 1) return [];
  if (relay === "hub") {
    if (self !== HUB_INDEX) return [HUB_INDEX];
    return [...Array(n).keys()].filter((p) => p !== HUB_INDEX);
  }
  const offsets = [1, Math.ceil(Math.sqrt(n))];
  const partners = offsets.map((offset) => (self + offset) % n).filter((p) => p !== self);
  return [...new Set(partners)];
}

/** Groups (origin, seq) refs into runs of consecutive seqs, at most one message's worth each. */
function toRuns(refs: Ref[], message: (origin: number, seq: number) => unknown): Run[][] {
  const batches: Run[][] = [];
  for (let start = 0; start < refs.length; start += MAX_ENTRIES_PER_MESSAGE) {
    const runs: Run[] = [];
    for (const [o, seq] of refs.slice(start, start + MAX_ENTRIES_PER_MESSAGE)) {
      const last = runs[runs.length - 1];
      if (last && last[0] === o && last[1] + last[2].length === seq) last[2].push(message(o, seq));
      else runs.push([o, seq, [message(o, seq)]]);
    }
    batches.push(runs);
  }
  return batches;
}

function isRun(run: unknown, n: number): run is Run {
  if (!Array.isArray(run) || run.length !== 3) return false;
  const [origin, first_seq, messages] = run;
  return Number.isInteger(origin) && origin >= 0 && origin < n && Number.isInteger(first_seq) &&
    first_seq >= 0 && Array.isArray(messages);
}

/** A vector from the wire, with anything malformed read as 0 (a safe underestimate). */
function sanitizeVector(vector: unknown, n: number): number[] {
  const out = new Array<number>(n).fill(0);
  if (!Array.isArray(vector)) return out;
  for (let o = 0; o < n; o++) {
    const count = vector[o];
    if (Number.isInteger(count) && count > 0) out[o] = count;
  }
  return out;
}

function valueKey(message: unknown): string {
  return JSON.stringify(message) ?? "undefined";
}

/** Registers the broadcast workload's handlers on `node` with the given tuning. */
export function broadcast(node: Node, params: Readonly<BroadcastParams> = TUNINGS.latency): Node {
  const state = new BroadcastState(node, params);
  return node
    .on("init", () => state.start())
    .on("topology", (req) => node.reply(req, { type: "topology_ok" }))
    .on("broadcast", (req) => {
      if (!("message" in req.body)) throw RPCError.malformedRequest("broadcast needs `message`");
      state.addOwn(req.body.message);
      node.reply(req, { type: "broadcast_ok" });
    })
    .on("read", (req) => node.reply(req, { type: "read_ok", messages: state.messages() }))
    .on("gossip", (req) => state.onGossip(req))
    .on("sync", (req) => state.onSync(req));
}

/** Parses the binary's arguments: `--tuning latency|batch` (default latency). */
export function parseBroadcastArgs(args: string[]): BroadcastParams {
  const values = parseFlags(args, ["tuning"]);
  const tuning = values.tuning ?? "latency";
  if (tuning !== "latency" && tuning !== "batch") {
    throw new Error(`--tuning must be "latency" or "batch", got "${tuning}"`);
  }
  return { ...TUNINGS[tuning] };
}

/** Builds the node from its arguments (the simulator calls this too). */
export function setup(node: Node, args: string[]): void {
  broadcast(node, parseBroadcastArgs(args));
}

if (import.meta.main) await runNode(setup);
