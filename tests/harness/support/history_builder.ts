/**
 * A tiny builder for hand-written histories in checker tests: invocations and
 * completions get dense indices and increasing times, like the runner's.
 *
 * @module
 */

import type { Op, OpType, Process } from "../../../lib/harness/types.ts";

/** Appends ops with dense indices; time advances 1 ms per op. */
export class HistoryBuilder {
  readonly ops: Op[] = [];
  private readonly pending = new Map<Process, Op>();

  /** Records an invocation by `process`. */
  invoke(process: Process, f: string, value: unknown): this {
    const op = this.push({ type: "invoke", process, f, value });
    this.pending.set(process, op);
    return this;
  }

  /** Records the completion of `process`'s open invocation. */
  complete(process: Process, type: Exclude<OpType, "invoke">, value?: unknown): this {
    const invoke = this.pending.get(process);
    if (invoke === undefined) throw new Error(`process ${process} has no open invocation`);
    this.pending.delete(process);
    this.push({ type, process, f: invoke.f, value: value === undefined ? invoke.value : value });
    return this;
  }

  /** An invocation immediately followed by its completion. */
  op(
    process: Process,
    f: string,
    type: Exclude<OpType, "invoke">,
    invoked: unknown,
    done?: unknown,
  ) {
    return this.invoke(process, f, invoked).complete(process, type, done);
  }

  private push(fields: Omit<Op, "index" | "time">): Op {
    const op: Op = { index: this.ops.length, time: this.ops.length * 1_000_000, ...fields };
    this.ops.push(op);
    return op;
  }
}
