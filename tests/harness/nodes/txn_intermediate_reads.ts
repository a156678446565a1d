/**
 * Test node (buggy, G1b): a single-node register store that applies each
 * micro-op straight to shared state and yields between micro-ops, so
 * concurrent txns interleave and can read a value another txn overwrites later
 * in the same txn (an intermediate write).
 *
 * @module
 */

import { Node } from "../../../lib/maelstrom.ts";

type Mop = [string, unknown, unknown];

const node = new Node();
const store = new Map<string, unknown>();
const pause = () => new Promise((resolve) => setTimeout(resolve, 2));

node.on("txn", async (req) => {
  const out: Mop[] = [];
  for (const [f, k, v] of req.body.txn as Mop[]) {
    const key = JSON.stringify(k);
    if (f === "w") store.set(key, v);
    out.push(f === "r" ? [f, k, store.get(key) ?? null] : [f, k, v]);
    await pause();
  }
  node.reply(req, { type: "txn_ok", txn: out });
});

await node.run();
