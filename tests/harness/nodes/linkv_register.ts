/**
 * Test node for the lin-kv workload.
 *
 * Correct by default (single node): an in-memory map of registers; cas on a
 * missing key is error 20, on a different value error 22.
 *
 * `leader` (any node count, still correct): n0 holds the only copy; the other
 * nodes forward every request to it. Under partitions forwards time out and
 * the client sees an indefinite error (code 0): writes and cas become info.
 *
 * `stale-followers` (3 nodes, a bug): n0 is the leader and applies every write
 * and cas (followers forward them); it replicates new values to followers
 * after a delay, and followers answer reads from their own, stale copy. A
 * read that starts after a write completed can return the older value, which
 * is not linearizable.
 *
 * @module
 */

import { Node, RPCError } from "../../../lib/maelstrom.ts";

/** How late the leader's updates reach the followers. */
const REPLICATION_DELAY_MS = 300;

const stale_followers = Deno.args.includes("stale-followers");
const via_leader = stale_followers || Deno.args.includes("leader");
const node = new Node();
const registers = new Map<string, unknown>();

const leader = () => node.nodeIds[0];
const keyText = (key: unknown) => JSON.stringify(key);

function apply(
  body: { type: string; key: unknown; value?: unknown; from?: unknown; to?: unknown },
) {
  const key = keyText(body.key);
  if (body.type === "write") {
    registers.set(key, body.value);
  } else {
    if (!registers.has(key)) throw RPCError.keyDoesNotExist();
    if (JSON.stringify(registers.get(key)) !== JSON.stringify(body.from)) {
      throw RPCError.preconditionFailed();
    }
    registers.set(key, body.to);
  }
  if (stale_followers) {
    const value = registers.get(key);
    setTimeout(() => {
      for (const peer of node.peers()) node.send(peer, { type: "replicate", key, value });
    }, REPLICATION_DELAY_MS);
  }
}

/** Forwards a request to the leader and relays its answer (errors are rethrown). */
async function forward(req: Parameters<Parameters<Node["on"]>[1]>[0]): Promise<void> {
  const { msg_id: _, ...body } = req.body;
  const reply = await node.rpc(leader(), body, { timeout_ms: 900 });
  const { in_reply_to: __, msg_id: ___, ...rest } = reply;
  node.reply(req, rest);
}

node.on("read", async (req) => {
  if (via_leader && !stale_followers && node.id !== leader()) return await forward(req);
  const key = keyText(req.body.key);
  if (!registers.has(key)) throw RPCError.keyDoesNotExist();
  node.reply(req, { type: "read_ok", value: registers.get(key) });
});

for (const type of ["write", "cas"]) {
  node.on(type, async (req) => {
    if (via_leader && node.id !== leader()) return await forward(req);
    apply(req.body as never);
    node.reply(req, { type: `${type}_ok` });
  });
}

node.on("replicate", (req) => {
  registers.set(req.body.key, req.body.value);
});

await node.run();
