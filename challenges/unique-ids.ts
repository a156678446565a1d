/**
 * Challenge 2: unique ID generation (Fly.io "Gossip Glomers" #2).
 *
 * Totally available: a node answers from local state alone, so a partition
 * cannot stop it. An id is `<node>-<boot>-<counter>`:
 * - the node id makes ids from different nodes distinct;
 * - the counter makes ids from one process distinct;
 * - the boot tag (wall-clock ms plus random bits, fixed at start-up) makes ids
 *   from a restarted process distinct from the ones its predecessor gave out.
 *
 * @module
 */

import { Node } from "../lib/maelstrom.ts";

/** Registers the `generate` handler on `node`. */
export function uniqueIds(node: Node, wall_clock_ms = Date.now()): Node {
  const random_bits = Math.floor(node.env.random() * 2 ** 30);
  const boot = `${wall_clock_ms.toString(36)}${random_bits.toString(36)}`;
  let counter = 0;
  return node.on("generate", (req) => {
    counter++;
    node.reply(req, { type: "generate_ok", id: `${node.id}-${boot}-${counter}` });
  });
}

if (import.meta.main) await uniqueIds(new Node()).run();
