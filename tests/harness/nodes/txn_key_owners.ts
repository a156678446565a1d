/**
 * Test node (buggy, G0 under read-uncommitted): registers replicated on every
 * node, each key owned by node `k mod N`. A node runs a txn against its local
 * replica, applies writes to keys it owns at once, and forwards writes to other
 * keys to their owners in batches every 50 ms. An owner installs writes in
 * arrival order and broadcasts every installed write (also batched), so all
 * replicas converge on the owner's order. But two concurrent txns writing keys
 * owned by different nodes are installed in opposite orders on those keys: a
 * write-write cycle that only the converged final values reveal.
 *
 * @module
 */

import { Node } from "../../../lib/maelstrom.ts";

type Mop = [string, unknown, unknown];
type Write = [unknown, unknown];

const BATCH_MS = 50;
const node = new Node();
const store = new Map<string, unknown>();
const outbox = new Map<string, Write[]>();

function owner(k: unknown): string {
  return node.nodeIds[Number(k) % node.nodeIds.length];
}

function queue(dest: string, write: Write): void {
  const list = outbox.get(dest) ?? [];
  list.push(write);
  outbox.set(dest, list);
}

/** Installs a write as the key's owner and tells every other replica. */
function install(write: Write): void {
  store.set(JSON.stringify(write[0]), write[1]);
  for (const peer of node.peers()) queue(peer, write);
}

setInterval(() => {
  for (const [dest, writes] of outbox) node.send(dest, { type: "writes", writes });
  outbox.clear();
}, BATCH_MS);

node.on("writes", (req) => {
  for (const write of req.body.writes as Write[]) {
    if (owner(write[0]) === node.id) install(write);
    else store.set(JSON.stringify(write[0]), write[1]);
  }
});

node.on("txn", (req) => {
  const local = new Map<string, unknown>();
  const txn = (req.body.txn as Mop[]).map(([f, k, v]): Mop => {
    const key = JSON.stringify(k);
    if (f === "w") {
      local.set(key, v);
      if (owner(k) === node.id) install([k, v]);
      else queue(owner(k), [k, v]);
      return [f, k, v];
    }
    return [f, k, local.has(key) ? local.get(key) : store.get(key) ?? null];
  });
  node.reply(req, { type: "txn_ok", txn });
});

await node.run();
