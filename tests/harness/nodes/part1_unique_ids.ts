/**
 * Test node for the unique-ids workload. Correct by default (node id plus a
 * local counter); `--bug duplicate` returns the bare counter, so different
 * nodes hand out the same ids.
 *
 * @module
 */

import { Node } from "../../../lib/maelstrom.ts";

const duplicate = Deno.args.includes("duplicate");
const node = new Node();
let counter = 0;
node.on("generate", (req) => {
  counter++;
  node.reply(req, { type: "generate_ok", id: duplicate ? counter : `${node.id}-${counter}` });
});
await node.run();
