/**
 * Broadcast topologies (`--topology`), built as Maelstrom's
 * `workload/broadcast.clj` builds them from the ordered node list: a map from
 * each node to its neighbours, sent whole to every node in `topology`.
 *
 * @module
 */

import type { Topology } from "./types.ts";

/** Node id → neighbour ids, in Maelstrom's neighbour order. */
export type TopologyMap = Record<string, string[]>;

/** The neighbour map of `kind` over `nodes` (in their given order). */
export function buildTopology(kind: Topology, nodes: readonly string[]): TopologyMap {
  switch (kind) {
    case "grid":
      return gridTopology(nodes);
    case "line":
      return lineTopology(nodes);
    case "total":
      return totalTopology(nodes);
    case "tree":
    case "tree2":
      return treeTopology(2, nodes);
    case "tree3":
      return treeTopology(3, nodes);
    case "tree4":
      return treeTopology(4, nodes);
  }
}

/**
 * A roughly square grid with `side = ceil(sqrt(n))`; node `i·side + j` sits at
 * row i, column j and links to (i+1, j), (i−1, j), (i, j+1), (i, j−1) when
 * they exist.
 */
export function gridTopology(nodes: readonly string[]): TopologyMap {
  const n = nodes.length;
  const side = Math.ceil(Math.sqrt(n));
  const at = (i: number, j: number): string | undefined => {
    if (i < 0 || j < 0 || j >= side) return undefined;
    const index = i * side + j;
    return index < n ? nodes[index] : undefined;
  };
  const topology: TopologyMap = {};
  for (let index = 0; index < n; index++) {
    const i = Math.floor(index / side);
    const j = index % side;
    topology[nodes[index]] = [at(i + 1, j), at(i - 1, j), at(i, j + 1), at(i, j - 1)]
      .filter((node): node is string => node !== undefined);
  }
  return topology;
}

/** A chain: each node links to its left and right neighbours; empty below 2 nodes. */
export function lineTopology(nodes: readonly string[]): TopologyMap {
  const n = nodes.length;
  if (n < 2) return {};
  const topology: TopologyMap = {};
  for (let index = 0; index < n; index++) {
    if (index === 0) topology[nodes[index]] = [nodes[1]];
    else if (index === n - 1) topology[nodes[index]] = [nodes[n - 2]];
    else topology[nodes[index]] = [nodes[index - 1], nodes[index + 1]];
  }
  return topology;
}

/** Every node links to every other node, in node order. */
export function totalTopology(nodes: readonly string[]): TopologyMap {
  const topology: TopologyMap = {};
  for (const node of nodes) topology[node] = nodes.filter((other) => other !== node);
  return topology;
}

/**
 * A tree with branch factor `branching`, filled tier by tier (1, b, b², …) in
 * node order, so node k's children are nodes b·k+1 … b·k+b. Each list is
 * [parent, children…]; the root has only children, a leaf only its parent.
 */
export function treeTopology(branching: number, nodes: readonly string[]): TopologyMap {
  const topology: TopologyMap = {};
  for (let index = 0; index < nodes.length; index++) {
    const neighbours: string[] = [];
    if (index > 0) neighbours.push(nodes[Math.floor((index - 1) / branching)]);
    for (let child = branching * index + 1; child <= branching * index + branching; child++) {
      if (child < nodes.length) neighbours.push(nodes[child]);
    }
    topology[nodes[index]] = neighbours;
  }
  return topology;
}
