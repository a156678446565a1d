// Tests of the kafka checker (lib/harness/checkers/kafka.ts): each anomaly, hand-written.

import assert from "node:assert/strict";
import { checkKafka } from "../../../lib/harness/checkers/kafka.ts";
import type { CheckResult } from "../../../lib/harness/types.ts";
import { HistoryBuilder } from "../support/history_builder.ts";
import { generateKafkaHistory } from "../support/kafka_history.ts";

type Pairs = [number, unknown][];

class KafkaHistory extends HistoryBuilder {
  send(
    process: number,
    key: string,
    msg: unknown,
    offset: number,
    type: "ok" | "info" | "fail" = "ok",
  ) {
    const invoked = [["send", key, msg]];
    return this.op(
      process,
      "send",
      type,
      invoked,
      type === "ok" ? [["send", key, [offset, msg]]] : invoked,
    );
  }
  poll(process: number, msgs: Record<string, Pairs>) {
    return this.op(process, "poll", "ok", [["poll"]], [["poll", msgs]]);
  }
  assign(process: number, keys: string[]) {
    return this.op(process, "assign", "ok", keys);
  }
}

function errs(result: CheckResult, type: string): Record<string, unknown>[] {
  const entry = result[type] as { errs: Record<string, unknown>[] } | undefined;
  assert.ok(entry, `expected ${type} in ${JSON.stringify(result["error-types"])}`);
  return entry.errs;
}

Deno.test("a clean history is valid", () => {
  const h = new KafkaHistory()
    .send(0, "k", 1, 0).send(0, "k", 2, 1)
    .poll(1, { k: [[0, 1], [1, 2]] }).poll(1, { k: [] });
  const result = checkKafka(h.ops);
  assert.equal(result["valid?"], true);
  assert.deepEqual(result["error-types"], []);
  assert.deepEqual(result["bad-error-types"], []);
});

Deno.test("lost-write: a message below the highest read position that no poll saw", () => {
  const h = new KafkaHistory()
    .send(0, "k", 1, 0).send(0, "k", 2, 1).send(0, "k", 3, 2)
    .poll(1, { k: [[0, 1]] })
    .poll(2, { k: [[2, 3]] });
  const result = checkKafka(h.ops);
  assert.equal(result["valid?"], false);
  const [lost] = errs(result, "lost-write");
  assert.equal(lost.key, "k");
  assert.equal(lost.value, 2);
  assert.equal(lost.index, 1);
  assert.equal(lost["max-read-index"], 2);
  assert.equal((lost.writer as { type: string }).type, "ok");
});

Deno.test("unseen: an acknowledged send no ok poll returned", () => {
  const h = new KafkaHistory().send(0, "k", 1, 0).send(0, "j", 7, 0).poll(1, { j: [[0, 7]] });
  const result = checkKafka(h.ops);
  assert.equal(result["valid?"], false);
  assert.deepEqual(result["bad-error-types"], ["unseen"]);
  assert.deepEqual(result.unseen, {
    time: h.ops.at(-1)!.time,
    unseen: { k: 1 },
    messages: { k: [1] },
  });
});

Deno.test("poll-skip: a process's next poll starts past a known message", () => {
  const h = new KafkaHistory()
    .send(0, "k", 1, 0).send(0, "k", 2, 1).send(0, "k", 3, 2)
    .poll(1, { k: [[0, 1]] })
    .poll(1, { k: [[2, 3]] })
    .poll(2, { k: [[0, 1], [1, 2], [2, 3]] });
  const result = checkKafka(h.ops);
  assert.equal(result["valid?"], false);
  const [skip] = errs(result, "poll-skip");
  assert.equal(skip.delta, 2);
  assert.deepEqual(skip.skipped, [2]);
  assert.equal((skip.ops as unknown[]).length, 2);
});

Deno.test("an assign without the key resets poll-skip tracking", () => {
  const h = new KafkaHistory()
    .send(0, "k", 1, 0).send(0, "k", 2, 1).send(0, "k", 3, 2)
    .poll(1, { k: [[0, 1]] })
    .assign(1, ["j"])
    .poll(1, { k: [[2, 3]] })
    .poll(2, { k: [[0, 1], [1, 2], [2, 3]] });
  assert.equal(checkKafka(h.ops)["valid?"], true);
});

Deno.test("nonmonotonic-poll: a process polls a message again", () => {
  const h = new KafkaHistory()
    .send(0, "k", 1, 0).send(0, "k", 2, 1)
    .poll(1, { k: [[0, 1], [1, 2]] })
    .poll(1, { k: [[1, 2]] });
  const result = checkKafka(h.ops);
  assert.equal(result["valid?"], false);
  const [nm] = errs(result, "nonmonotonic-poll");
  assert.deepEqual(nm.values, [2, 2]);
  assert.equal(nm.delta, 0);
});

Deno.test("int-poll-skip and int-nonmonotonic-poll inside one poll", () => {
  const h = new KafkaHistory()
    .send(0, "k", 1, 0).send(0, "k", 2, 1).send(0, "k", 3, 2)
    .poll(1, { k: [[0, 1], [2, 3]] })
    .poll(2, { k: [[1, 2], [0, 1]] })
    .poll(3, { k: [[0, 1], [1, 2], [2, 3]] });
  const result = checkKafka(h.ops);
  assert.equal(result["valid?"], false);
  assert.deepEqual(errs(result, "int-poll-skip")[0].skipped, [2]);
  assert.deepEqual(errs(result, "int-nonmonotonic-poll")[0].values, [2, 1]);
});

Deno.test("nonmonotonic-send: a process's later send lands earlier in the log", () => {
  const h = new KafkaHistory()
    .send(0, "k", 2, 1).send(0, "k", 1, 0)
    .poll(1, { k: [[0, 1], [1, 2]] });
  const result = checkKafka(h.ops);
  assert.equal(result["valid?"], false);
  assert.deepEqual(errs(result, "nonmonotonic-send")[0].values, [2, 1]);
});

Deno.test("int-send-skip is reported but allowed; int-nonmonotonic-send is not", () => {
  const skip = new KafkaHistory()
    .op(0, "send", "ok", [["send", "k", 1], ["send", "k", 3]], [
      ["send", "k", [0, 1]],
      ["send", "k", [2, 3]],
    ])
    .send(1, "k", 2, 1)
    .poll(2, { k: [[0, 1], [1, 2], [2, 3]] });
  const allowed = checkKafka(skip.ops);
  assert.deepEqual(allowed["error-types"], ["int-send-skip"]);
  assert.equal(allowed["valid?"], true);
  assert.deepEqual(errs(allowed, "int-send-skip")[0].skipped, [2]);

  const backwards = new KafkaHistory()
    .op(0, "send", "ok", [["send", "k", 2], ["send", "k", 1]], [
      ["send", "k", [1, 2]],
      ["send", "k", [0, 1]],
    ])
    .poll(2, { k: [[0, 1], [1, 2]] });
  const result = checkKafka(backwards.ops);
  assert.equal(result["valid?"], false);
  assert.deepEqual(errs(result, "int-nonmonotonic-send")[0].values, [2, 1]);
});

Deno.test("duplicate: one message at two offsets", () => {
  const h = new KafkaHistory().send(0, "k", 1, 0).poll(1, { k: [[0, 1], [1, 1]] });
  const result = checkKafka(h.ops);
  assert.equal(result["valid?"], false);
  assert.deepEqual(errs(result, "duplicate")[0], { key: "k", value: 1, count: 2, offsets: [0, 1] });
});

Deno.test("inconsistent-offsets: one offset holding two messages", () => {
  const h = new KafkaHistory()
    .send(0, "k", 1, 0).send(1, "k", 2, 0)
    .poll(2, { k: [[0, 1]] }).poll(3, { k: [[0, 2]] });
  const result = checkKafka(h.ops);
  assert.equal(result["valid?"], false);
  assert.deepEqual(errs(result, "inconsistent-offsets")[0], {
    key: "k",
    offset: 0,
    index: 0,
    values: [1, 2],
  });
});

Deno.test("G1a: an ok poll read a message whose send failed", () => {
  const h = new KafkaHistory().send(0, "k", 5, 0, "fail").poll(1, { k: [[0, 5]] });
  const result = checkKafka(h.ops);
  assert.equal(result["valid?"], false);
  const [g1a] = errs(result, "G1a");
  assert.equal(g1a.value, 5);
  assert.equal((g1a.writer as { type: string }).type, "fail");
});

Deno.test("precommitted-read: an op read a message it sent itself", () => {
  const h = new KafkaHistory().op(0, "txn", "ok", [["send", "k", 1], ["poll"]], [
    ["send", "k", [0, 1]],
    ["poll", { k: [[0, 1]] }],
  ]);
  const result = checkKafka(h.ops);
  assert.equal(result["valid?"], false);
  assert.equal(errs(result, "precommitted-read")[0].value, 1);
});

Deno.test("G1c-realtime: a poll returned a message whose send began after the poll ended", () => {
  const h = new KafkaHistory().poll(1, { k: [[0, 1]] }).send(0, "k", 1, 0);
  const result = checkKafka(h.ops);
  assert.equal(result["valid?"], false);
  const [cycle] = errs(result, "G1c-realtime");
  assert.deepEqual((cycle.steps as { type: string }[]).map((s) => s.type).sort(), [
    "realtime",
    "wr",
  ]);
});

Deno.test("with ww deps, G0-realtime is found and allowed", () => {
  const h = new KafkaHistory()
    .send(0, "k", 1, 1)
    .send(1, "k", 2, 0)
    .poll(2, { k: [[0, 2], [1, 1]] });
  assert.deepEqual(checkKafka(h.ops)["error-types"], []);
  const result = checkKafka(h.ops, { ww_deps: true });
  assert.deepEqual(result["error-types"], ["G0-realtime"]);
  assert.equal(result["valid?"], true);
});

Deno.test("info sends count when read; crashed unread sends are not lost", () => {
  const h = new KafkaHistory()
    .send(0, "k", 1, 0, "info")
    .send(1, "k", 2, 1)
    .send(2, "k", 9, 2, "info")
    .poll(3, { k: [[0, 1], [1, 2]] });
  assert.equal(checkKafka(h.ops)["valid?"], true);
});

Deno.test("a message no send carried makes the result unknown, not valid", () => {
  const h = new KafkaHistory().poll(1, { k: [[0, 42]] });
  const result = checkKafka(h.ops);
  assert.equal(result["valid?"], "unknown");
  assert.match(String(result.error), /no send ever carried/);
});

Deno.test("worst realtime lag measures how stale a poll was", () => {
  const h = new KafkaHistory()
    .assign(1, ["k"])
    .send(0, "k", 1, 0)
    .poll(1, { k: [] });
  const lag = checkKafka(h.ops)["worst-realtime-lag"] as { lag: number; key: string };
  // Offset 0 was known at op 3's time; the poll was invoked at op 4 (1 ms later).
  assert.equal(lag.key, "k");
  assert.equal(lag.lag, 0.001);
});

Deno.test("a generated history from a correct server is valid; dropping a polled message is not", async () => {
  const history = await generateKafkaHistory({
    seed: 3,
    duration_s: 3,
    rate: 1000,
    clients: 4,
    poll_batch: 5,
  });
  assert.ok(history.length > 3000);
  assert.ok(history.some((op) => op.f === "crash") && history.some((op) => op.f === "assign"));
  const result = checkKafka(history);
  assert.equal(result["valid?"], true, JSON.stringify(result["error-types"]));

  // Remove the middle message of one multi-message ok poll: this client skipped it.
  const poll = history.find((op) => {
    if (op.type !== "ok" || op.f !== "poll") return false;
    const msgs = (op.value as [string, Record<string, unknown[]>][])[0][1];
    return Object.values(msgs).some((pairs) => pairs.length >= 3);
  })!;
  const msgs = (poll.value as [string, Record<string, unknown[]>][])[0][1];
  const key = Object.keys(msgs).find((k) => msgs[k].length >= 3)!;
  msgs[key].splice(1, 1);
  const broken = checkKafka(history);
  assert.equal(broken["valid?"], false);
  assert.ok((broken["error-types"] as string[]).includes("int-poll-skip"));
});

Deno.test("reported ops are cut down to the anomaly's key", () => {
  const h = new KafkaHistory()
    .send(0, "k", 1, 0).send(0, "k", 2, 1).send(0, "j", 9, 0)
    .poll(1, { k: [[0, 1]], j: [[0, 9]] })
    .poll(1, { k: [[0, 1], [1, 2]], j: [] });
  const [nm] = errs(checkKafka(h.ops), "nonmonotonic-poll");
  assert.deepEqual((nm.ops as { value: unknown }[]).map((op) => op.value), [
    [["poll", { k: [[0, 1]] }]],
    [["poll", { k: [[0, 1], [1, 2]] }]],
  ]);
});
