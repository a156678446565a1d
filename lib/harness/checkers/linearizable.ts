/**
 * Linearizability checker for a compare-and-set register, key by key.
 *
 * lin-kv ops carry `[key, v]` values; each key's sub-history is checked on its
 * own (Jepsen's `independent` checker), which is what keeps the search small.
 * Per key, the search is Wing & Gong's algorithm with Lowe's memoisation
 * (Knossos `wgl`): calls and returns form a linked list; the search walks it,
 * linearizing any call the model accepts and backtracking at the return of an
 * op it has not linearized yet. A configuration (which ops are linearized,
 * register value) is never explored twice; identical pending info ops are
 * treated as interchangeable and a configuration that uses more of them than
 * an explored one with the same ok ops and value is skipped (see
 * `Configurations`), which keeps partition-heavy histories tractable. A
 * relaxed search (crashed ops may take effect any number of times) runs first:
 * it is cheap, and when even it finds no order the key is proven invalid.
 *
 * History semantics follow Knossos: `fail` ops are dropped, an `info` op (or an
 * invocation that never completed) may take effect at any point after its
 * invocation or never, and a read of `null` is legal in every state.
 *
 * Time and the number of remembered configurations are bounded per key; when
 * a bound is hit the key's verdict is `"unknown"`, never a guess.
 *
 * @module
 */

import type { CheckResult, Op, Validity } from "../types.ts";
import { pairOps } from "../history.ts";

/** One client op of a single key, invocation and completion paired. */
export interface RegisterOp {
  f: "read" | "write" | "cas";
  /** read: the value read (null = unknown); write: the value; cas: [from, to]. */
  value: unknown;
  type: "ok" | "info";
  process: number | string;
  /** History index of the invocation. */
  invoke_index: number;
  /** History index of the completion; Infinity when info or never completed. */
  complete_index: number;
}

/** Bounds of one key's search. */
export interface LinearizableOptions {
  /** Wall-clock budget per key (default 20 000 ms). */
  time_limit_ms?: number;
  /** Most configurations remembered per key (default 2 000 000). */
  max_configs?: number;
  /** Wall-clock budget for all keys together (default 120 000 ms). */
  total_time_limit_ms?: number;
  /** Clock for the time budget (default performance.now). */
  now_ms?: () => number;
}

/** What the checker says about one key. */
export interface KeyResult {
  "valid?": Validity;
  /** The key this result is about. */
  key?: unknown;
  "op-count": number;
  /** Configurations explored. */
  configs: number;
  /** valid: a possible final register value. */
  model?: unknown;
  /** unknown: which bound was hit. */
  error?: string;
  /** invalid without a search: why `op` can never be linearized. */
  reason?: string;
  /** invalid: the ok op the search could never linearize at its furthest point. */
  op?: ReportedOp;
  /** invalid: the last ok op linearized on that furthest path. */
  "previous-ok"?: ReportedOp;
  /** invalid: how many ops the furthest path had linearized. */
  "linearized-count"?: number;
  /** invalid: the last (up to 10) ops of the furthest path, oldest first. */
  "last-linearized"?: ReportedOp[];
  /** invalid: the register value at the end of that path. */
  "model-at-failure"?: unknown;
}

/** An op as shown in results. */
export interface ReportedOp {
  process: number | string;
  type: "ok" | "info";
  f: string;
  value: unknown;
  invoke_index: number;
  /** null when the op never completed or completed info. */
  index: number | null;
}

const DEFAULT_TIME_LIMIT_MS = 20_000;
const DEFAULT_MAX_CONFIGS = 2_000_000;
const DEFAULT_TOTAL_TIME_LIMIT_MS = 120_000;
const TIME_CHECK_EVERY_STEPS = 1024;
const LAST_LINEARIZED_SHOWN = 10;

interface Entry {
  /** Index into the ops array. */
  op: number;
  is_call: boolean;
  prev: Entry | undefined;
  next: Entry | undefined;
  /** For a call: its return entry (undefined for info ops). */
  match: Entry | undefined;
}

/** Canonical text of a register value, used for equality and memo keys. */
function valueKey(value: unknown): string {
  return JSON.stringify(value ?? null);
}

/** Applies `op` to the register state (canonical text); undefined when illegal. */
function step(state: string, op: RegisterOp): string | undefined {
  if (op.f === "write") return valueKey(op.value);
  if (op.f === "read") {
    if (op.value === null || op.value === undefined) return state;
    return valueKey(op.value) === state ? state : undefined;
  }
  if (!Array.isArray(op.value) || op.value.length !== 2) return undefined;
  return valueKey(op.value[0]) === state ? valueKey(op.value[1]) : undefined;
}

/**
 * An ok read or cas that needs a value no write or cas (ok or info) ever set:
 * no order can explain it, so there is no need to search.
 */
function unproducibleValueOp(ops: RegisterOp[]): RegisterOp | undefined {
  const producible = new Set<string>([valueKey(null)]);
  for (const op of ops) {
    if (op.f === "write") producible.add(valueKey(op.value));
    if (op.f === "cas" && Array.isArray(op.value)) producible.add(valueKey(op.value[1]));
  }
  return ops.find((op) => {
    if (op.type !== "ok") return false;
    if (op.f === "read") return op.value !== null && !producible.has(valueKey(op.value));
    return op.f === "cas" && Array.isArray(op.value) && !producible.has(valueKey(op.value[0]));
  });
}

function report(op: RegisterOp): ReportedOp {
  return {
    process: op.process,
    type: op.type,
    f: op.f,
    value: op.value,
    invoke_index: op.invoke_index,
    index: Number.isFinite(op.complete_index) ? op.complete_index : null,
  };
}

/** Builds the call/return list in history order; info ops get no return entry. */
function buildEntries(ops: RegisterOp[]): Entry | undefined {
  const events: { at: number; entry: Entry }[] = [];
  ops.forEach((op, i) => {
    const call: Entry = {
      op: i,
      is_call: true,
      prev: undefined,
      next: undefined,
      match: undefined,
    };
    events.push({ at: op.invoke_index, entry: call });
    if (op.type === "ok") {
      const ret: Entry = { op: i, is_call: false, prev: undefined, next: undefined, match: call };
      call.match = ret;
      events.push({ at: op.complete_index, entry: ret });
    }
  });
  events.sort((a, b) => a.at - b.at);
  const head: Entry = {
    op: -1,
    is_call: false,
    prev: undefined,
    next: undefined,
    match: undefined,
  };
  let tail = head;
  for (const { entry } of events) {
    tail.next = entry;
    entry.prev = tail;
    tail = entry;
  }
  return head;
}

function unlink(entry: Entry): void {
  entry.prev!.next = entry.next;
  if (entry.next) entry.next.prev = entry.prev;
}

function relink(entry: Entry): void {
  entry.prev!.next = entry;
  if (entry.next) entry.next.prev = entry;
}

/**
 * Tracks which ops are linearized and remembers explored configurations.
 *
 * Ok ops below a watermark are all linearized, so a configuration's ok part is
 * the watermark plus the window above it. Info ops are grouped into classes of
 * identical ops (same f and value); two pending ops of one class are
 * interchangeable once both are invoked, so only a class's earliest unused op
 * may be linearized and a configuration only needs each class's used count.
 * A configuration is skipped when one with the same ok part and register value
 * was explored with, class by class, no more info ops used: whatever the new
 * one can still do, the old one could too (subsumption). Without this, pending
 * info ops make the search exponential in their number.
 */
class Configurations {
  private readonly done: Uint8Array;
  private readonly ok_order: number[] = [];
  private readonly ok_rank: Int32Array;
  /** Info op → its class, and its position within the class (invocation order). */
  private readonly info_class: Int32Array;
  private readonly info_rank: Int32Array;
  /** Class → info ops of the class linearized so far (always its first ones). */
  private readonly used: Int32Array;
  private readonly explored = new Map<string, Int32Array[]>();
  private watermark = 0;
  /** Ranks of linearized ok ops at or above the watermark. */
  private readonly above = new Set<number>();
  /** Ops linearized on the current path. */
  count = 0;
  /** Configurations remembered. */
  size = 0;

  /** `relaxed`: info ops may take effect any number of times (a weaker problem). */
  constructor(ops: RegisterOp[], readonly relaxed = false) {
    this.done = new Uint8Array(ops.length);
    this.ok_rank = new Int32Array(ops.length).fill(-1);
    this.info_class = new Int32Array(ops.length).fill(-1);
    this.info_rank = new Int32Array(ops.length).fill(-1);
    const classes = new Map<string, number>();
    const class_sizes: number[] = [];
    const by_invocation = ops.map((_, i) => i).sort((a, b) =>
      ops[a].invoke_index - ops[b].invoke_index
    );
    for (const i of by_invocation) {
      const op = ops[i];
      if (op.type === "ok") continue;
      const text = `${op.f}|${valueKey(op.value)}`;
      let c = classes.get(text);
      if (c === undefined) {
        classes.set(text, c = class_sizes.length);
        class_sizes.push(0);
      }
      this.info_class[i] = c;
      this.info_rank[i] = class_sizes[c]++;
    }
    ops.forEach((op, i) => {
      if (op.type !== "ok") return;
      this.ok_rank[i] = this.ok_order.length;
      this.ok_order.push(i);
    });
    this.used = new Int32Array(class_sizes.length);
  }

  /** Whether op i may be linearized now (an info op only as the next of its class). */
  allowed(i: number): boolean {
    const c = this.info_class[i];
    return c < 0 || this.relaxed || this.used[c] === this.info_rank[i];
  }

  /** Whether op i is consumed when linearized (not a reusable info op). */
  consumed(i: number): boolean {
    return !this.relaxed || this.info_class[i] < 0;
  }

  add(i: number): void {
    this.count++;
    if (!this.consumed(i)) return;
    this.done[i] = 1;
    const c = this.info_class[i];
    if (c >= 0) this.used[c]++;
    const rank = this.ok_rank[i];
    if (rank < 0) return;
    this.above.add(rank);
    while (this.above.delete(this.watermark)) this.watermark++;
  }

  remove(i: number): void {
    this.count--;
    if (!this.consumed(i)) return;
    this.done[i] = 0;
    const c = this.info_class[i];
    if (c >= 0) this.used[c]--;
    const rank = this.ok_rank[i];
    if (rank < 0) return;
    if (rank >= this.watermark) {
      this.above.delete(rank);
      return;
    }
    // Everything between rank and the old watermark is still linearized.
    for (let r = rank + 1; r < this.watermark; r++) this.above.add(r);
    this.watermark = rank;
  }

  /** Records the current configuration; false when it (or one subsuming it) was explored. */
  visit(state: string): boolean {
    const key = `${state}|${this.watermark}|${[...this.above].sort((a, b) => a - b).join(",")}`;
    const seen = this.explored.get(key);
    if (seen === undefined) {
      this.explored.set(key, [this.used.slice()]);
      this.size++;
      return true;
    }
    for (const earlier of seen) if (atMost(earlier, this.used)) return false;
    seen.push(this.used.slice());
    this.size++;
    return true;
  }
}

function atMost(a: Int32Array, b: Int32Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] > b[i]) return false;
  return true;
}

/** Time and configuration budget shared by the searches of one key. */
interface Budget {
  started_ms: number;
  time_limit_ms: number;
  max_configs: number;
  now_ms: () => number;
}

/**
 * Checks one key's ops against a CAS register starting at null.
 *
 * First a relaxed search lets every info op take effect any number of times:
 * it needs no record of which info ops were used, so it stays small, and if
 * even it finds no order, none exists. Only when it succeeds and the key has
 * info ops does the exact search run.
 */
export function checkRegister(ops: RegisterOp[], options: LinearizableOptions = {}): KeyResult {
  const now_ms = options.now_ms ?? (() => performance.now());
  const budget: Budget = {
    started_ms: now_ms(),
    time_limit_ms: options.time_limit_ms ?? DEFAULT_TIME_LIMIT_MS,
    max_configs: options.max_configs ?? DEFAULT_MAX_CONFIGS,
    now_ms,
  };
  const impossible = unproducibleValueOp(ops);
  if (impossible !== undefined) {
    return {
      "valid?": false,
      "op-count": ops.length,
      configs: 0,
      op: report(impossible),
      reason: "no write or cas in the history could have produced the value this op saw",
    };
  }
  if (ops.every((op) => op.type === "ok")) return search(ops, new Configurations(ops), budget);
  const relaxed = search(ops, new Configurations(ops, true), budget);
  if (relaxed["valid?"] !== true) {
    if (relaxed["valid?"] === false) {
      relaxed.reason = "no order exists even if crashed ops could take effect any number of times";
    }
    return relaxed;
  }
  const exact = search(ops, new Configurations(ops), budget);
  exact.configs += relaxed.configs;
  return exact;
}

/** The WGL search over `linearized`'s rules. */
function search(ops: RegisterOp[], linearized: Configurations, budget: Budget): KeyResult {
  const head = buildEntries(ops)!;
  const stack: { entry: Entry; state: string }[] = [];
  let state = valueKey(null);
  let entry = head.next;
  let steps = 0;
  let furthest: { depth: number; blocked: number; state: string; path: number[] } | undefined;

  const result = (validity: Validity, extra: Partial<KeyResult>): KeyResult => ({
    "valid?": validity,
    "op-count": ops.length,
    configs: linearized.size,
    ...extra,
  });

  while (entry !== undefined) {
    if (
      ++steps % TIME_CHECK_EVERY_STEPS === 0 &&
      budget.now_ms() - budget.started_ms > budget.time_limit_ms
    ) {
      return result("unknown", { error: `time limit of ${budget.time_limit_ms} ms reached` });
    }
    if (entry.is_call) {
      const next_state = linearized.allowed(entry.op) ? step(state, ops[entry.op]) : undefined;
      if (next_state !== undefined) {
        linearized.add(entry.op);
        if (linearized.size >= budget.max_configs) {
          return result("unknown", {
            error: `configuration limit of ${budget.max_configs} reached`,
          });
        }
        if (linearized.visit(next_state)) {
          stack.push({ entry, state });
          state = next_state;
          if (linearized.consumed(entry.op)) {
            unlink(entry);
            if (entry.match) unlink(entry.match);
          }
          entry = head.next;
          continue;
        }
        linearized.remove(entry.op);
      }
      entry = entry.next;
      continue;
    }
    // The return of an ok op that is not linearized: this path is dead.
    if (furthest === undefined || linearized.count > furthest.depth) {
      furthest = {
        depth: linearized.count,
        blocked: entry.op,
        state,
        path: stack.slice(-LAST_LINEARIZED_SHOWN).map((frame) => frame.entry.op),
      };
    }
    const frame = stack.pop();
    if (frame === undefined) return invalid(ops, furthest, result);
    if (linearized.consumed(frame.entry.op)) {
      if (frame.entry.match) relink(frame.entry.match);
      relink(frame.entry);
    }
    linearized.remove(frame.entry.op);
    state = frame.state;
    entry = frame.entry.next;
  }
  return result(true, { model: JSON.parse(state) });
}

function invalid(
  ops: RegisterOp[],
  furthest: { depth: number; blocked: number; state: string; path: number[] },
  result: (validity: Validity, extra: Partial<KeyResult>) => KeyResult,
): KeyResult {
  const path = furthest.path.map((i) => ops[i]);
  const previous_ok = [...path].reverse().find((op) => op.type === "ok");
  return result(false, {
    op: report(ops[furthest.blocked]),
    ...(previous_ok ? { "previous-ok": report(previous_ok) } : {}),
    "linearized-count": furthest.depth,
    "last-linearized": path.map(report),
    "model-at-failure": JSON.parse(furthest.state),
  });
}

/** A lin-kv op value `[key, v]`; undefined when the value is not such a tuple. */
function splitTuple(value: unknown): [unknown, unknown] | undefined {
  if (!Array.isArray(value) || value.length !== 2) return undefined;
  return [value[0], value[1]];
}

/**
 * Pairs each client invocation with its completion and splits them by key.
 * `fail` ops and info reads are dropped (they cannot constrain the register);
 * an invocation without completion becomes info.
 */
export function registerOpsByKey(history: Op[]): Map<string, { key: unknown; ops: RegisterOp[] }> {
  const by_key = new Map<string, { key: unknown; ops: RegisterOp[] }>();
  const add = (invoke: Op, completion: Op | undefined) => {
    const invoked = splitTuple(invoke.value);
    if (invoked === undefined) return;
    const type = completion?.type === "ok" ? "ok" : "info";
    if (completion?.type === "fail") return;
    const f = invoke.f;
    if (f !== "read" && f !== "write" && f !== "cas") return;
    if (f === "read" && type === "info") return;
    const completed = completion?.type === "ok" ? splitTuple(completion.value) : undefined;
    const value = f === "read" ? (completed ? completed[1] : null) : invoked[1];
    const slot = valueKey(invoked[0]);
    let bucket = by_key.get(slot);
    if (bucket === undefined) by_key.set(slot, bucket = { key: invoked[0], ops: [] });
    bucket.ops.push({
      f,
      value,
      type,
      process: invoke.process,
      invoke_index: invoke.index,
      complete_index: type === "ok" ? completion!.index : Infinity,
    });
  };
  for (const { invoke, completion } of pairOps(history)) add(invoke, completion);
  return by_key;
}

/** Jepsen's `independent` + `linearizable` checker over a lin-kv history. */
export function checkLinearizable(history: Op[], options: LinearizableOptions = {}): CheckResult {
  const results: Record<string, KeyResult> = {};
  const failures: unknown[] = [];
  let validity: Validity = true;
  const now_ms = options.now_ms ?? (() => performance.now());
  const total_ms = options.total_time_limit_ms ?? DEFAULT_TOTAL_TIME_LIMIT_MS;
  const deadline_ms = now_ms() + total_ms;
  const keys = [...registerOpsByKey(history).values()].sort((a, b) => compareKeys(a.key, b.key));
  for (const { key, ops } of keys) {
    const left_ms = deadline_ms - now_ms();
    const key_result: KeyResult = left_ms > 0
      ? {
        key,
        ...checkRegister(ops, {
          ...options,
          time_limit_ms: Math.min(options.time_limit_ms ?? DEFAULT_TIME_LIMIT_MS, left_ms),
        }),
      }
      : {
        key,
        "valid?": "unknown",
        "op-count": ops.length,
        configs: 0,
        error: `not checked: total time limit of ${total_ms} ms reached`,
      };
    results[String(key)] = key_result;
    if (key_result["valid?"] !== true) failures.push(key);
    validity = worse(validity, key_result["valid?"]);
  }
  return { "valid?": validity, results, failures };
}

function compareKeys(a: unknown, b: unknown): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  return valueKey(a) < valueKey(b) ? -1 : valueKey(a) > valueKey(b) ? 1 : 0;
}

/** false beats "unknown" beats true (Jepsen's merge-valid). */
export function worse(a: Validity, b: Validity): Validity {
  if (a === false || b === false) return false;
  if (a === "unknown" || b === "unknown") return "unknown";
  return true;
}
