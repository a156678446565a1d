// Tests of the generic checkers: stats, availability, net, exceptions, compose.

import assert from "node:assert/strict";
import type { Op } from "../../lib/harness/types.ts";
import { checkStats } from "../../lib/harness/checkers/stats.ts";
import { checkAvailability } from "../../lib/harness/checkers/availability.ts";
import { checkNet, float32 } from "../../lib/harness/checkers/net.ts";
import { checkExceptions } from "../../lib/harness/checkers/exceptions.ts";
import { compose, mergeValid } from "../../lib/harness/checkers/compose.ts";
import type { JournalEvent } from "../../lib/harness/network.ts";

let index = 0;
function op(type: Op["type"], f: string, process: Op["process"] = 0, extra: Partial<Op> = {}): Op {
  return { index: index++, time: index, type, process, f, value: null, ...extra };
}

const history: Op[] = [
  op("invoke", "read"),
  op("ok", "read"),
  op("invoke", "write", 1),
  op("fail", "write", 1),
  op("info", "start-partition", "nemesis"),
  op("info", "start-partition", "nemesis"),
  op("invoke", "write", 1),
  op("info", "write", 1, { exception: "MalformedResponse: extra key", error: "indeterminate: x" }),
  op("invoke", "cas", 2),
  op("ok", "cas", 2),
];

Deno.test("stats: client completions only, by-f sorted, invalid when an f never succeeded", () => {
  const stats = checkStats(history);
  assert.equal(stats["valid?"], false);
  assert.equal(stats.count, 4);
  assert.equal(stats["ok-count"], 2);
  assert.equal(stats["fail-count"], 1);
  assert.equal(stats["info-count"], 1);
  const by_f = stats["by-f"] as Record<string, Record<string, unknown>>;
  assert.deepEqual(Object.keys(by_f), ["cas", "read", "write"]);
  assert.deepEqual(by_f.write, {
    "valid?": false,
    count: 2,
    "ok-count": 0,
    "fail-count": 1,
    "info-count": 1,
  });
  assert.equal(checkStats([])["valid?"], true);
  // kafka's crash ops may never succeed.
  const crash = [
    op("invoke", "crash"),
    op("info", "crash"),
    op("invoke", "send"),
    op("ok", "send"),
  ];
  assert.equal(checkStats(crash)["valid?"], true);
});

Deno.test("availability: ok fraction over invokes; total, threshold, unset", () => {
  assert.deepEqual(checkAvailability(history, undefined), { "valid?": true, "ok-fraction": 0.5 });
  assert.equal(checkAvailability(history, "total")["valid?"], false);
  assert.equal(checkAvailability(history, 0.5)["valid?"], true);
  assert.equal(checkAvailability(history, 0.51)["valid?"], false);
  assert.deepEqual(checkAvailability([], "total"), { "valid?": true, "ok-fraction": 1 });
});

Deno.test("net: client/server split, distinct message ids, msgs-per-op for all and servers", () => {
  const events: JournalEvent[] = [];
  let id = 0;
  const add = (type: "send" | "recv", mid: number, src: string, dest: string) =>
    events.push({ id: id++, time: 0, type, message: { id: mid, src, dest, body: { type: "x" } } });
  add("send", 0, "c0", "n0");
  add("recv", 0, "c0", "n0");
  add("send", 1, "n0", "n1");
  add("send", 2, "n0", "lin-kv");
  add("recv", 2, "n0", "lin-kv");
  add("send", 3, "n0", "c0");
  add("recv", 3, "n0", "c0");
  const net = checkNet(events, history);
  assert.deepEqual(net, {
    all: { "send-count": 4, "recv-count": 3, "msg-count": 4, "msgs-per-op": 1 },
    clients: { "send-count": 2, "recv-count": 2, "msg-count": 2 },
    servers: { "send-count": 2, "recv-count": 1, "msg-count": 2, "msgs-per-op": 0.5 },
    "valid?": true,
  });
  const empty = checkNet(events, []);
  assert.ok(!("msgs-per-op" in (empty.all as object)));
  assert.ok(!("msgs-per-op" in (empty.servers as object)));
});

Deno.test("float32 prints like Clojure's (float x)", () => {
  assert.equal(float32(96 / 47), 2.0425532);
  assert.equal(float32(2), 2);
  assert.equal(float32(1 / 3), 0.33333334);
});

Deno.test("exceptions: grouped by class, most frequent first, always valid", () => {
  const result = checkExceptions(history);
  assert.equal(result["valid?"], true);
  const groups = result.exceptions as { count: number; class: string }[];
  assert.deepEqual(groups.map((g) => [g.class, g.count]), [["MalformedResponse", 1]]);
  assert.deepEqual(checkExceptions([]), { "valid?": true });
});

Deno.test("compose: false beats unknown beats true; a throwing checker is unknown", async () => {
  assert.equal(mergeValid(true, "unknown"), "unknown");
  assert.equal(mergeValid("unknown", false), false);
  const results = await compose([
    ["a", () => ({ "valid?": true })],
    ["b", () => {
      throw new Error("boom");
    }],
  ]);
  assert.deepEqual(Object.keys(results), ["a", "b", "valid?"]);
  assert.equal(results["valid?"], "unknown");
  assert.match((results.b as { error: string }).error, /boom/);
  const invalid = await compose([
    ["a", () => ({ "valid?": "unknown" })],
    ["b", () => Promise.resolve({ "valid?": false })],
  ]);
  assert.equal(invalid["valid?"], false);
});

// txn-rw-register's final reads: a phase Maelstrom does not run. They keep their G0 evidence for
// the workload checker, but msgs/op, availability and stats leave them out and report them apart.
const extra = { final: true, harness_only: true };
const with_final_reads: Op[] = [
  op("invoke", "txn", 0),
  op("ok", "txn", 0),
  op("invoke", "txn", 1),
  op("info", "txn", 1),
  op("invoke", "txn", 0, extra),
  op("ok", "txn", 0, extra),
  op("invoke", "txn", 3, extra),
  op("ok", "txn", 3, extra),
  op("invoke", "txn", 5, extra),
  op("fail", "txn", 5, extra),
];

Deno.test("harness-only final reads: out of availability, reported apart", () => {
  const result = checkAvailability(with_final_reads, undefined);
  assert.equal(result["ok-fraction"], 0.5);
  assert.deepEqual(result["harness-only-final-reads"], {
    note: "not in Maelstrom; left out of ok-fraction",
    ops: 3,
    "ok-count": 2,
    "ok-fraction-including-them": 0.6,
  });
  assert.ok(!("harness-only-final-reads" in checkAvailability(history, undefined)));
});

Deno.test("harness-only final reads: out of stats counts, reported apart", () => {
  const stats = checkStats(with_final_reads);
  assert.equal(stats.count, 2);
  assert.deepEqual(stats["by-f"], {
    txn: { "valid?": true, count: 2, "ok-count": 1, "fail-count": 0, "info-count": 1 },
  });
  assert.deepEqual(stats["harness-only-final-reads"], {
    note: "not in Maelstrom; not counted above",
    count: 3,
    "ok-count": 2,
    "fail-count": 1,
    "info-count": 0,
  });
});

Deno.test("harness-only final phase: its ops and traffic are out of msgs/op, reported apart", () => {
  const events: JournalEvent[] = [];
  let id = 0;
  const add = (type: "send" | "recv", mid: number, src: string, dest: string) =>
    events.push({ id: id++, time: 0, type, message: { id: mid, src, dest, body: { type: "x" } } });
  // Main phase: 2 client ops, 2 client messages each, 2 server messages.
  for (const [req, res] of [[0, 1], [2, 3]]) {
    add("send", req, "c0", "n0");
    add("recv", req, "c0", "n0");
    add("send", res, "n0", "c0");
    add("recv", res, "n0", "c0");
  }
  add("send", 4, "n0", "n1");
  add("send", 5, "n1", "n0");
  const from = events.length;
  // After the main phase: background gossip, then 3 final reads (2 client messages each).
  add("send", 6, "n0", "n1");
  for (let m = 7; m < 13; m++) add("send", m, m % 2 ? "c1" : "n1", m % 2 ? "n1" : "c1");
  const net = checkNet(events, with_final_reads, from);
  assert.deepEqual(net.all, { "send-count": 6, "recv-count": 4, "msg-count": 6, "msgs-per-op": 3 });
  assert.deepEqual(net.servers, {
    "send-count": 2,
    "recv-count": 0,
    "msg-count": 2,
    "msgs-per-op": 1,
  });
  const apart = net["harness-only-final-phase"] as Record<string, unknown>;
  assert.equal(apart["from-event"], from);
  assert.equal(apart.ops, 3);
  assert.deepEqual(apart.clients, { "send-count": 6, "recv-count": 0, "msg-count": 6 });
  assert.deepEqual(apart.servers, { "send-count": 1, "recv-count": 0, "msg-count": 1 });
  assert.equal(apart["all-msgs-per-op-including-it"], float32(13 / 5));
  assert.equal(apart["servers-msgs-per-op-including-it"], float32(3 / 5));
  // Without a harness-only phase the result has no such section.
  assert.ok(!("harness-only-final-phase" in checkNet(events, history)));
});
