/**
 * Test node for the broadcast and g-set workloads (`--workload broadcast` or
 * `--workload g-set`). Correct by default: every node periodically sends its
 * whole set to every peer, so it converges after any partition heals.
 *
 * `--bug no-relay`: no gossip. For broadcast a client's message goes once to
 * the node's topology neighbours, who never pass it on (with a grid of 3
 * nodes some node never hears it); for g-set each node keeps its adds to
 * itself. Either way final reads lose acknowledged elements.
 *
 * @module
 */

import { Node } from "../../../lib/maelstrom.ts";

/** How often a node sends its whole set to every peer. */
const GOSSIP_INTERVAL_MS = 50;

const args = Deno.args;
const is_gset = args.includes("g-set");
const no_relay = args.includes("no-relay");
const node = new Node();
const seen = new Set<unknown>();
let neighbours: string[] = [];

node.on("topology", (req) => {
  neighbours = req.body.topology?.[node.id] ?? [];
  node.reply(req, { type: "topology_ok" });
});

node.on(is_gset ? "add" : "broadcast", (req) => {
  const item = is_gset ? req.body.element : req.body.message;
  seen.add(item);
  if (req.body.msg_id !== undefined) {
    node.reply(req, { type: is_gset ? "add_ok" : "broadcast_ok" });
  }
  if (no_relay && req.src.startsWith("c")) {
    for (const neighbour of neighbours) node.send(neighbour, { type: "broadcast", message: item });
  }
});

node.on("read", (req) => {
  node.reply(req, { type: "read_ok", [is_gset ? "value" : "messages"]: [...seen] });
});

node.on("gossip", (req) => {
  for (const item of req.body.items) seen.add(item);
});

if (!no_relay) {
  setInterval(() => {
    if (seen.size === 0) return;
    for (const peer of node.peers()) node.send(peer, { type: "gossip", items: [...seen] });
  }, GOSSIP_INTERVAL_MS);
}

await node.run();
Deno.exit(0);
