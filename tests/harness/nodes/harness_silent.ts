// Test node: answers init and nothing else, so every client request times out.
import { Node } from "../../../lib/maelstrom.ts";

const node = new Node();
for (const type of ["read", "write", "cas", "echo"]) node.on(type, () => {});
await node.run();
