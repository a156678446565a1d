/**
 * Challenges 5a–5c: a Kafka-style replicated log (Fly.io "Gossip Glomers" #5).
 *
 * Design
 * - No key has an owner. Instead every node owns a slice of the OFFSET space:
 *   node i of N hands out offsets `clock × N + i`, where `clock` is a Lamport
 *   clock that grows with every send. A `send` is appended on the node that
 *   receives it and answered at once, with no message to anyone: offsets from
 *   different nodes can never collide, and one node's offsets only grow, so a
 *   client sees its own sends to a key in increasing order.
 * - Replication: each node keeps one outgoing stream of events (appends and
 *   commits). Every `tick_ms` it sends each peer what the peer has not seen, in
 *   ONE `repl` message, with its clock and an acknowledgement of the peer's
 *   stream. A peer that hears nothing back within `resend_ms` gets the
 *   unacknowledged tail again (go-back-N), so partitions only delay the stream.
 *   Receivers apply a stream strictly in order and ignore gaps.
 * - Clocks are promises: a node's clock C means "every offset I hand out from
 *   now on is ≥ C × N". A node that hears clock C moves its own clock up to C,
 *   so an idle node keeps up with a busy one. An offset is *exposed* to polls
 *   once it lies below N × (the smallest clock known from every node, this one
 *   included). Below that bound, this node already holds every message any
 *   node will ever write.
 * - Why polls are safe: a poll returns, for each key, exposed messages from
 *   the requested offset upward, a gap-free run. All nodes agree on which
 *   message sits at which offset, and an exposed range never gains a message
 *   later. So a consumer can neither skip a message nor see offsets run
 *   backwards, and after healing every node exposes everything.
 * - What is linearizable: nothing across nodes in real time. Per key there is
 *   one total order (the offsets) that every node agrees on, and each node's
 *   view is a prefix of it that only grows. A send may become visible to polls
 *   a few ticks after `send_ok` (the workload asks for no recency).
 * - Committed offsets are per-node maxima, replicated on the same stream and
 *   merged by max. So they never run backwards on a node, and they converge
 *   everywhere. `commit_offsets` never waits on a peer. That matters: a failed
 *   commit would make the client's poll fail after it has already moved on.
 * - While a peer is unreachable: `send`, `commit_offsets` and
 *   `list_committed_offsets` still succeed, because they need no peer. Polls
 *   keep working but stop at the exposure bound of the last contact. The
 *   backlog flows once the network heals.
 * - Memory grows with the data (logs, committed offsets, and the stream tail
 *   not yet acknowledged by some peer), never with the number of requests.
 *
 * @module
 */

import { type Message, Node, parseDurationArgs, RPCError, runNode } from "../lib/maelstrom.ts";

/** Tuning knobs; every one is a bound on time or size. */
export interface KafkaOptions {
  /** How often streams are shipped to peers. */
  tick_ms: number;
  /** Resend the unacknowledged tail after this long without an answer. */
  resend_ms: number;
  /** Events per `repl` message. */
  max_batch_events: number;
  /** Messages returned per key per poll. */
  max_poll_msgs_per_key: number;
}

/** Defaults: a 25 ms tick keeps a send pollable within a few ticks at 2 messages per tick. */
export const DEFAULT_KAFKA_OPTIONS: KafkaOptions = {
  tick_ms: 25,
  resend_ms: 500,
  max_batch_events: 1000,
  max_poll_msgs_per_key: 1000,
};

/** One replicated event: an append (`o`, `m`) or a commit (`c`). */
type StreamEvent = { k: string; o: number; m: unknown } | { k: string; c: number };

/** One key's log, sorted by offset. */
interface KeyLog {
  offsets: number[];
  msgs: unknown[];
}

/** What this node knows about one peer, in both directions. */
interface PeerState {
  /** How many of our events the peer has applied. */
  acked: number;
  /** Position of the next event of ours to send to it. */
  sent: number;
  /** Our largest clock the peer has confirmed hearing. */
  clock_acked: number;
  /** The largest clock we have announced to it. */
  clock_announced: number;
  /** When the peer last confirmed something new, or we last went back to resend. */
  progress_ms: number;
  /** How many of the peer's events we have applied. */
  received: number;
  /** The peer's largest clock whose preceding events we all hold. */
  clock: number;
  /** The peer asked us to acknowledge something. */
  owe_ack: boolean;
}

/** Registers the kafka handlers and the replication loop on `node`. */
export function kafka(node: Node, options: Partial<KafkaOptions> = {}): Node {
  const opts: KafkaOptions = { ...DEFAULT_KAFKA_OPTIONS, ...options };
  const env = node.env;
  const logs = new Map<string, KeyLog>();
  const committed = new Map<string, number>();
  const peers = new Map<string, PeerState>();
  let node_count = 1;
  let node_index = 0;
  let clock = 0;

  // Our outgoing stream: events[i] sits at position stream_base + i; clocks[i] is our clock
  // right after events[i], i.e. the promise that holds once a peer has applied it.
  let stream_base = 0;
  let events: StreamEvent[] = [];
  let clocks: number[] = [];
  const streamEnd = () => stream_base + events.length;

  function exposureBound(): number {
    let min_clock = clock;
    for (const peer of peers.values()) min_clock = Math.min(min_clock, peer.clock);
    return min_clock * node_count;
  }

  function insert(key: string, offset: number, msg: unknown): void {
    let log = logs.get(key);
    if (!log) logs.set(key, log = { offsets: [], msgs: [] });
    const at = lowerBound(log.offsets, offset);
    if (log.offsets[at] === offset) return; // Already applied.
    log.offsets.splice(at, 0, offset);
    log.msgs.splice(at, 0, msg);
  }

  function commitOffset(key: string, offset: number): void {
    if (offset > (committed.get(key) ?? -Infinity)) committed.set(key, offset);
  }

  function publish(event: StreamEvent): void {
    if (peers.size === 0) return;
    events.push(event);
    clocks.push(clock);
  }

  function apply(event: StreamEvent): void {
    if ("o" in event) insert(event.k, event.o, event.m);
    else commitOffset(event.k, event.c);
  }

  /** Drops the stream prefix every peer has applied, in chunks to keep trimming cheap. */
  function trimStream(): void {
    let min_acked = streamEnd();
    for (const peer of peers.values()) min_acked = Math.min(min_acked, peer.acked);
    const drop = min_acked - stream_base;
    if (drop <= 0 || (drop < 1024 && drop < events.length)) return;
    events = events.slice(drop);
    clocks = clocks.slice(drop);
    stream_base = min_acked;
  }

  function ship(): void {
    const now_ms = env.now_ms();
    for (const [id, peer] of peers) {
      const unconfirmed = peer.acked < streamEnd() || peer.clock_acked < clock;
      const overdue = unconfirmed && now_ms - peer.progress_ms >= opts.resend_ms;
      if (overdue) {
        peer.sent = peer.acked; // Go back: something was lost (a partition) or is slow.
        peer.progress_ms = now_ms;
      }
      const news = peer.sent < streamEnd() || clock > peer.clock_announced;
      if (!news && !overdue && !peer.owe_ack) continue;
      const from = Math.max(peer.sent, stream_base);
      const batch = events.slice(from - stream_base, from - stream_base + opts.max_batch_events);
      const end = from + batch.length;
      // A cut batch may only promise the clock as of its last event.
      const batch_clock = end < streamEnd() ? clocks[end - 1 - stream_base] : clock;
      node.send(id, {
        type: "repl",
        from,
        events: batch,
        clock: batch_clock,
        ack: peer.received,
        clock_ack: peer.clock,
        want_ack: batch.length > 0 || batch_clock > peer.clock_acked,
      });
      peer.sent = end;
      peer.clock_announced = Math.max(peer.clock_announced, batch_clock);
      peer.owe_ack = false;
    }
    trimStream();
  }

  node.on("init", () => {
    node_count = node.nodeIds.length;
    node_index = node.nodeIds.indexOf(node.id);
    // Offsets are sliced by position in node_ids; without one, offsets could collide.
    if (node_index < 0) throw new Error(`node id ${node.id} is not in node_ids ${node.nodeIds}`);
    for (const id of node.peers()) {
      peers.set(id, {
        acked: 0,
        sent: 0,
        clock_acked: 0,
        clock_announced: 0,
        progress_ms: 0,
        received: 0,
        clock: 0,
        owe_ack: false,
      });
    }
    const tick = () => {
      ship();
      env.setTimer(tick, opts.tick_ms);
    };
    if (peers.size > 0) env.setTimer(tick, opts.tick_ms);
  });

  node.on("repl", (req) => {
    const peer = peers.get(req.src);
    if (!peer) return;
    const { from, events: batch, clock: peer_clock, ack, clock_ack, want_ack } = req.body;
    if (!Number.isSafeInteger(from) || !Array.isArray(batch) || !Number.isSafeInteger(peer_clock)) {
      node.log(`ignoring malformed repl from ${req.src}`);
      return;
    }
    if (ack > peer.acked || clock_ack > peer.clock_acked) peer.progress_ms = env.now_ms();
    peer.acked = Math.max(peer.acked, Number(ack) || 0);
    peer.clock_acked = Math.max(peer.clock_acked, Number(clock_ack) || 0);
    if (from <= peer.received) {
      // In order (or a resend): apply what is new; we now hold everything its clock covers.
      for (let i = peer.received - from; i < batch.length; i++) apply(batch[i]);
      peer.received = Math.max(peer.received, from + batch.length);
      peer.clock = Math.max(peer.clock, peer_clock);
    }
    clock = Math.max(clock, peer_clock); // Lamport: keep up, so the peer's offsets get exposed.
    if (want_ack) peer.owe_ack = true;
  });

  node.on("send", (req) => {
    const { key, msg } = req.body;
    requireKey(key);
    if (msg === undefined) throw RPCError.malformedRequest("send needs a msg");
    const offset = clock * node_count + node_index;
    clock++;
    insert(key, offset, msg);
    publish({ k: key, o: offset, m: msg });
    node.reply(req, { type: "send_ok", offset });
  });

  node.on("poll", (req) => {
    const offsets = requireOffsets(req.body.offsets);
    const bound = exposureBound();
    const msgs = new Map<string, [number, unknown][]>();
    for (const [key, start] of Object.entries(offsets)) {
      const log = logs.get(key);
      if (!log) continue;
      const pairs: [number, unknown][] = [];
      for (let i = lowerBound(log.offsets, start); i < log.offsets.length; i++) {
        if (log.offsets[i] >= bound || pairs.length >= opts.max_poll_msgs_per_key) break;
        pairs.push([log.offsets[i], log.msgs[i]]);
      }
      if (pairs.length > 0) msgs.set(key, pairs);
    }
    node.reply(req, { type: "poll_ok", msgs: Object.fromEntries(msgs) });
  });

  node.on("commit_offsets", (req) => {
    for (const [key, offset] of Object.entries(requireOffsets(req.body.offsets))) {
      commitOffset(key, offset);
      publish({ k: key, c: offset });
    }
    node.reply(req, { type: "commit_offsets_ok" });
  });

  node.on("list_committed_offsets", (req: Message) => {
    const keys = req.body.keys;
    if (!Array.isArray(keys)) throw RPCError.malformedRequest(`keys must be a list, got ${keys}`);
    const offsets = new Map<string, number>();
    for (const key of keys) {
      const offset = committed.get(String(key));
      if (offset !== undefined) offsets.set(String(key), offset);
    }
    node.reply(req, { type: "list_committed_offsets_ok", offsets: Object.fromEntries(offsets) });
  });

  return node;
}

function requireKey(key: unknown): asserts key is string {
  if (typeof key !== "string") {
    throw RPCError.malformedRequest(`key must be a string, got ${JSON.stringify(key)}`);
  }
}

function requireOffsets(offsets: unknown): Record<string, number> {
  if (typeof offsets !== "object" || offsets === null || Array.isArray(offsets)) {
    throw RPCError.malformedRequest(`offsets must be an object, got ${JSON.stringify(offsets)}`);
  }
  for (const [key, offset] of Object.entries(offsets)) {
    if (!Number.isSafeInteger(offset)) {
      throw RPCError.malformedRequest(`offset of key ${key} must be an integer, got ${offset}`);
    }
  }
  return offsets as Record<string, number>;
}

/** The first index in sorted `values` whose value is ≥ `target`. */
function lowerBound(values: number[], target: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid] < target) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Parses the binary's arguments into options; throws with a one-line message on bad input. */
export function parseKafkaArgs(args: string[]): Partial<KafkaOptions> {
  return parseDurationArgs(args, { "tick-ms": "tick_ms", "resend-ms": "resend_ms" });
}

/** Builds the node from its arguments (the simulator calls this too). */
export function setup(node: Node, args: string[]): void {
  kafka(node, parseKafkaArgs(args));
}

if (import.meta.main) await runNode(setup);
