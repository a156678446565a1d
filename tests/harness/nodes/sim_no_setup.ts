// Test node module that the simulator must refuse: it exports a handler but
// no setup(node, args), and does nothing at top level.
import type { Message } from "../../../lib/maelstrom.ts";

export function handle(req: Message): string {
  return req.body.type;
}
