/**
 * Maelstrom guide, chapter 6 "Raft" (parts 1–4): a linearizable key-value store.
 *
 * Clients `read`, `write` and `cas` keys on any node. The nodes agree on one
 * log of operations with Raft and apply it, in order, to a key-value state
 * machine. The file follows the guide's chapters:
 *
 * 1. **The key-value machine** (`KeyValueMachine`): read, write and cas on
 *    keys, answering error 20 (key does not exist) and 22 (precondition failed).
 * 2. **Leader election**: a follower that hears no leader for a randomised
 *    election timeout first asks for *pre-votes* (would you vote for me?),
 *    and only with a majority of them starts a real election in a new term.
 *    A node that heard a leader recently refuses both (leader stickiness), so
 *    a node returning from a partition cannot depose a healthy leader; a
 *    leader that has not heard a majority for an election timeout steps down
 *    (check-quorum), so a leader cut off in a minority stops accepting work.
 * 3. **Log replication**: the leader sends `append_entries` to each follower,
 *    one batch in flight per follower, the next batch as soon as the previous
 *    one is acknowledged (no fixed-interval wait on the commit path). The
 *    follower checks that its log matches at `prev_log_index`; when it does
 *    not, it answers with the conflicting term and its first index, so the
 *    leader skips back a whole term at a time instead of one entry.
 * 4. **Commitment**: the leader commits the highest index stored on a
 *    majority, but only if that entry is from its own term (Raft §5.4.2);
 *    a new leader therefore appends a no-op at once. Every node applies
 *    committed entries in log order. The leader that appended a client's
 *    entry answers that client when it applies it, so no node ever
 *    acknowledges an operation that is not committed.
 *
 * Requests reaching a follower are forwarded to the leader (one-way; the
 * leader answers the client directly). While the leader has not been heard
 * for two heartbeats (or, at the leader, a majority has not), requests wait in
 * a bounded queue instead of vanishing into a partition; they are refused with
 * the definite error 11 only when no reachable leader appears in time, which
 * is safe because the operation was then never appended. A forwarded write
 * whose fate is unknown is never answered with an error: its client times
 * out, and Maelstrom records it as indeterminate.
 *
 * **Reads** do not go through the log: the leader uses a *read index*. On a
 * read it notes `read_index` = its commit index (at least the index of its own
 * term's no-op), waits until a majority has acknowledged an `append_entries`
 * sent after the read arrived, then answers from its state machine once it
 * has applied `read_index`. This is safe without any clock assumption: a
 * majority acknowledging our term after the read arrived means no other leader
 * had been elected by then (it would have needed a majority in a higher term,
 * and the two majorities intersect), so every write acknowledged before the
 * read began is at or below `read_index`.
 *
 * **Routing around one-way cuts.** Maelstrom's `majorities-ring` partition
 * makes links one-way (with 3 nodes: a hears c, b hears a, c hears b), so no
 * two nodes can talk directly both ways and plain Raft stalls. Every message
 * carries the list of nodes its sender heard from directly in the last
 * moments; a node sends directly to a peer that lists it, and otherwise also
 * through every other peer (one relay hop). Receivers drop duplicates by
 * sequence number. When the network is whole the relay costs nothing.
 *
 * **Bounded memory.** Each node snapshots its state machine every
 * `COMPACT_EVERY_ENTRIES` applied entries and drops that log prefix; a
 * follower too far behind receives the snapshot (`install_snapshot`).
 * Queues of waiting reads and requests are bounded and time out.
 *
 * The state is in memory only: Maelstrom's partition nemesis never restarts a
 * node.
 *
 * @module
 */

import { type Body, Node, parseFlags, RPCError, runNode } from "../lib/maelstrom.ts";

// ─── Tunables ───────────────────────────────────────────────────────────────

/** Timing knobs; the defaults suit Maelstrom's zero-latency network. */
export interface RaftOptions {
  /** The leader sends at least one `append_entries` per follower this often. */
  heartbeat_ms: number;
  /** Election timeouts are drawn uniformly from [this, 2 × this). */
  election_timeout_ms: number;
  /** Route through other nodes around one-way cuts (see the header). */
  relay: boolean;
}

/** The default timing: fail over well within a client's 1 s timeout. */
export const DEFAULT_OPTIONS: RaftOptions = {
  heartbeat_ms: 40,
  election_timeout_ms: 200,
  relay: true,
};

/** How often the node checks its deadlines. */
const TICK_MS = 10;
/** Most entries in one `append_entries` message. */
const MAX_ENTRIES_PER_APPEND = 500;
/** Snapshot and drop the log prefix after this many applied entries. */
const COMPACT_EVERY_ENTRIES = 1000;
/** Refuse new writes while this many entries wait to commit. */
const MAX_UNCOMMITTED_ENTRIES = 5000;
/** Most reads waiting for confirmation or application at a leader. */
const MAX_PENDING_READS = 2000;
/** Most requests queued at a node while no leader is known. */
const MAX_QUEUED_REQUESTS = 2000;
/** A read or queued request older than this is dropped: its client (1 s) gave up. */
const REQUEST_DEADLINE_MS = 1000;
/** How long a request may wait for a reachable leader before error 11 (clients wait 1 s). */
const LEADER_WAIT_MS = 800;
/** A request is forwarded at most this many times (leader changes race). */
const MAX_FORWARD_HOPS = 2;
/** How many recent sequence numbers per sender are remembered to drop duplicates. */
const DEDUP_WINDOW = 4096;

// ─── Chapter 1: the key-value state machine ─────────────────────────────────

/** An operation in the log. Reads never enter the log (see the read index). */
export type KvOp =
  | { f: "write"; key: unknown; value: unknown }
  | { f: "cas"; key: unknown; from: unknown; to: unknown }
  | { f: "noop" };

/** The replicated state machine: a map from keys to values. */
export class KeyValueMachine {
  private readonly values = new Map<string, unknown>();

  /** The value at `key`, or error 20. */
  read(key: unknown): Body {
    const id = canonicalJson(key);
    if (!this.values.has(id)) throw RPCError.keyDoesNotExist(`key ${id} does not exist`);
    return { type: "read_ok", value: this.values.get(id) };
  }

  /** Applies `op`; returns the reply body, or throws the definite RPCError it earned. */
  apply(op: KvOp): Body {
    switch (op.f) {
      case "noop":
        return { type: "noop_ok" };
      case "write":
        this.values.set(canonicalJson(op.key), op.value);
        return { type: "write_ok" };
      case "cas": {
        const id = canonicalJson(op.key);
        if (!this.values.has(id)) throw RPCError.keyDoesNotExist(`key ${id} does not exist`);
        const current = this.values.get(id);
        if (canonicalJson(current) !== canonicalJson(op.from)) {
          throw RPCError.preconditionFailed(
            `expected ${canonicalJson(op.from)}, had ${canonicalJson(current)}`,
          );
        }
        this.values.set(id, op.to);
        return { type: "cas_ok" };
      }
    }
  }

  /** The whole state, for a snapshot. */
  snapshot(): [string, unknown][] {
    return [...this.values.entries()];
  }

  /** Replaces the whole state with a snapshot. */
  restore(pairs: [string, unknown][]): void {
    this.values.clear();
    for (const [id, value] of pairs) this.values.set(id, value);
  }
}

/** JSON with object keys sorted, so equal values have equal text. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v) => {
    if (v === null || typeof v !== "object" || Array.isArray(v)) return v;
    return Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }) ?? "null";
}

/** Turns a client request body into a log operation, or throws error 12. */
function parseClientOp(body: Body): KvOp {
  if (!("key" in body)) throw RPCError.malformedRequest(`${body.type} needs a "key"`);
  if (body.type === "write") {
    if (!("value" in body)) throw RPCError.malformedRequest(`write needs a "value"`);
    return { f: "write", key: body.key, value: body.value };
  }
  if (!("from" in body) || !("to" in body)) {
    throw RPCError.malformedRequest(`cas needs "from" and "to"`);
  }
  return { f: "cas", key: body.key, from: body.from, to: body.to };
}

// ─── The log, with a compacted prefix ───────────────────────────────────────

/** Who answers the client once an entry is applied: the leader that appended it. */
interface ReplyTo {
  by: string;
  client: string;
  msg_id: number;
}

/** A log entry. Indexes start at 1; index 0 is the empty log. */
export interface Entry {
  term: number;
  op: KvOp;
  reply?: ReplyTo;
}

/** A state-machine snapshot covering the log up to `index`. */
interface Snapshot {
  index: number;
  term: number;
  data: [string, unknown][];
}

/** The Raft log: a snapshot of the prefix, then the entries after it. */
export class RaftLog {
  snapshot: Snapshot = { index: 0, term: 0, data: [] };
  private entries: Entry[] = [];

  /** Index of the last entry (or of the snapshot when no entry follows it). */
  lastIndex(): number {
    return this.snapshot.index + this.entries.length;
  }

  /** Term of the last entry. */
  lastTerm(): number {
    return this.entries.at(-1)?.term ?? this.snapshot.term;
  }

  /** Term of the entry at `index`, or undefined when it is compacted away or absent. */
  termAt(index: number): number | undefined {
    if (index === this.snapshot.index) return this.snapshot.term;
    return this.entries[index - this.snapshot.index - 1]?.term;
  }

  /** The entry at `index` (which must be after the snapshot and present). */
  at(index: number): Entry {
    const entry = this.entries[index - this.snapshot.index - 1];
    if (entry === undefined) throw new Error(`no log entry at index ${index}`);
    return entry;
  }

  /** Appends entries at the end. */
  append(...entries: Entry[]): void {
    this.entries.push(...entries);
  }

  /** Removes the entries at `index` and after (never compacted ones). */
  truncateFrom(index: number): void {
    this.entries.length = Math.max(0, index - this.snapshot.index - 1);
  }

  /** Up to `max_count` entries starting at `from`. */
  slice(from: number, max_count: number): Entry[] {
    const start = from - this.snapshot.index - 1;
    return this.entries.slice(start, start + max_count);
  }

  /** First index holding `term` in the run of entries ending at `index`. */
  firstIndexOfTerm(term: number, index: number): number {
    let first = index;
    while (first - 1 > this.snapshot.index && this.termAt(first - 1) === term) first--;
    return first;
  }

  /** Last index holding `term`, or 0 when the log (after the snapshot) has none. */
  lastIndexOfTerm(term: number): number {
    for (let i = this.lastIndex(); i > this.snapshot.index; i--) {
      const t = this.termAt(i)!;
      if (t === term) return i;
      if (t < term) return 0;
    }
    return 0;
  }

  /** Replaces the prefix up to `snapshot.index` by `snapshot`; keeps later entries
   * only if the log agrees with the snapshot at its last index. */
  installSnapshot(snapshot: Snapshot): void {
    const keep_suffix = this.termAt(snapshot.index) === snapshot.term;
    this.entries = keep_suffix ? this.slice(snapshot.index + 1, Infinity) : [];
    this.snapshot = snapshot;
  }
}

// ─── Routing around one-way cuts ────────────────────────────────────────────

/** Sends node-to-node messages, through other nodes when a peer cannot hear us. */
class Links {
  private next_seq = 1;
  /** When each peer was last heard from directly. */
  private readonly heard_ms = new Map<string, number>();
  /** Each peer's latest report: when it came and whether it heard us directly. */
  private readonly hears_us = new Map<string, { at_ms: number; yes: boolean }>();
  /** Recent sequence numbers per sender, to drop the copies relaying creates. */
  private readonly seen = new Map<string, Set<number>>();

  constructor(
    private readonly node: Node,
    private readonly relay: boolean,
    private readonly window_ms: number,
  ) {}

  /** Sends `body` to peer `dest`: directly, and through the others if `dest` may not hear us. */
  send(dest: string, body: Body): void {
    const stamped = { ...body, seq: this.next_seq++, heard: this.heardList() };
    this.node.send(dest, stamped);
    if (!this.relay || this.reaches(dest)) return;
    for (const via of this.node.peers()) {
      if (via === dest) continue;
      this.node.send(via, { type: "relay", to: dest, origin: this.node.id, msg: stamped });
    }
  }

  /** Records a message from `origin` (`direct` when not relayed); false for a duplicate. */
  receive(origin: string, body: Body, direct: boolean): boolean {
    const now = this.node.env.now_ms();
    if (direct) this.heard_ms.set(origin, now);
    if (typeof body.seq === "number" && this.isDuplicate(origin, body.seq)) return false;
    if (Array.isArray(body.heard)) {
      this.hears_us.set(origin, { at_ms: now, yes: body.heard.includes(this.node.id) });
    }
    return true;
  }

  /** Notes that `via` was heard directly (it relayed something to us). */
  heardDirectly(via: string): void {
    this.heard_ms.set(via, this.node.env.now_ms());
  }

  private reaches(dest: string): boolean {
    const report = this.hears_us.get(dest);
    return report !== undefined && report.yes &&
      this.node.env.now_ms() - report.at_ms <= this.window_ms;
  }

  private heardList(): string[] {
    const now = this.node.env.now_ms();
    return this.node.peers().filter((p) =>
      now - (this.heard_ms.get(p) ?? -Infinity) <= this.window_ms
    );
  }

  private isDuplicate(origin: string, seq: number): boolean {
    let seqs = this.seen.get(origin);
    if (seqs === undefined) this.seen.set(origin, seqs = new Set());
    if (seqs.has(seq)) return true;
    seqs.add(seq);
    // Sets iterate in insertion order: drop the oldest number.
    if (seqs.size > DEDUP_WINDOW) seqs.delete(seqs.values().next().value!);
    return false;
  }
}

// ─── Raft ───────────────────────────────────────────────────────────────────

/** A node's role in its current term. */
export type Role = "follower" | "candidate" | "leader";

/** What the leader knows about one follower. */
interface Progress {
  /** Next log index to send. */
  next_index: number;
  /** Highest index known to match the leader's log. */
  match_index: number;
  /** Round of the `append_entries` in flight, 0 when none. */
  inflight_round: number;
  sent_ms: number;
  /** Highest round the follower acknowledged in this term (read-index confirmation). */
  acked_round: number;
  /** When the follower last answered in this term (check-quorum). */
  acked_ms: number;
}

/** A read at the leader, waiting for leadership confirmation and application. */
interface PendingRead {
  /** A majority must acknowledge this round (sent after the read arrived). */
  round: number;
  read_index: number;
  client: string;
  msg_id: number;
  key: unknown;
  deadline_ms: number;
}

/** A client request waiting at a node for a leader to be known. */
interface QueuedRequest {
  client: string;
  body: Body;
  hops: number;
  deadline_ms: number;
}

/** A Raft node serving the lin-kv workload. */
export class RaftKv {
  // Persistent state (in memory: nodes never restart under Maelstrom's nemesis).
  term = 0;
  voted_for: string | null = null;
  readonly log = new RaftLog();

  // Volatile state.
  role: Role = "follower";
  leader: string | null = null;
  commit_index = 0;
  last_applied = 0;
  readonly machine = new KeyValueMachine();

  private pre_vote = false;
  private votes = new Set<string>();
  private election_deadline_ms = 0;
  /** When a leader of the current term was last heard from (leader stickiness). */
  private leader_contact_ms = -Infinity;

  // Leader state.
  private progress = new Map<string, Progress>();
  private round = 0;
  private term_start_index = 0;
  private pending_reads: PendingRead[] = [];

  private queued: QueuedRequest[] = [];
  private send_scheduled = false;
  private readonly links: Links;
  readonly options: RaftOptions;

  constructor(readonly node: Node, options: Partial<RaftOptions> = {}) {
    this.options = { ...DEFAULT_OPTIONS, ...options };
    this.links = new Links(node, this.options.relay, 3 * this.options.heartbeat_ms);
    node.on("init", () => this.start());
    for (const type of ["read", "write", "cas"]) {
      node.on(type, (req) => this.onClientRequest(req.src, req.body, 0));
    }
    const peer_types = [
      "request_vote",
      "request_vote_res",
      "append_entries",
      "install_snapshot",
      "append_entries_res",
      "forward",
    ];
    for (const type of peer_types) {
      node.on(type, (msg) => this.onPeerMessage(msg.src, msg.body, true));
    }
    node.on("relay", (msg) => this.onRelay(msg.src, msg.body));
  }

  private get majority(): number {
    return Math.floor(this.node.nodeIds.length / 2) + 1;
  }

  private now(): number {
    return this.node.env.now_ms();
  }

  private start(): void {
    this.resetElectionDeadline();
    const tick = () => {
      this.onTick();
      this.node.env.setTimer(tick, TICK_MS);
    };
    this.node.env.setTimer(tick, 0);
  }

  private onTick(): void {
    const now = this.now();
    if (this.role === "leader") {
      this.checkQuorum(now);
      if (this.role === "leader") this.heartbeat(now);
    } else if (now >= this.election_deadline_ms) {
      this.startPreVote();
    }
    this.expireRequests(now);
  }

  // ─── Messages between nodes ──────────────────────────────────────────────

  private onRelay(via: string, body: Body): void {
    const inner = body.msg as Body | undefined;
    if (typeof body.origin !== "string" || typeof inner?.type !== "string") return;
    this.links.heardDirectly(via);
    if (body.to === this.node.id) {
      this.onPeerMessage(body.origin, inner, false);
    } else if (typeof body.to === "string" && this.node.nodeIds.includes(body.to)) {
      // One hop only: pass it on directly, never relay a relayed message again.
      this.node.send(body.to, body);
    }
  }

  private onPeerMessage(src: string, body: Body, direct: boolean): void {
    if (!this.node.nodeIds.includes(src)) return;
    if (!this.links.receive(src, body, direct)) return;
    switch (body.type) {
      case "request_vote":
        return this.onRequestVote(src, body);
      case "request_vote_res":
        return this.onVoteResult(src, body);
      case "append_entries":
        return this.onAppendEntries(src, body);
      case "install_snapshot":
        return this.onInstallSnapshot(src, body);
      case "append_entries_res":
        return this.onAppendResult(src, body);
      case "forward":
        return this.onClientRequest(String(body.client), body.request, Number(body.hops));
    }
  }

  /** Adopts a newer term as a follower (any message from a newer term does this). */
  private becomeFollower(term: number, leader: string | null): void {
    if (term > this.term) {
      this.term = term;
      this.voted_for = null;
    }
    if (this.role === "leader") this.failPendingReads("leadership lost");
    if (this.role !== "follower" || this.leader !== leader) {
      this.node.log(`term ${this.term}: follower of ${leader ?? "nobody"}`);
    }
    this.role = "follower";
    this.pre_vote = false;
    this.leader = leader;
    this.resetElectionDeadline();
    if (leader !== null) this.drainQueue();
  }

  private resetElectionDeadline(): void {
    const timeout_ms = this.options.election_timeout_ms * (1 + this.node.env.random());
    this.election_deadline_ms = this.now() + timeout_ms;
  }

  // ─── Chapter 2: leader election ──────────────────────────────────────────

  /** Phase one: ask whether peers would vote for us, without disturbing anyone's term. */
  private startPreVote(): void {
    this.role = "candidate";
    this.pre_vote = true;
    this.leader = null;
    this.votes = new Set([this.node.id]);
    this.resetElectionDeadline();
    this.requestVotes(this.term + 1, true);
    this.countVotes();
  }

  /** Phase two: a real election in a new term. */
  private startElection(): void {
    this.term++;
    this.voted_for = this.node.id;
    this.role = "candidate";
    this.pre_vote = false;
    this.votes = new Set([this.node.id]);
    this.resetElectionDeadline();
    this.node.log(`term ${this.term}: candidate`);
    this.requestVotes(this.term, false);
    this.countVotes();
  }

  private requestVotes(term: number, pre_vote: boolean): void {
    for (const peer of this.node.peers()) {
      this.links.send(peer, {
        type: "request_vote",
        term,
        pre_vote,
        last_log_index: this.log.lastIndex(),
        last_log_term: this.log.lastTerm(),
      });
    }
  }

  /** True while a leader is (or recently was) in charge: then no vote is granted. */
  private leaderIsAlive(): boolean {
    if (this.role === "leader") return true;
    return this.leader !== null &&
      this.now() - this.leader_contact_ms < this.options.election_timeout_ms;
  }

  private candidateLogIsUpToDate(body: Body): boolean {
    const last_term = this.log.lastTerm();
    if (body.last_log_term !== last_term) return body.last_log_term > last_term;
    return body.last_log_index >= this.log.lastIndex();
  }

  private onRequestVote(src: string, body: Body): void {
    const term = Number(body.term);
    if (body.pre_vote) {
      const granted = term > this.term && !this.leaderIsAlive() &&
        this.candidateLogIsUpToDate(body);
      this.links.send(src, {
        type: "request_vote_res",
        pre_vote: true,
        term,
        voter_term: this.term,
        granted,
      });
      return;
    }
    if (term > this.term) {
      // Stickiness: a live leader's followers ignore the newcomer entirely.
      if (this.leaderIsAlive()) return;
      this.becomeFollower(term, null);
    }
    const granted = term === this.term &&
      (this.voted_for === null || this.voted_for === src) &&
      this.candidateLogIsUpToDate(body);
    if (granted) {
      this.voted_for = src;
      this.resetElectionDeadline();
    }
    this.links.send(src, { type: "request_vote_res", pre_vote: false, term: this.term, granted });
  }

  private onVoteResult(src: string, body: Body): void {
    const voter_term = Number(body.pre_vote ? body.voter_term : body.term);
    if (voter_term > this.term) return this.becomeFollower(voter_term, null);
    if (this.role !== "candidate" || !body.granted) return;
    if (Boolean(body.pre_vote) !== this.pre_vote) return;
    const expected_term = this.pre_vote ? this.term + 1 : this.term;
    if (Number(body.term) !== expected_term) return;
    this.votes.add(src);
    this.countVotes();
  }

  private countVotes(): void {
    if (this.role !== "candidate" || this.votes.size < this.majority) return;
    if (this.pre_vote) this.startElection();
    else this.becomeLeader();
  }

  private becomeLeader(): void {
    this.role = "leader";
    this.leader = this.node.id;
    this.node.log(`term ${this.term}: leader`);
    const now = this.now();
    this.progress = new Map(
      this.node.peers().map((peer) => [peer, {
        next_index: this.log.lastIndex() + 1,
        match_index: 0,
        inflight_round: 0,
        sent_ms: now,
        acked_round: 0,
        acked_ms: now,
      }]),
    );
    this.pending_reads = [];
    // Raft commits only current-term entries by counting: the no-op lets this
    // leader commit (and so learn the fate of) everything before it.
    this.log.append({ term: this.term, op: { f: "noop" } });
    this.term_start_index = this.log.lastIndex();
    this.advanceCommitIndex();
    this.scheduleSend();
    this.drainQueue();
  }

  /** Check-quorum: a leader that has not heard from a majority steps down. */
  private checkQuorum(now: number): void {
    let heard = 1;
    for (const p of this.progress.values()) {
      if (now - p.acked_ms < 2 * this.options.election_timeout_ms) heard++;
    }
    if (heard < this.majority) this.becomeFollower(this.term, null);
  }

  // ─── Chapter 3: log replication ──────────────────────────────────────────

  /** Sends to every follower that has something to receive, once per event-loop turn. */
  private scheduleSend(): void {
    if (this.send_scheduled) return;
    this.send_scheduled = true;
    queueMicrotask(() => {
      this.send_scheduled = false;
      if (this.role !== "leader") return;
      for (const [peer, p] of this.progress) if (this.needsSend(p)) this.sendAppend(peer, p);
    });
  }

  private needsSend(p: Progress): boolean {
    if (p.next_index <= this.log.lastIndex()) return true;
    return this.pending_reads.some((read) => read.round > p.acked_round);
  }

  /** Heartbeats to idle followers, and resends to followers that did not answer. */
  private heartbeat(now: number): void {
    for (const [peer, p] of this.progress) {
      if (now - p.sent_ms >= this.options.heartbeat_ms) this.sendAppend(peer, p);
    }
  }

  /** Sends the follower its next batch; a resend after silence is an empty probe, so a
   * cut-off follower costs a heartbeat, not a batch, per interval. */
  private sendAppend(peer: string, p: Progress): void {
    const now = this.now();
    const unanswered = p.inflight_round !== 0;
    if (unanswered && now - p.sent_ms < this.options.heartbeat_ms) return;
    const round = ++this.round;
    p.inflight_round = round;
    p.sent_ms = now;
    const snapshot = this.log.snapshot;
    if (!unanswered && p.next_index <= snapshot.index) {
      this.links.send(peer, {
        type: "install_snapshot",
        term: this.term,
        round,
        last_index: snapshot.index,
        last_term: snapshot.term,
        data: snapshot.data,
      });
      return;
    }
    const prev_log_index = Math.max(p.next_index - 1, snapshot.index);
    this.links.send(peer, {
      type: "append_entries",
      term: this.term,
      round,
      prev_log_index,
      prev_log_term: this.log.termAt(prev_log_index),
      entries: unanswered ? [] : this.log.slice(prev_log_index + 1, MAX_ENTRIES_PER_APPEND),
      leader_commit: this.commit_index,
    });
  }

  /** Accepts a message from `src` as the leader of `term`; false if `term` is stale. */
  private acceptLeader(src: string, term: number): boolean {
    if (term < this.term) return false;
    if (term > this.term || this.role !== "follower" || this.leader !== src) {
      this.becomeFollower(term, src);
    }
    this.leader_contact_ms = this.now();
    this.resetElectionDeadline();
    if (this.queued.length > 0) this.drainQueue();
    return true;
  }

  /** Answers a leader's append_entries or install_snapshot (both get append_entries_res). */
  private replyToLeader(src: string, body: Body, fields: Record<string, unknown>): void {
    this.links.send(src, {
      type: "append_entries_res",
      term: this.term,
      req_term: body.term,
      round: body.round,
      ...fields,
    });
  }

  private onAppendEntries(src: string, body: Body): void {
    const reply = (fields: Record<string, unknown>) => this.replyToLeader(src, body, fields);
    if (!this.acceptLeader(src, Number(body.term))) return reply({ success: false });

    let prev_index = Number(body.prev_log_index);
    let entries = body.entries as Entry[];
    // A prefix we compacted is committed, so it matches the leader's: skip it.
    if (prev_index < this.log.snapshot.index) {
      const skip = Math.min(entries.length, this.log.snapshot.index - prev_index);
      entries = entries.slice(skip);
      prev_index += skip;
      if (prev_index < this.log.snapshot.index) {
        return reply({ success: true, match_index: prev_index });
      }
    }
    if (prev_index > this.log.lastIndex()) {
      return reply({ success: false, conflict_index: this.log.lastIndex() + 1, conflict_term: 0 });
    }
    const prev_term = prev_index === Number(body.prev_log_index)
      ? body.prev_log_term
      : this.log.termAt(prev_index);
    const our_term = this.log.termAt(prev_index)!;
    if (our_term !== prev_term) {
      const conflict_index = this.log.firstIndexOfTerm(our_term, prev_index);
      return reply({ success: false, conflict_index, conflict_term: our_term });
    }

    // Append what is new; cut our log only where it really disagrees, so a
    // delayed, shorter batch never erases entries a later batch added.
    for (let i = 0; i < entries.length; i++) {
      const index = prev_index + 1 + i;
      const term = this.log.termAt(index);
      if (term === entries[i].term) continue;
      if (term !== undefined) this.log.truncateFrom(index);
      this.log.append(...entries.slice(i));
      break;
    }
    const match_index = prev_index + entries.length;
    const leader_commit = Number(body.leader_commit);
    if (leader_commit > this.commit_index) {
      this.commit_index = Math.max(this.commit_index, Math.min(leader_commit, match_index));
      this.applyCommitted();
    }
    reply({ success: true, match_index });
  }

  private onInstallSnapshot(src: string, body: Body): void {
    const reply = (fields: Record<string, unknown>) => this.replyToLeader(src, body, fields);
    if (!this.acceptLeader(src, Number(body.term))) return reply({ success: false });
    const snapshot: Snapshot = {
      index: Number(body.last_index),
      term: Number(body.last_term),
      data: body.data as [string, unknown][],
    };
    if (snapshot.index > this.commit_index) {
      this.log.installSnapshot(snapshot);
      this.machine.restore(snapshot.data);
      this.commit_index = snapshot.index;
      this.last_applied = snapshot.index;
    }
    reply({ success: true, match_index: snapshot.index });
  }

  private onAppendResult(src: string, body: Body): void {
    const term = Number(body.term);
    if (term > this.term) return this.becomeFollower(term, null);
    const p = this.progress.get(src);
    if (this.role !== "leader" || body.req_term !== this.term || p === undefined) return;
    p.acked_ms = this.now();
    if (this.queued.length > 0) this.drainQueue();
    p.acked_round = Math.max(p.acked_round, Number(body.round));
    if (body.round === p.inflight_round) p.inflight_round = 0;
    if (body.success) {
      p.match_index = Math.max(p.match_index, Number(body.match_index));
      p.next_index = Math.max(p.next_index, p.match_index + 1);
      this.advanceCommitIndex();
    } else if (body.conflict_index !== undefined) {
      const back = this.backOff(body);
      // A rejection below what the follower once matched means it lost its log: it restarted
      // without stable storage (the kill nemesis). Believe it; otherwise the leader resends from
      // match_index + 1 forever and the two ping-pong rejections in a hot loop.
      if (back <= p.match_index) p.match_index = Math.max(0, back - 1);
      p.next_index = Math.max(p.match_index + 1, Math.min(back, this.log.lastIndex() + 1));
    }
    this.confirmReads();
    if (this.role === "leader" && this.needsSend(p)) this.sendAppend(src, p);
  }

  /** Fast back-off: skip the follower's whole conflicting term in one step. */
  private backOff(body: Body): number {
    const conflict_index = Number(body.conflict_index);
    const conflict_term = Number(body.conflict_term);
    if (conflict_term === 0) return conflict_index;
    const ours = this.log.lastIndexOfTerm(conflict_term);
    return ours > 0 ? ours + 1 : conflict_index;
  }

  // ─── Chapter 4: commitment and the state machine ─────────────────────────

  /** Commits the highest index on a majority, if it is from the current term. */
  private advanceCommitIndex(): void {
    if (this.role !== "leader") return;
    const matches = [
      this.log.lastIndex(),
      ...[...this.progress.values()].map((p) => p.match_index),
    ];
    matches.sort((a, b) => b - a);
    const majority_index = matches[this.majority - 1];
    if (majority_index <= this.commit_index) return;
    if (this.log.termAt(majority_index) !== this.term) return;
    this.commit_index = majority_index;
    this.applyCommitted();
  }

  /** Applies committed entries in order; the leader that appended one answers its client. */
  private applyCommitted(): void {
    while (this.last_applied < this.commit_index) {
      this.last_applied++;
      const entry = this.log.at(this.last_applied);
      let result: Body;
      try {
        result = this.machine.apply(entry.op);
      } catch (e) {
        if (!(e instanceof RPCError)) throw e;
        result = e.toBody();
      }
      const to = entry.reply;
      if (to !== undefined && to.by === this.node.id) {
        this.node.send(to.client, { ...result, in_reply_to: to.msg_id });
      }
    }
    this.confirmReads();
    this.compact();
  }

  private compact(): void {
    if (this.last_applied - this.log.snapshot.index < COMPACT_EVERY_ENTRIES) return;
    this.log.installSnapshot({
      index: this.last_applied,
      term: this.log.termAt(this.last_applied)!,
      data: this.machine.snapshot(),
    });
  }

  // ─── Client requests ─────────────────────────────────────────────────────

  private onClientRequest(
    client: string,
    body: Body,
    hops: number,
    deadline_ms = this.now() + LEADER_WAIT_MS,
  ): void {
    if (typeof body?.type !== "string" || !["read", "write", "cas"].includes(body.type)) return;
    const now = this.now();
    if (this.leaderIsHealthy(now)) {
      if (this.role === "leader") return this.serve(client, body);
      if (hops < MAX_FORWARD_HOPS) {
        this.links.send(this.leader!, { type: "forward", client, request: body, hops: hops + 1 });
        return;
      }
    } else if (deadline_ms > now && this.queued.length < MAX_QUEUED_REQUESTS) {
      this.queued.push({ client, body, hops, deadline_ms });
      return;
    }
    // Never appended anywhere: a definite refusal is truthful.
    this.replyError(client, body, RPCError.temporarilyUnavailable("no leader"));
  }

  /** Whether a request may go ahead: a leader must have heard a majority lately, a
   * follower its leader. Otherwise the request waits (bounded): sent into a partition it
   * would be lost, and its client could only learn that from a timeout. */
  private leaderIsHealthy(now: number): boolean {
    const fresh_ms = 2 * this.options.heartbeat_ms + TICK_MS;
    if (this.role !== "leader") {
      return this.leader !== null && now - this.leader_contact_ms <= fresh_ms;
    }
    let heard = 1;
    for (const p of this.progress.values()) if (now - p.acked_ms <= fresh_ms) heard++;
    return heard >= this.majority;
  }

  private serve(client: string, body: Body): void {
    try {
      if (body.type === "read") return this.serveRead(client, body);
      const op = parseClientOp(body);
      if (this.log.lastIndex() - this.commit_index >= MAX_UNCOMMITTED_ENTRIES) {
        throw RPCError.temporarilyUnavailable("too many uncommitted entries");
      }
      const reply: ReplyTo = { by: this.node.id, client, msg_id: Number(body.msg_id) };
      this.log.append({ term: this.term, op, reply });
      this.advanceCommitIndex();
      this.scheduleSend();
    } catch (e) {
      if (!(e instanceof RPCError)) throw e;
      this.replyError(client, body, e);
    }
  }

  /** Read index: confirm leadership with a majority round, then read once applied. */
  private serveRead(client: string, body: Body): void {
    if (!("key" in body)) throw RPCError.malformedRequest(`read needs a "key"`);
    if (this.pending_reads.length >= MAX_PENDING_READS) {
      throw RPCError.temporarilyUnavailable("too many pending reads");
    }
    this.pending_reads.push({
      round: this.round + 1,
      read_index: Math.max(this.commit_index, this.term_start_index),
      client,
      msg_id: Number(body.msg_id),
      key: body.key,
      deadline_ms: this.now() + REQUEST_DEADLINE_MS,
    });
    this.confirmReads();
    this.scheduleSend();
  }

  /** Answers every read whose round a majority acknowledged and whose index is applied. */
  private confirmReads(): void {
    if (this.role !== "leader" || this.pending_reads.length === 0) return;
    const acked = [...this.progress.values()].map((p) => p.acked_round);
    this.pending_reads = this.pending_reads.filter((read) => {
      const votes = 1 + acked.filter((round) => round >= read.round).length;
      if (votes < this.majority || this.last_applied < read.read_index) return true;
      let result: Body;
      try {
        result = this.machine.read(read.key);
      } catch (e) {
        if (!(e instanceof RPCError)) throw e;
        result = e.toBody();
      }
      this.node.send(read.client, { ...result, in_reply_to: read.msg_id });
      return false;
    });
  }

  private failPendingReads(reason: string): void {
    // Reads change nothing, so a definite error is truthful.
    for (const read of this.pending_reads) {
      const error = RPCError.temporarilyUnavailable(reason).toBody();
      this.node.send(read.client, { ...error, in_reply_to: read.msg_id });
    }
    this.pending_reads = [];
  }

  private drainQueue(): void {
    const queued = this.queued;
    this.queued = [];
    for (const q of queued) this.onClientRequest(q.client, q.body, q.hops, q.deadline_ms);
  }

  private expireRequests(now: number): void {
    this.pending_reads = this.pending_reads.filter((read) => read.deadline_ms > now);
    const expired = this.queued.filter((q) => q.deadline_ms <= now);
    if (expired.length === 0) return;
    this.queued = this.queued.filter((q) => q.deadline_ms > now);
    for (const q of expired) {
      this.replyError(q.client, q.body, RPCError.temporarilyUnavailable("no leader elected"));
    }
  }

  private replyError(client: string, body: Body, error: RPCError): void {
    if (body.msg_id === undefined) return;
    this.node.send(client, { ...error.toBody(), in_reply_to: body.msg_id });
  }
}

/** Registers a Raft-replicated linearizable key-value store on `node`. */
export function linKv(node: Node, options: Partial<RaftOptions> = {}): Node {
  new RaftKv(node, options);
  return node;
}

/** Parses the binary's arguments; throws an Error naming a bad value. */
export function parseLinKvArgs(args: string[]): Partial<RaftOptions> {
  const values = parseFlags(args, ["heartbeat-ms", "election-timeout-ms", "relay"]);
  const options: Partial<RaftOptions> = {};
  const positive = (name: string, text: string | undefined) => {
    if (text === undefined) return undefined;
    const n = Number(text);
    if (!Number.isInteger(n) || n <= 0) {
      throw new Error(`--${name} must be a positive integer, got ${JSON.stringify(text)}`);
    }
    return n;
  };
  const heartbeat_ms = positive("heartbeat-ms", values["heartbeat-ms"]);
  if (heartbeat_ms !== undefined) options.heartbeat_ms = heartbeat_ms;
  const election_ms = positive("election-timeout-ms", values["election-timeout-ms"]);
  if (election_ms !== undefined) options.election_timeout_ms = election_ms;
  if (values.relay !== undefined) {
    if (values.relay !== "on" && values.relay !== "off") {
      throw new Error(`--relay must be "on" or "off", got ${JSON.stringify(values.relay)}`);
    }
    options.relay = values.relay === "on";
  }
  return options;
}

/** Builds the node from its arguments (the simulator calls this too). */
export function setup(node: Node, args: string[]): void {
  linKv(node, parseLinKvArgs(args));
}

if (import.meta.main) await runNode(setup);
