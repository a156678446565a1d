/**
 * Challenge 2: unique ID generation (Fly.io "Gossip Glomers" #2).
 *
 * Totally available: a node answers from local state alone, so a partition
 * cannot stop it. An id is `<node>-<boot>-<counter>`:
 * - the node id makes ids from different nodes distinct;
 * - the counter makes ids from one process distinct;
 * - the boot tag (60 random bits drawn at start-up) makes ids from a restarted
 *   process distinct from the ones its predecessor gave out. The bits come from
 *   the runtime's `Env`, not the wall clock, so a simulated run replays exactly;
 *   two boots collide with probability 2^-60.
 *
 * @module
 */

import { Node, parseNoArgs, runNode } from "../lib/maelstrom.ts";

/** Registers the `generate` handler on `node`. */
export function uniqueIds(node: Node): Node {
  const high_bits = Math.floor(node.env.random() * 2 ** 30);
  const low_bits = Math.floor(node.env.random() * 2 ** 30);
  const boot = `${high_bits.toString(36)}${low_bits.toString(36)}`;
  let counter = 0;
  return node.on("generate", (req) => {
    counter++;
    node.reply(req, { type: "generate_ok", id: `${node.id}-${boot}-${counter}` });
  });
}

/** Builds the node (the simulator calls this too); it takes no arguments. */
export function setup(node: Node, args: string[]): void {
  parseNoArgs(args);
  uniqueIds(node);
}

if (import.meta.main) await runNode(setup);
