// Test node: echo written as a foreign node would, straight to Deno.stdout
// (each reply in two writes, split inside the line) and Deno.stderr. In the
// simulator these bytes must reach the node's own streams, not the harness's.
import { type Node, parseNoArgs, runNode } from "../../../lib/maelstrom.ts";

const encoder = new TextEncoder();

export function setup(node: Node, args: string[]): void {
  parseNoArgs(args);
  node.on("echo", (req) => {
    const body = { type: "echo_ok", echo: req.body.echo, in_reply_to: req.body.msg_id };
    const line = JSON.stringify({ src: node.id, dest: req.src, body }) + "\n";
    const cut = Math.floor(line.length / 2);
    Deno.stdout.writeSync(encoder.encode(line.slice(0, cut)));
    Deno.stdout.writeSync(encoder.encode(line.slice(cut)));
    Deno.stderr.writeSync(encoder.encode(`raw ${node.id} echoed ${req.body.msg_id}\n`));
  });
}

if (import.meta.main) await runNode(setup);
