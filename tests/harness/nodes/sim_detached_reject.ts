// Test node: echo, except that n1 starts a promise nobody handles, which
// rejects. A Deno process dies of that; in the simulator the guard must end
// that node (n1, not another instance of this module) and leave the rest running.
import { type Node, parseNoArgs, runNode } from "../../../lib/maelstrom.ts";

export function setup(node: Node, args: string[]): void {
  parseNoArgs(args);
  node.on("echo", (req) => {
    if (node.id === "n1") {
      void (async () => {
        await null;
        throw new Error(`detached boom in ${node.id}`);
      })();
    }
    node.reply(req, { type: "echo_ok", echo: req.body.echo });
  });
}

if (import.meta.main) await runNode(setup);
