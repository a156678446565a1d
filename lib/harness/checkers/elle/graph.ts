/**
 * The transaction dependency graph: vertices are transactions (dense ids),
 * edges carry a bit set of relation tags (ww, wr, rw, process, realtime), and
 * each tagged edge remembers one explanation for the cycle report.
 *
 * Also Tarjan's strongly connected components (iterative, so deep graphs do
 * not overflow the stack) over a projection of the graph to some tags.
 *
 * @module
 */

/** Relation tags, one bit each. */
export const WW = 1;
export const WR = 2;
export const RW = 4;
export const PROCESS = 8;
export const REALTIME = 16;
/** Every data-dependency tag. */
export const DATA = WW | WR | RW;
/** Every tag. */
export const ALL_RELS = DATA | PROCESS | REALTIME;

/** Tag bit → the name Elle prints in cycle steps. */
export const REL_NAMES: ReadonlyMap<number, string> = new Map([
  [WW, "ww"],
  [WR, "wr"],
  [RW, "rw"],
  [PROCESS, "process"],
  [REALTIME, "realtime"],
]);

/** Why an edge exists, printed as one step of a cycle. */
export type Explanation = Record<string, unknown>;

/** A directed graph over transaction ids 0..size-1 with tagged edges. */
export class TxnGraph {
  /** Per vertex: successor → tag bits. */
  readonly out: Map<number, number>[];
  private readonly why = new Map<string, Explanation>();
  private edge_count = 0;

  constructor(readonly size: number) {
    this.out = Array.from({ length: size }, () => new Map<number, number>());
  }

  /** Adds `rel` to the edge from → to (self edges are dropped, as Elle does). */
  link(from: number, to: number, rel: number, explanation?: Explanation): void {
    if (from === to) return;
    const succ = this.out[from];
    const had = succ.get(to);
    if (had === undefined) this.edge_count++;
    if (had !== undefined && (had & rel) === rel) return;
    succ.set(to, (had ?? 0) | rel);
    if (explanation !== undefined) this.why.set(`${from},${to},${rel}`, explanation);
  }

  /** The tags of the edge from → to (0 when absent). */
  rels(from: number, to: number): number {
    return this.out[from].get(to) ?? 0;
  }

  /** The explanation recorded for one tag of an edge. */
  explain(from: number, to: number, rel: number): Explanation | undefined {
    return this.why.get(`${from},${to},${rel}`);
  }

  /** Number of distinct (from, to) pairs. */
  edgeCount(): number {
    return this.edge_count;
  }
}

/** A compact copy of part of a graph: local ids 0..n-1, successor and tag lists. */
export interface LocalGraph {
  /** Local id → transaction id. */
  vertices: number[];
  succ: number[][];
  tags: number[][];
}

/** The subgraph induced by `vertices`, keeping only edges with a tag in `mask`. */
export function localGraph(g: TxnGraph, vertices: readonly number[], mask: number): LocalGraph {
  const local = new Map<number, number>();
  vertices.forEach((v, i) => local.set(v, i));
  const succ: number[][] = [];
  const tags: number[][] = [];
  for (const v of vertices) {
    const s: number[] = [];
    const t: number[] = [];
    for (const [w, rels] of g.out[v]) {
      const j = local.get(w);
      const kept = rels & mask;
      if (j === undefined || kept === 0) continue;
      s.push(j);
      t.push(kept);
    }
    succ.push(s);
    tags.push(t);
  }
  return { vertices: [...vertices], succ, tags };
}

/** Local graph restricted to `mask` tags (vertices unchanged). */
export function projectLocal(g: LocalGraph, mask: number): LocalGraph {
  const succ: number[][] = [];
  const tags: number[][] = [];
  for (let v = 0; v < g.succ.length; v++) {
    const s: number[] = [];
    const t: number[] = [];
    g.succ[v].forEach((w, i) => {
      const kept = g.tags[v][i] & mask;
      if (kept === 0) return;
      s.push(w);
      t.push(kept);
    });
    succ.push(s);
    tags.push(t);
  }
  return { vertices: g.vertices, succ, tags };
}

/**
 * Strongly connected components with more than one vertex (self edges are
 * never stored), as arrays of local ids. Iterative Tarjan: O(V + E).
 */
export function tarjan(succ: readonly (readonly number[])[]): number[][] {
  const n = succ.length;
  const index = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const on_stack = new Uint8Array(n);
  const stack: number[] = [];
  const components: number[][] = [];
  const call_v: number[] = [];
  const call_i: number[] = [];
  let next_index = 0;
  for (let root = 0; root < n; root++) {
    if (index[root] !== -1) continue;
    call_v.push(root);
    call_i.push(0);
    index[root] = low[root] = next_index++;
    stack.push(root);
    on_stack[root] = 1;
    while (call_v.length > 0) {
      const top = call_v.length - 1;
      const v = call_v[top];
      const i = call_i[top];
      if (i < succ[v].length) {
        call_i[top] = i + 1;
        const w = succ[v][i];
        if (index[w] === -1) {
          index[w] = low[w] = next_index++;
          stack.push(w);
          on_stack[w] = 1;
          call_v.push(w);
          call_i.push(0);
        } else if (on_stack[w]) {
          low[v] = Math.min(low[v], index[w]);
        }
        continue;
      }
      call_v.pop();
      call_i.pop();
      if (call_v.length > 0) {
        const parent = call_v[call_v.length - 1];
        low[parent] = Math.min(low[parent], low[v]);
      }
      if (low[v] !== index[v]) continue;
      const component: number[] = [];
      let w: number;
      do {
        w = stack.pop()!;
        on_stack[w] = 0;
        component.push(w);
      } while (w !== v);
      if (component.length > 1) components.push(component);
    }
  }
  return components;
}
