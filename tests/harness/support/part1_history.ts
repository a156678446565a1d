/**
 * Fixtures for part-1 checker and workload tests: a history builder with
 * explicit times (set-full latencies depend on them) and resolved options.
 *
 * @module
 */

import type { Op, OpType, Process, TestOptions } from "../../../lib/harness/types.ts";
import { testOptions } from "./part2_options.ts";

/** Builds a history with dense indices; `at(ms)` sets the time of the next ops. */
export class TimedHistory {
  readonly ops: Op[] = [];
  private time_ns = 0;
  private readonly pending = new Map<Process, Op>();

  /** Moves the clock to `ms` milliseconds (never backwards). */
  at(ms: number): this {
    const time_ns = ms * 1_000_000;
    if (time_ns < this.time_ns) throw new Error(`time goes backwards to ${ms} ms`);
    this.time_ns = time_ns;
    return this;
  }

  /** Records an invocation; returns its index. */
  invoke(process: Process, f: string, value: unknown = null, extra: Partial<Op> = {}): number {
    const op = this.push({ type: "invoke", process, f, value, ...extra });
    this.pending.set(process, op);
    return op.index;
  }

  /** Completes `process`'s open invocation; the value defaults to the invocation's. */
  complete(
    process: Process,
    type: Exclude<OpType, "invoke">,
    value?: unknown,
    extra: Partial<Op> = {},
  ): number {
    const invocation = this.pending.get(process);
    if (invocation === undefined) throw new Error(`process ${process} has nothing open`);
    this.pending.delete(process);
    const fields = invocation.final === true ? { final: true, ...extra } : extra;
    return this.push({
      type,
      process,
      f: invocation.f,
      value: value === undefined ? invocation.value : value,
      ...fields,
    }).index;
  }

  /** An invocation and its completion at the current time. */
  op(
    process: Process,
    f: string,
    type: Exclude<OpType, "invoke">,
    value: unknown = null,
    result?: unknown,
  ): this {
    this.invoke(process, f, value);
    this.complete(process, type, result);
    return this;
  }

  /** A nemesis start/stop pair (checkers must ignore it). */
  nemesis(): this {
    this.push({ type: "info", process: "nemesis", f: "start-partition", value: "majority" });
    this.push({ type: "info", process: "nemesis", f: "start-partition", value: ["isolated", {}] });
    return this;
  }

  private push(fields: Omit<Op, "index" | "time">): Op {
    const op = { index: this.ops.length, time: this.time_ns, ...fields } as Op;
    this.ops.push(op);
    return op;
  }
}

/** Resolved options for part-1 tests (echo, three nodes, seed 7), overridable per test. */
export function part1Options(overrides: Partial<TestOptions> = {}): TestOptions {
  return testOptions({
    workload: "echo",
    nodes: ["n0", "n1", "n2"],
    rate: 5,
    concurrency: 3,
    seed: 7,
    ...overrides,
  });
}
