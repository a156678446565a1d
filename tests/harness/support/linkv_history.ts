/**
 * Generates lin-kv histories from a simulated, correct (linearizable) CAS
 * register, in-process: for checker tests and benchmarks.
 *
 * Clients run ops back to back; each ok op takes effect at a random instant
 * between its invocation and completion. During partitions a client on the
 * cut-off side times out: its write or cas completes `info` and takes effect
 * (or not) at a random instant after invocation, possibly after the timeout;
 * its reads complete `fail`. A cas whose `from` does not match completes
 * `fail`, like error 22.
 *
 * @module
 */

import { Rng } from "../../../lib/harness/rng.ts";
import type { Op } from "../../../lib/harness/types.ts";

/** Shape of a generated history. */
export interface LinKvHistoryOptions {
  seed: number;
  duration_s: number;
  clients: number;
  /** Mean ops per second over all clients. */
  rate: number;
  /** The key changes every this many seconds (Infinity: one key). */
  key_period_s: number;
  /** Partitions last this long, every other period, starting with healthy. */
  partition_period_s: number;
  /** Fraction of clients cut off during a partition. */
  cut_fraction: number;
  timeout_ms: number;
}

interface SimOp {
  process: number;
  key: number;
  f: "read" | "write" | "cas";
  arg: unknown;
  invoke_ms: number;
  effect_ms: number | undefined;
  complete_ms: number;
  timed_out: boolean;
  result?: { type: "ok" | "fail" | "info"; value: unknown };
}

/** Builds a valid lin-kv history (values `[key, v]`, like the lin-kv workload). */
export function generateLinKvHistory(options: LinKvHistoryOptions): Op[] {
  const rng = new Rng(options.seed);
  const per_client_gap_ms = (1000 * options.clients) / options.rate;
  const sims: SimOp[] = [];
  for (let client = 0; client < options.clients; client++) {
    let process = client;
    let now_ms = rng.float() * per_client_gap_ms;
    while (now_ms < options.duration_s * 1000) {
      const sim = simulateOne(rng, options, client, process, now_ms, per_client_gap_ms);
      sims.push(sim);
      if (sim.timed_out && sim.f !== "read") process += options.clients;
      now_ms = sim.complete_ms + rng.exponential(per_client_gap_ms / 2);
    }
  }
  return replay(sims);
}

function partitioned(options: LinKvHistoryOptions, client: number, at_ms: number): boolean {
  const period = Math.floor(at_ms / (options.partition_period_s * 1000));
  if (period % 2 === 0) return false;
  return client < Math.ceil(options.clients * options.cut_fraction);
}

function simulateOne(
  rng: Rng,
  options: LinKvHistoryOptions,
  client: number,
  process: number,
  invoke_ms: number,
  gap_ms: number,
): SimOp {
  const roll = rng.int(3);
  const f = roll === 0 ? "read" : roll === 1 ? "write" : "cas";
  const arg = f === "read" ? null : f === "write" ? rng.int(5) : [rng.int(5), rng.int(5)];
  const key = Number.isFinite(options.key_period_s)
    ? Math.floor(invoke_ms / (options.key_period_s * 1000))
    : 0;
  if (partitioned(options, client, invoke_ms)) {
    const happens = f !== "read" && rng.chance(0.5);
    return {
      process,
      key,
      f,
      arg,
      invoke_ms,
      effect_ms: happens ? invoke_ms + rng.float() * 2 * options.timeout_ms : undefined,
      complete_ms: invoke_ms + options.timeout_ms,
      timed_out: true,
    };
  }
  const latency_ms = 1 + rng.exponential(gap_ms / 4);
  return {
    process,
    key,
    f,
    arg,
    invoke_ms,
    effect_ms: invoke_ms + rng.float() * latency_ms,
    complete_ms: invoke_ms + latency_ms,
    timed_out: false,
  };
}

/** Applies effects in time order to per-key registers and emits the history. */
function replay(sims: SimOp[]): Op[] {
  type Event = { at_ms: number; order: number; sim: SimOp; kind: "invoke" | "effect" | "complete" };
  const events: Event[] = [];
  for (const sim of sims) {
    events.push({ at_ms: sim.invoke_ms, order: 0, sim, kind: "invoke" });
    if (sim.effect_ms !== undefined) {
      events.push({ at_ms: sim.effect_ms, order: 1, sim, kind: "effect" });
    }
    events.push({ at_ms: sim.complete_ms, order: 2, sim, kind: "complete" });
  }
  events.sort((a, b) => a.at_ms - b.at_ms || a.order - b.order);
  const registers = new Map<number, unknown>();
  const history: Op[] = [];
  const emit = (sim: SimOp, type: Op["type"], value: unknown, at_ms: number) =>
    history.push({
      index: history.length,
      time: Math.round(at_ms * 1e6),
      type,
      process: sim.process,
      f: sim.f,
      value,
    });
  for (const { sim, kind, at_ms } of events) {
    if (kind === "invoke") emit(sim, "invoke", [sim.key, sim.arg], at_ms);
    if (kind === "effect") sim.result = applyEffect(registers, sim);
    if (kind !== "complete") continue;
    if (sim.timed_out) {
      emit(sim, sim.f === "read" ? "fail" : "info", [sim.key, sim.arg], at_ms);
    } else {
      emit(sim, sim.result!.type, [sim.key, sim.result!.value], at_ms);
    }
  }
  return history;
}

function applyEffect(registers: Map<number, unknown>, sim: SimOp): SimOp["result"] {
  const current = registers.get(sim.key) ?? null;
  if (sim.f === "read") return { type: "ok", value: current };
  if (sim.f === "write") {
    registers.set(sim.key, sim.arg);
    return { type: "ok", value: sim.arg };
  }
  const [from, to] = sim.arg as [number, number];
  if (current !== from) return { type: "fail", value: sim.arg };
  registers.set(sim.key, to);
  return { type: "ok", value: sim.arg };
}

/** Appends an ok write of `value` by a fresh process (99), invoked after the history's last op. */
export function appendWriteAfterEnd(history: Op[], value: unknown): void {
  const last = history[history.length - 1];
  for (const type of ["invoke", "ok"] as const) {
    history.push({
      index: history.length,
      time: last.time + 1,
      type,
      process: 99,
      f: "write",
      value,
    });
  }
}
