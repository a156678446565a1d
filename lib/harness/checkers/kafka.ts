/**
 * The kafka checker: Jepsen's `jepsen.tests.kafka` analysis over a history of
 * send/poll/assign/crash ops (`shared/maelstrom/workloads/kafka.md` §3, README A7).
 *
 * From every poll (any completion type) and every send that must have
 * committed, it builds each key's log (offset → messages) and version order
 * (the log without holes), then reports: inconsistent-offsets, duplicate,
 * lost-write, unseen, poll-skip, nonmonotonic-poll, nonmonotonic-send,
 * int-poll-skip, int-nonmonotonic-poll, int-send-skip, int-nonmonotonic-send,
 * G1a, precommitted-read and the dependency cycles of `kafka_cycles.ts`.
 * Every type except int-send-skip, G0 (and its variants) and the PL-1
 * cycle-exists types invalidates the result, as with Maelstrom's settings.
 *
 * All passes are linear (or n log n) in the history, so a 20 s history at
 * 1000 ops/s checks in well under a second.
 *
 * @module
 */

import type { CheckResult, Op, Validity } from "../types.ts";
import { pairOps } from "../history.ts";
import { findCycles, linkRealtime, TaggedGraph, WR, WW } from "./kafka_cycles.ts";
import { type MsgId, OpIndex, opMaxOffsets, type Pair } from "./kafka_ops.ts";

/** Checker options. */
export interface KafkaCheckOptions {
  /** Infer ww dependencies from log order (Maelstrom: off). Makes G1c allowed. */
  ww_deps?: boolean;
  /** Report every case instead of the condensed few (Jepsen's `:all-errors`). */
  all_errors?: boolean;
  /** Cycle-search budget per strongly connected component (default 1000 ms). */
  cycle_budget_ms?: number;
}

/** Error types that never invalidate a result with Maelstrom's settings. */
export function allowedErrorTypes(ww_deps: boolean): Set<string> {
  const allowed = [
    "int-send-skip",
    "G0",
    "G0-process",
    "G0-realtime",
    "PL-1-cycle-exists",
    "strong-PL-1-cycle-exists",
  ];
  if (ww_deps) {
    allowed.push("G1c", "G1c-process", "G1c-realtime", "PL-2-cycle-exists");
    allowed.push("strong-PL-2-cycle-exists");
  }
  return new Set(allowed);
}

/** One key's version order. */
interface VersionOrder {
  /** Raw offsets in increasing order, each holding at least one message. */
  offsets: number[];
  /** offsets[i] → messages there (first-seen order). */
  log: MsgId[][];
  /** Dense index → the (first) message there. */
  by_index: MsgId[];
  /** Message → dense index (last index wins, like Jepsen's `index-seq`). */
  by_value: Map<MsgId, number>;
}

type ByType = Map<string, Map<string, Set<MsgId>>>;
type Case = Record<string, unknown>;

/** Skipped messages listed per case; the case's delta tells how many there were. */
const MAX_SKIPPED_SHOWN = 32;

interface Analysis {
  history: Op[];
  index: OpIndex;
  completion: Map<number, Op>;
  reads_by_type: ByType;
  writes_by_type: ByType;
  orders: Map<string, VersionOrder>;
  writer_of: Map<string, Map<MsgId, Op>>;
  readers_of: Map<string, Map<MsgId, Op[]>>;
}

function addTo(by_type: ByType, type: string, key: string, msgs: Pair[]): void {
  let per_key = by_type.get(type);
  if (per_key === undefined) by_type.set(type, per_key = new Map());
  let set = per_key.get(key);
  if (set === undefined) per_key.set(key, set = new Set());
  for (const pair of msgs) set.add(pair.msg);
}

function mustHaveCommitted(a: Analysis, op: Op): boolean {
  if (op.type === "ok") return true;
  if (op.type !== "info") return false;
  const ok_reads = a.reads_by_type.get("ok");
  for (const [key, pairs] of a.index.writesOf(op)) {
    const seen = ok_reads?.get(key);
    if (seen && pairs.some((pair) => seen.has(pair.msg))) return true;
  }
  return false;
}

/** `op` with its value cut down to the micro-ops and messages of `key`, to keep reports small. */
function trimOp(op: Op | undefined, key: string): Op | undefined {
  if (op === undefined || !Array.isArray(op.value)) return op;
  const value: unknown[] = [];
  for (const mop of op.value) {
    if (!Array.isArray(mop)) continue;
    if (mop[0] === "send" && String(mop[1]) === key) value.push(mop);
    if (mop[0] === "poll" && mop[1] !== null && typeof mop[1] === "object") {
      const polled = (mop[1] as Record<string, unknown>)[key];
      value.push(polled === undefined ? ["poll", {}] : ["poll", { [key]: polled }]);
    }
  }
  return { ...op, value };
}

function parseMsg(msg: MsgId): unknown {
  return JSON.parse(msg);
}

/** Builds the shared structures every scan reads. */
function analyse(history: Op[]): Analysis {
  const client = history.filter((op) => op.process !== "nemesis");
  const a: Analysis = {
    history: client,
    index: new OpIndex(),
    completion: pairCompletions(client),
    reads_by_type: new Map(),
    writes_by_type: new Map(),
    orders: new Map(),
    writer_of: new Map(),
    readers_of: new Map(),
  };
  for (const op of client) {
    if (op.type === "invoke") continue;
    for (const [key, pairs] of a.index.readsOf(op)) {
      addTo(a.reads_by_type, op.type, key, pairs);
      let readers = a.readers_of.get(key);
      if (readers === undefined) a.readers_of.set(key, readers = new Map());
      for (const pair of pairs) {
        const list = readers.get(pair.msg);
        if (list === undefined) readers.set(pair.msg, [op]);
        else if (list[list.length - 1] !== op) list.push(op);
      }
    }
    for (const [key, pairs] of a.index.writesOf(op)) {
      addTo(a.writes_by_type, op.type, key, pairs);
      let writers = a.writer_of.get(key);
      if (writers === undefined) a.writer_of.set(key, writers = new Map());
      for (const pair of pairs) writers.set(pair.msg, op);
    }
  }
  a.orders = versionOrders(a);
  return a;
}

/** Invocation index → completion, pairing ops by process. */
function pairCompletions(history: Op[]): Map<number, Op> {
  const completion_of = new Map<number, Op>();
  for (const { invoke, completion } of pairOps(history)) {
    if (completion !== undefined) completion_of.set(invoke.index, completion);
  }
  return completion_of;
}

function versionOrders(a: Analysis): Map<string, VersionOrder> {
  const logs = new Map<string, Map<number, MsgId[]>>();
  const put = (key: string, pairs: Pair[]) => {
    let log = logs.get(key);
    if (log === undefined) logs.set(key, log = new Map());
    for (const { offset, msg } of pairs) {
      if (offset === null) continue;
      const msgs = log.get(offset);
      if (msgs === undefined) log.set(offset, [msg]);
      else if (!msgs.includes(msg)) msgs.push(msg);
    }
  };
  for (const op of a.history) {
    if (op.f !== "poll" && op.f !== "send" && op.f !== "txn") continue;
    for (const [key, pairs] of a.index.readsOf(op)) put(key, pairs);
    if (op.type !== "invoke" && mustHaveCommitted(a, op)) {
      for (const [key, pairs] of a.index.writesOf(op)) put(key, pairs);
    }
  }
  const orders = new Map<string, VersionOrder>();
  for (const [key, log] of logs) {
    const offsets = [...log.keys()].sort((x, y) => x - y);
    const msgs = offsets.map((offset) => log.get(offset)!);
    const by_index = msgs.map((m) => m[0]);
    const by_value = new Map<MsgId, number>();
    by_index.forEach((msg, i) => by_value.set(msg, i));
    orders.set(key, { offsets, log: msgs, by_index, by_value });
  }
  return orders;
}

function inconsistentOffsets(a: Analysis): Case[] {
  const cases: Case[] = [];
  for (const [key, order] of a.orders) {
    order.log.forEach((msgs, index) => {
      if (msgs.length < 2) return;
      cases.push({
        key,
        offset: order.offsets[index],
        index,
        values: msgs.map(parseMsg).sort(compareValues),
      });
    });
  }
  return cases;
}

function duplicates(a: Analysis): Case[] {
  const cases: Case[] = [];
  for (const [key, order] of a.orders) {
    const at = new Map<MsgId, number[]>();
    order.log.forEach((msgs, i) => {
      for (const msg of msgs) {
        const list = at.get(msg);
        if (list === undefined) at.set(msg, [order.offsets[i]]);
        else list.push(order.offsets[i]);
      }
    });
    for (const [msg, offsets] of at) {
      if (offsets.length > 1) {
        cases.push({ key, value: parseMsg(msg), count: offsets.length, offsets });
      }
    }
  }
  return cases;
}

function g1a(a: Analysis): Case[] {
  const failed = a.writes_by_type.get("fail");
  if (failed === undefined) return [];
  const cases: Case[] = [];
  for (const op of a.history) {
    if (op.type !== "ok") continue;
    for (const [key, pairs] of a.index.readsOf(op)) {
      const bad = failed.get(key);
      if (bad === undefined) continue;
      for (const pair of pairs) {
        if (!bad.has(pair.msg)) continue;
        cases.push({
          key,
          value: parseMsg(pair.msg),
          writer: trimOp(a.writer_of.get(key)?.get(pair.msg), key),
          reader: trimOp(op, key),
        });
      }
    }
  }
  return cases;
}

function precommittedReads(a: Analysis): Case[] {
  const cases: Case[] = [];
  for (const op of a.history) {
    const reads = a.index.readsOf(op);
    if (reads.size === 0) continue;
    for (const [key, pairs] of a.index.writesOf(op)) {
      const read = new Set((reads.get(key) ?? []).map((p) => p.msg));
      const bad = pairs.find((p) => read.has(p.msg));
      if (bad) {
        cases.push({ op: trimOp(op, key), key, value: parseMsg(bad.msg) });
        break;
      }
    }
  }
  return cases;
}

/** Messages below the highest position any ok poll reached that no ok poll read. */
function lostWrites(a: Analysis): Case[] {
  const cases: Case[] = [];
  const ok_reads = a.reads_by_type.get("ok") ?? new Map<string, Set<MsgId>>();
  for (const [key, read] of ok_reads) {
    const order = a.orders.get(key);
    if (order === undefined) continue;
    const first_index = new Map<MsgId, number>();
    const last_index = new Map<MsgId, number>();
    order.log.forEach((msgs, i) => {
      for (const msg of msgs) {
        if (!first_index.has(msg)) first_index.set(msg, i);
        last_index.set(msg, i);
      }
    });
    let bound = -1;
    for (const msg of read) bound = Math.max(bound, first_index.get(msg) ?? -1);
    if (bound < 0) continue;
    const must_read = [...last_index].filter(([, i]) => i <= bound).sort((x, y) => x[1] - y[1]);
    const max_read_msg = order.log[bound][0];
    for (const [msg] of must_read) {
      if (read.has(msg)) continue;
      const writer = a.writer_of.get(key)?.get(msg);
      if (writer === undefined || !mustHaveCommitted(a, writer)) continue;
      cases.push({
        key,
        value: parseMsg(msg),
        index: first_index.get(msg),
        "max-read-index": bound,
        writer: trimOp(writer, key),
        "max-read": trimOp(a.readers_of.get(key)?.get(max_read_msg)?.[0], key),
      });
    }
  }
  return cases;
}

/** Ok-sent messages that no ok poll ever returned. */
function unseen(a: Analysis): Case | undefined {
  const sent = a.writes_by_type.get("ok") ?? new Map<string, Set<MsgId>>();
  const polled = a.reads_by_type.get("ok") ?? new Map<string, Set<MsgId>>();
  const counts: Record<string, number> = {};
  const messages: Record<string, unknown[]> = {};
  for (const key of [...sent.keys()].sort(compareValues)) {
    const seen = polled.get(key);
    const missing = [...sent.get(key)!].filter((msg) => !seen?.has(msg));
    if (missing.length === 0) continue;
    counts[key] = missing.length;
    messages[key] = missing.map(parseMsg).sort(compareValues);
  }
  if (Object.keys(counts).length === 0) return undefined;
  const last = a.history[a.history.length - 1];
  return { time: last?.time ?? 0, unseen: counts, messages };
}

/** Index step between two messages; 1 (no error) when either index is unknown. */
function delta(order: VersionOrder | undefined, from: MsgId | undefined, to: MsgId | undefined) {
  const i = from === undefined ? undefined : order?.by_value.get(from);
  const j = to === undefined ? undefined : order?.by_value.get(to);
  if (i === undefined || j === undefined) return { delta: 1, i, j };
  return { delta: j - i, i, j };
}

/** The messages between dense indices i and j (at most 32 shown; `delta - 1` is the count). */
function skipped(order: VersionOrder, i: number, j: number): unknown[] {
  return order.by_index.slice(i + 1, Math.min(j, i + 1 + MAX_SKIPPED_SHOWN)).map(parseMsg);
}

/** Skips and backward steps between consecutive messages inside one op. */
function internalCases(a: Analysis, of: "reads" | "writes"): { skip: Case[]; nm: Case[] } {
  const skip: Case[] = [];
  const nm: Case[] = [];
  for (const op of a.history) {
    if (op.type === "invoke") continue;
    const per_key = of === "reads" ? a.index.readsOf(op) : a.index.writesOf(op);
    for (const [key, pairs] of per_key) {
      const order = a.orders.get(key);
      for (let n = 1; n < pairs.length; n++) {
        const step = delta(order, pairs[n - 1].msg, pairs[n].msg);
        const values = [parseMsg(pairs[n - 1].msg), parseMsg(pairs[n].msg)];
        if (step.delta > 1) {
          skip.push({
            key,
            values,
            delta: step.delta,
            skipped: skipped(order!, step.i!, step.j!),
            op: trimOp(op, key),
          });
        } else if (step.delta < 1) {
          nm.push({ key, values, delta: step.delta, op: trimOp(op, key) });
        }
      }
    }
  }
  return { skip, nm };
}

function byProcess(history: Op[]): Map<unknown, Op[]> {
  const groups = new Map<unknown, Op[]>();
  for (const op of history) {
    const list = groups.get(op.process);
    if (list === undefined) groups.set(op.process, [op]);
    else list.push(op);
  }
  return groups;
}

function keepAssigned<T>(last: Map<string, T>, op: Op): Map<string, T> {
  const keys = new Set(Array.isArray(op.value) ? op.value.map(String) : []);
  return new Map([...last].filter(([key]) => keys.has(key)));
}

/** Per process: each ok poll's first message against the previous ok poll's last one. */
function pollSkips(a: Analysis): { skip: Case[]; nm: Case[] } {
  const skip: Case[] = [];
  const nm: Case[] = [];
  for (const ops of byProcess(a.history).values()) {
    let last_reads = new Map<string, Op>();
    for (const op of ops) {
      if (op.f === "assign" || op.f === "subscribe") {
        if (op.type === "ok" || op.type === "info") last_reads = keepAssigned(last_reads, op);
        continue;
      }
      if (op.f !== "poll" && op.f !== "txn") continue;
      const reads = a.index.readsOf(op);
      for (const [key, pairs] of reads) {
        const last_op = last_reads.get(key);
        if (last_op === undefined) continue;
        const previous = a.index.readsOf(last_op).get(key) ?? [];
        const from = previous[previous.length - 1]?.msg;
        const to = pairs[0]?.msg;
        const order = a.orders.get(key);
        const step = delta(order, from, to);
        if (step.delta > 1) {
          skip.push({
            key,
            delta: step.delta,
            skipped: skipped(order!, step.i!, step.j!),
            ops: [trimOp(last_op, key), trimOp(op, key)],
          });
        } else if (step.delta < 1) {
          nm.push({
            key,
            values: [parseMsg(from!), parseMsg(to!)],
            delta: step.delta,
            ops: [trimOp(last_op, key), trimOp(op, key)],
          });
        }
      }
      if (op.type === "ok") { for (const key of reads.keys()) last_reads.set(key, op); }
    }
  }
  return { skip, nm };
}

/** Per process: each ok/info send's message against the previous send to that key. */
function nonmonotonicSends(a: Analysis): Case[] {
  const cases: Case[] = [];
  for (const ops of byProcess(a.history).values()) {
    let last_sends = new Map<string, Op>();
    for (const op of ops) {
      if (op.type !== "ok" && op.type !== "info") continue;
      if (op.f === "assign" || op.f === "subscribe") {
        last_sends = keepAssigned(last_sends, op);
        continue;
      }
      if (op.f !== "send" && op.f !== "txn") continue;
      const sends = a.index.writesOf(op);
      for (const [key, pairs] of sends) {
        const last_op = last_sends.get(key);
        if (last_op === undefined) continue;
        const previous = a.index.writesOf(last_op).get(key) ?? [];
        const from = previous[previous.length - 1]?.msg;
        const to = pairs[0]?.msg;
        const step = delta(a.orders.get(key), from, to);
        if (step.delta < 1) {
          cases.push({
            key,
            values: [parseMsg(from!), parseMsg(to!)],
            delta: step.delta,
            ops: [trimOp(last_op, key), trimOp(op, key)],
          });
        }
      }
      for (const key of sends.keys()) last_sends.set(key, op);
    }
  }
  return cases;
}

/** For each ok poll, how long before its invocation a later offset of a key was known. */
function worstRealtimeLag(a: Analysis): Case {
  // expired[key]: (offset, first time an offset ≥ it was known), as a suffix minimum.
  const known = new Map<string, { offset: number; time: number }[]>();
  for (const op of a.history) {
    for (const [key, offset] of opMaxOffsets(op)) {
      let list = known.get(key);
      if (list === undefined) known.set(key, list = []);
      list.push({ offset, time: op.time });
    }
  }
  const expired = new Map<string, { offsets: number[]; times: number[] }>();
  for (const [key, list] of known) {
    list.sort((x, y) => x.offset - y.offset);
    const times = list.map((e) => e.time);
    for (let i = times.length - 2; i >= 0; i--) times[i] = Math.min(times[i], times[i + 1]);
    expired.set(key, { offsets: list.map((e) => e.offset), times });
  }
  const expiredAt = (key: string, offset: number): number => {
    const e = expired.get(key);
    if (e === undefined) return Infinity;
    let lo = 0, hi = e.offsets.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (e.offsets[mid] < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo < e.offsets.length ? e.times[lo] : Infinity;
  };
  const time_of = new Map<number, number>();
  for (const op of a.history) if (op.type === "invoke") time_of.set(op.index, op.time);
  const invoke_time = new Map<number, number>();
  for (const [invoke_index, completion] of a.completion) {
    invoke_time.set(completion.index, time_of.get(invoke_index) ?? completion.time);
  }
  let worst: Case = { time: 0, lag: 0 };
  let worst_lag = 0;
  const positions = new Map<unknown, Map<string, number>>();
  for (const op of a.history) {
    if (op.type !== "ok") continue;
    if (op.f === "assign") {
      const old = positions.get(op.process) ?? new Map<string, number>();
      const keys = Array.isArray(op.value) ? op.value.map(String) : [];
      positions.set(op.process, new Map(keys.map((k) => [k, old.get(k) ?? -1])));
      continue;
    }
    if (op.f !== "poll" && op.f !== "txn") continue;
    const mine = positions.get(op.process) ?? new Map<string, number>();
    for (const [key, offset] of opMaxOffsets(op)) {
      mine.set(key, Math.max(mine.get(key) ?? offset, offset));
    }
    positions.set(op.process, mine);
    const started = invoke_time.get(op.index) ?? op.time;
    for (const [key, offset] of mine) {
      const lag = Math.max(0, started - expiredAt(key, offset + 1));
      if (lag > worst_lag) {
        worst_lag = lag;
        worst = { time: started / 1e9, lag: lag / 1e9, process: op.process, key };
      }
    }
  }
  return worst;
}

/** The wr (and optional ww) + realtime graph's cycle anomalies. */
function cycles(a: Analysis, options: KafkaCheckOptions): {
  anomalies: Map<string, unknown[]>;
  unknown_writer?: Case;
} {
  const ops = a.history.filter((op) => op.f === "send" || op.f === "poll" || op.f === "txn");
  const vertex = new Map<number, number>();
  const op_index: number[] = [];
  for (const op of ops) {
    if (op.type === "invoke") continue;
    vertex.set(op.index, op_index.length);
    op_index.push(op.index);
  }
  const graph = new TaggedGraph(op_index.length);
  let unknown_writer: Case | undefined;
  for (const [key, readers] of a.readers_of) {
    for (const [msg, list] of readers) {
      const writer = a.writer_of.get(key)?.get(msg);
      if (writer === undefined) {
        unknown_writer ??= { key, value: parseMsg(msg), reader: trimOp(list[0], key) };
        continue;
      }
      const from = vertex.get(writer.index);
      if (from === undefined) continue;
      for (const reader of list) {
        const to = vertex.get(reader.index);
        if (to !== undefined) graph.link(from, to, WR);
      }
    }
  }
  if (options.ww_deps) {
    for (const [key, order] of a.orders) {
      for (let i = 1; i < order.by_index.length; i++) {
        const w1 = a.writer_of.get(key)?.get(order.by_index[i - 1]);
        const w2 = a.writer_of.get(key)?.get(order.by_index[i]);
        const v1 = w1 && vertex.get(w1.index);
        const v2 = w2 && vertex.get(w2.index);
        if (v1 !== undefined && v2 !== undefined) graph.link(v1, v2, WW);
      }
    }
  }
  linkRealtime(
    graph,
    ops,
    (op) => vertex.get(op.index),
    (invoke) => a.completion.get(invoke.index),
  );
  const findings = findCycles(graph, op_index, options.cycle_budget_ms ?? 1000);
  const anomalies = new Map<string, unknown[]>(findings.anomalies);
  if (findings.timed_out_components > 0) {
    anomalies.set("cycle-search-timeout", [{ components: findings.timed_out_components }]);
  }
  for (const component of findings.unexplained_components) {
    const name = (component.tags & WR) !== 0
      ? "strong-PL-2-cycle-exists"
      : "strong-PL-1-cycle-exists";
    const list = anomalies.get(name) ?? [];
    list.push({ "scc-size": component.size, scc: component.ops });
    anomalies.set(name, list);
  }
  return { anomalies, unknown_writer };
}

function compareValues(x: unknown, y: unknown): number {
  if (typeof x === "number" && typeof y === "number") return x - y;
  const sx = JSON.stringify(x), sy = JSON.stringify(y);
  return sx < sy ? -1 : sx > sy ? 1 : 0;
}

const CONDENSE: Record<string, { by: string; take: "first" | "last"; n: number }> = {
  duplicate: { by: "count", take: "first", n: 32 },
  "inconsistent-offsets": { by: "values", take: "first", n: 32 },
  "int-nonmonotonic-poll": { by: "delta", take: "first", n: 8 },
  "int-nonmonotonic-send": { by: "delta", take: "first", n: 8 },
  "int-poll-skip": { by: "delta", take: "last", n: 8 },
  "int-send-skip": { by: "delta", take: "last", n: 8 },
  "nonmonotonic-poll": { by: "delta", take: "first", n: 8 },
  "nonmonotonic-send": { by: "delta", take: "first", n: 8 },
  "poll-skip": { by: "delta", take: "last", n: 8 },
  G0: { by: "steps", take: "first", n: 8 },
  "G0-realtime": { by: "steps", take: "first", n: 8 },
  G1c: { by: "steps", take: "first", n: 8 },
  "G1c-realtime": { by: "steps", take: "first", n: 8 },
};

function sortValue(c: Case, by: string): number {
  const v = c[by];
  return Array.isArray(v) ? v.length : typeof v === "number" ? v : 0;
}

/** `{count, errs}` with the most telling cases first, like Jepsen's `condense-error`. */
function condense(type: string, errs: Case[], all: boolean): { count: number; errs: Case[] } {
  const rule = CONDENSE[type];
  if (all || rule === undefined) return { count: errs.length, errs };
  const sorted = [...errs].sort((x, y) => sortValue(x, rule.by) - sortValue(y, rule.by));
  return {
    count: errs.length,
    errs: rule.take === "first" ? sorted.slice(0, rule.n) : sorted.slice(-rule.n),
  };
}

/** Checks a kafka history. */
export function checkKafka(history: Op[], options: KafkaCheckOptions = {}): CheckResult {
  const a = analyse(history);
  const errors = new Map<string, Case[]>();
  const add = (type: string, cases: Case[]) => {
    if (cases.length > 0) errors.set(type, cases);
  };
  add("duplicate", duplicates(a));
  const int_polls = internalCases(a, "reads");
  add("int-poll-skip", int_polls.skip);
  add("int-nonmonotonic-poll", int_polls.nm);
  const int_sends = internalCases(a, "writes");
  add("int-nonmonotonic-send", int_sends.nm);
  add("int-send-skip", int_sends.skip);
  add("inconsistent-offsets", inconsistentOffsets(a));
  add("precommitted-read", precommittedReads(a));
  add("G1a", g1a(a));
  add("lost-write", lostWrites(a));
  const polls = pollSkips(a);
  add("nonmonotonic-poll", polls.nm);
  add("nonmonotonic-send", nonmonotonicSends(a));
  add("poll-skip", polls.skip);
  const graph = cycles(a, options);
  for (const [type, cases] of graph.anomalies) add(type, cases as Case[]);

  const result: CheckResult = { "valid?": true };
  const allowed = allowedErrorTypes(options.ww_deps ?? false);
  const types = [...errors.keys()];
  const missing = unseen(a);
  if (missing !== undefined) types.push("unseen");
  types.sort();
  const bad = types.filter((type) => !allowed.has(type));
  let validity: Validity = bad.length === 0 ? true : false;
  if (graph.unknown_writer !== undefined && validity === true) validity = "unknown";
  result["valid?"] = validity;
  result["worst-realtime-lag"] = worstRealtimeLag(a);
  result["bad-error-types"] = bad;
  result["error-types"] = types;
  result["info-txn-causes"] = distinctInfoCauses(a.history);
  if (graph.unknown_writer !== undefined) {
    result.error = "a poll returned a message no send ever carried; cannot build dependencies";
    result["no-writer-of-value"] = graph.unknown_writer;
  }
  for (const type of types) {
    if (type === "unseen") {
      result.unseen = condenseUnseen(missing!, options.all_errors ?? false);
      continue;
    }
    result[type] = condense(type, errors.get(type)!, options.all_errors ?? false);
  }
  return result;
}

function condenseUnseen(unseen: Case, all: boolean): Case {
  if (all) return unseen;
  const messages = unseen.messages as Record<string, unknown[]>;
  const shown: Record<string, unknown[]> = {};
  for (const [key, list] of Object.entries(messages)) shown[key] = list.slice(0, 32);
  return { ...unseen, messages: shown };
}

function distinctInfoCauses(history: Op[]): unknown[] {
  const causes = new Map<string, unknown>();
  for (const op of history) {
    if (op.type !== "info") continue;
    if (op.f !== "send" && op.f !== "poll" && op.f !== "txn") continue;
    const cause = op.error ?? op.exception ?? null;
    causes.set(JSON.stringify(cause), cause);
  }
  return [...causes.values()];
}
