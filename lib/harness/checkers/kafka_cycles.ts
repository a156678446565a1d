/**
 * Dependency cycles between kafka send/poll ops (Elle's view of the log,
 * as Jepsen's kafka checker builds it).
 *
 * Vertices are completed send/poll ops. Edges: `wr` from the op that sent a
 * message to every other op that polled it; `realtime` from an ok op to every
 * op invoked after it completed (Elle's transitive reduction); and, only when
 * asked (`ww_deps`), `ww` from the sender of a message to the sender of the
 * next message in the key's version order. Jepsen never builds `rw` edges for
 * kafka: a poll reads from its consumer position, not the log's end, so "read
 * an older version" is no evidence of a dependency; we keep that soundness.
 *
 * Strongly connected components come from Elle's iterative Tarjan; inside
 * each, a breadth-first search looks for a shortest cycle of each anomaly type
 * (G0, G1c, and their -realtime variants), with a time budget per component
 * like Elle's (`cycle-search-timeout`) and one for all components together.
 *
 * @module
 */

import type { Op } from "../types.ts";
import { tarjan } from "./elle/graph.ts";

/** Edge tags. */
export const WW = 1;
export const WR = 2;
export const RT = 4;

/** A directed graph over vertex ids 0..n-1 with tag bits per edge. */
export class TaggedGraph {
  readonly out: Map<number, number>[] = [];

  constructor(readonly size: number) {
    for (let i = 0; i < size; i++) this.out.push(new Map());
  }

  /** Adds (or merges tags into) the edge a → b. Self-edges are ignored. */
  link(a: number, b: number, tag: number): void {
    if (a === b) return;
    const edges = this.out[a];
    edges.set(b, (edges.get(b) ?? 0) | tag);
  }
}

/** Strongly connected components with more than one vertex (self-loops never exist). */
export function stronglyConnected(graph: TaggedGraph): number[][] {
  return tarjan(graph.out.map((edges) => [...edges.keys()]));
}

/** One anomaly type the typed search looks for. */
interface CycleSpec {
  name: string;
  allowed: number;
  /** Every tag bit here must appear on the cycle. */
  required: number;
  /** Types skipped once this one is found in a component (Elle's implied anomalies). */
  implies: string[];
}

const SPECS: CycleSpec[] = [
  { name: "G0", allowed: WW, required: WW, implies: ["G1c", "G0-realtime", "G1c-realtime"] },
  { name: "G1c", allowed: WW | WR, required: WR, implies: ["G1c-realtime"] },
  { name: "G0-realtime", allowed: WW | RT, required: WW | RT, implies: ["G1c-realtime"] },
  { name: "G1c-realtime", allowed: WW | WR | RT, required: WR | RT, implies: [] },
];

/** One step of a reported cycle. */
export interface CycleStep {
  type: "ww" | "wr" | "realtime";
  from: number;
  to: number;
}

/** A cycle anomaly: the ops (history indices) and the edge chosen for each step. */
export interface CycleCase {
  cycle: number[];
  steps: CycleStep[];
}

const TAG_NAMES: Record<number, CycleStep["type"]> = { [WW]: "ww", [WR]: "wr", [RT]: "realtime" };

/** What the cycle search found. */
export interface CycleFindings {
  anomalies: Map<string, CycleCase[]>;
  timed_out_components: number;
  /** Components in which no typed cycle was found in time. */
  unexplained_components: { size: number; tags: number; ops: number[] }[];
}

/**
 * Looks for typed cycles in every non-trivial component of `graph`.
 * `op_index[v]` is the history index of vertex v (for reports).
 */
export function findCycles(
  graph: TaggedGraph,
  op_index: number[],
  budget_ms_per_component = 1000,
  now_ms: () => number = () => performance.now(),
  total_budget_ms = 10_000,
): CycleFindings {
  const total_deadline_ms = now_ms() + total_budget_ms;
  const findings: CycleFindings = {
    anomalies: new Map(),
    timed_out_components: 0,
    unexplained_components: [],
  };
  for (const component of stronglyConnected(graph)) {
    const members = new Set(component);
    const deadline_ms = Math.min(now_ms() + budget_ms_per_component, total_deadline_ms);
    const skipped = new Set<string>();
    let found_any = false;
    let timed_out = false;
    for (const spec of SPECS) {
      if (skipped.has(spec.name)) continue;
      const search = searchSpec(graph, component, members, spec, deadline_ms, now_ms);
      if (search === "timeout") {
        timed_out = true;
        break;
      }
      if (search === undefined) continue;
      found_any = true;
      for (const implied of spec.implies) skipped.add(implied);
      const cases = findings.anomalies.get(spec.name) ?? [];
      cases.push(toCase(search, op_index));
      findings.anomalies.set(spec.name, cases);
    }
    if (timed_out) findings.timed_out_components++;
    if (!found_any) {
      let tags = 0;
      for (const v of component) {
        for (const [w, t] of graph.out[v]) if (members.has(w)) tags |= t;
      }
      findings.unexplained_components.push({
        size: component.length,
        tags,
        ops: component.map((v) => op_index[v]).sort((a, b) => a - b).slice(0, 32),
      });
    }
  }
  return findings;
}

type Path = { vertices: number[]; tags: number[] };

/** A shortest cycle meeting `spec`, trying each start vertex in turn. */
function searchSpec(
  graph: TaggedGraph,
  component: number[],
  members: Set<number>,
  spec: CycleSpec,
  deadline_ms: number,
  now_ms: () => number,
): Path | undefined | "timeout" {
  for (const start of component) {
    if (now_ms() > deadline_ms) return "timeout";
    const path = bfsCycle(graph, start, members, spec);
    if (path !== undefined) return path;
  }
  return undefined;
}

/** BFS over (vertex, tags seen so far) for a return to `start` with all required tags. */
function bfsCycle(
  graph: TaggedGraph,
  start: number,
  members: Set<number>,
  spec: CycleSpec,
): Path | undefined {
  const state = (v: number, seen: number) => v * 8 + seen;
  const parent = new Map<number, { from: number; tag: number }>();
  const queue: number[] = [state(start, 0)];
  parent.set(queue[0], { from: -1, tag: 0 });
  for (let head = 0; head < queue.length; head++) {
    const current = queue[head];
    const v = Math.floor(current / 8);
    const seen = current % 8;
    for (const [w, tags] of graph.out[v]) {
      if (!members.has(w)) continue;
      for (const tag of [WW, WR, RT]) {
        if ((tags & tag & spec.allowed) === 0) continue;
        const next_seen = seen | (tag & spec.required);
        const next = state(w, next_seen);
        if (w === start) {
          if (next_seen !== spec.required) continue;
          return unwind(parent, current, start, tag);
        }
        if (parent.has(next)) continue;
        parent.set(next, { from: current, tag });
        queue.push(next);
      }
    }
  }
  return undefined;
}

function unwind(
  parent: Map<number, { from: number; tag: number }>,
  last: number,
  start: number,
  closing_tag: number,
): Path {
  const vertices: number[] = [start];
  const tags: number[] = [closing_tag];
  let current = last;
  while (true) {
    const link = parent.get(current)!;
    if (link.from === -1) break;
    vertices.push(Math.floor(current / 8));
    tags.push(link.tag);
    current = link.from;
  }
  vertices.push(start);
  vertices.reverse();
  tags.reverse();
  return { vertices, tags };
}

function toCase(path: Path, op_index: number[]): CycleCase {
  const steps: CycleStep[] = [];
  for (let i = 0; i + 1 < path.vertices.length; i++) {
    steps.push({
      type: TAG_NAMES[path.tags[i]],
      from: op_index[path.vertices[i]],
      to: op_index[path.vertices[i + 1]],
    });
  }
  return { cycle: path.vertices.map((v) => op_index[v]), steps };
}

/**
 * Elle's realtime graph over `ops` (client send/poll ops in history order):
 * an edge from each ok completion in the frontier to the completion of every
 * later invocation. `vertex_of(op)` maps a completion to its vertex id;
 * `completion_of(invoke)` finds an invocation's completion.
 */
export function linkRealtime(
  graph: TaggedGraph,
  ops: Op[],
  vertex_of: (op: Op) => number | undefined,
  completion_of: (invoke: Op) => Op | undefined,
): void {
  let frontier: number[] = [];
  const incoming = new Map<number, Set<number>>();
  for (const op of ops) {
    if (op.type === "invoke") {
      const completion = completion_of(op);
      const target = completion === undefined ? undefined : vertex_of(completion);
      if (target === undefined) continue;
      for (const source of frontier) {
        graph.link(source, target, RT);
        let set = incoming.get(target);
        if (set === undefined) incoming.set(target, set = new Set());
        set.add(source);
      }
      continue;
    }
    if (op.type !== "ok") continue;
    const v = vertex_of(op);
    if (v === undefined) continue;
    const covered = incoming.get(v);
    if (covered !== undefined) frontier = frontier.filter((source) => !covered.has(source));
    incoming.delete(v);
    frontier.push(v);
  }
}
