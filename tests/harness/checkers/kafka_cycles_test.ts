// Tests of the kafka dependency-graph helpers (lib/harness/checkers/kafka_cycles.ts).

import assert from "node:assert/strict";
import {
  findCycles,
  linkRealtime,
  RT,
  stronglyConnected,
  TaggedGraph,
  WR,
  WW,
} from "../../../lib/harness/checkers/kafka_cycles.ts";
import type { Op } from "../../../lib/harness/types.ts";

function graph(size: number, edges: [number, number, number][]): TaggedGraph {
  const g = new TaggedGraph(size);
  for (const [a, b, tag] of edges) g.link(a, b, tag);
  return g;
}

const ids = (n: number) => Array.from({ length: n }, (_, i) => 100 + i);

Deno.test("strongly connected components: only non-trivial ones, self-edges ignored", () => {
  const g = graph(6, [[0, 1, WR], [1, 2, RT], [2, 0, WR], [3, 4, WR], [5, 5, WR]]);
  const sccs = stronglyConnected(g).map((c) => c.sort());
  assert.deepEqual(sccs, [[0, 1, 2]]);
});

Deno.test("a long chain is handled without recursion", () => {
  const n = 200_000;
  const edges: [number, number, number][] = [];
  for (let i = 0; i + 1 < n; i++) edges.push([i, i + 1, RT]);
  edges.push([n - 1, 0, WR]);
  assert.equal(stronglyConnected(graph(n, edges))[0].length, n);
});

Deno.test("cycles are typed by their edges: G0, G1c, G1c-realtime", () => {
  const g0 = findCycles(graph(2, [[0, 1, WW], [1, 0, WW]]), ids(2));
  assert.deepEqual([...g0.anomalies.keys()], ["G0"]);
  const g1c = findCycles(graph(2, [[0, 1, WW], [1, 0, WR]]), ids(2));
  assert.deepEqual([...g1c.anomalies.keys()], ["G1c"]);
  const rt = findCycles(graph(3, [[0, 1, WR], [1, 2, RT], [2, 0, RT]]), ids(3));
  assert.deepEqual([...rt.anomalies.keys()], ["G1c-realtime"]);
  const [found] = rt.anomalies.get("G1c-realtime")!;
  assert.equal(found.cycle.length, 4);
  assert.equal(found.cycle[0], found.cycle[3]);
  assert.deepEqual([...found.cycle].slice(1).sort(), [100, 101, 102]);
  const wr = found.steps.find((s) => s.type === "wr")!;
  assert.deepEqual([wr.from, wr.to], [100, 101]);
  assert.deepEqual(found.steps.map((s) => s.type).sort(), ["realtime", "realtime", "wr"]);
});

Deno.test("a G0 in a component implies and hides the weaker types there", () => {
  const g = graph(3, [[0, 1, WW], [1, 0, WW | WR], [1, 2, RT], [2, 0, WR]]);
  assert.deepEqual([...findCycles(g, ids(3)).anomalies.keys()], ["G0"]);
});

Deno.test("a search out of time reports the timeout and a cycle-exists anomaly", () => {
  let now = 0;
  const g = graph(2, [[0, 1, WR], [1, 0, RT]]);
  const findings = findCycles(g, ids(2), 5, () => (now += 10));
  assert.equal(findings.timed_out_components, 1);
  assert.deepEqual(findings.unexplained_components, [{ size: 2, tags: WR | RT, ops: [100, 101] }]);
});

Deno.test("realtime edges go from ok completions to later invocations, transitively reduced", () => {
  const op = (index: number, type: Op["type"], process: number): Op => ({
    index,
    time: index,
    type,
    process,
    f: "poll",
    value: null,
  });
  // A completes, then B runs, then C is invoked: A → B, B → C, but no A → C.
  const ops = [op(0, "invoke", 0), op(1, "ok", 0), op(2, "invoke", 1), op(3, "ok", 1)];
  ops.push(op(4, "invoke", 2), op(5, "info", 2));
  const completion = new Map([[0, ops[1]], [2, ops[3]], [4, ops[5]]]);
  const vertex = new Map([[1, 0], [3, 1], [5, 2]]);
  const g = new TaggedGraph(3);
  linkRealtime(g, ops, (o) => vertex.get(o.index), (i) => completion.get(i.index));
  assert.deepEqual([...g.out[0]], [[1, RT]]);
  assert.deepEqual([...g.out[1]], [[2, RT]]);
  assert.deepEqual([...g.out[2]], []);
});
