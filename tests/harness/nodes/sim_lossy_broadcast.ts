// Test node, deliberately broken: broadcast that forwards each new value to
// every peer once, fire-and-forget. Valid on a healthy network; a value sent
// across a partition is lost for good, so partitions make it fail. Used to
// test that a failing simulated run prints a replay command that reproduces it
// and that --shrink finds a shorter failing run.
import { type Node, parseNoArgs, runNode } from "../../../lib/maelstrom.ts";

export function setup(node: Node, args: string[]): void {
  parseNoArgs(args);
  const seen = new Set<number>();
  node.on("topology", (req) => node.reply(req, { type: "topology_ok" }));
  node.on("read", (req) => node.reply(req, { type: "read_ok", messages: [...seen] }));
  node.on("broadcast", (req) => {
    const value = req.body.message as number;
    if (!seen.has(value)) {
      seen.add(value);
      // The bug: no acknowledgement, no retry.
      for (const peer of node.nodeIds) {
        if (peer !== node.id) node.send(peer, { type: "broadcast", message: value });
      }
    }
    if (req.body.msg_id !== undefined) node.reply(req, { type: "broadcast_ok" });
  });
}

if (import.meta.main) await runNode(setup);
