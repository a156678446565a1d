/**
 * Test node for the g-counter and pn-counter workloads. Correct by default:
 * each node owns one versioned partial sum and periodically sends all the
 * sums it knows to every peer (a state-based CRDT), so reads converge after
 * a partition heals.
 *
 * `--bug local-only`: a node never shares its adds, so each node's final
 * read misses the increments made through the other nodes.
 *
 * @module
 */

import { Node } from "../../../lib/maelstrom.ts";

/** How often a node sends its known partial sums to every peer. */
const GOSSIP_INTERVAL_MS = 50;

interface PartialSum {
  value: number;
  version: number;
}

const local_only = Deno.args.includes("local-only");
const node = new Node();
const sums = new Map<string, PartialSum>();

node.on("add", (req) => {
  const own = sums.get(node.id) ?? { value: 0, version: 0 };
  sums.set(node.id, { value: own.value + req.body.delta, version: own.version + 1 });
  node.reply(req, { type: "add_ok" });
});

node.on("read", (req) => {
  let total = 0;
  for (const { value } of sums.values()) total += value;
  node.reply(req, { type: "read_ok", value: total });
});

node.on("gossip", (req) => {
  for (const [owner, sum] of Object.entries(req.body.sums as Record<string, PartialSum>)) {
    const known = sums.get(owner);
    if (known === undefined || known.version < sum.version) sums.set(owner, sum);
  }
});

if (!local_only) {
  setInterval(() => {
    if (sums.size === 0) return;
    const body = { type: "gossip", sums: Object.fromEntries(sums) };
    for (const peer of node.peers()) node.send(peer, body);
  }, GOSSIP_INTERVAL_MS);
}

await node.run();
Deno.exit(0);
