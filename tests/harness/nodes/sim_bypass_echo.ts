// Test node for the simulator's guard: an echo node that goes behind the
// runtime's Env. It reads Date.now() and Math.random(), starts a real
// setTimeout, logs with console.error and writes its replies with console.log.
// The guard must name each call with this node and this file's line, send
// console.log to the node's stdout (so the replies count) and console.error to
// its log. The replies themselves are correct: echo stays valid.
import { type Node, parseNoArgs, runNode } from "../../../lib/maelstrom.ts";

export function setup(node: Node, args: string[]): void {
  parseNoArgs(args);
  node.on("echo", (req) => {
    const stamp = Date.now(); // guard: Date.now
    const noise = Math.random(); // guard: Math.random
    setTimeout(() => {}, 0); // guard: setTimeout
    console.error(`bypass ${node.id} echo ${req.body.msg_id} at ${stamp} noise ${noise}`);
    const body = { type: "echo_ok", echo: req.body.echo, in_reply_to: req.body.msg_id };
    console.log(JSON.stringify({ src: node.id, dest: req.src, body }));
  });
}

if (import.meta.main) await runNode(setup);
