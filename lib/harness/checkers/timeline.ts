/**
 * The timeline checker (`harness.md` §10.2): always `{valid?: true}`; writes
 * `timeline.html`, a Jepsen-style picture of the history with one column
 * per process (nemesis first) and one box per op, from its invocation down
 * to its completion (1 px per ms), coloured by completion type, with the
 * details in the box's hover title.
 *
 * Bounded: at most `MAX_TIMELINE_OPS` ops (the earliest invoked) are drawn,
 * and the page says how many were left out. Labels and titles are cut.
 *
 * @module
 */

import { join } from "node:path";
import type { CheckResult, Op, Process } from "../types.ts";
import { escapeXml } from "../viz/svg.ts";
import { stringifyJson } from "../json.ts";

/** At most this many ops are drawn. */
export const MAX_TIMELINE_OPS = 10_000;
/** Nanoseconds per vertical pixel (1 px per ms, as Jepsen). */
export const NS_PER_PX = 1e6;
const COLUMN_PX = 100;
const GUTTER_PX = 6;
const MIN_HEIGHT_PX = 2;
const LABEL_CHARS = 40;
const TITLE_CHARS = 1000;

/** One drawn box: an invocation and its completion (undefined while unfinished). */
export interface TimelineOp {
  process: Process;
  invoke: Op;
  completion: Op | undefined;
}

/**
 * Pairs ops per process in history order; nemesis info ops pair up in sequence per `f`, since
 * the partition and the pause/kill nemeses run side by side and their ops may interleave.
 */
export function timelineOps(history: readonly Op[]): TimelineOp[] {
  const open = new Map<string, TimelineOp>();
  const out: TimelineOp[] = [];
  for (const op of history) {
    const key = op.process === "nemesis" ? `nemesis ${op.f}` : String(op.process);
    const pending = open.get(key);
    const opens = op.type === "invoke" || (op.process === "nemesis" && pending === undefined);
    if (opens) {
      const entry = { process: op.process, invoke: op, completion: undefined };
      open.set(key, entry);
      out.push(entry);
    } else if (pending !== undefined) {
      pending.completion = op;
      open.delete(key);
    } else {
      out.push({ process: op.process, invoke: op, completion: op }); // A completion on its own.
    }
  }
  return out;
}

/** Column order: nemesis first, then processes ascending. */
export function processOrder(ops: readonly TimelineOp[]): Process[] {
  const processes = [...new Set(ops.map((op) => op.process))];
  return processes.sort((a, b) => {
    if (a === b) return 0;
    if (a === "nemesis") return -1;
    if (b === "nemesis") return 1;
    return a - b;
  });
}

function cut(text: string, max: number): string {
  return text.length <= max ? text : text.slice(0, max - 1) + "…";
}

function valueText(value: unknown): string {
  return stringifyJson(value) ?? "null";
}

function titleOf(entry: TimelineOp): string {
  const { invoke, completion } = entry;
  const lines = [
    `process ${entry.process}`,
    `${invoke.f} invoked at ${(invoke.time / 1e6).toFixed(1)} ms: ${valueText(invoke.value)}`,
  ];
  if (completion !== undefined) {
    const latency_ms = (completion.time - invoke.time) / 1e6;
    lines.push(
      `${completion.type} at ${(completion.time / 1e6).toFixed(1)} ms ` +
        `(${latency_ms.toFixed(1)} ms): ${valueText(completion.value)}`,
    );
    if (completion.error !== undefined) lines.push(`error: ${valueText(completion.error)}`);
  } else lines.push("never completed");
  return cut(lines.join("\n"), TITLE_CHARS);
}

const STYLE = `body { font-family: Helvetica, Arial, sans-serif; font-size: 11px; margin: 0; }
.notice { padding: 6px; background: #FFE8CC; color: #8a4b00; }
.header { position: sticky; top: 0; height: 20px; background: #fff; z-index: 2; }
.process { position: absolute; top: 2px; text-align: center; font-weight: bold; }
.ops { position: relative; }
.op { position: absolute; overflow: hidden; box-sizing: border-box; padding: 1px 2px;
  border-radius: 2px; white-space: nowrap; }
.op.invoke { background: #eeeeee; }
.op.ok { background: #6DB6FE; }
.op.info { background: #FFAA26; }
.op.fail { background: #FEB5DA; }`;

/** The timeline page for a history. */
export function renderTimeline(history: readonly Op[], max_ops = MAX_TIMELINE_OPS): string {
  const all = timelineOps(history);
  const shown = all.slice(0, max_ops);
  const columns = processOrder(shown);
  const column_of = new Map(columns.map((p, i) => [p, i]));
  const end_ns = history.length === 0 ? 0 : history[history.length - 1].time;
  const left = (p: Process) => column_of.get(p)! * (COLUMN_PX + GUTTER_PX);
  const header = columns.map((p) =>
    `<div class="process" style="left:${left(p)}px;width:${COLUMN_PX}px">${
      escapeXml(String(p))
    }</div>`
  );
  const boxes: string[] = [];
  for (const entry of shown) {
    const start_ns = entry.invoke.time;
    const stop_ns = entry.completion?.time ?? end_ns;
    const top_px = Math.round(start_ns / NS_PER_PX);
    const height_px = Math.max(MIN_HEIGHT_PX, Math.round((stop_ns - start_ns) / NS_PER_PX));
    const type = entry.completion?.type ?? "invoke";
    const label = cut(`${entry.invoke.f} ${valueText(entry.invoke.value)}`, LABEL_CHARS);
    boxes.push(
      `<div class="op ${type}" style="left:${left(entry.process)}px;top:${top_px}px;` +
        `width:${COLUMN_PX}px;height:${height_px}px" title="${escapeXml(titleOf(entry))}">` +
        `${escapeXml(label)}</div>`,
    );
  }
  const height_px = Math.round(end_ns / NS_PER_PX) + 40;
  const width_px = columns.length * (COLUMN_PX + GUTTER_PX);
  const notice = all.length > shown.length
    ? `<div class="notice">Showing the first ${shown.length} of ${all.length} ops; ` +
      `${all.length - shown.length} later ops are not drawn.</div>\n`
    : "";
  return `<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<title>Timeline</title>
<style>
${STYLE}
</style>
</head>
<body>
${notice}<div class="header" style="width:${width_px}px">${header.join("")}</div>
<div class="ops" style="width:${width_px}px;height:${height_px}px">
${boxes.join("\n")}
</div>
</body>
</html>
`;
}

/** Writes `timeline.html` into `store_path` (when given); always valid. */
export function checkTimeline(history: readonly Op[], store_path?: string): CheckResult {
  const html = renderTimeline(history);
  if (store_path !== undefined) Deno.writeTextFileSync(join(store_path, "timeline.html"), html);
  return { "valid?": true };
}
