// Test node: an echo server that also prints bad lines on its first echo:
// non-JSON, a malformed envelope, and a message to an unknown id.
import { Node } from "../../../lib/maelstrom.ts";

const node = new Node();
let first = true;
node.on("echo", (req) => {
  if (first) {
    first = false;
    const bad = [
      "this is not json",
      JSON.stringify({ src: node.id, dest: req.src, body: { type: "x" }, extra: 1 }),
      JSON.stringify({ src: node.id, dest: "nowhere", body: { type: "x" } }),
      "",
    ].join("\n");
    Deno.stdout.writeSync(new TextEncoder().encode(bad));
  }
  node.reply(req, { type: "echo_ok", echo: req.body.echo });
});
await node.run();
