/**
 * `messages.svg` (`harness.md` §11.2): a Lamport diagram of the network
 * journal. One column per network id, one 20 px step per journal event, an
 * arrow from each message's send step to its receive step, labelled with the
 * body's type and EDN text. `init`/`init_ok` are left out; the diagram reads
 * only events with id below `10000 + 4·nodes + 1` and lays out at most
 * 10 000 of them, with an orange notice when it had to cut. The notice counts
 * every non-init event left out, including those past the read limit that were
 * never kept (Maelstrom's net/viz.clj `render-truncation-notice` prints no
 * count; ours must then be the true one, not just the few read past 10 000).
 *
 * `MessagesDiagram` keeps just those events while the test runs, so the
 * runner never re-reads the journal and memory stays bounded.
 *
 * @module
 */

import type { JournalEvent } from "../network.ts";
import { isClient } from "../network.ts";
import { ednText } from "./edn_text.ts";
import { el, num, svgDocument, textEl } from "./svg.ts";

/** At most this many events are laid out (Maelstrom's `journal-limit`). */
export const SVG_EVENT_LIMIT = 10_000;
/** Vertical distance between two events, in px. */
export const STEP_PX = 20;
/** The drawing's width attribute, in px. */
export const WIDTH_PX = 1200;
/** Arrow labels are cut to this many characters, ellipsis included. */
export const LABEL_CHARS = 48;
/** Node names are drawn again every this many steps. */
export const NODE_LABEL_EVERY_STEPS = 50;

const COLOR_ERROR = "#FF1E90";
const COLOR_CLIENT = "#81BFFC";
const COLOR_SERVER = "#000";
const COLOR_TRUNCATED = "#D96918";

/** The journal event shape the diagram reads. */
export type DiagramEvent = Pick<JournalEvent, "id" | "type" | "message">;

/** Events with an id at or above this are never read (`10000 + 4·nodes + 1`). */
export function journalReadLimit(node_count: number): number {
  return SVG_EVENT_LIMIT + 4 * node_count + 1;
}

/** True for the `init` handshake, which the diagram leaves out. */
export function isInitEvent(event: DiagramEvent): boolean {
  const type = event.message.body?.type;
  return type === "init" || type === "init_ok";
}

/** Collects, as the test runs, the journal events the diagram will draw. */
export class MessagesDiagram {
  private readonly events: DiagramEvent[] = [];
  private readonly read_limit: number;
  /** Every non-init event offered, kept or not. */
  private offered = 0;

  constructor(node_count: number) {
    this.read_limit = journalReadLimit(node_count);
  }

  /** Offers one journal event; keeps it if the diagram reads it. */
  add(event: DiagramEvent): void {
    if (isInitEvent(event)) return;
    this.offered++;
    if (event.id >= this.read_limit) return;
    this.events.push(event);
  }

  /** The SVG text. */
  render(): string {
    return renderMessagesSvg(this.events, this.offered);
  }

  /** Writes the SVG to `path`. */
  write(path: string): void {
    Deno.writeTextFileSync(path, this.render());
  }
}

const LETTERS_DIGITS = /^([A-Za-z]+)(\d+)$/;

/** Orders ids client-style: letters+digits by prefix then number, then the others by name. */
export function sortNodeIds(ids: Iterable<string>): string[] {
  const key = (id: string) => {
    const m = LETTERS_DIGITS.exec(id);
    return m === null
      ? { group: 1, prefix: id, n: 0 }
      : { group: 0, prefix: m[1], n: Number(m[2]) };
  };
  return [...ids].map((id) => ({ id, k: key(id) })).sort((a, b) =>
    a.k.group - b.k.group || compareStrings(a.k.prefix, b.k.prefix) || a.k.n - b.k.n ||
    compareStrings(a.id, b.id)
  ).map((e) => e.id);
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Cuts `text` to `max` characters, the last one an ellipsis. */
export function truncateLabel(text: string, max = LABEL_CHARS): string {
  return text.length <= max ? text : text.slice(0, max - 1) + "…";
}

/** The arrow label: `type EDN-of-the-rest`, or `error text`. */
export function messageLabel(body: Record<string, unknown>): string {
  const type = String(body.type);
  if (type === "error") return truncateLabel(`error ${textOf(body.text)}`);
  const { type: _t, msg_id: _m, in_reply_to: _r, ...rest } = body;
  return truncateLabel(`${type} ${ednText(rest)}`);
}

function textOf(value: unknown): string {
  return value === undefined || value === null ? "" : String(value);
}

function colorOf(message: DiagramEvent["message"]): string {
  if (message.body?.type === "error") return COLOR_ERROR;
  if (isClient(message.src) || isClient(message.dest)) return COLOR_CLIENT;
  return COLOR_SERVER;
}

interface Layout {
  step_count: number;
  truncated_by: number;
  column: Map<string, number>;
  nodes: string[];
}

function layoutOf(events: readonly DiagramEvent[], total_events: number): Layout {
  const ids = new Set<string>();
  for (const e of events) ids.add(e.message.src).add(e.message.dest);
  const nodes = sortNodeIds(ids);
  return {
    step_count: Math.min(SVG_EVENT_LIMIT, events.length),
    truncated_by: Math.max(
      0,
      Math.max(total_events, events.length) - Math.min(SVG_EVENT_LIMIT, events.length),
    ),
    column: new Map(nodes.map((id, i) => [id, i])),
    nodes,
  };
}

function xOf(layout: Layout, node: string): number {
  return (layout.column.get(node)! + 0.5) / layout.nodes.length * WIDTH_PX;
}

function yOf(step: number): number {
  return STEP_PX * (1.5 + step);
}

const STYLE = `svg { font-family: Helvetica, Arial, sans-serif; font-size: 11px; }
rect { stroke-linecap: butt; stroke-width: 3; stroke: #fff; }
polygon { fill: #000; }`;

const DEFS = el(
  "defs",
  {},
  el("polygon", { id: "ahead", points: "0 0, -12 4, -12 -4" }) +
    el(
      "filter",
      { id: "glow", x: "0", y: "0" },
      el("feGaussianBlur", { in: "SourceAlpha", stdDeviation: "2", result: "blurred" }) +
        el("feFlood", { "flood-color": "#fff" }) +
        el("feComposite", { operator: "in", in2: "blurred" }) +
        el(
          "feComponentTransfer",
          {},
          el("feFuncA", { type: "linear", slope: "10", intercept: 0 }),
        ) +
        el("feMerge", {}, el("feMergeNode", {}) + el("feMergeNode", { in: "SourceGraphic" })),
    ),
);

/**
 * Renders the diagram for events already filtered (no init, below the read limit);
 * `total_events` counts every non-init event of the journal, for the notice.
 */
export function renderMessagesSvg(
  events: readonly DiagramEvent[],
  total_events = events.length,
): string {
  const layout = layoutOf(events, total_events);
  const parts: string[] = [DEFS, nodeLabels(layout), nodeLines(layout)];
  parts.push(el("g", {}, arrows(layout, events.slice(0, layout.step_count)).join("")));
  if (layout.truncated_by > 0) parts.push(truncationNotice(layout));
  return svgDocument(WIDTH_PX, STEP_PX * (7 + layout.step_count), parts.join("\n"), STYLE);
}

function nodeLabels(layout: Layout): string {
  const labels: string[] = [];
  for (const node of layout.nodes) {
    for (let step = 0; step < layout.step_count; step += NODE_LABEL_EVERY_STEPS) {
      labels.push(textEl("text", {
        x: xOf(layout, node),
        y: yOf(step - 0.5),
        "text-anchor": "middle",
        "alignment-baseline": "middle",
        fill: step === 0 ? "#000" : "#aaa",
      }, node));
    }
  }
  return el("g", {}, labels.join(""));
}

function nodeLines(layout: Layout): string {
  const lines = layout.nodes.map((node) =>
    el("line", {
      stroke: "#ccc",
      x1: xOf(layout, node),
      y1: yOf(0),
      x2: xOf(layout, node),
      y2: yOf(layout.step_count + 1),
    })
  );
  return el("g", {}, lines.join(""));
}

function arrows(layout: Layout, events: readonly DiagramEvent[]): string[] {
  const send_step = new Map<number, number>();
  const out: string[] = [];
  events.forEach((event, i) => {
    const step = i + 1;
    const message = event.message;
    if (event.type === "send") {
      send_step.set(message.id, step);
      return;
    }
    const from_step = send_step.get(message.id);
    if (from_step === undefined) return; // Its send was not read; nothing to draw from.
    out.push(arrow(layout, event, from_step, step));
  });
  return out;
}

function arrow(layout: Layout, event: DiagramEvent, from_step: number, to_step: number): string {
  const message = event.message;
  const x0 = xOf(layout, message.src);
  const y0 = yOf(from_step);
  const x1 = xOf(layout, message.dest);
  const y1 = yOf(to_step);
  const length = Math.hypot(x1 - x0, y1 - y0);
  const angle_deg = Math.atan2(y1 - y0, x1 - x0) * 180 / Math.PI;
  const points_left = !(angle_deg > -90 && angle_deg < 90);
  const body = (message.body ?? {}) as Record<string, unknown>;
  const label = {
    "text-anchor": "middle",
    x: length / 2,
    y: -STEP_PX / 5,
    transform: points_left ? `rotate(180 ${num(length / 2)} 0)` : undefined,
  };
  const text = messageLabel(body);
  const title = `${message.src} → ${message.dest} ${ednText(body)}`;
  return el(
    "g",
    { transform: `translate(${num(x0)} ${num(y0)}) rotate(${num(angle_deg)})` },
    el(
      "rect",
      { x: 0, y: -2.5, height: 5, width: Math.max(0, length - 4), fill: colorOf(message) },
      textEl("title", {}, title),
    ) +
      el("use", { "xlink:href": "#ahead", x: length, y: 0 }) +
      textEl("text", { ...label, filter: "url(#glow)", style: "fill: #fff" }, text) +
      textEl("text", label, text),
  );
}

function truncationNotice(layout: Layout): string {
  const step = layout.step_count + 2;
  return el(
    "g",
    {},
    el("line", {
      x1: 30,
      y1: yOf(step),
      x2: WIDTH_PX - 30,
      y2: yOf(step),
      "stroke-width": 1,
      stroke: COLOR_TRUNCATED,
    }) +
      textEl(
        "text",
        { x: WIDTH_PX / 2, y: yOf(step + 1), fill: COLOR_TRUNCATED, "text-anchor": "middle" },
        notShownText(layout.truncated_by),
      ),
  );
}

/** The notice's text, e.g. `38 012 later network events not shown`. */
export function notShownText(count: number): string {
  return `${count} later network event${count === 1 ? "" : "s"} not shown`;
}
