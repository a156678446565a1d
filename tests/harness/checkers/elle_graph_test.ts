import assert from "node:assert/strict";
import {
  ALL_RELS,
  localGraph,
  RW,
  tarjan,
  TxnGraph,
  WR,
  WW,
} from "../../../lib/harness/checkers/elle/graph.ts";
import { sccCases } from "../../../lib/harness/checkers/elle/cycles.ts";

Deno.test("tarjan: components of a small graph, singletons dropped", () => {
  const succ = [[1], [2], [0, 3], [4], [3], []];
  const components = tarjan(succ).map((c) => c.sort()).sort();
  assert.deepEqual(components, [[0, 1, 2], [3, 4]]);
});

Deno.test("tarjan: a 200 000-vertex ring is one component without stack overflow", () => {
  const n = 200_000;
  const succ = Array.from({ length: n }, (_, i) => [(i + 1) % n]);
  const components = tarjan(succ);
  assert.equal(components.length, 1);
  assert.equal(components[0].length, n);
});

Deno.test("graph: edges merge tags and drop self edges", () => {
  const g = new TxnGraph(3);
  g.link(0, 1, WW, { key: "x" });
  g.link(0, 1, RW, { key: "y" });
  g.link(2, 2, WW);
  assert.equal(g.rels(0, 1), WW | RW);
  assert.equal(g.edgeCount(), 1);
  assert.deepEqual(g.explain(0, 1, RW), { key: "y" });
});

Deno.test("cycle search: a 2000-txn ring with one wr edge is G1c, not G0", () => {
  const n = 2000;
  const g = new TxnGraph(n);
  for (let i = 0; i < n - 1; i++) g.link(i, i + 1, WW);
  g.link(n - 1, 0, WR);
  const local = localGraph(g, Array.from({ length: n }, (_, i) => i), ALL_RELS);
  const [component] = tarjan(local.succ);
  const scc = localGraph(g, component.map((v) => local.vertices[v]), ALL_RELS);
  const cases = sccCases(scc, 10_000_000);
  const cycles = cases.flatMap((c) => (c.kind === "cycle" ? [c.cycle] : []));
  assert.deepEqual(cycles.map((c) => c.type), ["G1c"]);
  assert.equal(cycles[0].vertices.length, n);
  assert.equal(cycles[0].rels.filter((r) => r === WR).length, 1);
});

Deno.test("cycle search: a tiny budget reports a timeout and still a fallback cycle", () => {
  const g = new TxnGraph(2);
  g.link(0, 1, RW);
  g.link(1, 0, RW);
  const scc = localGraph(g, [0, 1], ALL_RELS);
  const cases = sccCases(scc, 0);
  const timeout = cases.find((c) => c.kind === "timeout");
  assert.ok(timeout && timeout.kind === "timeout");
  assert.equal(timeout.fallback?.type, "G2-item");
});
