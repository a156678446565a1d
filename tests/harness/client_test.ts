// Tests of lib/harness/client.ts and lib/harness/errors.ts: msg_ids, reply
// matching, errors, timeouts, init, and the outcome mapping.

import assert from "node:assert/strict";
import { SimEnv } from "../../lib/sim_env.ts";
import { Rng } from "../../lib/harness/rng.ts";
import { type NetMessage, Network } from "../../lib/harness/network.ts";
import { HarnessClient, initNode } from "../../lib/harness/client.ts";
import { outcomeForError } from "../../lib/harness/errors.ts";
import { MalformedResponse, RpcErrorReply, RpcTimeout } from "../../lib/harness/types.ts";

function setup() {
  const env = new SimEnv();
  const net = new Network({ latency_ms: 0, latency_dist: "constant", rng: new Rng(1), clock: env });
  const received: NetMessage[] = [];
  net.register("n0", (m) => received.push(m));
  return { env, net, received };
}

Deno.test("client ids count from c0; msg_ids from 1; only the matching in_reply_to is taken", async () => {
  const { env, net, received } = setup();
  const a = new HarnessClient(net, "n0");
  const b = new HarnessClient(net, "n0");
  assert.deepEqual([a.id, b.id], ["c0", "c1"]);
  const reply = a.rpc({ type: "echo", echo: 1 });
  await env.advance(0);
  assert.deepEqual(received[0].body, { type: "echo", echo: 1, msg_id: 1 });
  net.send("n0", "c0", { type: "echo_ok", in_reply_to: 99 }); // discarded
  net.send("n0", "c0", { type: "echo_ok" }); // discarded
  net.send("n0", "c0", { type: "echo_ok", echo: 1, in_reply_to: 1 });
  assert.deepEqual(await reply, { type: "echo_ok", echo: 1, in_reply_to: 1 });
  const second = a.rpc({ type: "echo" });
  await env.advance(0);
  assert.equal(received[1].body.msg_id, 2);
  await assert.rejects(a.rpc({ type: "echo" }), /outstanding/);
  net.send("n0", "c0", { type: "echo_ok", in_reply_to: 2 });
  await second;
});

Deno.test("error bodies reject with RpcErrorReply; silence with RpcTimeout", async () => {
  const { env, net } = setup();
  const client = new HarnessClient(net, "n0");
  const failing = client.rpc({ type: "read" });
  net.send("n0", "c0", { type: "error", code: 20, text: "nope", in_reply_to: 1 });
  await assert.rejects(
    failing,
    (e) => e instanceof RpcErrorReply && e.code === 20 && e.text === "nope",
  );
  const silent = client.rpc({ type: "read" }, 300);
  const check = assert.rejects(silent, (e) => e instanceof RpcTimeout && e.timeout_ms === 300);
  await env.advance(299);
  await env.advance(1);
  await check;
  assert.equal(env.pendingTimers(), 0);
  // A late reply after the timeout is discarded.
  net.send("n0", "c0", { type: "read_ok", in_reply_to: 2 });
  await env.advance(0);
});

Deno.test("initNode: init body, init_ok accepted, wrong type and timeout rejected", async () => {
  const { env, net, received } = setup();
  const ok = initNode(net, "n0", ["n0", "n1"]);
  await env.advance(0);
  assert.deepEqual(received[0].body, {
    type: "init",
    node_id: "n0",
    node_ids: ["n0", "n1"],
    msg_id: 1,
  });
  net.send("n0", received[0].src, { type: "init_ok", in_reply_to: 1 });
  await ok;
  assert.ok(!net.has(received[0].src), "init client closed");
  const wrong = initNode(net, "n0", ["n0"]);
  await env.advance(0);
  net.send("n0", received[1].src, { type: "echo_ok", in_reply_to: 1 });
  await assert.rejects(wrong, /answered init with type "echo_ok"/);
  const silent = initNode(net, "n0", ["n0"], 1000);
  const check = assert.rejects(silent, /node n0 did not respond to init within 1000 ms/);
  await env.advance(1000);
  await check;
});

Deno.test("outcome mapping: timeouts, definite and indefinite errors, idempotent fs, exceptions", () => {
  const none = new Set<string>();
  const reads = new Set(["read"]);
  assert.deepEqual(outcomeForError(new RpcTimeout(5000), "write", none), {
    type: "info",
    error: "net-timeout",
  });
  assert.deepEqual(outcomeForError(new RpcTimeout(5000), "read", reads), {
    type: "fail",
    error: "net-timeout",
  });
  const err = (code: number) => new RpcErrorReply(code, "t", { type: "error", code });
  assert.deepEqual(outcomeForError(err(20), "write", none), {
    type: "fail",
    error: ["key-does-not-exist", "t"],
  });
  assert.deepEqual(outcomeForError(err(13), "write", none), {
    type: "info",
    error: ["crash", "t"],
  });
  assert.deepEqual(outcomeForError(err(0), "read", reads), {
    type: "fail",
    error: ["timeout", "t"],
  });
  assert.deepEqual(outcomeForError(err(1234), "write", none), {
    type: "info",
    error: ["unknown", "t"],
  });
  const malformed = outcomeForError(new MalformedResponse("extra key"), "write", reads);
  assert.equal(malformed.type, "info");
  assert.equal(malformed.error, "indeterminate: extra key");
  assert.equal(malformed.exception, "MalformedResponse: extra key");
});
