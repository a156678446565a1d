// Test node that keeps its state at module level (as a process may): the
// simulator gives every node, and every incarnation after a kill, its own
// module instance, so the counter is per node and starts again after a restart.
import { type Node, parseNoArgs, runNode } from "../../../lib/maelstrom.ts";

let handled = 0;

export function setup(node: Node, args: string[]): void {
  parseNoArgs(args);
  node.on("count", (req) => node.reply(req, { type: "count_ok", handled: ++handled }));
}

if (import.meta.main) await runNode(setup);
