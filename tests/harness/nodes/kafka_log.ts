/**
 * Test node for the kafka workload.
 *
 * Correct by default (single node): one in-memory log per key with dense
 * offsets, committed offsets per key, polls returning a few messages from the
 * requested offset.
 *
 * Argument `per-node-offsets` (2+ nodes, a bug): each node keeps its own logs and
 * numbers offsets itself, then tells its peers, who append the message to
 * their own logs under their own numbering. The same message lands at
 * different offsets on different nodes and one offset holds different
 * messages, so the checker reports duplicate / inconsistent-offsets.
 *
 * @module
 */

import { Node } from "../../../lib/maelstrom.ts";

/** Most messages one poll returns per key. */
const POLL_BATCH = 10;

const per_node_offsets = Deno.args.includes("per-node-offsets");
const node = new Node();
const logs = new Map<string, unknown[]>();
const committed = new Map<string, number>();

function append(key: string, msg: unknown): number {
  let log = logs.get(key);
  if (log === undefined) logs.set(key, log = []);
  log.push(msg);
  return log.length - 1;
}

node.on("send", (req) => {
  const { key, msg } = req.body;
  const offset = append(key, msg);
  if (per_node_offsets) {
    for (const peer of node.peers()) node.send(peer, { type: "replicate", key, msg });
  }
  node.reply(req, { type: "send_ok", offset });
});

node.on("replicate", (req) => {
  append(req.body.key, req.body.msg);
});

node.on("poll", (req) => {
  const msgs: Record<string, [number, unknown][]> = {};
  for (const [key, from] of Object.entries(req.body.offsets as Record<string, number>)) {
    const log = logs.get(key) ?? [];
    msgs[key] = log.slice(from, from + POLL_BATCH).map((m, i) => [from + i, m]);
  }
  node.reply(req, { type: "poll_ok", msgs });
});

node.on("commit_offsets", (req) => {
  for (const [key, offset] of Object.entries(req.body.offsets as Record<string, number>)) {
    committed.set(key, Math.max(committed.get(key) ?? -1, offset));
  }
  node.reply(req, { type: "commit_offsets_ok" });
});

node.on("list_committed_offsets", (req) => {
  const offsets: Record<string, number> = {};
  for (const key of req.body.keys as string[]) {
    const offset = committed.get(key);
    if (offset !== undefined) offsets[key] = offset + 1;
  }
  node.reply(req, { type: "list_committed_offsets_ok", offsets });
});

await node.run();
