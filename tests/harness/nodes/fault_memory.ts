/**
 * Test node for the pause/kill nemesis: an echo server that remembers, in
 * memory only, how many echoes it has answered. It logs every `init` with that
 * count (0 after a kill means the memory went with the process) and every echo
 * it handles, by the request's msg_id and client, so a test can check that a
 * pause delayed messages without losing any.
 *
 * @module
 */

import { type Node, runNode } from "../../../lib/maelstrom.ts";

/** Builds the node (the simulator calls this too). */
export function setup(node: Node, _args: string[]): void {
  let answered = 0;
  node.on("init", () => {
    node.log(`init ${node.id} answered-before=${answered}`);
  });
  node.on("echo", (req) => {
    answered++;
    node.log(`echo ${req.src} ${req.body.msg_id}`);
    node.reply(req, { type: "echo_ok", echo: req.body.echo });
  });
}

if (import.meta.main) await runNode(setup);
