/**
 * Challenge 1: echo (Fly.io "Gossip Glomers" #1, Maelstrom's guide chapter 1).
 *
 * The smallest Maelstrom node: whatever a client sends in `echo`, send back in
 * `echo_ok`. The runtime answers `init` and fills in `in_reply_to`.
 *
 * @module
 */

import { Node, parseNoArgs, runNode } from "../lib/maelstrom.ts";

/** Registers the echo handler on `node`. */
export function echo(node: Node): Node {
  return node.on("echo", (req) => {
    node.reply(req, { type: "echo_ok", echo: req.body.echo });
  });
}

/** Builds the node (the simulator calls this too); echo takes no arguments. */
export function setup(node: Node, args: string[]): void {
  parseNoArgs(args);
  echo(node);
}

if (import.meta.main) await runNode(setup);
