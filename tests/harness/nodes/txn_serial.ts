/**
 * Test node: a correct single-node transactional store for both txn
 * workloads. Each txn runs to completion inside one handler call (JavaScript
 * runs one handler at a time), so txns are applied serially, in real-time
 * order: strict-serializable.
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
    if (f === "append") store.set(key, [...((store.get(key) as unknown[]) ?? []), v]);
    if (f !== "r") return [f, k, v];
    const value = store.get(key);
    return [f, k, Array.isArray(value) ? [...value] : value ?? null];
  });
  node.reply(req, { type: "txn_ok", txn });
});

await node.run();
