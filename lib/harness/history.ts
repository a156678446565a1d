/**
 * The test history (`harness.md` §9): ops with a dense index and a time in
 * nanoseconds since relative time began, plus running counts for progress.
 *
 * @module
 */

import type { Op, OpType } from "./types.ts";
import type { Clock } from "./network.ts";
import { stringifyJson } from "./json.ts";

/** The fields a caller gives; index and time are assigned on record. */
export type OpFields = Omit<Op, "index" | "time">;

/** Completion counts over client ops. */
export interface OpCounts {
  invoke: number;
  ok: number;
  fail: number;
  info: number;
}

/** An append-only history. */
export class History {
  readonly ops: Op[] = [];
  readonly counts: OpCounts = { invoke: 0, ok: 0, fail: 0, info: 0 };
  private origin_ms: number;

  constructor(private readonly clock: Clock, private readonly log?: (line: string) => void) {
    this.origin_ms = clock.now_ms();
  }

  /** Starts relative time now ("Relative time begins now"). */
  begin(): void {
    this.origin_ms = this.clock.now_ms();
  }

  /** Milliseconds since relative time began. */
  elapsed_ms(): number {
    return this.clock.now_ms() - this.origin_ms;
  }

  /** Appends an op stamped with the next index and the current time. */
  record(fields: OpFields): Op {
    const op = {
      index: this.ops.length,
      time: Math.round((this.clock.now_ms() - this.origin_ms) * 1e6),
      ...fields,
    } as Op;
    this.ops.push(op);
    if (op.process !== "nemesis") this.counts[op.type]++;
    this.log?.(formatOpLine(op));
    return op;
  }
}

/** One `history.txt` line: process, type, f, value[, error], tab-separated. */
export function formatOpLine(op: Op): string {
  const fields = [String(op.process), op.type, op.f, stringifyJson(op.value) ?? "null"];
  if (op.error !== undefined) fields.push(stringifyJson(op.error) ?? "null");
  return fields.join("\t");
}

/** A completion: an op whose type is ok, fail or info. */
export type CompletionOp = Op & { type: Exclude<OpType, "invoke"> };

/** A client invocation and its process's next completion (undefined: none in the history). */
export interface OpPair {
  invoke: Op;
  completion: CompletionOp | undefined;
}

/**
 * Pairs each client invocation with the same process's next completion, in completion order,
 * then lists the invocations left open at the end with no completion. Nemesis ops and
 * completions without an open invocation are skipped.
 */
export function pairOps(history: readonly Op[]): OpPair[] {
  const open = new Map<number, Op>();
  const pairs: OpPair[] = [];
  for (const op of history) {
    if (op.process === "nemesis") continue;
    if (op.type === "invoke") {
      open.set(op.process, op);
      continue;
    }
    const invoke = open.get(op.process);
    if (invoke === undefined) continue;
    open.delete(op.process);
    pairs.push({ invoke, completion: op as CompletionOp });
  }
  for (const invoke of open.values()) pairs.push({ invoke, completion: undefined });
  return pairs;
}
