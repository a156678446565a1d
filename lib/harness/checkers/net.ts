/**
 * The net checker (`harness.md` §10.2): send, receive and distinct message
 * counts over the whole journal, split into client traffic (a client is src
 * or dest) and server traffic, with msgs-per-op for all and servers.
 *
 * Counting is incremental (`NetStats.add`) so a long run never keeps the
 * journal in memory; `checkNet` builds the result for a given op count.
 *
 * A final phase Maelstrom does not run (txn-rw-register's final reads) is
 * counted apart: from `startHarnessOnlyPhase()` on, events go to separate
 * tallies, and its ops are not in the op count, so `all`, `clients`,
 * `servers` and msgs-per-op are what Maelstrom would report. The extra phase
 * is reported under `harness-only-final-phase`, with the figures that include
 * it, clearly labelled.
 *
 * @module
 */

import type { CheckResult, Op } from "../types.ts";
import { isClient, type JournalEvent } from "../network.ts";

/** A growable bitset of non-negative integer ids; network ids are dense from 0. */
class IdSet {
  private bits = new Uint8Array(1024);
  size = 0;

  add(id: number): void {
    const byte = id >>> 3;
    if (byte >= this.bits.length) {
      const grown = new Uint8Array(Math.max(this.bits.length * 2, byte + 1));
      grown.set(this.bits);
      this.bits = grown;
    }
    const mask = 1 << (id & 7);
    if ((this.bits[byte] & mask) !== 0) return;
    this.bits[byte] |= mask;
    this.size++;
  }
}

interface Tally {
  send: number;
  recv: number;
  ids: IdSet;
}

function tally(): Tally {
  return { send: 0, recv: 0, ids: new IdSet() };
}

interface Tallies {
  clients: Tally;
  servers: Tally;
}

function tallies(): Tallies {
  return { clients: tally(), servers: tally() };
}

function counts(t: Tally) {
  return { "send-count": t.send, "recv-count": t.recv, "msg-count": t.ids.size };
}

type Counts = ReturnType<typeof counts>;

function sum(a: Counts, b: Counts): Counts {
  return {
    "send-count": a["send-count"] + b["send-count"],
    "recv-count": a["recv-count"] + b["recv-count"],
    "msg-count": a["msg-count"] + b["msg-count"],
  };
}

/** Running counts over journal events. */
export class NetStats {
  private readonly main = tallies();
  private extra: Tallies | undefined;
  private events = 0;
  private extra_from_event: number | undefined;

  /** Counts one journal event. */
  add(event: Pick<JournalEvent, "type" | "message">): void {
    const { src, dest, id } = event.message;
    const part = this.extra ?? this.main;
    const t = isClient(src) || isClient(dest) ? part.clients : part.servers;
    if (event.type === "send") t.send++;
    else t.recv++;
    t.ids.add(id);
    this.events++;
  }

  /** Events from now on belong to a final phase Maelstrom does not run (counted apart). */
  startHarnessOnlyPhase(): void {
    this.extra ??= tallies();
    this.extra_from_event ??= this.events;
  }

  /**
   * The `net` result map for `op_count` client invocations (harness-only ops excluded) and
   * `harness_only_ops` invocations of the harness-only final phase.
   */
  result(op_count: number, harness_only_ops = 0): CheckResult {
    const clients = counts(this.main.clients);
    const servers = counts(this.main.servers);
    const all = sum(clients, servers);
    const per_op = (n: number, ops: number) => float32(n / ops);
    const extra = this.extra === undefined ? undefined : this.extraResult(
      this.extra,
      all,
      servers,
      op_count + harness_only_ops,
      harness_only_ops,
    );
    if (op_count === 0) return { all, clients, servers, ...extra, "valid?": true };
    return {
      all: { ...all, "msgs-per-op": per_op(all["msg-count"], op_count) },
      clients,
      servers: { ...servers, "msgs-per-op": per_op(servers["msg-count"], op_count) },
      ...extra,
      "valid?": true,
    };
  }

  private extraResult(
    extra: Tallies,
    main_all: Counts,
    main_servers: Counts,
    total_ops: number,
    extra_ops: number,
  ): Record<string, unknown> {
    const clients = counts(extra.clients);
    const servers = counts(extra.servers);
    const all_with = main_all["msg-count"] + clients["msg-count"] + servers["msg-count"];
    const servers_with = main_servers["msg-count"] + servers["msg-count"];
    return {
      "harness-only-final-phase": {
        note: "not in Maelstrom: traffic from the end of the main phase on (recovery wait and " +
          "the harness's final reads), and those reads; left out of the figures above",
        "from-event": this.extra_from_event,
        ops: extra_ops,
        clients,
        servers,
        ...(total_ops > 0
          ? {
            "all-msgs-per-op-including-it": float32(all_with / total_ops),
            "servers-msgs-per-op-including-it": float32(servers_with / total_ops),
          }
          : {}),
      },
    };
  }
}

/** Rounds to a 32-bit float and prints it shortest, like Clojure's `(float x)` (2.0425532). */
export function float32(x: number): number {
  const f = Math.fround(x);
  for (let digits = 1; digits <= 9; digits++) {
    const candidate = Number(f.toPrecision(digits));
    if (Math.fround(candidate) === f) return candidate;
  }
  return f;
}

/** Client invocations in the history (final ops included; nemesis and harness-only ops not). */
export function clientOpCount(history: readonly Op[]): number {
  let count = 0;
  for (const op of history) {
    if (op.type === "invoke" && op.process !== "nemesis" && !op.harness_only) count++;
  }
  return count;
}

/** Client invocations of a harness-only final phase (see `Op.harness_only`). */
export function harnessOnlyOpCount(history: readonly Op[]): number {
  let count = 0;
  for (const op of history) if (op.type === "invoke" && op.harness_only) count++;
  return count;
}

/**
 * The net result from a journal and a history; events from index `harness_only_from_event`
 * on belong to a harness-only final phase.
 */
export function checkNet(
  events: Iterable<Pick<JournalEvent, "type" | "message">>,
  history: readonly Op[],
  harness_only_from_event?: number,
): CheckResult {
  const stats = new NetStats();
  let index = 0;
  for (const event of events) {
    if (index++ === harness_only_from_event) stats.startHarnessOnlyPhase();
    stats.add(event);
  }
  if (index === harness_only_from_event) stats.startHarnessOnlyPhase();
  return stats.result(clientOpCount(history), harnessOnlyOpCount(history));
}
