/**
 * Challenge 6a–6c: totally-available transactions (Fly.io "Gossip Glomers" #6).
 *
 * Clients send transactions of reads and writes on integer registers,
 * `[["r", 1, null], ["w", 1, 6]]`. Every node answers every transaction from its
 * own replica, at once, partition or not (total availability), and replicates
 * the writes to its peers in the background.
 *
 * ## How a transaction runs
 * A node is single-threaded, so a transaction runs start to finish without
 * interleaving: reads see the replica plus the transaction's own earlier writes,
 * and nobody can see a write until the transaction is over. It gets a timestamp
 * `ts` from a Lamport clock (counter, then node index as tie-break), bumped past
 * every timestamp the node has seen, so `ts` is greater than the timestamp of
 * every write the transaction read. Then each key's final write of the
 * transaction is stored as `(value, ts)`.
 *
 * ## How writes replicate, and how replicas agree on an order
 * Each node remembers, per key, the last write it originated (`outbox`), tagged
 * with a local sequence number. Every `replicate_interval_ms` it sends each peer
 * the writes that peer has not acknowledged — one message, bounded in size,
 * never splitting a transaction — and the peer answers with the sequence number
 * it has applied. Unacknowledged writes are simply resent on the next tick, so
 * a partition only delays replication; after it heals, every replica receives
 * every write. A replica applies a write only if its `ts` is greater than the
 * key's current `ts` (last writer wins). So every replica converges to the
 * same value per key — the write with the greatest timestamp — and all of them
 * order concurrent writes the same way: by timestamp. Memory is bounded by the
 * number of keys, not the number of transactions: the outbox keeps one entry per
 * key, and a newer write replaces an older unsent one.
 *
 * ## Why each anomaly cannot happen
 * - G0 (write cycle): the version order of every key is timestamp order, the
 *   same on every replica, and all writes of one transaction share one
 *   timestamp; a cycle of write-write edges would need timestamps that increase
 *   all the way round.
 * - G1a (aborted read): nothing ever aborts.
 * - G1b (intermediate read): only a transaction's final write per key is stored
 *   or replicated.
 * - G1c (circular information flow): a transaction's timestamp exceeds that of
 *   every write it read (wr edges go up in timestamp) and later versions have
 *   greater timestamps (ww edges go up), so a cycle of wr/ww edges is
 *   impossible.
 * So the design is read committed (6c). It gives more, and the tests check it:
 * - internal consistency: a transaction reads its own earlier writes;
 * - read atomic (no fractured reads): a peer applies all writes of one
 *   transaction in one message handler, so a reader sees all of them or none
 *   (or newer ones);
 * - on one node, transactions are serial (no G-single among them).
 * What it cannot give under partitions with total availability is
 * serializability: two partitioned nodes can each read a key's old value and
 * write another key (write skew, G2).
 *
 * @module
 */

import { type Message, Node, parseDurationArgs, RPCError, runNode } from "../lib/maelstrom.ts";

/** A micro-op: ["r", key, value | null] or ["w", key, value]. */
export type MicroOp = [string, unknown, unknown];

/** A stored or replicated write: value and Lamport timestamp. */
interface Version {
  value: unknown;
  ts: number;
}

/** An originated write waiting to reach peers. */
interface OutboxEntry extends Version {
  key: unknown;
  seq: number;
}

/** Tunables, set from the binary's arguments. */
export interface TxnOptions {
  /** How often unacknowledged writes are sent to each peer. */
  replicate_interval_ms: number;
  /** Upper bound on writes in one replication message. */
  max_writes_per_message: number;
}

export const DEFAULT_OPTIONS: TxnOptions = {
  replicate_interval_ms: 100,
  max_writes_per_message: 1000,
};

// Node index occupies the low bits of a timestamp, so timestamps from different nodes never tie.
const NODE_BITS = 1024;

/** Registers the transaction and replication handlers on `node`. */
export function txnRwRegister(node: Node, options: TxnOptions = DEFAULT_OPTIONS): Node {
  const store = new Map<unknown, Version>();
  const outbox = new Map<unknown, OutboxEntry>();
  const acked_seq = new Map<string, number>();
  let counter = 0;
  let seq = 0;

  function nextTimestamp(): number {
    counter++;
    return counter * NODE_BITS + node.nodeIds.indexOf(node.id);
  }

  function observe(ts: number): void {
    counter = Math.max(counter, Math.floor(ts / NODE_BITS));
  }

  function apply(key: unknown, version: Version): void {
    const current = store.get(key);
    if (current && current.ts >= version.ts) return;
    store.set(key, version);
    observe(version.ts);
  }

  function execute(txn: MicroOp[]): MicroOp[] {
    const writes = new Map<unknown, unknown>();
    const result: MicroOp[] = txn.map(([f, key, value]) => {
      if (f === "r") {
        const own = writes.has(key);
        return ["r", key, own ? writes.get(key) : store.get(key)?.value ?? null];
      }
      writes.set(key, value);
      return ["w", key, value];
    });
    if (writes.size === 0) return result;
    const ts = nextTimestamp();
    seq++;
    for (const [key, value] of writes) {
      store.set(key, { value, ts });
      // Re-insert so the outbox stays in sequence order.
      outbox.delete(key);
      outbox.set(key, { key, value, ts, seq });
    }
    return result;
  }

  function replicateTo(peer: string): void {
    const from_seq = acked_seq.get(peer) ?? 0;
    if (from_seq >= seq) return;
    const writes: [unknown, unknown, number][] = [];
    let upto_seq = from_seq;
    for (const entry of outbox.values()) {
      if (entry.seq <= from_seq) continue;
      // Never split one transaction's writes across messages: stop only at a sequence boundary.
      if (writes.length >= options.max_writes_per_message && entry.seq !== upto_seq) break;
      writes.push([entry.key, entry.value, entry.ts]);
      upto_seq = entry.seq;
    }
    node.send(peer, { type: "replicate", upto_seq, writes });
  }

  function tick(): void {
    for (const peer of node.peers()) replicateTo(peer);
    node.env.setTimer(tick, options.replicate_interval_ms);
  }

  node.on("init", () => {
    if (node.peers().length > 0) node.env.setTimer(tick, options.replicate_interval_ms);
  });

  node.on("txn", (req) => {
    const txn = req.body.txn;
    if (!isTxn(txn)) throw RPCError.malformedRequest(`txn must be [[f, k, v], …]: ${str(txn)}`);
    node.reply(req, { type: "txn_ok", txn: execute(txn) });
  });

  node.on("replicate", (msg: Message) => {
    for (const [key, value, ts] of msg.body.writes as [unknown, unknown, number][]) {
      apply(key, { value, ts });
    }
    node.send(msg.src, { type: "replicate_ack", upto_seq: msg.body.upto_seq });
  });

  node.on("replicate_ack", (msg: Message) => {
    const upto_seq = msg.body.upto_seq as number;
    if (upto_seq > (acked_seq.get(msg.src) ?? 0)) acked_seq.set(msg.src, upto_seq);
    trimOutbox();
  });

  // Once every peer has a write, the outbox need not keep it.
  function trimOutbox(): void {
    const peers = node.peers();
    const everyone_has = Math.min(...peers.map((p) => acked_seq.get(p) ?? 0));
    for (const [key, entry] of outbox) {
      if (entry.seq > everyone_has) break;
      outbox.delete(key);
    }
  }

  return node;
}

function isTxn(value: unknown): value is MicroOp[] {
  return Array.isArray(value) &&
    value.every((op) => Array.isArray(op) && op.length === 3 && (op[0] === "r" || op[0] === "w"));
}

function str(value: unknown): string {
  return JSON.stringify(value)?.slice(0, 200) ?? String(value);
}

/** Parses the binary's arguments: `--replicate-interval-ms N`. */
export function parseOptions(args: string[]): TxnOptions {
  const parsed = parseDurationArgs(args, { "replicate-interval-ms": "replicate_interval_ms" });
  return { ...DEFAULT_OPTIONS, ...parsed };
}

/** Builds the node from its arguments (the simulator calls this too). */
export function setup(node: Node, args: string[]): void {
  txnRwRegister(node, parseOptions(args));
}

if (import.meta.main) await runNode(setup);
