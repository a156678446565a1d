// Tests of the node runtime (lib/maelstrom.ts) with injected I/O and a manual clock.

import assert from "node:assert/strict";
import {
  ERROR_REGISTRY,
  KV,
  type Message,
  Node,
  parseDurationArgs,
  parseFlags,
  RPCError,
  TSO,
} from "../../lib/maelstrom.ts";
import { settle, SimEnv } from "../../lib/sim_env.ts";

function msg(src: string, dest: string, body: Message["body"]): string {
  return JSON.stringify({ src, dest, body });
}

function initLine(node_id = "n1", node_ids = ["n1", "n2", "n3"]): string {
  return msg("c0", node_id, { type: "init", msg_id: 1, node_id, node_ids });
}

async function initNode(): Promise<{ node: Node; env: SimEnv }> {
  const env = new SimEnv();
  const node = new Node(env);
  node.handleLine(initLine());
  await env.takeSent();
  return { node, env };
}

Deno.test("init sets id and peers and replies init_ok", async () => {
  const env = new SimEnv();
  const node = new Node(env);
  node.handleLine(initLine());
  const sent = await env.takeSent();
  assert.deepEqual(sent, [{ src: "n1", dest: "c0", body: { type: "init_ok", in_reply_to: 1 } }]);
  assert.equal(node.id, "n1");
  assert.deepEqual(node.nodeIds, ["n1", "n2", "n3"]);
  assert.deepEqual(node.peers(), ["n2", "n3"]);
});

Deno.test("init hooks run before init_ok, async ones awaited", async () => {
  const env = new SimEnv();
  const node = new Node(env);
  const seen: string[] = [];
  node.on("init", async () => {
    await Promise.resolve();
    seen.push(`hook saw ${node.id}`);
  });
  node.handleLine(initLine());
  const sent = await env.takeSent();
  assert.deepEqual(seen, ["hook saw n1"]);
  assert.equal(sent[0].body.type, "init_ok");
});

Deno.test("reply fills in_reply_to and src/dest", async () => {
  const { node, env } = await initNode();
  node.on("echo", (req) => node.reply(req, { type: "echo_ok", echo: req.body.echo }));
  node.handleLine(msg("c4", "n1", { type: "echo", msg_id: 7, echo: "x" }));
  assert.deepEqual(await env.takeSent(), [
    { src: "n1", dest: "c4", body: { type: "echo_ok", echo: "x", in_reply_to: 7 } },
  ]);
});

Deno.test("rpc resolves with the reply body", async () => {
  const { node, env } = await initNode();
  const result = node.rpc("n2", { type: "ping" });
  const [out] = await env.takeSent();
  assert.equal(out.dest, "n2");
  assert.equal(typeof out.body.msg_id, "number");
  node.handleLine(msg("n2", "n1", { type: "pong", in_reply_to: out.body.msg_id, v: 3 }));
  const body = await result;
  assert.equal(body.type, "pong");
  assert.equal(body.v, 3);
  assert.equal(env.pendingTimers(), 0, "the timeout timer is cleared");
});

Deno.test("rpc rejects with RPCError on an error body", async () => {
  const { node, env } = await initNode();
  const result = node.rpc("lin-kv", { type: "read", key: "k" });
  const [out] = await env.takeSent();
  node.handleLine(
    msg("lin-kv", "n1", { type: "error", code: 20, text: "nope", in_reply_to: out.body.msg_id }),
  );
  await assert.rejects(result, (e: unknown) => {
    assert.ok(e instanceof RPCError);
    assert.equal(e.code, 20);
    assert.equal(e.text, "nope");
    assert.equal(e.definite, true);
    return true;
  });
});

Deno.test("rpc rejects with a timeout, and the late reply is dropped quietly", async () => {
  const { node, env } = await initNode();
  const result = node.rpc("n2", { type: "ping" }, { timeout_ms: 500 });
  const rejected = assert.rejects(result, (e: unknown) => {
    assert.ok(e instanceof RPCError);
    assert.equal(e.code, 0);
    assert.equal(e.definite, false);
    return true;
  });
  const [out] = await env.takeSent();
  await env.advance(499);
  let settled = false;
  result.catch(() => settled = true);
  await settle();
  assert.equal(settled, false, "not yet timed out at 499 ms");
  await env.advance(1);
  await rejected;
  node.handleLine(msg("n2", "n1", { type: "pong", in_reply_to: out.body.msg_id }));
  assert.deepEqual(await env.takeSent(), [], "no reply to a late reply");
  assert.deepEqual(env.logs, [], "nothing logged for a late reply");
});

Deno.test("msg_ids are unique per node", async () => {
  const { node, env } = await initNode();
  for (let i = 0; i < 5; i++) node.rpc("n2", { type: "ping" }).catch(() => {});
  node.send("n3", { type: "gossip" });
  const ids = (await env.takeSent()).map((m) => m.body.msg_id).filter((id) => id !== undefined);
  assert.equal(new Set(ids).size, 5);
  await env.advance(10_000);
});

Deno.test("unknown type replies not-supported (code 10)", async () => {
  const { node, env } = await initNode();
  node.handleLine(msg("c1", "n1", { type: "frobnicate", msg_id: 3 }));
  const [out] = await env.takeSent();
  assert.equal(out.body.type, "error");
  assert.equal(out.body.code, 10);
  assert.equal(out.body.in_reply_to, 3);
  assert.match(out.body.text, /frobnicate/);
});

Deno.test("a handler that throws RPCError replies that error", async () => {
  const { node, env } = await initNode();
  node.on("read", () => {
    throw RPCError.keyDoesNotExist("no such key");
  });
  node.handleLine(msg("c1", "n1", { type: "read", msg_id: 4 }));
  const [out] = await env.takeSent();
  assert.deepEqual(out.body, { type: "error", code: 20, text: "no such key", in_reply_to: 4 });
});

Deno.test("a handler crash replies code 13 and the node keeps running", async () => {
  const { node, env } = await initNode();
  node.on("boom", () => {
    throw new TypeError("oops");
  });
  node.on("later", async () => {
    await Promise.resolve();
    throw new Error("async oops");
  });
  node.on("echo", (req) => node.reply(req, { type: "echo_ok", echo: req.body.echo }));
  node.handleLine(msg("c1", "n1", { type: "boom", msg_id: 5 }));
  node.handleLine(msg("c1", "n1", { type: "later", msg_id: 6 }));
  node.handleLine(msg("c1", "n1", { type: "echo", msg_id: 7, echo: "still here" }));
  const sent = await env.takeSent();
  const byReply = new Map(sent.map((m) => [m.body.in_reply_to, m.body]));
  assert.equal(byReply.get(5)?.code, 13);
  assert.match(byReply.get(5)?.text, /oops/);
  assert.equal(byReply.get(6)?.code, 13);
  assert.equal(byReply.get(7)?.echo, "still here");
  assert.ok(env.logs.some((l) => l.includes("TypeError")), "the crash is logged to stderr");
});

Deno.test("malformed lines are logged and skipped", async () => {
  const { node, env } = await initNode();
  node.on("echo", (req) => node.reply(req, { type: "echo_ok", echo: req.body.echo }));
  node.handleLine("this is not json");
  node.handleLine("[1,2,3]");
  node.handleLine('{"src":"c1","dest":"n1","body":"not an object"}');
  node.handleLine("");
  node.handleLine(msg("c1", "n1", { type: "echo", msg_id: 8, echo: "ok" }));
  const sent = await env.takeSent();
  assert.equal(sent.length, 1);
  assert.equal(sent[0].body.echo, "ok");
  assert.equal(env.logs.length, 3);
  assert.ok(env.logs.every((l) => l.startsWith("skipping")));
});

Deno.test("output produced in one turn is written as one batch", async () => {
  const { node, env } = await initNode();
  node.on("echo", (req) => node.reply(req, { type: "echo_ok", echo: req.body.echo }));
  const writesBefore = env.writes;
  for (let i = 0; i < 100; i++) {
    node.handleLine(msg("c1", "n1", { type: "echo", msg_id: 10 + i, echo: i }));
  }
  const sent = await env.takeSent();
  assert.equal(sent.length, 100);
  assert.equal(env.writes - writesBefore, 1);
});

Deno.test("run() reads a stream split at arbitrary points", async () => {
  const env = new SimEnv();
  const node = new Node(env);
  node.on("echo", (req) => node.reply(req, { type: "echo_ok", echo: req.body.echo }));
  const text = initLine() + "\n" + msg("c1", "n1", { type: "echo", msg_id: 2, echo: "é" }) + "\n";
  const bytes = new TextEncoder().encode(text);
  const input = new ReadableStream<Uint8Array>({
    start(controller) {
      for (let i = 0; i < bytes.length; i += 7) controller.enqueue(bytes.slice(i, i + 7));
      controller.close();
    },
  });
  await node.run(input);
  const sent = await env.takeSent();
  assert.deepEqual(sent.map((m) => m.body.type), ["init_ok", "echo_ok"]);
  assert.equal(sent[1].body.echo, "é");
});

Deno.test("error registry has Maelstrom's codes and definiteness", () => {
  assert.deepEqual([...ERROR_REGISTRY.keys()], [0, 1, 10, 11, 12, 13, 14, 20, 21, 22, 30]);
  assert.equal(ERROR_REGISTRY.get(13)?.name, "crash");
  assert.equal(ERROR_REGISTRY.get(13)?.definite, false);
  assert.equal(ERROR_REGISTRY.get(30)?.name, "txn-conflict");
  assert.equal(new RPCError(1234, "custom").definite, false, "custom codes are indefinite");
});

Deno.test("KV client speaks the service protocol", async () => {
  const { node, env } = await initNode();
  const kv = new KV(node, "seq-kv");
  const read = kv.readOr("k", 0);
  let [out] = await env.takeSent();
  assert.deepEqual({ ...out.body, msg_id: 0 }, { type: "read", key: "k", msg_id: 0 });
  assert.equal(out.dest, "seq-kv");
  node.handleLine(msg("seq-kv", "n1", { type: "error", code: 20, in_reply_to: out.body.msg_id }));
  assert.equal(await read, 0);

  const cas = kv.cas("k", 0, 1, { create_if_not_exists: true });
  [out] = await env.takeSent();
  assert.equal(out.body.create_if_not_exists, true);
  node.handleLine(msg("seq-kv", "n1", { type: "error", code: 22, in_reply_to: out.body.msg_id }));
  await assert.rejects(cas, (e: unknown) => e instanceof RPCError && e.code === 22);

  const tso = new TSO(node).ts();
  [out] = await env.takeSent();
  assert.equal(out.dest, "lin-tso");
  node.handleLine(msg("lin-tso", "n1", { type: "ts_ok", ts: 41, in_reply_to: out.body.msg_id }));
  assert.equal(await tso, 41);
});

Deno.test("parseDurationArgs: integers in 1..60000 ms set their fields; anything else throws", () => {
  const fields = { "tick-ms": "tick_ms", "idle-ms": "idle_ms" } as const;
  assert.deepEqual(parseDurationArgs([], fields), {});
  assert.deepEqual(parseDurationArgs(["--tick-ms", "1", "--idle-ms=60000"], fields), {
    tick_ms: 1,
    idle_ms: 60000,
  });
  assert.throws(() => parseDurationArgs(["--tick-ms", "60001"], fields), /--tick-ms .*"60001"/);
  assert.throws(() => parseDurationArgs(["--idle-ms", "2.5"], fields), /--idle-ms .*"2.5"/);
  assert.throws(() => parseDurationArgs(["--tick-ms", "0"], fields), /got "0"/);
  assert.throws(() => parseDurationArgs(["--other-ms", "5"], fields), /other-ms/);
  assert.throws(() => parseDurationArgs(["5"], fields));
});

Deno.test("parseFlags: --name value and --name=value; unknown, repeated, valueless and positional arguments throw", () => {
  const names = ["tuning", "relay"] as const;
  assert.deepEqual(parseFlags([], names), {});
  assert.deepEqual(parseFlags(["--tuning", "batch", "--relay=off"], names), {
    tuning: "batch",
    relay: "off",
  });
  assert.deepEqual(parseFlags(["--tuning="], names), { tuning: "" });
  assert.throws(() => parseFlags(["--speed", "1"], names), /unknown option --speed/);
  assert.throws(
    () => parseFlags(["--tuning", "a", "--tuning", "b"], names),
    /--tuning given twice/,
  );
  assert.throws(() => parseFlags(["--tuning"], names), /--tuning needs a value/);
  assert.throws(() => parseFlags(["--tuning", "--relay", "on"], names), /--tuning needs a value/);
  assert.throws(() => parseFlags(["batch"], names), /unexpected argument "batch"/);
});

Deno.test("the runtime does not import node:util (it costs a node 30 % of its start-up)", async () => {
  const source = await Deno.readTextFile(new URL("../../lib/maelstrom.ts", import.meta.url));
  assert.doesNotMatch(source, /from "node:/);
});
