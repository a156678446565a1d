/**
 * The test history (`harness.md` §9): ops with a dense index and a time in
 * nanoseconds since relative time began, plus running counts for progress.
 *
 * @module
 */

import type { Op } from "./types.ts";
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
