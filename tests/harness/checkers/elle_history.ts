/**
 * Test support: a tiny builder for hand-written transactional histories.
 * `txn` records an invocation and its completion back to back; `begin` and
 * `end` let a test overlap transactions.
 *
 * @module
 */

import type { Op, OpType } from "../../../lib/harness/types.ts";

/** A micro-op as written in tests. */
export type TestMop = [string, unknown, unknown];

function request(mops: readonly TestMop[]): TestMop[] {
  return mops.map(([f, k, v]) => [f, k, f === "r" ? null : v]);
}

/** Builds a history with dense indices and increasing times. */
export class HistoryBuilder {
  readonly ops: Op[] = [];
  private readonly open = new Map<number, TestMop[]>();

  /** Records the invocation of `mops` by `process`. */
  begin(process: number, mops: readonly TestMop[], extra: Partial<Op> = {}): this {
    this.open.set(process, [...mops]);
    this.push({ type: "invoke", process, f: "txn", value: request(mops), ...extra });
    return this;
  }

  /** Records the completion of `process`'s open txn (ok: the mops given to begin). */
  end(process: number, type: Exclude<OpType, "invoke"> = "ok", extra: Partial<Op> = {}): this {
    const mops = this.open.get(process);
    if (mops === undefined) throw new Error(`process ${process} has no open txn`);
    this.open.delete(process);
    const value = type === "ok" ? mops : request(mops);
    this.push({ type, process, f: "txn", value, ...extra });
    return this;
  }

  /** An invocation immediately followed by its completion. */
  txn(
    process: number,
    mops: readonly TestMop[],
    type: Exclude<OpType, "invoke"> = "ok",
    extra: Partial<Op> = {},
  ): this {
    return this.begin(process, mops, extra).end(process, type, extra);
  }

  private push(op: Omit<Op, "index" | "time">): void {
    const index = this.ops.length;
    this.ops.push({ index, time: index * 1_000_000, ...op });
  }
}
