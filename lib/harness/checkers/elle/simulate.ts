/**
 * An in-process simulated transactional store that produces realistic
 * histories for benchmarks and tests: the workload's own generator, a global
 * stagger at `rate`, `concurrency` threads spread over nodes, and a store that
 * applies each transaction atomically at one instant inside its
 * invoke–complete interval (so the history is strict-serializable). A small
 * fraction of txns fail (no effect) or time out (info; applied or not).
 *
 * @module
 */

import type { Op } from "../../types.ts";
import { Rng } from "../../rng.ts";
import { DEFAULT_KEY_COUNT, TxnGenerator } from "../../workloads/txn_common.ts";
import type { Mop } from "./history.ts";

/** Simulation parameters. */
export interface SimOptions {
  workload: "rw-register" | "list-append";
  seed: number;
  duration_s: number;
  /** Target txns per second over all threads. */
  rate: number;
  concurrency: number;
  node_count: number;
  key_count?: number;
  max_txn_length?: number;
  max_writes_per_key?: number;
  /** Mean txn latency. */
  latency_ms?: number;
  /** Fraction of txns that abort with a definite error. */
  fail_rate?: number;
  /** Fraction of txns that time out after 1 s (applied half of the time). */
  info_rate?: number;
  /** rw-register: append one final read of every written key per node. */
  final_reads?: boolean;
}

interface Planned {
  process: number;
  node: string;
  mops: Mop[];
  invoke_ms: number;
  apply_ms: number;
  complete_ms: number;
  outcome: "ok" | "fail" | "info";
  applies: boolean;
}

/** How long a simulated timed-out txn keeps its thread busy. */
const TIMEOUT_MS = 1000;

/** Simulates a test run and returns its history. */
export function simulateHistory(opts: SimOptions): Op[] {
  const rng = new Rng(opts.seed);
  const write_f = opts.workload === "rw-register" ? "w" : "append";
  const gen = new TxnGenerator({
    key_count: opts.key_count ?? DEFAULT_KEY_COUNT,
    max_txn_length: opts.max_txn_length ?? 4,
    max_writes_per_key: opts.max_writes_per_key ?? 16,
    write_f,
  }, rng.fork("gen"));
  const plan = planTxns(opts, gen, rng.fork("timing"));
  const store = new Map<string, unknown>();
  const ops: Omit<Op, "index">[] = [];
  type Event = { at_ms: number; order: number; kind: 0 | 1 | 2; txn: Planned };
  const events: Event[] = [];
  plan.forEach((txn, i) => {
    events.push({ at_ms: txn.invoke_ms, order: i, kind: 0, txn });
    events.push({ at_ms: txn.apply_ms, order: i, kind: 1, txn });
    events.push({ at_ms: txn.complete_ms, order: i, kind: 2, txn });
  });
  // Ties: the earlier-planned txn first (a thread's completion before its next invoke).
  events.sort((a, b) => a.at_ms - b.at_ms || a.order - b.order || a.kind - b.kind);
  const results = new Map<Planned, Mop[]>();
  for (const { at_ms, kind, txn } of events) {
    const time = Math.round(at_ms * 1e6);
    const base = { time, process: txn.process, f: "txn", node: txn.node };
    if (kind === 0) {
      ops.push({ ...base, type: "invoke", value: requestOf(txn.mops) });
    } else if (kind === 1) {
      if (txn.applies) results.set(txn, apply(store, txn.mops, write_f));
    } else if (txn.outcome === "ok") {
      ops.push({ ...base, type: "ok", value: results.get(txn) });
    } else {
      const error = txn.outcome === "fail" ? ["txn-conflict", "simulated"] : "net-timeout";
      ops.push({ ...base, type: txn.outcome, value: requestOf(txn.mops), error });
    }
  }
  if (opts.final_reads && opts.workload === "rw-register") {
    appendFinalReads(ops, store, gen.writtenKeys(), opts, plan.length);
  }
  return ops.map((op, index) => ({ ...op, index }) as Op);
}

function planTxns(opts: SimOptions, gen: TxnGenerator, rng: Rng): Planned[] {
  const free_at = new Array<number>(opts.concurrency).fill(0);
  const process_of = Array.from({ length: opts.concurrency }, (_, t) => t);
  const latency = opts.latency_ms ?? 2;
  const plan: Planned[] = [];
  const end_ms = opts.duration_s * 1000;
  let t = 0;
  for (;;) {
    t += rng.float() * 2000 / opts.rate;
    let thread = free_at.findIndex((f) => f <= t);
    if (thread < 0) {
      t = Math.min(...free_at);
      thread = free_at.indexOf(t);
    }
    if (t >= end_ms) break;
    const roll = rng.float();
    const outcome = roll < (opts.fail_rate ?? 0.01)
      ? "fail"
      : roll < (opts.fail_rate ?? 0.01) + (opts.info_rate ?? 0.0005)
      ? "info"
      : "ok";
    const service_ms = rng.exponential(latency);
    const apply_ms = t + rng.float() * service_ms;
    const complete_ms = outcome === "info" ? t + TIMEOUT_MS : t + service_ms;
    plan.push({
      process: process_of[thread],
      node: `n${thread % opts.node_count}`,
      mops: gen.next().value as Mop[],
      invoke_ms: t,
      apply_ms,
      complete_ms,
      outcome,
      applies: outcome === "ok" || (outcome === "info" && rng.chance(0.5)),
    });
    free_at[thread] = complete_ms;
    if (outcome === "info") process_of[thread] += opts.concurrency;
  }
  return plan;
}

function requestOf(mops: readonly Mop[]): Mop[] {
  return mops.map(([f, k, v]) => [f, k, f === "r" ? null : v]);
}

function apply(store: Map<string, unknown>, mops: readonly Mop[], write_f: string): Mop[] {
  return mops.map(([f, k, v]): Mop => {
    const key = JSON.stringify(k);
    if (f === write_f) {
      if (write_f === "w") store.set(key, v);
      else store.set(key, [...((store.get(key) as unknown[]) ?? []), v]);
      return [f, k, v];
    }
    const current = store.get(key);
    return [f, k, current === undefined ? null : Array.isArray(current) ? [...current] : current];
  });
}

function appendFinalReads(
  ops: Omit<Op, "index">[],
  store: Map<string, unknown>,
  keys: readonly number[],
  opts: SimOptions,
  txn_count: number,
): void {
  let time = (ops[ops.length - 1]?.time ?? 0) + 10e9;
  for (let node = 0; node < opts.node_count; node++) {
    const process = txn_count + opts.concurrency * 1000 + node;
    const reads = keys.map((k): Mop => ["r", k, null]);
    const base = { process, f: "txn", node: `n${node}`, final: true };
    ops.push({ ...base, time: time++, type: "invoke", value: reads });
    ops.push({ ...base, time: time++, type: "ok", value: apply(store, reads, "w") });
  }
}
