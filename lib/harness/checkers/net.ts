/**
 * The net checker (`harness.md` §10.2): send, receive and distinct message
 * counts over the whole journal, split into client traffic (a client is src
 * or dest) and server traffic, with msgs-per-op for all and servers.
 *
 * Counting is incremental (`NetStats.add`) so a long run never keeps the
 * journal in memory; `checkNet` builds the result for a given op count.
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

/** Running counts over journal events. */
export class NetStats {
  private readonly clients = tally();
  private readonly servers = tally();

  /** Counts one journal event. */
  add(event: Pick<JournalEvent, "type" | "message">): void {
    const { src, dest, id } = event.message;
    const t = isClient(src) || isClient(dest) ? this.clients : this.servers;
    if (event.type === "send") t.send++;
    else t.recv++;
    t.ids.add(id);
  }

  /** The `net` result map for `op_count` client invocations. */
  result(op_count: number): CheckResult {
    const part = (t: Tally) => ({
      "send-count": t.send,
      "recv-count": t.recv,
      "msg-count": t.ids.size,
    });
    const clients = part(this.clients);
    const servers = part(this.servers);
    const all = {
      "send-count": clients["send-count"] + servers["send-count"],
      "recv-count": clients["recv-count"] + servers["recv-count"],
      "msg-count": clients["msg-count"] + servers["msg-count"],
    };
    if (op_count === 0) return { all, clients, servers, "valid?": true };
    return {
      all: { ...all, "msgs-per-op": float32(all["msg-count"] / op_count) },
      clients,
      servers: { ...servers, "msgs-per-op": float32(servers["msg-count"] / op_count) },
      "valid?": true,
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

/** Client invocations in the history (final ops included, nemesis excluded). */
export function clientOpCount(history: readonly Op[]): number {
  let count = 0;
  for (const op of history) if (op.type === "invoke" && op.process !== "nemesis") count++;
  return count;
}

/** The net result from a journal and a history. */
export function checkNet(
  events: Iterable<Pick<JournalEvent, "type" | "message">>,
  history: readonly Op[],
): CheckResult {
  const stats = new NetStats();
  for (const event of events) stats.add(event);
  return stats.result(clientOpCount(history));
}
