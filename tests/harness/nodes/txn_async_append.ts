/**
 * Test node (buggy, not serializable): list-append where every node runs txns
 * against its own lists at once and replicates appends to the other nodes
 * asynchronously (every 20 ms), which append them on arrival. Nodes see
 * concurrent appends in different orders and read stale lists.
 *
 * @module
 */

import { Node } from "../../../lib/maelstrom.ts";

type Mop = [string, unknown, unknown];

const node = new Node();
const lists = new Map<string, unknown[]>();
let pending: [unknown, unknown][] = [];

function append(k: unknown, v: unknown): void {
  const key = JSON.stringify(k);
  lists.set(key, [...(lists.get(key) ?? []), v]);
}

setInterval(() => {
  if (pending.length === 0) return;
  for (const peer of node.peers()) node.send(peer, { type: "appends", appends: pending });
  pending = [];
}, 20);

node.on("appends", (req) => {
  for (const [k, v] of req.body.appends as [unknown, unknown][]) append(k, v);
});

node.on("txn", (req) => {
  const txn = (req.body.txn as Mop[]).map(([f, k, v]): Mop => {
    if (f === "append") {
      append(k, v);
      pending.push([k, v]);
      return [f, k, v];
    }
    const list = lists.get(JSON.stringify(k));
    return [f, k, list === undefined ? null : [...list]];
  });
  node.reply(req, { type: "txn_ok", txn });
});

await node.run();
