/**
 * Test node for the echo workload. Correct by default; `--bug wrong-echo`
 * answers with the payload lower-cased, a wrong echo the checker must catch;
 * `--bug extra-key` adds a key the closed reply schema does not allow.
 *
 * @module
 */

import { Node } from "../../../lib/maelstrom.ts";

const wrong_echo = Deno.args.includes("wrong-echo");
const extra_key = Deno.args.includes("extra-key");
const node = new Node();
node.on("echo", (req) => {
  const echo = req.body.echo;
  node.reply(req, {
    type: "echo_ok",
    echo: wrong_echo && typeof echo === "string" ? echo.toLowerCase() : echo,
    ...(extra_key ? { node: node.id } : {}),
  });
});
await node.run();
