// Tests of lib/harness/services.ts: the four services' replies, errors,
// silence on bad requests, seq-kv staleness and promotion, lww-kv's split stores.

import assert from "node:assert/strict";
import { SimEnv } from "../../lib/sim_env.ts";
import { Rng } from "../../lib/harness/rng.ts";
import { type NetMessage, Network } from "../../lib/harness/network.ts";
import {
  canonicalKey,
  edn,
  jsonEqual,
  linKv,
  linTso,
  lwwKv,
  seqKv,
  startServices,
} from "../../lib/harness/services.ts";

Deno.test("lin-kv: read, write, cas, create_if_not_exists and error texts", () => {
  const kv = linKv();
  assert.deepEqual(kv("n0", { type: "read", key: "x" }), {
    type: "error",
    code: 20,
    text: "key does not exist",
  });
  assert.deepEqual(kv("n0", { type: "write", key: "x", value: [1, "a"] }), { type: "write_ok" });
  assert.deepEqual(kv("n0", { type: "read", key: "x" }), { type: "read_ok", value: [1, "a"] });
  assert.deepEqual(kv("n0", { type: "cas", key: "x", from: [1, "b"], to: 3 }), {
    type: "error",
    code: 22,
    text: 'current value [1 "a"] is not [1 "b"]',
  });
  assert.deepEqual(kv("n0", { type: "cas", key: "x", from: [1, "a"], to: 3 }), { type: "cas_ok" });
  assert.deepEqual(kv("n0", { type: "cas", key: "y", from: 0, to: 1 }).code, 20);
  assert.deepEqual(
    kv("n0", { type: "cas", key: "y", from: 99, to: 1, create_if_not_exists: true }),
    { type: "cas_ok" },
  );
  assert.deepEqual(kv("n0", { type: "read", key: "y" }), { type: "read_ok", value: 1 });
  // Keys compare as JSON values: the string "1" and the number 1 are different keys.
  kv("n0", { type: "write", key: 1, value: "number" });
  kv("n0", { type: "write", key: "1", value: "string" });
  assert.equal(kv("n0", { type: "read", key: 1 }).value, "number");
  assert.equal(kv("n0", { type: "read", key: "1" }).value, "string");
  kv("n0", { type: "write", key: { b: 1, a: [2] }, value: "obj" });
  assert.equal(kv("n0", { type: "read", key: { a: [2], b: 1 } }).value, "obj");
  assert.throws(() => kv("n0", { type: "frob" }), /unknown request type/);
  assert.throws(() => kv("n0", { type: "read_ok" }), /unknown request type/);
});

Deno.test("equality and EDN rendering", () => {
  assert.ok(!jsonEqual("1", 1));
  assert.ok(jsonEqual({ a: [1, null] }, { a: [1, null] }));
  assert.ok(!jsonEqual([1, 2], [2, 1]));
  assert.notEqual(canonicalKey(1.5), canonicalKey("1.5"));
  assert.equal(canonicalKey(10n ** 20n), canonicalKey(BigInt("100000000000000000000")));
  assert.equal(edn(null), "nil");
  assert.equal(edn({ k: ["v", 2] }), '{"k" ["v" 2]}');
});

Deno.test("lin-tso counts from 0 and ignores other types", () => {
  const tso = linTso();
  assert.deepEqual(tso("n0", { type: "ts" }), { type: "ts_ok", ts: 0 });
  assert.deepEqual(tso("n1", { type: "ts" }), { type: "ts_ok", ts: 1 });
  assert.throws(() => tso("n0", { type: "read" }));
});

Deno.test("seq-kv: reads may be stale but are monotonic per node; writes promote", () => {
  const kv = seqKv(new Rng(3));
  for (let v = 1; v <= 20; v++) kv("n0", { type: "write", key: "k", value: v });
  // n0 wrote last, so it sees the newest value.
  assert.equal(kv("n0", { type: "read", key: "k" }).value, 20);
  // n1 starts at index 0 and moves forward monotonically, converging on 20.
  let last = -1;
  let stale = 0;
  for (let i = 0; i < 200; i++) {
    const reply = kv("n1", { type: "read", key: "k" });
    const value = reply.type === "error" ? 0 : reply.value;
    assert.ok(value >= last, `monotonic: ${value} after ${last}`);
    if (value < 20) stale++;
    last = value;
  }
  assert.equal(last, 20);
  assert.ok(stale > 0, "some reads were stale");
  // A write from a stale node lands on the newest state.
  kv("n2", { type: "write", key: "other", value: 1 });
  assert.equal(kv("n2", { type: "read", key: "k" }).value, 20);
});

Deno.test("seq-kv: a cas against a stale state fails with a definite error", () => {
  const kv = seqKv(new Rng(11));
  kv("n0", { type: "write", key: "k", value: 1 });
  kv("n0", { type: "cas", key: "k", from: 1, to: 2 });
  let saw_stale_failure = false;
  for (let i = 0; i < 50 && !saw_stale_failure; i++) {
    const fresh = seqKv(new Rng(100 + i));
    fresh("n0", { type: "write", key: "k", value: 1 });
    fresh("n0", { type: "cas", key: "k", from: 1, to: 2 });
    const reply = fresh("n1", { type: "cas", key: "k", from: 2, to: 3 });
    if (reply.type === "error") {
      assert.ok(reply.code === 20 || reply.code === 22);
      saw_stale_failure = true;
    }
  }
  assert.ok(saw_stale_failure);
  // The writer itself is never stale: its cas on the newest value succeeds.
  assert.deepEqual(kv("n0", { type: "cas", key: "k", from: 2, to: 3 }), { type: "cas_ok" });
});

Deno.test("lww-kv: two independent stores; cas never creates", () => {
  const kv = lwwKv(new Rng(5));
  kv("n0", { type: "write", key: "k", value: "A" });
  const seen = new Set<string>();
  for (let i = 0; i < 100; i++) {
    const reply = kv("n0", { type: "read", key: "k" });
    seen.add(reply.type === "error" ? `error ${reply.code}` : reply.value);
  }
  assert.deepEqual([...seen].sort(), ["A", "error 20"]);
  assert.equal(
    kv("n0", { type: "cas", key: "new", from: 0, to: 1, create_if_not_exists: true }).code,
    20,
  );
});

Deno.test("services on the network: replies carry in_reply_to, no msg_id; bad requests are silent", async () => {
  const env = new SimEnv();
  const net = new Network({ latency_ms: 5, latency_dist: "constant", rng: new Rng(1), clock: env });
  const got: NetMessage[] = [];
  net.register("n0", (m) => got.push(m));
  startServices(net, new Rng(2), () => {});
  net.send("n0", "lin-kv", { type: "write", key: "a", value: 1, msg_id: 7 });
  net.send("n0", "lin-tso", { type: "ts", msg_id: 8 });
  net.send("n0", "lin-tso", { type: "read", msg_id: 9 });
  net.send("n0", "seq-kv", { type: "read", key: "a" });
  await env.advance(5);
  assert.equal(got.length, 0, "replies take latency too");
  await env.advance(5);
  assert.deepEqual(got.map((m) => [m.src, m.body]), [
    ["lin-kv", { type: "write_ok", in_reply_to: 7 }],
    ["lin-tso", { type: "ts_ok", ts: 0, in_reply_to: 8 }],
    ["seq-kv", { type: "error", code: 20, text: "key does not exist", in_reply_to: null }],
  ]);
});
