// Tests of the CAS-register linearizability checker (lib/harness/checkers/linearizable.ts).

import assert from "node:assert/strict";
import {
  checkLinearizable,
  checkRegister,
  type KeyResult,
  registerOpsByKey,
} from "../../../lib/harness/checkers/linearizable.ts";
import { HistoryBuilder } from "../support/history_builder.ts";
import { appendWriteAfterEnd, generateLinKvHistory } from "../support/linkv_history.ts";

function keyOf(result: ReturnType<typeof checkLinearizable>, key = 0): KeyResult {
  return (result.results as Record<string, KeyResult>)[String(key)];
}

function keyResult(h: HistoryBuilder, key = 0): KeyResult {
  const result = checkLinearizable(h.ops);
  return (result.results as Record<string, KeyResult>)[String(key)];
}

Deno.test("sequential write then matching read is linearizable", () => {
  const h = new HistoryBuilder()
    .op(0, "write", "ok", [0, 3])
    .op(1, "read", "ok", [0, null], [0, 3]);
  const result = checkLinearizable(h.ops);
  assert.equal(result["valid?"], true);
  assert.deepEqual(result.failures, []);
  assert.equal(keyResult(h).model, 3);
});

Deno.test("stale read after a completed write is not linearizable", () => {
  const h = new HistoryBuilder()
    .op(0, "write", "ok", [0, 1])
    .op(0, "write", "ok", [0, 2])
    .op(1, "read", "ok", [0, null], [0, 1]);
  const result = checkLinearizable(h.ops);
  assert.equal(result["valid?"], false);
  assert.deepEqual(result.failures, [0]);
  const key = keyResult(h);
  assert.equal(key.op?.f, "read");
  assert.deepEqual(key.op?.value, 1);
  assert.equal(key["linearized-count"], 2);
  assert.equal(key["model-at-failure"], 2);
  assert.deepEqual(key["previous-ok"]?.value, 2);
});

Deno.test("read concurrent with a write may see either value", () => {
  for (const seen of [1, 2]) {
    const h = new HistoryBuilder()
      .op(0, "write", "ok", [0, 1])
      .invoke(0, "write", [0, 2])
      .op(1, "read", "ok", [0, null], [0, seen])
      .complete(0, "ok");
    assert.equal(checkLinearizable(h.ops)["valid?"], true, `saw ${seen}`);
  }
});

Deno.test("cas succeeding on an overwritten value is not linearizable", () => {
  const h = new HistoryBuilder()
    .op(0, "write", "ok", [0, 1])
    .op(1, "write", "ok", [0, 2])
    .op(0, "cas", "ok", [0, [1, 3]]);
  const result = checkLinearizable(h.ops);
  assert.equal(result["valid?"], false);
  assert.equal(keyResult(h).op?.f, "cas");
});

Deno.test("cas on the current value is linearizable; failed cas is ignored", () => {
  const h = new HistoryBuilder()
    .op(0, "write", "ok", [0, 1])
    .op(1, "cas", "fail", [0, [4, 0]])
    .op(0, "cas", "ok", [0, [1, 3]])
    .op(1, "read", "ok", [0, null], [0, 3]);
  assert.equal(checkLinearizable(h.ops)["valid?"], true);
});

Deno.test("concurrent ops whose every order is impossible are not linearizable", () => {
  // Two concurrent reads see 1 then 2 and 2 then 1 across two writers: no single order fits.
  const h = new HistoryBuilder()
    .invoke(0, "write", [0, 1])
    .invoke(1, "write", [0, 2])
    .invoke(2, "read", [0, null])
    .invoke(3, "read", [0, null])
    .complete(0, "ok")
    .complete(1, "ok")
    .complete(2, "ok", [0, 1])
    .complete(3, "ok", [0, 2])
    .op(2, "read", "ok", [0, null], [0, 2])
    .op(3, "read", "ok", [0, null], [0, 1]);
  assert.equal(checkLinearizable(h.ops)["valid?"], false);
});

Deno.test("an info write must be assumed to have happened when later read", () => {
  const h = new HistoryBuilder()
    .op(0, "write", "ok", [0, 1])
    .op(1, "write", "info", [0, 4])
    .op(2, "read", "ok", [0, null], [0, 4])
    .op(2, "read", "ok", [0, null], [0, 4]);
  assert.equal(checkLinearizable(h.ops)["valid?"], true);
});

Deno.test("an info write may also never happen", () => {
  const h = new HistoryBuilder()
    .op(0, "write", "ok", [0, 1])
    .op(1, "write", "info", [0, 4])
    .op(2, "read", "ok", [0, null], [0, 1]);
  assert.equal(checkLinearizable(h.ops)["valid?"], true);
});

Deno.test("an info write may take effect long after it timed out", () => {
  const h = new HistoryBuilder()
    .op(1, "write", "info", [0, 4])
    .op(0, "write", "ok", [0, 1])
    .op(2, "read", "ok", [0, null], [0, 1])
    .op(2, "read", "ok", [0, null], [0, 4]);
  assert.equal(checkLinearizable(h.ops)["valid?"], true);
});

Deno.test("an info write cannot take effect before it was invoked", () => {
  const h = new HistoryBuilder()
    .op(0, "write", "ok", [0, 1])
    .op(2, "read", "ok", [0, null], [0, 4])
    .op(1, "write", "info", [0, 4]);
  assert.equal(checkLinearizable(h.ops)["valid?"], false);
});

Deno.test("an info write takes effect at most once", () => {
  const h = new HistoryBuilder()
    .op(1, "write", "info", [0, 4])
    .op(2, "read", "ok", [0, null], [0, 4])
    .op(0, "write", "ok", [0, 1])
    .op(2, "read", "ok", [0, null], [0, 4]);
  assert.equal(checkLinearizable(h.ops)["valid?"], false);
});

Deno.test("an invocation that never completed counts as info", () => {
  const h = new HistoryBuilder()
    .op(0, "write", "ok", [0, 1])
    .invoke(1, "cas", [0, [1, 2]])
    .op(2, "read", "ok", [0, null], [0, 2]);
  assert.equal(checkLinearizable(h.ops)["valid?"], true);
});

Deno.test("null reads are always legal and failed reads are dropped", () => {
  const h = new HistoryBuilder()
    .op(0, "write", "ok", [0, 1])
    .op(1, "read", "ok", [0, null], [0, null])
    .op(1, "read", "fail", [0, null]);
  assert.equal(checkLinearizable(h.ops)["valid?"], true);
});

Deno.test("keys are independent; one bad key fails the whole result", () => {
  const h = new HistoryBuilder()
    .op(0, "write", "ok", [0, 1])
    .op(1, "write", "ok", [1, 2])
    .op(0, "read", "ok", [0, null], [0, 1])
    .op(1, "read", "ok", [1, null], [1, 1]);
  const result = checkLinearizable(h.ops);
  assert.equal(result["valid?"], false);
  assert.deepEqual(result.failures, [1]);
  assert.equal(keyResult(h, 0)["valid?"], true);
  assert.equal(keyResult(h, 1)["valid?"], false);
});

Deno.test("nemesis ops are ignored when splitting by key", () => {
  const h = new HistoryBuilder()
    .op("nemesis", "start-partition", "info", null)
    .op(0, "write", "ok", [0, 1]);
  const by_key = registerOpsByKey(h.ops);
  assert.equal(by_key.size, 1);
  assert.equal(by_key.get("0")?.ops.length, 1);
});

Deno.test("a large generated valid history is accepted", () => {
  const history = generateLinKvHistory({
    seed: 7,
    duration_s: 20,
    clients: 10,
    rate: 100,
    key_period_s: 10,
    partition_period_s: 5,
    cut_fraction: 0.4,
    timeout_ms: 1000,
  });
  assert.ok(history.length > 3000);
  assert.ok(history.some((op) => op.type === "info"), "partitions produce info ops");
  const result = checkLinearizable(history);
  assert.equal(result["valid?"], true, JSON.stringify(result.failures));
});

Deno.test("a read of a value nothing wrote fails at once, even on a huge search space", () => {
  const history = generateLinKvHistory({
    seed: 1,
    duration_s: 60,
    clients: 10,
    rate: 100,
    key_period_s: Infinity,
    partition_period_s: 10,
    cut_fraction: 0.4,
    timeout_ms: 1000,
  });
  const reads = history.filter((op) => op.type === "ok" && op.f === "read");
  const victim = reads[Math.floor(reads.length / 2)];
  victim.value = [0, 7];
  const key = keyOf(checkLinearizable(history));
  assert.equal(key["valid?"], false);
  assert.equal(key.op?.index, victim.index);
  assert.match(key.reason ?? "", /could have produced/);
});

Deno.test("a corrupted generated history is rejected", () => {
  const history = generateLinKvHistory({
    seed: 11,
    duration_s: 5,
    clients: 6,
    rate: 60,
    key_period_s: Infinity,
    partition_period_s: 1000,
    cut_fraction: 0,
    timeout_ms: 1000,
  });
  // A read in the middle returns 9, which is only written after the whole history: the
  // search has to rule out every order (the quick unproducible-value check does not apply).
  const reads = history.filter((op) => op.type === "ok" && op.f === "read");
  const victim = reads[Math.floor(reads.length / 2)];
  victim.value = [0, 9];
  appendWriteAfterEnd(history, [0, 9]);
  const key = keyOf(checkLinearizable(history));
  assert.equal(key["valid?"], false);
  assert.equal(key.op?.index, victim.index);
  assert.equal(key.reason, undefined);
  assert.ok((key["linearized-count"] ?? 0) > 10);
});

Deno.test("an impossible read amid many pending info ops is found, not left unknown", () => {
  const history = longOneKeyHistory();
  const reads = history.filter((op) => op.type === "ok" && op.f === "read");
  const victim = reads[Math.floor(reads.length * 0.8)];
  assert.ok(history.filter((op) => op.type === "info" && op.index < victim.index).length > 8);
  victim.value = [0, 9];
  appendWriteAfterEnd(history, [0, 9]);
  const key = keyOf(checkLinearizable(history, { time_limit_ms: 10_000 }));
  assert.equal(key["valid?"], false);
  assert.equal(key.op?.index, victim.index);
  assert.match(key.reason ?? "", /any number of times/);
});

function longOneKeyHistory() {
  return generateLinKvHistory({
    seed: 5,
    duration_s: 20,
    clients: 10,
    rate: 100,
    key_period_s: Infinity,
    partition_period_s: 5,
    cut_fraction: 0.4,
    timeout_ms: 1000,
  });
}

Deno.test("hitting the configuration bound gives unknown, not a guess", () => {
  // Every linearized op is one configuration: 2000+ ops cannot fit in 500.
  const ops = registerOpsByKey(longOneKeyHistory()).get("0")!.ops;
  assert.ok(ops.length > 1000);
  const bounded = checkRegister(ops, { max_configs: 500 });
  assert.equal(bounded["valid?"], "unknown");
  assert.match(bounded.error ?? "", /configuration limit of 500/);
  assert.equal(checkRegister(ops)["valid?"], true);
});

Deno.test("hitting the time bound gives unknown", () => {
  const ops = registerOpsByKey(longOneKeyHistory()).get("0")!.ops;
  let fake_ms = 0;
  const result = checkRegister(ops, { time_limit_ms: 5, now_ms: () => (fake_ms += 1) });
  assert.equal(result["valid?"], "unknown");
  assert.match(result.error ?? "", /time limit of 5 ms/);
});

Deno.test("identical pending info ops are interchangeable; each still happens at most once", () => {
  const h = new HistoryBuilder();
  for (let p = 1; p <= 30; p++) h.invoke(p, "write", [0, p % 3]);
  h.op(0, "read", "ok", [0, null], [0, 2])
    .op(0, "read", "ok", [0, null], [0, 1])
    .op(0, "read", "ok", [0, null], [0, 2]);
  assert.equal(checkLinearizable(h.ops)["valid?"], true);
  // Only two pending writes of 4: reading 4, 3, 4, 3, 4 needs three.
  const h2 = new HistoryBuilder();
  for (let p = 1; p <= 2; p++) h2.invoke(p, "write", [0, 4]);
  for (let p = 3; p <= 12; p++) h2.invoke(p, "write", [0, 3]);
  for (const v of [4, 3, 4, 3, 4]) h2.op(0, "read", "ok", [0, null], [0, v]);
  assert.equal(checkLinearizable(h2.ops)["valid?"], false);
  const h3 = new HistoryBuilder();
  for (let p = 1; p <= 3; p++) h3.invoke(p, "write", [0, 4]);
  for (let p = 4; p <= 12; p++) h3.invoke(p, "write", [0, 3]);
  for (const v of [4, 3, 4, 3, 4]) h3.op(0, "read", "ok", [0, null], [0, v]);
  assert.equal(checkLinearizable(h3.ops)["valid?"], true);
});

Deno.test("keys left when the total time budget runs out are unknown", () => {
  const h = new HistoryBuilder().op(0, "write", "ok", [0, 1]).op(0, "write", "ok", [1, 1]);
  let fake_ms = 0;
  const result = checkLinearizable(h.ops, { total_time_limit_ms: 1, now_ms: () => (fake_ms += 1) });
  assert.equal(result["valid?"], "unknown");
  assert.match(keyOf(result, 1).error ?? "", /total time limit of 1 ms/);
});
