/**
 * Transactions as Elle sees them: each client `txn` invocation paired with its
 * completion, the micro-ops the checker may trust (the reply's for `ok`, the
 * request's for `fail`/`info`), and the two extra orders some models need: the
 * realtime graph (a completed ok before b was invoked) and the process graph
 * (successive ok txns of one process).
 *
 * @module
 */

import type { Op } from "../../types.ts";
import { type CompletionOp, pairOps } from "../../history.ts";
import { PROCESS, REALTIME, type TxnGraph } from "./graph.ts";

/** One micro-op `[f, key, value]`. */
export type Mop = [string, unknown, unknown];

/** A transaction: an invocation and its completion. */
export interface Txn {
  /** Dense id, the graph vertex. */
  id: number;
  invoke: Op;
  /** The completion (a synthetic info one for a never-completed invocation). */
  complete: Op;
  type: "ok" | "fail" | "info";
  /** Reply micro-ops for ok, request micro-ops otherwise. */
  mops: Mop[];
  /** Final-phase transaction. */
  final: boolean;
}

/** Text that marks an info op as a rejected `txn_ok` (see the txn workloads). */
export const MALFORMED_MARK = "malformed txn_ok";

/** A stable map key for a JSON value. */
export function keyOf(x: unknown): string {
  return x === undefined ? "null" : JSON.stringify(x);
}

function asMops(value: unknown, where: Op): Mop[] {
  if (value === null || value === undefined) return [];
  if (!Array.isArray(value)) {
    throw new Error(`op ${where.index}: txn value is not an array: ${keyOf(value)}`);
  }
  return value.map((mop, i) => {
    if (!Array.isArray(mop) || mop.length !== 3 || typeof mop[0] !== "string") {
      throw new Error(`op ${where.index}: micro-op ${i} is not [f, k, v]: ${keyOf(mop)}`);
    }
    return mop as Mop;
  });
}

/** Pairs the client `txn` ops of a history into transactions, in completion order. */
export function transactions(history: readonly Op[]): Txn[] {
  const txns: Txn[] = [];
  const add = (invoke: Op, complete: CompletionOp) => {
    const type = complete.type;
    const mops = asMops(type === "ok" ? complete.value : invoke.value, complete);
    txns.push({
      id: txns.length,
      invoke,
      complete,
      type,
      mops,
      final: invoke.final === true || complete.final === true,
    });
  };
  for (const { invoke, completion } of pairOps(history.filter((op) => op.f === "txn"))) {
    add(invoke, completion ?? { ...invoke, type: "info", error: "never completed" });
  }
  return txns;
}

/** Adds realtime edges: a → b when a completed ok before b was invoked (transitively reduced). */
export function addRealtimeEdges(graph: TxnGraph, txns: readonly Txn[]): void {
  const events: { index: number; txn: Txn; is_invoke: boolean }[] = [];
  for (const txn of txns) {
    if (txn.type === "fail") continue; // No out edges, so never on a cycle.
    events.push({ index: txn.invoke.index, txn, is_invoke: true });
    if (txn.type === "ok") events.push({ index: txn.complete.index, txn, is_invoke: false });
  }
  events.sort((a, b) => a.index - b.index);
  const frontier = new Set<number>();
  const preds = new Map<number, number[]>();
  for (const { txn, is_invoke } of events) {
    if (is_invoke) {
      const before = [...frontier];
      preds.set(txn.id, before);
      for (const p of before) graph.link(p, txn.id, REALTIME);
      continue;
    }
    for (const p of preds.get(txn.id) ?? []) frontier.delete(p);
    preds.delete(txn.id);
    frontier.add(txn.id);
  }
}

/** Adds process edges between successive ok transactions of each process. */
export function addProcessEdges(graph: TxnGraph, txns: readonly Txn[]): void {
  const last = new Map<unknown, number>();
  const ordered = txns.filter((t) => t.type === "ok").sort((a, b) =>
    a.complete.index - b.complete.index
  );
  for (const txn of ordered) {
    const prev = last.get(txn.complete.process);
    if (prev !== undefined) graph.link(prev, txn.id, PROCESS);
    last.set(txn.complete.process, txn.id);
  }
}

/** A compact copy of a completion op for reports. */
export function opSummary(txn: Txn): Record<string, unknown> {
  const op = txn.complete;
  const out: Record<string, unknown> = {
    index: op.index,
    time: op.time,
    type: op.type,
    process: op.process,
    f: op.f,
    value: txn.mops,
  };
  if (op.node !== undefined) out.node = op.node;
  if (txn.final) out.final = true;
  return out;
}
