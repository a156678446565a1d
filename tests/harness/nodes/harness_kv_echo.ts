// Test node: echoes through lin-kv (write the payload, read it back), so
// replies depend on node-to-service traffic.
import { KV, Node } from "../../../lib/maelstrom.ts";

const node = new Node();
const kv = new KV(node, "lin-kv");
node.on("echo", async (req) => {
  await kv.write(`${node.id}-${req.body.msg_id}`, req.body.echo);
  const value = await kv.read(`${node.id}-${req.body.msg_id}`);
  node.reply(req, { type: "echo_ok", echo: value });
});
await node.run();
