// Test node: an echo node that prints one line that is not JSON to stdout
// (console.log, as a stray debug print would) before its first reply. Maelstrom
// stops reading its stdout there; --strict makes the test invalid instead.
import { type Node, parseNoArgs, runNode } from "../../../lib/maelstrom.ts";

export function setup(node: Node, args: string[]): void {
  parseNoArgs(args);
  let first = true;
  node.on("echo", (req) => {
    if (first) console.log(`debug: first echo ${req.body.echo}`);
    first = false;
    node.reply(req, { type: "echo_ok", echo: req.body.echo });
  });
}

if (import.meta.main) await runNode(setup);
