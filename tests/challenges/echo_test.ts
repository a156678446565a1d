// In-process tests of challenges/echo.ts and challenges/unique-ids.ts.

import assert from "node:assert/strict";
import { Node } from "../../lib/maelstrom.ts";
import { SimEnv } from "../../lib/sim_env.ts";
import { echo } from "../../challenges/echo.ts";
import { uniqueIds } from "../../challenges/unique-ids.ts";

function init(node: Node, node_id: string, node_ids: string[]): void {
  node.handleMessage({
    src: "c0",
    dest: node_id,
    body: { type: "init", msg_id: 1, node_id, node_ids },
  });
}

Deno.test("echo returns the payload unchanged", async () => {
  const env = new SimEnv();
  const node = echo(new Node(env));
  init(node, "n0", ["n0"]);
  const payload = { nested: [1, "two", null], text: "Please echo 35" };
  node.handleMessage({ src: "c3", dest: "n0", body: { type: "echo", msg_id: 9, echo: payload } });
  const sent = await env.takeSent();
  assert.deepEqual(sent.at(-1), {
    src: "n0",
    dest: "c3",
    body: { type: "echo_ok", echo: payload, in_reply_to: 9 },
  });
});

async function generate(node: Node, env: SimEnv, count: number): Promise<string[]> {
  for (let i = 0; i < count; i++) {
    node.handleMessage({ src: "c1", dest: node.id, body: { type: "generate", msg_id: i + 2 } });
  }
  const sent = await env.takeSent();
  return sent.filter((m) => m.body.type === "generate_ok").map((m) => m.body.id);
}

Deno.test("unique-ids are unique across nodes and restarts", async () => {
  const ids: string[] = [];
  // Three nodes, then the same node ids again as restarted processes (a new random boot tag).
  for (const [seed, node_id] of [[1, "n0"], [2, "n1"], [3, "n2"], [4, "n0"], [5, "n1"]] as const) {
    const env = new SimEnv(seed);
    const node = uniqueIds(new Node(env));
    init(node, node_id, ["n0", "n1", "n2"]);
    ids.push(...await generate(node, env, 500));
  }
  assert.equal(ids.length, 2500);
  assert.equal(new Set(ids).size, ids.length);
});

Deno.test("unique-ids answers without sending anything to peers", async () => {
  const env = new SimEnv();
  const node = uniqueIds(new Node(env));
  init(node, "n1", ["n0", "n1", "n2"]);
  await env.takeSent();
  node.handleMessage({ src: "c1", dest: "n1", body: { type: "generate", msg_id: 2 } });
  const sent = await env.takeSent();
  assert.equal(sent.length, 1);
  assert.equal(sent[0].dest, "c1");
});
