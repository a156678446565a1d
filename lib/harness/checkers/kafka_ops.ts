/**
 * Reading kafka history ops: what an op sent and polled, per key.
 *
 * Op values are lists of micro-ops, as in Jepsen's kafka workload:
 * `["send", key, msg]` (invoked, or a failed/crashed send) or
 * `["send", key, [offset, msg]]` (completed), and `["poll"]` (invoked) or
 * `["poll", {key: [[offset, msg], ...]}]` (completed). Messages are compared
 * by their JSON text, so any JSON message works as a map key.
 *
 * @module
 */

import type { Op } from "../types.ts";

/** A message's identity: its JSON text. */
export type MsgId = string;

/** The identity of message `msg`. */
export function msgId(msg: unknown): MsgId {
  return JSON.stringify(msg ?? null);
}

/** One sent or polled message: its offset when known. */
export interface Pair {
  offset: number | null;
  msg: MsgId;
}

function isPair(value: unknown): value is [unknown, unknown] {
  return Array.isArray(value) && value.length === 2;
}

function mops(op: Op): unknown[][] {
  if (!Array.isArray(op.value)) return [];
  return op.value.filter((mop): mop is unknown[] => Array.isArray(mop));
}

function asOffset(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

/** Key → pairs this op sent, in order (offset null when not known). */
export function opWrites(op: Op): Map<string, Pair[]> {
  const writes = new Map<string, Pair[]>();
  if (op.f !== "send" && op.f !== "txn") return writes;
  for (const mop of mops(op)) {
    if (mop[0] !== "send") continue;
    const key = String(mop[1]);
    const sent = mop[2];
    const pair = isPair(sent)
      ? { offset: asOffset(sent[0]), msg: msgId(sent[1]) }
      : { offset: null, msg: msgId(sent) };
    let list = writes.get(key);
    if (list === undefined) writes.set(key, list = []);
    list.push(pair);
  }
  return writes;
}

/** Key → pairs this op polled, in order; keys polled with no messages map to []. */
export function opReads(op: Op): Map<string, Pair[]> {
  const reads = new Map<string, Pair[]>();
  if (op.f !== "poll" && op.f !== "txn") return reads;
  for (const mop of mops(op)) {
    if (mop[0] !== "poll" || mop.length < 2) continue;
    const polled = mop[1];
    if (polled === null || typeof polled !== "object") continue;
    for (const [key, pairs] of Object.entries(polled as Record<string, unknown>)) {
      let list = reads.get(key);
      if (list === undefined) reads.set(key, list = []);
      if (!Array.isArray(pairs)) continue;
      for (const pair of pairs) {
        if (isPair(pair)) list.push({ offset: asOffset(pair[0]), msg: msgId(pair[1]) });
      }
    }
  }
  return reads;
}

/** Key → highest offset this ok/info op polled (-1 for a key polled empty) or sent. */
export function opMaxOffsets(op: Op): Map<string, number> {
  const offsets = new Map<string, number>();
  if (op.type !== "ok" && op.type !== "info") return offsets;
  const bump = (key: string, offset: number) =>
    offsets.set(key, Math.max(offsets.get(key) ?? -1, offset));
  for (const [key, pairs] of opReads(op)) {
    bump(key, -1);
    for (const pair of pairs) if (pair.offset !== null) bump(key, pair.offset);
  }
  for (const [key, pairs] of opWrites(op)) {
    for (const pair of pairs) if (pair.offset !== null) bump(key, pair.offset);
  }
  return offsets;
}

/** Memoises `opReads`/`opWrites` per op index: the scans call them many times. */
export class OpIndex {
  private readonly reads = new Map<number, Map<string, Pair[]>>();
  private readonly writes = new Map<number, Map<string, Pair[]>>();

  /** Cached `opReads(op)`. */
  readsOf(op: Op): Map<string, Pair[]> {
    let reads = this.reads.get(op.index);
    if (reads === undefined) this.reads.set(op.index, reads = opReads(op));
    return reads;
  }

  /** Cached `opWrites(op)`. */
  writesOf(op: Op): Map<string, Pair[]> {
    let writes = this.writes.get(op.index);
    if (writes === undefined) this.writes.set(op.index, writes = opWrites(op));
    return writes;
  }
}
