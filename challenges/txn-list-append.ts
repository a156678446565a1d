/**
 * Maelstrom guide, "Datomic" chapters 1–4: a strict-serializable transactor
 * for the `txn-list-append` workload.
 *
 * Clients send transactions of reads and appends on lists,
 * `[["r", 1, null], ["append", 1, 6]]`. As in the guide, nodes keep no state of
 * their own that matters: the database lives in Maelstrom's services, and one
 * root pointer in `lin-kv`, swung by compare-and-set, decides the order of all
 * transactions. Every committed version is immutable, so nodes may cache
 * whatever they have seen, forever.
 *
 * ## The data
 * The root (lin-kv key "root") is `[version, checkpoint, log]`:
 * - `version` counts commits;
 * - `log` holds the changes of the latest commits, `[version, [[key, appended
 *   elements], …]]` each, so a node that is a few commits behind catches up from
 *   the root alone;
 * - `checkpoint` is `[segment_id, upto_version]` or null: older changes, moved out
 *   of the root in immutable segments (`[previous_segment_id, from_version,
 *   upto_version, entries]`) stored in `lww-kv`, the guide's "thunks". A
 *   segment is written before any root refers to it and never changes; its id
 *   is `<node>-<boot tag>-<counter>`, unique across restarts, so a restarted
 *   node cannot overwrite one.
 * Each node materialises the lists of the version it has cached.
 *
 * ## A commit (the guide's transactor, plus group commit)
 * Requests queue up; one commit loop takes every queued transaction (at most
 * `MAX_BATCH`), runs them one after another against the cached version, and
 * swings the root from the cached value to the new one with a single `cas`.
 * If the cas succeeds, the cached version was still the latest when the root
 * moved, so every transaction of the batch ran against the database state at
 * that instant: they are serialised there, in batch order, and that instant
 * lies between each transaction's request and its reply — strict
 * serialisability. If the cas fails (another node committed), the loop reads the
 * root, catches up, and runs the batch again; the retries are bounded and
 * spaced by random back-off so two nodes cannot livelock, and a batch that
 * keeps losing is refused with error 30 (txn-conflict: it certainly did not
 * happen). A cas whose reply never comes is answered with error 13 (maybe
 * committed): the next commit finds out from the root.
 * A batch of only reads needs no cas: one `read` of the root proves which
 * version is the latest at a moment after every request in the batch arrived.
 *
 * ## Going further than the guide, where it pays
 * - Never read what you wrote: after a commit the node already knows the new
 *   root, so the next commit needs no read — unless another node moved it.
 * - Tell the peers: a committer sends its new root to the other nodes (one
 *   message each, no reply), so their next cas usually starts from the latest
 *   version instead of failing first. A lost or late notice costs only a
 *   failed cas.
 * - Changes ride in the root until there are `MAX_LOG` of them, so only one
 *   commit in `MAX_LOG` writes a segment to lww-kv: most transactions cost one
 *   lin-kv round trip and one notice per peer.
 * - lww-kv is only eventually consistent (in Maelstrom, a value may be missing
 *   from the replica a read reaches), so segment reads retry with bounded
 *   back-off; a segment that stays missing fails the batch with error 11.
 *
 * @module
 */

import { KV, Node, parseNoArgs, RPCError, runNode } from "../lib/maelstrom.ts";

/** A micro-op: ["r", key, list | null] or ["append", key, element]. */
export type MicroOp = [string, unknown, unknown];

type Changes = [unknown, unknown[]][];
type LogEntry = [number, Changes];
type Checkpoint = [string, number] | null;
/** The root value: [version, checkpoint, log]. */
export type Root = [number, Checkpoint, LogEntry[]];
type Segment = [string | null, number, number, LogEntry[]];

const ROOT_KEY = "root";
const INITIAL_ROOT: Root = [0, null, []];
/** Changes kept inside the root before they move to a segment. */
export const MAX_LOG = 32;
/** Transactions committed together at most. */
const MAX_BATCH = 64;
/** Queued transactions at most; more are refused with error 11. */
const MAX_QUEUE = 1000;
/** cas attempts per batch before giving up with txn-conflict. */
const MAX_COMMIT_ATTEMPTS = 20;
/** lww-kv reads of one segment before giving up. */
const MAX_SEGMENT_READS = 30;

interface Pending {
  txn: MicroOp[];
  reply: (body: { type: string; [field: string]: unknown }) => void;
}

/** Registers the transactor on `node`. */
export function txnListAppend(node: Node): Node {
  const lin = new KV(node, "lin-kv");
  const lww = new KV(node, "lww-kv");
  const state = new Map<unknown, unknown[]>();
  let root: Root = INITIAL_ROOT;
  let pushed: Root | undefined;
  let queue: Pending[] = [];
  let committing = false;
  let segment_seq = 0;
  // Segment ids must never repeat, also across a crash and restart (a new incarnation counts
  // from 0 again, and overwriting an immutable segment corrupts every root that refers to it).
  const boot = Math.floor(node.env.random() * 2 ** 52).toString(36);

  node.on("txn", (req) => {
    const txn = req.body.txn;
    if (!isTxn(txn)) throw RPCError.malformedRequest(`txn must be [[f, k, v], …]`);
    if (queue.length >= MAX_QUEUE) throw RPCError.temporarilyUnavailable("too many queued txns");
    queue.push({ txn, reply: (body) => node.reply(req, body) });
    pump();
  });

  node.on("root", (msg) => {
    const candidate = msg.body.root as Root;
    if (candidate[0] > (pushed?.[0] ?? root[0])) pushed = candidate;
  });

  async function pump(): Promise<void> {
    if (committing) return;
    committing = true;
    try {
      while (queue.length > 0) {
        const batch = queue.slice(0, MAX_BATCH);
        queue = queue.slice(MAX_BATCH);
        await commit(batch);
      }
    } finally {
      committing = false;
    }
  }

  async function commit(batch: Pending[]): Promise<void> {
    try {
      if (batch.every((p) => isReadOnly(p.txn))) {
        await catchUp(await readRoot());
        const { results } = execute(batch);
        batch.forEach((p, i) => p.reply({ type: "txn_ok", txn: results[i] }));
        return;
      }
      await commitWrites(batch);
    } catch (e) {
      const error = e instanceof RPCError ? e : RPCError.crash(String(e));
      for (const p of batch) p.reply(error.toBody());
    }
  }

  async function commitWrites(batch: Pending[]): Promise<void> {
    for (let attempt = 0; attempt < MAX_COMMIT_ATTEMPTS; attempt++) {
      adoptPushed();
      const { results, changes } = execute(batch);
      const next = await nextRoot(changes);
      if (await swing(next)) {
        applyChanges(changes);
        root = next;
        batch.forEach((p, i) => p.reply({ type: "txn_ok", txn: results[i] }));
        for (const peer of node.peers()) node.send(peer, { type: "root", root });
        return;
      }
      await catchUp(await readRoot());
      await sleep(node.env.random() * 2 ** Math.min(attempt, 6));
    }
    throw RPCError.txnConflict(`lost the root to other committers ${MAX_COMMIT_ATTEMPTS} times`);
  }

  /** cas the root from the cached value to `next`: true if it moved, false if someone else's did. */
  async function swing(next: Root): Promise<boolean> {
    try {
      await lin.cas(ROOT_KEY, root, next, { create_if_not_exists: root[0] === 0 });
      return true;
    } catch (e) {
      if (!(e instanceof RPCError)) throw e;
      if (e.code === 20 || e.code === 22) return false;
      // A timeout or crash: the root may or may not have moved, so neither answer is safe.
      throw RPCError.crash(`commit outcome unknown: ${e.message}`);
    }
  }

  /** The root after committing `changes`, moving the log to a segment when it is full. */
  async function nextRoot(changes: Changes): Promise<Root> {
    const [version, checkpoint, log] = root;
    const entry: LogEntry = [version + 1, changes];
    if (log.length < MAX_LOG) return [version + 1, checkpoint, [...log, entry]];
    const id = `${node.id}-${boot}-${++segment_seq}`;
    const segment: Segment = [checkpoint?.[0] ?? null, log[0][0], version, log];
    await lww.write(id, segment);
    return [version + 1, [id, version], [entry]];
  }

  async function readRoot(): Promise<Root> {
    return await lin.readOr<Root>(ROOT_KEY, INITIAL_ROOT);
  }

  /** Brings the cached state up to `latest`, from its log and, if needed, from segments. */
  async function catchUp(latest: Root): Promise<void> {
    if (latest[0] <= root[0]) return;
    const entries: LogEntry[] = [];
    let checkpoint = latest[1];
    while (checkpoint && checkpoint[1] > root[0]) {
      const segment = await readSegment(checkpoint[0]);
      entries.unshift(...segment[3]);
      checkpoint = segment[0] === null ? null : [segment[0], segment[1] - 1];
    }
    entries.push(...latest[2]);
    for (const [version, changes] of entries) if (version > root[0]) applyChanges(changes);
    root = latest;
  }

  /** Takes a root another node announced, when its log reaches back to the cached version. */
  function adoptPushed(): void {
    if (!pushed || pushed[0] <= root[0]) return;
    const log = pushed[2];
    if (log.length === 0 || log[0][0] > root[0] + 1) return;
    for (const [version, changes] of log) if (version > root[0]) applyChanges(changes);
    root = pushed;
  }

  async function readSegment(id: string): Promise<Segment> {
    let delay_ms = 5;
    for (let attempt = 0; attempt < MAX_SEGMENT_READS; attempt++) {
      try {
        return await lww.read<Segment>(id);
      } catch (e) {
        if (!(e instanceof RPCError) || e.code !== 20) throw e;
      }
      // Not in the replica this read reached (yet): ask again, a little later each time.
      await sleep(delay_ms);
      delay_ms = Math.min(delay_ms * 2, 200);
    }
    throw RPCError.temporarilyUnavailable(`segment ${id} missing after ${MAX_SEGMENT_READS} reads`);
  }

  function applyChanges(changes: Changes): void {
    for (const [key, elements] of changes) state.set(key, [...(state.get(key) ?? []), ...elements]);
  }

  /** Runs the batch in order against the cached state; returns replies and the net appends. */
  function execute(batch: Pending[]): { results: MicroOp[][]; changes: Changes } {
    const overlay = new Map<unknown, unknown[]>();
    const appended = new Map<unknown, unknown[]>();
    const view = (key: unknown) => overlay.get(key) ?? state.get(key);
    const results = batch.map(({ txn }) =>
      txn.map(([f, key, value]): MicroOp => {
        if (f === "r") {
          const list = view(key);
          return ["r", key, list ? [...list] : null];
        }
        overlay.set(key, [...(view(key) ?? []), value]);
        appended.set(key, [...(appended.get(key) ?? []), value]);
        return ["append", key, value];
      })
    );
    return { results, changes: [...appended] };
  }

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => node.env.setTimer(resolve, ms));
  }

  return node;
}

function isReadOnly(txn: MicroOp[]): boolean {
  return txn.every(([f]) => f === "r");
}

function isTxn(value: unknown): value is MicroOp[] {
  return Array.isArray(value) &&
    value.every((op) =>
      Array.isArray(op) && op.length === 3 && (op[0] === "r" || op[0] === "append")
    );
}

/** Builds the node (the simulator calls this too); it takes no arguments. */
export function setup(node: Node, args: string[]): void {
  parseNoArgs(args);
  txnListAppend(node);
}

if (import.meta.main) await runNode(setup);
