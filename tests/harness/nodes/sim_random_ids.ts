// Test node, deliberately not replayable: unique-ids whose ids come from
// Math.random() instead of the runtime's seeded node.env.random(). The ids are
// unique (valid), but two simulated runs with one seed answer differently, so
// --check-determinism must report it, with the guard's finding naming this file.
import { type Node, parseNoArgs, runNode } from "../../../lib/maelstrom.ts";

export function setup(node: Node, args: string[]): void {
  parseNoArgs(args);
  node.on("generate", (req) => {
    const id = `${node.id}-${Math.floor(Math.random() * 2 ** 52)}`; // behind the runtime's back
    node.reply(req, { type: "generate_ok", id });
  });
}

if (import.meta.main) await runNode(setup);
