// Test node: answers init, then exits with code 3 on its first echo.
import { Node } from "../../../lib/maelstrom.ts";

const node = new Node();
node.on("echo", () => {
  console.error("crashing on purpose");
  Deno.exit(3);
});
await node.run();
