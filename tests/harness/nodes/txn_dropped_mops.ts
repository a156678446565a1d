/**
 * Test node (buggy, malformed replies): a correct single-node register store
 * whose txn_ok drops the last micro-op of every txn longer than two.
 *
 * @module
 */

import { Node } from "../../../lib/maelstrom.ts";

type Mop = [string, unknown, unknown];

const node = new Node();
const store = new Map<string, unknown>();

node.on("txn", (req) => {
  const txn = (req.body.txn as Mop[]).map(([f, k, v]): Mop => {
    const key = JSON.stringify(k);
    if (f === "w") store.set(key, v);
    return f === "r" ? [f, k, store.get(key) ?? null] : [f, k, v];
  });
  node.reply(req, { type: "txn_ok", txn: txn.length > 2 ? txn.slice(0, -1) : txn });
});

await node.run();
