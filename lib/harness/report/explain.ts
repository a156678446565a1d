/**
 * Plain-words explanations of every anomaly kind the checkers report (lib/harness/checkers):
 * what it means and what usually causes it in a node. Keyed by the kind's name as it appears
 * in results.json; `explain` falls back to a generic text for a name it does not know.
 *
 * The Elle and kafka kinds follow Jepsen's definitions (elle/txn.clj, jepsen/tests/kafka.clj
 * at v0.3.7); the causes are the usual node bugs behind each, from the challenges' own designs.
 *
 * @module
 */

/** One kind's explanation. */
export interface Explanation {
  title: string;
  meaning: string;
  causes: string;
}

const CYCLE_CAUSE = "Replicas apply writes in different orders, or a transaction read state " +
  "from a replica that had not yet applied an earlier committed write; commits that are not " +
  "ordered through one authority (a leader, a compare-and-swap on a root) cause it.";

const EXPLANATIONS: Record<string, Explanation> = {
  // set-full (broadcast, g-set).
  lost: {
    title: "Lost values",
    meaning: "A value was acknowledged (its add or broadcast returned ok) but the final reads " +
      "do not contain it, although earlier reads did or should have.",
    causes: "Gossip that is sent once and never retried when a partition drops it; a node that " +
      "replaces its set with a received one instead of merging; state kept only in memory of a " +
      "node that restarted.",
  },
  stale: {
    title: "Stale reads",
    meaning: "Reads that began after a value was acknowledged did not yet contain it (the value " +
      "became visible later). Not an error by itself; it is what the stable latency measures.",
    causes: "Slow or batched propagation between nodes; a long gossip interval; partitions.",
  },
  "never-read": {
    title: "Values never read",
    meaning: "A value was added but no read ever returned it, not even the final ones.",
    causes: "The add was never applied (the node replied ok before storing), or the test ended " +
      "before any read saw it.",
  },
  // g-counter / pn-counter.
  "counter-final-read": {
    title: "Final read outside the acceptable range",
    meaning: "After the network healed, a node's read of the counter is not a sum every " +
      "acknowledged add permits (the acceptable range counts ok adds surely and info adds maybe).",
    causes: "Increments lost in a failed compare-and-swap that was not retried; an increment " +
      "applied twice after a timeout; a node that never learnt the others' totals.",
  },
  // unique-ids.
  duplicated: {
    title: "Duplicate ids",
    meaning: "Two generate calls returned the same id.",
    causes: "Ids built from a clock or counter that is not unique per node, or a counter that " +
      "restarts from zero when the node restarts.",
  },
  // echo.
  "echo-mismatch": {
    title: "Echo mismatches",
    meaning: "An echo reply did not carry back the payload that was sent.",
    causes: "The reply copies the wrong field, or answers a different request (wrong in_reply_to).",
  },
  // lin-kv.
  nonlinearizable: {
    title: "Linearizability violated",
    meaning: "No order of the operations on this key, each taking effect at one instant between " +
      "its invocation and its completion, explains the values the reads and compare-and-swaps " +
      "saw. The search stopped at the operation shown, after the ones listed before it.",
    causes: "Reads served from a follower or an old leader without a quorum check; two leaders " +
      "at once after a partition; a write acknowledged before it was committed by a majority.",
  },
  // kafka (jepsen/tests/kafka.clj).
  "lost-write": {
    title: "Lost writes",
    meaning: "A send was acknowledged at an offset, and polls later read past that offset of the " +
      "same key without ever returning the message.",
    causes: "Offsets assigned on one node but the message not replicated before another node " +
      "served polls; a log truncated or overwritten after a failed compare-and-swap.",
  },
  unseen: {
    title: "Unseen writes",
    meaning: "Acknowledged sends that no poll ever returned by the end of the test.",
    causes: "Messages stored where no poller looks, or polls that stop below the end of the log.",
  },
  duplicate: {
    title: "Duplicated messages",
    meaning: "The same message appears at more than one offset of a key's log.",
    causes: "A send retried after a timeout and appended twice; replicas that append the same " +
      "message under different offsets.",
  },
  "inconsistent-offsets": {
    title: "Inconsistent offsets",
    meaning: "Different operations saw different messages at the same offset of a key.",
    causes: "Two nodes assigning the same offset independently; a log rewritten after a conflict.",
  },
  "nonmonotonic-poll": {
    title: "Non-monotonic polls",
    meaning: "A consumer's poll went backwards: it returned an offset below one it had already " +
      "read on that key.",
    causes: "Polls served by different nodes with different views of the log; committed offsets " +
      "not respected when a consumer moves between nodes.",
  },
  "poll-skip": {
    title: "Poll skips",
    meaning: "Between two polls of one consumer, offsets that exist in the log were skipped.",
    causes: "A poll served from a replica missing messages that are later filled in below the " +
      "offset the consumer already passed.",
  },
  "nonmonotonic-send": {
    title: "Non-monotonic sends",
    meaning: "A process's later send got a lower offset than its earlier send on the same key.",
    causes: "Offsets allocated by several nodes without a shared order.",
  },
  "int-poll-skip": {
    title: "Skips inside one poll",
    meaning: "One poll returned offsets with a gap where the log has a message.",
    causes: "Returning messages from a partial local copy of the log.",
  },
  "int-nonmonotonic-poll": {
    title: "Out-of-order offsets inside one poll",
    meaning: "One poll returned offsets that go backwards.",
    causes: "Merging messages from several sources without sorting by offset.",
  },
  "int-send-skip": {
    title: "Gaps between sends of one transaction",
    meaning: "Sends in one transaction got non-consecutive offsets (allowed by the checker).",
    causes: "Other clients' sends interleaved; normal for concurrent producers.",
  },
  "int-nonmonotonic-send": {
    title: "Out-of-order sends inside one transaction",
    meaning: "A later send of the same transaction got a lower offset.",
    causes: "Offsets allocated concurrently on several nodes.",
  },
  "precommitted-read": {
    title: "Pre-committed reads",
    meaning: "A poll returned a message before its send was even invoked.",
    causes: "Offsets or message values reused across keys or restarts.",
  },
  // Elle's transactional anomalies (txn-list-append, txn-rw-register, kafka's cycles).
  G0: {
    title: "G0: write cycle (dirty write)",
    meaning: "Transactions overwrote each other's writes in a cycle: T1's write came before " +
      "T2's on one key and after it on another.",
    causes: "Replicas that apply concurrent writes in different orders (no single order of " +
      "commits, e.g. last-writer-wins on timestamps that tie or disagree across keys).",
  },
  G1a: {
    title: "G1a: aborted read",
    meaning: "A read saw a value written by a transaction that failed.",
    causes: "Writes applied before the transaction was known to commit, and not rolled back " +
      "when it failed.",
  },
  G1b: {
    title: "G1b: intermediate read",
    meaning: "A read saw a value a transaction wrote but later overwrote within itself.",
    causes: "Transaction effects made visible one write at a time instead of all at once.",
  },
  G1c: {
    title: "G1c: circular information flow",
    meaning: "A cycle of write and read dependencies: each transaction read from or overwrote " +
      "the next, and the last the first.",
    causes: CYCLE_CAUSE,
  },
  "G-single": {
    title: "G-single: read skew",
    meaning: "A cycle with exactly one anti-dependency: a transaction read some of another's " +
      "effects but missed others (it saw a state that never existed).",
    causes: "Reads of different keys served from different points in time (no snapshot); " +
      "a transaction's writes made visible key by key.",
  },
  "G-nonadjacent": {
    title: "G-nonadjacent",
    meaning: "A dependency cycle with several anti-dependencies, none of them adjacent.",
    causes: CYCLE_CAUSE,
  },
  G2: {
    title: "G2: anti-dependency cycle (write skew)",
    meaning: "A cycle of transactions where each missed the other's writes: no serial order " +
      "explains what they read.",
    causes: "Concurrent transactions validated against stale state and committed without a " +
      "conflict check (serializability needs one).",
  },
  "G2-item": {
    title: "G2-item: item anti-dependency cycle",
    meaning: "Like G2, on individual keys: each transaction missed another's write.",
    causes: "Concurrent transactions committed without detecting read-write conflicts.",
  },
  G1: {
    title: "G1: dirty reads",
    meaning: "One of G1a (aborted read), G1b (intermediate read) or G1c (circular flow).",
    causes: "Uncommitted or partial transaction state made visible to other transactions.",
  },
  "lost-update": {
    title: "Lost update",
    meaning: "Two transactions read the same version of a key and both wrote it: one write " +
      "overwrote the other without having seen it.",
    causes: "Read-modify-write without a compare-and-swap or lock on the key.",
  },
  "future-read": {
    title: "Future read",
    meaning: "A transaction read a value written by a transaction that began after it ended.",
    causes: "Clock or version numbers that let a read see writes from its future.",
  },
  "strong-PL-1-cycle-exists": {
    title: "Write-order cycle across keys",
    meaning: "Messages' offsets order some sends before others on one key and after on another.",
    causes: "Offsets allocated independently per node or per key without one order.",
  },
  "malformed-txn-ok": {
    title: "Malformed transaction result",
    meaning: "A transaction's ok reply does not match the operations it was asked to perform.",
    causes: "Replying with a different number or order of micro-operations than requested.",
  },
  "cycle-search-timeout": {
    title: "Cycle search gave up",
    meaning: "The checker ran out of time looking for a cycle of this kind; the result is " +
      "unknown, not a found anomaly.",
    causes: "A very large dependency graph; rerun shorter or with a lower rate.",
  },
  internal: {
    title: "Internal inconsistency",
    meaning: "A transaction's read disagreed with its own earlier writes.",
    causes: "Reads inside a transaction not looking at the transaction's own pending writes.",
  },
  "incompatible-order": {
    title: "Incompatible orders",
    meaning: "Two reads of one list returned orders that cannot both be prefixes of one history.",
    causes: "Replicas appending in different orders; a list rebuilt from unordered gossip.",
  },
  "dirty-update": {
    title: "Dirty update",
    meaning: "A committed write built on a value written by a failed transaction.",
    causes: "Failed transactions' writes left visible.",
  },
  "duplicate-elements": {
    title: "Duplicate elements",
    meaning: "A list contained the same appended element twice.",
    causes: "An append retried after a timeout and applied twice.",
  },
  "cyclic-versions": {
    title: "Cyclic versions",
    meaning: "The order of versions of a key inferred from reads forms a cycle.",
    causes: "Replicas that disagree about which write is newer.",
  },
  "empty-transaction-graph": {
    title: "No dependencies to check",
    meaning: "No transaction depended on another, so nothing could be verified.",
    causes: "Too few successful operations (every op failed or timed out).",
  },
  // Node errors (lib/harness/node_output.ts).
  crashed: {
    title: "Node crashed",
    meaning: "A node process exited during the test.",
    causes: "An uncaught exception (see the node's last stderr lines), or an exit on bad input.",
  },
  "line-not-valid-json": {
    title: "Node wrote a line that is not JSON",
    meaning: "A node's stdout line did not parse as JSON; Maelstrom stops reading that node.",
    causes: "Debug output printed to stdout instead of stderr.",
  },
  "malformed-message": {
    title: "Malformed message",
    meaning: "A node sent JSON that is not a Maelstrom message (src, dest, body with a type).",
    causes: "A missing field, or a body sent without the envelope.",
  },
  "invalid-src": {
    title: "Wrong source",
    meaning: "A node sent a message whose src is not its own id.",
    causes: "Replying with src and dest swapped wrongly, or before init set the node id.",
  },
  "invalid-dest": {
    title: "Unknown destination",
    meaning: "A node sent to an id that is neither a node, a client nor a service.",
    causes: "A typo in a peer or service name; ids taken from the wrong field.",
  },
  "closed-client": {
    title: "Message to a finished client",
    meaning: "A node replied to a client that had already closed.",
    causes: "Replies sent very late (after the client's timeout and the test's end).",
  },
  "line-too-long": {
    title: "Line too long",
    meaning: "A node wrote a line beyond the harness's bound.",
    causes: "Unbounded state (a whole log or set) sent in one message.",
  },
  "stdin-backlog-overflow": {
    title: "Input backlog overflow",
    meaning: "A node stopped reading its stdin while messages kept arriving.",
    causes: "A blocked event loop (a busy loop or synchronous wait) in the node.",
  },
  "restart-failed": {
    title: "Restarted node failed its init",
    meaning: "After a kill, the fresh node did not answer its init in time and stayed down.",
    causes: "Start-up that waits on peers or services before answering init, or that reads " +
      "state only its dead predecessor had.",
  },
  // Generic checkers.
  "stats-no-ok": {
    title: "Operation type never succeeded",
    meaning: "Maelstrom's stats checker requires at least one ok operation of each kind (f).",
    causes: "Every call of that kind failed or timed out; with very few ops this can also be " +
      "chance (see the README's note on short Raft rows).",
  },
  "availability-low": {
    title: "Availability below the requirement",
    meaning: "The fraction of client operations that completed ok is below --availability.",
    causes: "Requests that time out during partitions instead of being answered.",
  },
};

/** The explanation of `kind`, or a generic one naming it. */
export function explain(kind: string): Explanation {
  const known = EXPLANATIONS[kind] ?? EXPLANATIONS[baseKind(kind)];
  if (known !== undefined) {
    const suffix = kind.endsWith("-realtime")
      ? " (with real-time order: a transaction that finished before another began)"
      : kind.endsWith("-process")
      ? " (with each process's own order)"
      : "";
    return { ...known, title: known.title + suffix };
  }
  return {
    title: kind,
    meaning: `The checker reported "${kind}"; see the raw results below.`,
    causes: "See the checker's documentation in lib/harness/checkers/.",
  };
}

/** Whether `kind` has its own explanation (tests check every checker kind has one). */
export function isExplained(kind: string): boolean {
  return EXPLANATIONS[kind] !== undefined || EXPLANATIONS[baseKind(kind)] !== undefined;
}

/** `G-single-item-realtime` → `G-single`: the order and per-key variants share a text. */
function baseKind(kind: string): string {
  return kind.replace(/-(realtime|process)$/, "").replace(/-item$/, "");
}
