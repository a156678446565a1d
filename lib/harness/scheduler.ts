/**
 * The op interpreter (`harness.md` §6–§7): client threads, processes, the
 * global stagger, the time limit and the final phase.
 *
 * Thread t talks to `nodes[t mod N]` and starts as process t; after an info
 * completion it becomes process + concurrency and, unless the workload client
 * is reusable, opens a fresh client. The next op goes to the free thread
 * Jepsen's generator context would pick (`thread_rotation.ts`: threads in
 * rotation, not at random). Ops are spaced by uniform gaps in
 * [0, 2/rate) over all threads together. The first op goes at once; a late
 * op resets the schedule (no catch-up burst), except that lateness below
 * `LATE_SLACK_MS` keeps the schedule, so timer granularity does not lower
 * high rates.
 *
 * @module
 */

import type { Clock } from "./network.ts";
import type { Rng } from "./rng.ts";
import type { FinalPhase, Op, OpGenerator, OpSpec, Workload, WorkloadClient } from "./types.ts";
import type { History } from "./history.ts";
import { outcomeForError } from "./errors.ts";
import { ThreadRotation } from "./thread_rotation.ts";

/** Lateness (ms) up to which the stagger keeps its schedule instead of restarting from now. */
export const LATE_SLACK_MS = 20;
/** How long a thread waits before asking a generator that had nothing again. */
export const GENERATOR_RETRY_MS = 10;

/** A workload client the scheduler can close. */
export interface ClosableClient extends WorkloadClient {
  close(): void;
}

/** What the scheduler needs from the runner. */
export interface SchedulerDeps {
  workload: Workload;
  nodes: string[];
  concurrency: number;
  /** Client ops per second over all threads; 0 = none. */
  rate: number;
  time_limit_s: number;
  clock: Clock;
  /** The stagger's random stream. */
  rng: Rng;
  history: History;
  openClient(node: string): ClosableClient;
  /** Runs the nemesis schedule until the cutoff (absolute clock ms). */
  nemesis?: (cutoff_ms: number) => Promise<void>;
  /** Receives a one-line progress summary at most once per second. */
  progress?: (line: string) => void;
  /** The harness log, for workload bugs that escape an op. */
  log?: (line: string) => void;
  /** Stop generating main-phase ops after this many (`--max-ops`, used by `--shrink`). */
  max_ops?: number;
}

interface Thread {
  index: number;
  node: string;
  process: number;
  client: ClosableClient | undefined;
  busy: boolean;
}

/** Sleeps on `clock`. */
export function sleep(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => clock.setTimer(resolve, Math.max(0, ms)));
}

/** Runs the main phase and the final phase of one test. */
export class Scheduler {
  private readonly threads: Thread[];
  private readonly in_flight = new Set<Promise<void>>();
  private completion_waiters: (() => void)[] = [];
  /** Main-phase ops handed to threads so far. */
  private dispatched = 0;
  private generator: OpGenerator | undefined;
  private readonly rotation: ThreadRotation;
  /** How far `history` has been scanned for nemesis invocations (they advance the rotation). */
  private history_seen = 0;
  private nemesis_entries = 0;

  constructor(private readonly deps: SchedulerDeps) {
    const n = deps.nodes.length;
    this.threads = Array.from({ length: deps.concurrency }, (_, t) => ({
      index: t,
      node: deps.nodes[t % n],
      process: t,
      client: undefined,
      busy: false,
    }));
    this.rotation = new ThreadRotation(deps.concurrency);
  }

  /** Runs the generator (and nemesis) until the time limit; waits for in-flight ops. */
  async runMain(): Promise<void> {
    const { clock, time_limit_s } = this.deps;
    const start_ms = clock.now_ms();
    const cutoff_ms = start_ms + time_limit_s * 1000;
    const nemesis = this.deps.nemesis?.(cutoff_ms) ?? Promise.resolve();
    const progress = this.startProgress(start_ms);
    try {
      if (this.deps.rate > 0) {
        this.generator = this.deps.workload.generator();
        await this.staggerLoop(start_ms, cutoff_ms);
      } else {
        await sleep(clock, cutoff_ms - clock.now_ms());
      }
      await this.drain();
      await nemesis;
    } finally {
      progress();
    }
  }

  private async staggerLoop(start_ms: number, cutoff_ms: number): Promise<void> {
    const { clock, rng, rate } = this.deps;
    const mean_gap_ms = 1000 / rate;
    let due_ms = start_ms;
    for (;;) {
      const now_ms = clock.now_ms();
      if (now_ms >= cutoff_ms) return;
      if (this.dispatched >= (this.deps.max_ops ?? Infinity)) return;
      if (now_ms < due_ms) {
        await sleep(clock, Math.min(due_ms, cutoff_ms) - now_ms);
        continue;
      }
      this.noteNemesisOps();
      const order = this.rotation.order((t) => !this.threads[t].busy);
      const eligible = this.generator?.restrict?.(order) ?? order;
      const free = eligible.map((t) => this.threads[t]);
      if (free.length === 0) {
        await this.nextCompletion(cutoff_ms - now_ms);
        continue;
      }
      if (!this.dispatchOne(free)) {
        await this.nextCompletion(Math.min(GENERATOR_RETRY_MS, cutoff_ms - now_ms));
        continue;
      }
      const base_ms = now_ms - due_ms <= LATE_SLACK_MS ? due_ms : now_ms;
      due_ms = base_ms + rng.float() * 2 * mean_gap_ms;
    }
  }

  /**
   * Jepsen's `busy-thread` advances the rotation for nemesis ops too (the nemesis is a thread of
   * the same context). The nemesis records each op in the history as two `info` entries, the
   * invocation and its completion (as Jepsen does), so every other nemesis entry is a dispatch.
   */
  private noteNemesisOps(): void {
    const ops = this.deps.history.ops;
    for (; this.history_seen < ops.length; this.history_seen++) {
      if (ops[this.history_seen].process !== "nemesis") continue;
      if (this.nemesis_entries++ % 2 === 0) this.rotation.dispatched();
    }
  }

  /** Gives one op to the first free thread (in rotation order) the generator has an op for. */
  private dispatchOne(free: Thread[]): boolean {
    for (const thread of free) {
      const spec = this.generator!.next(thread.index, thread.process);
      if (spec === undefined) continue;
      this.dispatched++;
      this.rotation.dispatched();
      this.launch(thread, spec);
      return true;
    }
    return false;
  }

  private launch(thread: Thread, spec: OpSpec): void {
    const done = this.runOp(thread, spec).then(
      () => {},
      (e) => this.deps.log?.(`ERROR op ${spec.f} on thread ${thread.index} crashed: ${e}`),
    );
    this.in_flight.add(done);
    void done.finally(() => this.in_flight.delete(done));
  }

  private async runOp(thread: Thread, spec: OpSpec): Promise<Op> {
    const { workload, history } = this.deps;
    thread.busy = true;
    const process = thread.process;
    const final = spec.final
      ? { final: true, ...(spec.harness_only ? { harness_only: true } : {}) }
      : {};
    const invoke = history.record({
      type: "invoke",
      process,
      f: spec.f,
      value: spec.value,
      ...final,
      node: thread.node,
    });
    let completion: Op;
    try {
      thread.client ??= this.deps.openClient(thread.node);
    } catch (e) {
      // Jepsen: a client that cannot open fails the op definitely.
      completion = history.record({
        type: "fail",
        process,
        f: spec.f,
        value: spec.value,
        error: ["no-client", e instanceof Error ? e.message : String(e)],
        ...final,
        node: thread.node,
      });
      return this.finish(thread, invoke, completion);
    }
    try {
      const result = await workload.invoke(thread.client, spec);
      completion = history.record({
        type: result.type ?? "ok",
        process,
        f: spec.f,
        value: result.value,
        ...(result.error !== undefined ? { error: result.error } : {}),
        ...final,
        node: thread.node,
      });
    } catch (e) {
      const outcome = outcomeForError(e, spec.f, workload.idempotent);
      completion = history.record({
        type: outcome.type,
        process,
        f: spec.f,
        value: spec.value,
        error: outcome.error,
        ...(outcome.exception !== undefined ? { exception: outcome.exception } : {}),
        ...final,
        node: thread.node,
      });
    }
    return this.finish(thread, invoke, completion);
  }

  /** Process and client bookkeeping after a completion; wakes waiting dispatchers. */
  private finish(thread: Thread, invoke: Op, completion: Op): Op {
    const { workload } = this.deps;
    if (completion.type === "info") {
      thread.process += this.deps.concurrency;
      if (!workload.reusable_client) {
        thread.client?.close();
        thread.client = undefined;
      }
    }
    try {
      this.generator?.update?.(invoke, completion);
    } finally {
      thread.busy = false;
      const waiters = this.completion_waiters;
      this.completion_waiters = [];
      for (const wake of waiters) wake();
    }
    return completion;
  }

  private nextCompletion(timeout_ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = this.deps.clock.setTimer(resolve, Math.max(0, timeout_ms));
      this.completion_waiters.push(() => {
        this.deps.clock.clearTimer(timer);
        resolve();
      });
    });
  }

  /** Waits until every in-flight op has completed. */
  async drain(): Promise<void> {
    while (this.in_flight.size > 0) await Promise.allSettled([...this.in_flight]);
  }

  /** The final-phase interface handed to `Workload.final`. */
  finalPhase(): FinalPhase {
    const start_ms = this.deps.clock.now_ms();
    return {
      threads: this.threads.length,
      invoke: (thread: number, spec: OpSpec) => {
        const t = this.threads[thread];
        if (t === undefined) throw new RangeError(`no client thread ${thread}`);
        if (t.busy) throw new Error(`client thread ${thread} is busy`);
        return this.runOp(t, spec);
      },
      elapsed_ms: () => this.deps.clock.now_ms() - start_ms,
    };
  }

  /** Closes every thread's client. */
  closeClients(): void {
    for (const thread of this.threads) {
      thread.client?.close();
      thread.client = undefined;
    }
  }

  private startProgress(start_ms: number): () => void {
    const report = this.deps.progress;
    if (report === undefined) return () => {};
    const { clock, history, time_limit_s } = this.deps;
    let timer: number | undefined;
    const tick = () => {
      const elapsed_s = Math.min(time_limit_s, (clock.now_ms() - start_ms) / 1000);
      const c = history.counts;
      report(
        `${elapsed_s.toFixed(0)}/${time_limit_s} s  ok ${c.ok}  fail ${c.fail}  info ${c.info}`,
      );
      timer = clock.setTimer(tick, 1000);
    };
    tick();
    return () => {
      if (timer !== undefined) clock.clearTimer(timer);
    };
  }
}
