/**
 * The data behind the report's interactive timeline and message diagram, in compact arrays
 * the page's script draws from (interactive.ts). Bounded: at most `MAX_PAGE_MESSAGES`
 * messages and `MAX_PAGE_OPS` operations are embedded; the page says how many were not.
 *
 * Network journal times count from the network's start, history times from "relative time
 * begins now", just after the last `init_ok`; messages are shifted so the last init handshake
 * event is time 0, which puts both on one axis to within the handshake's scheduling delay.
 *
 * @module
 */

import type { JournalEvent } from "../network.ts";
import { isClient } from "../network.ts";
import type { Op } from "../types.ts";
import { pairOps } from "../history.ts";

/** Messages embedded in the page at most. */
export const MAX_PAGE_MESSAGES = 40_000;
/** Operations embedded in the page at most. */
export const MAX_PAGE_OPS = 40_000;

/** Messages in compact form: `[send_ms, recv_ms (-1: never delivered), src, dest, type]`. */
export interface TrafficData {
  ids: string[];
  types: string[];
  /** Each entry: send_ms, recv_ms, src index, dest index, type index. */
  messages: [number, number, number, number, number][];
  /** Non-init messages in the journal. */
  total: number;
  /** Messages left out of the page by the bound. */
  not_embedded: number;
}

/** Operations: `[start_ms, end_ms (-1: never completed), process, node index, f, outcome]`. */
export interface OpsData {
  processes: string[];
  nodes: string[];
  fs: string[];
  /** outcome: 0 ok, 1 fail, 2 info, 3 none. */
  ops: [number, number, number, number, number, number][];
  total: number;
  not_embedded: number;
}

function isInit(event: JournalEvent): boolean {
  const type = event.message.body?.type;
  return type === "init" || type === "init_ok";
}

function indexer(list: string[]): (value: string) => number {
  const index = new Map(list.map((v, i) => [v, i]));
  return (value) => {
    let i = index.get(value);
    if (i === undefined) {
      i = list.length;
      list.push(value);
      index.set(value, i);
    }
    return i;
  };
}

const round = (ms: number) => Math.round(ms * 100) / 100;

/** The journal line's head as the harness writes it (network.ts key order). */
const LINE_HEAD =
  /^\{"id":(\d+),"time":(\d+),"type":"(send|recv)","message":\{"id":(\d+),"src":"((?:[^"\\]|\\.)*)","dest":"((?:[^"\\]|\\.)*)","body":\{"type":"((?:[^"\\]|\\.)*)"/;

/**
 * The events of a messages.jsonl text, reading only what the diagram needs: a line in the
 * harness's own key order is read by one anchored match (a 15 MB journal parses in a
 * fraction of the time JSON.parse takes); any other line falls back to JSON.parse.
 */
export function* journalEvents(text: string): Generator<JournalEvent> {
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf("\n", start);
    if (end === -1) end = text.length;
    const line = text.slice(start, end);
    start = end + 1;
    if (line.trim() === "") continue;
    const m = LINE_HEAD.exec(line);
    if (m === null) {
      yield JSON.parse(line) as JournalEvent;
      continue;
    }
    yield {
      id: Number(m[1]),
      time: Number(m[2]),
      type: m[3] as "send" | "recv",
      message: {
        id: Number(m[4]),
        src: JSON.parse(`"${m[5]}"`),
        dest: JSON.parse(`"${m[6]}"`),
        body: { type: JSON.parse(`"${m[7]}"`) },
      },
    } as JournalEvent;
  }
}

/** Pairs sends with receives; keeps the earliest `MAX_PAGE_MESSAGES` messages. */
export function trafficData(
  events: Iterable<JournalEvent>,
  limit = MAX_PAGE_MESSAGES,
): TrafficData {
  const ids: string[] = [];
  const types: string[] = [];
  const id_of = indexer(ids);
  const type_of = indexer(types);
  const messages: TrafficData["messages"] = [];
  const row_of = new Map<number, number>();
  let origin_ns = 0;
  let total = 0;
  for (const event of events) {
    if (isInit(event)) {
      origin_ns = Math.max(origin_ns, event.time);
      continue;
    }
    const m = event.message;
    if (event.type === "send") {
      total++;
      if (messages.length >= limit) continue;
      row_of.set(m.id, messages.length);
      messages.push([event.time, -1, id_of(m.src), id_of(m.dest), type_of(String(m.body?.type))]);
      continue;
    }
    const row = row_of.get(m.id);
    if (row !== undefined) messages[row][1] = event.time;
  }
  for (const m of messages) {
    m[0] = round((m[0] - origin_ns) / 1e6);
    if (m[1] !== -1) m[1] = round((m[1] - origin_ns) / 1e6);
  }
  sortIds(ids, messages);
  return { ids, types, messages, total, not_embedded: total - messages.length };
}

/** Orders columns nodes first (n0, n1, …, n10), then services, then clients; remaps rows. */
function sortIds(ids: string[], messages: TrafficData["messages"]): void {
  const rank = (id: string) => isClient(id) ? 2 : /^n\d+$/.test(id) ? 0 : 1;
  const num = (id: string) => Number(/\d+$/.exec(id)?.[0] ?? 0);
  const order = ids.map((id, i) => ({ id, i })).sort((a, b) =>
    rank(a.id) - rank(b.id) || num(a.id) - num(b.id) || (a.id < b.id ? -1 : 1)
  );
  const remap = new Array<number>(ids.length);
  order.forEach((o, j) => remap[o.i] = j);
  const sorted = order.map((o) => o.id);
  ids.splice(0, ids.length, ...sorted);
  for (const m of messages) {
    m[2] = remap[m[2]];
    m[3] = remap[m[3]];
  }
}

/** The client operations (and nemesis ops) as timeline boxes; the earliest `limit` kept. */
export function opsData(history: readonly Op[], limit = MAX_PAGE_OPS): OpsData {
  const processes: string[] = [];
  const nodes: string[] = [];
  const fs: string[] = [];
  const process_of = indexer(processes);
  const node_of = indexer(nodes);
  const f_of = indexer(fs);
  const pairs = pairOps(history);
  const ops: OpsData["ops"] = [];
  for (const { invoke, completion } of pairs.slice(0, limit)) {
    const outcome = completion === undefined
      ? 3
      : completion.type === "ok"
      ? 0
      : completion.type === "fail"
      ? 1
      : 2;
    ops.push([
      round(invoke.time / 1e6),
      completion === undefined ? -1 : round(completion.time / 1e6),
      process_of(String(invoke.process)),
      node_of(invoke.node ?? "?"),
      f_of(invoke.f),
      outcome,
    ]);
  }
  return {
    processes,
    nodes,
    fs,
    ops,
    total: pairs.length,
    not_embedded: pairs.length - ops.length,
  };
}
