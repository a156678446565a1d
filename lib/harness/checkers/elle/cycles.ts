/**
 * Cycle search inside one strongly connected component, as Elle's `txn`
 * namespace does it: first the cheap "cycle exists" proofs per model (does the
 * projection to some tags still have a non-trivial SCC?), then, worst anomaly
 * first, a breadth-first search for a shortest cycle of each type (G0, G1c,
 * G-single-item, G-nonadjacent-item, G2-item and their -process / -realtime
 * variants), skipping types already implied or proved impossible. A found
 * cycle is classified by its edges and reported with its steps.
 *
 * Work is bounded: each SCC has a budget of BFS state expansions; when it runs
 * out the search reports `cycle-search-timeout` plus a fallback cycle, like
 * Elle's 1 s timeout but deterministic.
 *
 * @module
 */

import {
  DATA,
  type LocalGraph,
  PROCESS,
  projectLocal,
  REALTIME,
  RW,
  tarjan,
  WR,
  WW,
} from "./graph.ts";
import {
  allImpliedAnomalies,
  allImpossibleModels,
  anomaliesProhibitedBy,
  anomalyDepths,
  canonicalModel,
  friendlyModel,
} from "./models.ts";

/** A cycle as local vertex ids and the tag used for each step (step i: v[i] → v[i+1 mod n]). */
export interface FoundCycle {
  vertices: number[];
  rels: number[];
  type: string;
}

/** One anomaly case produced by the search (explained later by the caller). */
export type SccCase =
  | { kind: "cycle"; cycle: FoundCycle }
  | { kind: "exists"; type: string; not: string; subgraph: string; scc: number[] }
  | { kind: "timeout"; anomaly_spec_type: string; scc_size: number; fallback?: FoundCycle };

interface CycleSpec {
  name: string;
  /** Tags usable on any step. */
  rels: number;
  /** rw constraint: exactly one, two or more, or two or more never adjacent. */
  rw?: "single" | "multiple" | "nonadjacent" | "adjacent" | "any";
  require_wr?: boolean;
  /** PROCESS or REALTIME: at least one such step. */
  variant?: number;
  /** The classification the cycle must have. */
  type?: string;
}

const BASE_SPECS: CycleSpec[] = [
  { name: "G0", rels: WW },
  { name: "G1c", rels: WW | WR, require_wr: true },
  { name: "G-single-item", rels: WW | WR | RW, rw: "single", type: "G-single-item" },
  {
    name: "G-nonadjacent-item",
    rels: WW | WR | RW,
    rw: "nonadjacent",
    type: "G-nonadjacent-item",
  },
  { name: "G2-item", rels: WW | WR | RW, rw: "adjacent", type: "G2-item" },
];

function variantSpecs(): CycleSpec[] {
  const out: CycleSpec[] = [];
  for (const base of BASE_SPECS) {
    out.push(base);
    for (const [suffix, bit] of [["-process", PROCESS], ["-realtime", REALTIME]] as const) {
      out.push({
        ...base,
        name: base.name + suffix,
        rels: base.rels | bit,
        variant: bit,
        type: base.type === undefined ? undefined : base.type + suffix,
      });
    }
  }
  const depths = anomalyDepths();
  return out.sort((a, b) =>
    (depths.get(a.name) ?? 0) - (depths.get(b.name) ?? 0) || (a.name < b.name ? -1 : 1)
  );
}

/** Cycle specs in Elle's search order (worst first). */
export const CYCLE_SPECS: readonly CycleSpec[] = variantSpecs();
/** Every cycle anomaly type this search can report. */
export const CYCLE_TYPES: ReadonlySet<string> = new Set(CYCLE_SPECS.map((s) => s.name));

/** Elle's classification of a cycle by the tags of its steps. */
export function classifyCycle(rels: readonly number[]): string | undefined {
  let ww = 0, wr = 0, rw = 0, realtime = 0, process = 0, rw_adjacent = false;
  rels.forEach((rel, i) => {
    if (rel === WW) ww++;
    if (rel === WR) wr++;
    if (rel === RW) {
      rw++;
      if (rels[(i + rels.length - 1) % rels.length] === RW) rw_adjacent = true;
    }
    if (rel === REALTIME) realtime++;
    if (rel === PROCESS) process++;
  });
  let base: string;
  if (rw === 1) base = "G-single-item";
  else if (rw > 1) base = rw_adjacent ? "G2-item" : "G-nonadjacent-item";
  else if (wr > 0) base = "G1c";
  else if (ww > 0) base = "G0";
  else return undefined;
  return base + (realtime > 0 ? "-realtime" : process > 0 ? "-process" : "");
}

interface ExistsSpec {
  model: string;
  mask: number;
  /** Sequential extension: mask edges, plus x → z for x→y (mask) then y→z (rw). */
  extension?: boolean;
  subgraph: string;
}

const EXISTS_SPECS: ExistsSpec[] = [
  { model: "PL-1", mask: WW, subgraph: "ww" },
  { model: "PL-2", mask: WW | WR, subgraph: "ww,wr" },
  { model: "PL-SI", mask: WW | WR, extension: true, subgraph: "extension(ww,wr ; rw)" },
  { model: "PL-3", mask: DATA, subgraph: "ww,wr,rw" },
  { model: "strong-session-PL-1", mask: WW | PROCESS, subgraph: "ww,process" },
  { model: "strong-session-PL-2", mask: WW | WR | PROCESS, subgraph: "ww,wr,process" },
  {
    model: "strong-session-snapshot-isolation",
    mask: WW | WR | PROCESS,
    extension: true,
    subgraph: "extension(ww,wr,process ; rw)",
  },
  { model: "strong-session-serializable", mask: DATA | PROCESS, subgraph: "ww,wr,rw,process" },
  { model: "strong-PL-1", mask: WW | REALTIME, subgraph: "ww,realtime" },
  { model: "strong-PL-2", mask: WW | WR | REALTIME, subgraph: "ww,wr,realtime" },
  {
    model: "strong-snapshot-isolation",
    mask: WW | WR | REALTIME,
    extension: true,
    subgraph: "extension(ww,wr,realtime ; rw)",
  },
  { model: "PL-SS", mask: DATA | REALTIME, subgraph: "ww,wr,rw,realtime" },
];

function extensionSuccessors(g: LocalGraph, mask: number): number[][] | "self-cycle" {
  const succ: number[][] = [];
  for (let x = 0; x < g.succ.length; x++) {
    const s = new Set<number>();
    g.succ[x].forEach((y, i) => {
      if ((g.tags[x][i] & mask) === 0) return;
      s.add(y);
      g.succ[y].forEach((z, j) => {
        if ((g.tags[y][j] & RW) !== 0) s.add(z);
      });
    });
    if (s.has(x)) return "self-cycle";
    succ.push([...s]);
  }
  return succ;
}

/** Elle's cycle-exists cases for one SCC, weakest model first. */
function cycleExistsCases(g: LocalGraph): SccCase[] {
  const cases: SccCase[] = [];
  const redundant = new Set<string>();
  for (const spec of EXISTS_SPECS) {
    if (redundant.has(spec.model)) continue;
    let components: number[][];
    if (spec.extension) {
      const succ = extensionSuccessors(g, spec.mask);
      components = succ === "self-cycle" ? [g.vertices.map((_, i) => i)] : tarjan(succ);
    } else {
      components = tarjan(projectLocal(g, spec.mask).succ);
    }
    if (components.length === 0) continue;
    const smallest = components.reduce((a, b) => (b.length < a.length ? b : a));
    cases.push({
      kind: "exists",
      type: `${spec.model}-cycle-exists`,
      not: friendlyModel(spec.model),
      subgraph: spec.subgraph,
      scc: smallest.map((v) => g.vertices[v]),
    });
    for (const m of allImpossibleModels([spec.model])) redundant.add(m);
  }
  return cases;
}

/** Cycle types that cannot exist given which cycle-exists proofs failed. */
function impossibleCycleTypes(exists: readonly SccCase[]): Set<string> {
  const impossible_models = allImpossibleModels(
    exists.flatMap((c) => (c.kind === "exists" ? [canonicalModel(c.not)] : [])),
  );
  const possible = EXISTS_SPECS.map((s) => s.model).filter((m) => !impossible_models.has(m));
  const prohibited = anomaliesProhibitedBy(possible);
  return new Set([...CYCLE_TYPES].filter((t) => prohibited.has(t)));
}

/** A search budget shared by the searches of one SCC. */
export interface Budget {
  /** State expansions left. */
  remaining: number;
}

// BFS state bits beside the vertex.
const RW_ONE = 1;
const RW_MANY = 2;
const LAST_RW = 4;
const FIRST_RW = 8;
const HAS_WR = 16;
const HAS_VARIANT = 32;
const ADJACENT = 64;
const STATE_BITS = 128;

class OutOfBudget extends Error {}

/**
 * A shortest cycle through `start` matching `spec`, or undefined. Throws
 * OutOfBudget when the budget runs out.
 */
function searchFrom(
  g: LocalGraph,
  spec: CycleSpec,
  start: number,
  budget: Budget,
  parent: Int32Array,
  parent_rel: Uint8Array,
  touched: number[],
): FoundCycle | undefined {
  for (const s of touched) parent[s] = -2;
  touched.length = 0;
  const start_state = start * STATE_BITS;
  parent[start_state] = -1;
  touched.push(start_state);
  let queue = [start_state];
  while (queue.length > 0) {
    const next: number[] = [];
    for (const state of queue) {
      if (--budget.remaining < 0) throw new OutOfBudget();
      const v = Math.floor(state / STATE_BITS);
      const bits = state % STATE_BITS;
      const at_start = state === start_state;
      const succ = g.succ[v];
      const tags = g.tags[v];
      for (let i = 0; i < succ.length; i++) {
        const w = succ[i];
        let avail = tags[i] & spec.rels;
        while (avail !== 0) {
          const rel = avail & -avail;
          avail &= avail - 1;
          const nbits = step(spec, bits, rel, at_start);
          if (nbits < 0) continue;
          if (w === start) {
            if (!accepts(spec, nbits)) continue;
            return rebuild(spec, start_state, state, rel, parent, parent_rel);
          }
          const nstate = w * STATE_BITS + nbits;
          if (parent[nstate] !== -2) continue;
          parent[nstate] = state;
          parent_rel[nstate] = rel;
          touched.push(nstate);
          next.push(nstate);
        }
      }
    }
    queue = next;
  }
  return undefined;
}

function step(spec: CycleSpec, bits: number, rel: number, at_start: boolean): number {
  let out = bits & ~LAST_RW;
  if (rel === RW) {
    if (spec.rw === undefined) return -1;
    const last = (bits & LAST_RW) !== 0;
    if (spec.rw === "nonadjacent" && last) return -1;
    if (spec.rw === "single" && (bits & (RW_ONE | RW_MANY)) !== 0) return -1;
    if (last) out |= ADJACENT;
    out = (bits & (RW_ONE | RW_MANY)) !== 0 ? (out & ~RW_ONE) | RW_MANY : out | RW_ONE;
    out |= LAST_RW;
    if (at_start) out |= FIRST_RW;
  }
  if (rel === WR) out |= HAS_WR;
  if (rel === spec.variant) out |= HAS_VARIANT;
  return out;
}

function accepts(spec: CycleSpec, bits: number): boolean {
  if (spec.require_wr && (bits & HAS_WR) === 0) return false;
  if (spec.variant !== undefined && (bits & HAS_VARIANT) === 0) return false;
  const wraps = (bits & LAST_RW) !== 0 && (bits & FIRST_RW) !== 0;
  switch (spec.rw) {
    case "single":
      return (bits & RW_ONE) !== 0;
    case "multiple":
      return (bits & RW_MANY) !== 0;
    case "nonadjacent":
      return (bits & RW_MANY) !== 0 && !wraps;
    case "adjacent":
      return (bits & RW_MANY) !== 0 && ((bits & ADJACENT) !== 0 || wraps);
    default:
      return true;
  }
}

function rebuild(
  spec: CycleSpec,
  start_state: number,
  last_state: number,
  closing_rel: number,
  parent: Int32Array,
  parent_rel: Uint8Array,
): FoundCycle {
  const vertices: number[] = [];
  const rels: number[] = [closing_rel];
  let s = last_state;
  while (s !== start_state) {
    vertices.push(Math.floor(s / STATE_BITS));
    rels.push(parent_rel[s]);
    s = parent[s];
  }
  vertices.push(Math.floor(start_state / STATE_BITS));
  vertices.reverse();
  rels.reverse();
  return { vertices, rels, type: classifyCycle(rels) ?? spec.name };
}

/** Starting points worth trying: every vertex that can begin a step the spec insists on. */
function startVertices(g: LocalGraph, spec: CycleSpec): number[] {
  const needs_rw = spec.rw !== undefined && spec.rw !== "any";
  const must = spec.variant ?? (needs_rw ? RW : spec.require_wr ? WR : 0);
  const out: number[] = [];
  for (let v = 0; v < g.succ.length; v++) {
    if (must === 0 || g.tags[v].some((t) => (t & must) !== 0)) out.push(v);
  }
  return out;
}

/** Reusable BFS arrays sized for the largest SCC searched. */
interface Scratch {
  parent: Int32Array;
  parent_rel: Uint8Array;
  touched: number[];
}

function scratchFor(vertex_count: number): Scratch {
  const n = vertex_count * STATE_BITS;
  return { parent: new Int32Array(n).fill(-2), parent_rel: new Uint8Array(n), touched: [] };
}

/** Finds a cycle of the given type within one SCC, or undefined. */
function findCycle(
  g: LocalGraph,
  spec: CycleSpec,
  budget: Budget,
  scratch: Scratch,
): FoundCycle | undefined {
  const projected = projectLocal(g, spec.rels);
  for (const component of tarjan(projected.succ)) {
    const sub = subgraph(projected, component);
    for (const start of startVertices(sub, spec)) {
      const { parent, parent_rel, touched } = scratch;
      const found = searchFrom(sub, spec, start, budget, parent, parent_rel, touched);
      if (found === undefined) continue;
      if (spec.type !== undefined && found.type !== spec.type) continue;
      return { ...found, vertices: found.vertices.map((v) => component[v]) };
    }
  }
  return undefined;
}

function subgraph(g: LocalGraph, component: readonly number[]): LocalGraph {
  const local = new Map<number, number>();
  component.forEach((v, i) => local.set(v, i));
  const succ: number[][] = [];
  const tags: number[][] = [];
  for (const v of component) {
    const s: number[] = [];
    const t: number[] = [];
    g.succ[v].forEach((w, i) => {
      const j = local.get(w);
      if (j === undefined) return;
      s.push(j);
      t.push(g.tags[v][i]);
    });
    succ.push(s);
    tags.push(t);
  }
  return { vertices: component.map((v) => g.vertices[v]), succ, tags };
}

/** Any cycle in a strongly connected graph, preferring ww, then ww/wr, then all tags. */
function fallbackCycle(g: LocalGraph, scratch: Scratch): FoundCycle | undefined {
  const unbounded: Budget = { remaining: Number.MAX_SAFE_INTEGER };
  for (const rels of [WW, WW | WR, DATA, DATA | PROCESS | REALTIME]) {
    const found = findCycle(g, { name: "fallback", rels, rw: "any" }, unbounded, scratch);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** Every case Elle would report for one SCC (given as a local graph over all tags). */
export function sccCases(g: LocalGraph, budget_steps: number): SccCase[] {
  const exists = cycleExistsCases(g);
  const skip = impossibleCycleTypes(exists);
  const found: FoundCycle[] = [];
  const budget: Budget = { remaining: budget_steps };
  const scratch = scratchFor(g.vertices.length);
  for (const spec of CYCLE_SPECS) {
    if (skip.has(spec.name)) continue;
    let cycle: FoundCycle | undefined;
    try {
      cycle = findCycle(g, spec, budget, scratch);
    } catch (e) {
      if (!(e instanceof OutOfBudget)) throw e;
      const cycles: SccCase[] = found.map((c) => ({ kind: "cycle", cycle: c }));
      return [
        {
          kind: "timeout",
          anomaly_spec_type: spec.name,
          scc_size: g.vertices.length,
          fallback: fallbackCycle(g, scratch),
        },
        ...exists,
        ...cycles,
      ];
    }
    if (cycle === undefined) continue;
    found.push(cycle);
    for (const implied of allImpliedAnomalies([spec.name])) skip.add(implied);
  }
  return [...exists, ...found.map((c): SccCase => ({ kind: "cycle", cycle: c }))];
}
