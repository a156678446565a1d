/**
 * Test node (buggy, G1a): a single-node register store that writes straight
 * into its state as it goes and, for about one txn in four that writes, then
 * aborts with txn-conflict (error 30) without rolling back. Later txns read
 * the aborted writes.
 *
 * @module
 */

import { ErrorCode, Node, RPCError } from "../../../lib/maelstrom.ts";

type Mop = [string, unknown, unknown];

const node = new Node();
const store = new Map<string, unknown>();

node.on("txn", (req) => {
  const txn = (req.body.txn as Mop[]).map(([f, k, v]): Mop => {
    const key = JSON.stringify(k);
    if (f === "w") store.set(key, v);
    return f === "r" ? [f, k, store.get(key) ?? null] : [f, k, v];
  });
  if (txn.some(([f]) => f === "w") && Math.random() < 0.25) {
    throw new RPCError(ErrorCode.txn_conflict, "simulated conflict (writes kept: the bug)");
  }
  node.reply(req, { type: "txn_ok", txn });
});

await node.run();
