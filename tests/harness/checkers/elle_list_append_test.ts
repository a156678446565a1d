import assert from "node:assert/strict";
import { checkElle } from "../../../lib/harness/checkers/elle/check.ts";
import type { CheckResult, Op } from "../../../lib/harness/types.ts";
import { HistoryBuilder } from "./elle_history.ts";

function check(ops: Op[], models: string[]): CheckResult {
  return checkElle(ops, { workload: "list-append", consistency_models: models });
}

function types(result: CheckResult): string[] {
  return (result["anomaly-types"] as string[] | undefined) ?? [];
}

function stepTypes(result: CheckResult, type: string): string[] {
  const cases = (result.anomalies as Record<string, { steps: { type: string }[] }[]>)[type];
  assert.ok(cases?.length, `expected ${type} in ${JSON.stringify(types(result))}`);
  return cases[0].steps.map((s) => s.type);
}

Deno.test("list-append: a serial history is strict-serializable", () => {
  const h = new HistoryBuilder()
    .txn(0, [["append", 1, 1], ["r", 2, null]])
    .txn(1, [["r", 1, [1]], ["append", 1, 2], ["append", 2, 1]])
    .txn(0, [["r", 1, [1, 2]], ["r", 2, [1]]]);
  const result = check(h.ops, ["strict-serializable"]);
  assert.deepEqual(result, { "valid?": true });
});

Deno.test("list-append: G0 from append orders is invalid for read-uncommitted", () => {
  const h = new HistoryBuilder()
    .begin(0, [["append", "x", 1], ["append", "y", 2]])
    .begin(1, [["append", "x", 2], ["append", "y", 1]])
    .end(0).end(1)
    .txn(2, [["r", "x", [1, 2]], ["r", "y", [1, 2]]]);
  const result = check(h.ops, ["read-uncommitted"]);
  assert.equal(result["valid?"], false);
  assert.deepEqual(types(result), ["G0"]);
  assert.deepEqual(stepTypes(result, "G0"), ["ww", "ww"]);
});

Deno.test("list-append: G1c is invalid for read-committed, valid for read-uncommitted", () => {
  const h = new HistoryBuilder()
    .begin(0, [["append", "x", 1], ["r", "y", [1]]])
    .begin(1, [["append", "y", 1], ["r", "x", [1]]])
    .end(0).end(1);
  assert.equal(check(h.ops, ["read-uncommitted"])["valid?"], true);
  const rc = check(h.ops, ["read-committed"]);
  assert.equal(rc["valid?"], false);
  assert.deepEqual(types(rc), ["G1c"]);
  assert.deepEqual(stepTypes(rc, "G1c"), ["wr", "wr"]);
});

Deno.test("list-append: incompatible orders are invalid for read-committed", () => {
  const h = new HistoryBuilder()
    .txn(0, [["append", "x", 1]])
    .txn(1, [["append", "x", 2]])
    .txn(0, [["r", "x", [1, 2]]])
    .txn(1, [["r", "x", [2, 1]]]);
  const rc = check(h.ops, ["read-committed"]);
  assert.equal(rc["valid?"], false);
  assert.ok(types(rc).includes("incompatible-order"), JSON.stringify(types(rc)));
  assert.ok((rc.not as string[]).includes("read-committed"));
  assert.equal(check(h.ops, ["read-uncommitted"])["valid?"], true);
});

Deno.test("list-append: duplicate elements are invalid for read-uncommitted", () => {
  const h = new HistoryBuilder().txn(0, [["append", "x", 1]]).txn(1, [["r", "x", [1, 1]]]);
  const result = check(h.ops, ["read-uncommitted"]);
  assert.equal(result["valid?"], false);
  assert.deepEqual(types(result), ["duplicate-elements"]);
});

Deno.test("list-append: G1a and dirty update from an aborted append", () => {
  const h = new HistoryBuilder()
    .txn(0, [["append", "x", 1]], "fail")
    .txn(1, [["append", "x", 2]])
    .txn(1, [["append", "x", 3]])
    .txn(2, [["r", "x", [1, 2, 3]]]);
  const rc = check(h.ops, ["read-committed"]);
  assert.equal(rc["valid?"], false);
  assert.deepEqual(types(rc), ["G1a", "dirty-update"]);
});

Deno.test("list-append: G1b (intermediate read) is invalid for read-committed", () => {
  const h = new HistoryBuilder()
    .txn(0, [["append", "x", 1], ["append", "x", 2]])
    .txn(1, [["r", "x", [1]]]);
  const rc = check(h.ops, ["read-committed"]);
  assert.equal(rc["valid?"], false);
  assert.ok(types(rc).includes("G1b"), JSON.stringify(types(rc)));
});

Deno.test("list-append: internal inconsistency is prohibited by read-atomic", () => {
  const h = new HistoryBuilder()
    .txn(0, [["append", "x", 1]])
    .txn(1, [["r", "x", [1]], ["append", "x", 2], ["r", "x", [1]]]);
  const ra = check(h.ops, ["read-atomic"]);
  assert.equal(ra["valid?"], false);
  assert.ok(types(ra).includes("internal"));
  assert.ok(!types(check(h.ops, ["read-committed"])).includes("internal"));
});

Deno.test("list-append: a read of an element appended later in the txn is future-read", () => {
  const h = new HistoryBuilder().txn(0, [["r", "x", [1]], ["append", "x", 1]]);
  const result = check(h.ops, ["read-committed"]);
  assert.equal(result["valid?"], false);
  assert.ok(types(result).includes("future-read"), JSON.stringify(types(result)));
});

Deno.test("list-append: write skew (G2-item) is valid for SI, invalid for serializable", () => {
  const h = new HistoryBuilder()
    .begin(0, [["r", "x", null], ["append", "y", 1]])
    .begin(1, [["r", "y", []], ["append", "x", 1]])
    .end(0).end(1)
    .txn(2, [["r", "x", [1]], ["r", "y", [1]]]);
  assert.equal(check(h.ops, ["snapshot-isolation"])["valid?"], true);
  const ser = check(h.ops, ["serializable"]);
  assert.equal(ser["valid?"], false);
  assert.deepEqual(types(ser), ["G2-item"]);
  assert.deepEqual(stepTypes(ser, "G2-item"), ["rw", "rw"]);
});

Deno.test("list-append: G-single is valid for read-committed, invalid for SI", () => {
  const h = new HistoryBuilder()
    .begin(0, [["r", "x", null], ["r", "y", [1]]])
    .begin(1, [["append", "x", 1], ["append", "y", 1]])
    .end(1).end(0);
  assert.equal(check(h.ops, ["read-committed"])["valid?"], true);
  const si = check(h.ops, ["snapshot-isolation"]);
  assert.equal(si["valid?"], false);
  assert.deepEqual(types(si), ["G-single-item"]);
});

Deno.test("list-append: stale read after completion fails strict-serializable only", () => {
  const h = new HistoryBuilder()
    .txn(0, [["append", "x", 1]])
    .txn(1, [["r", "x", []]]);
  assert.deepEqual(check(h.ops, ["serializable"]), { "valid?": true });
  const strict = check(h.ops, ["strict-serializable"]);
  assert.equal(strict["valid?"], false);
  assert.deepEqual(types(strict), ["G-single-item-realtime"]);
  assert.deepEqual(stepTypes(strict, "G-single-item-realtime").sort(), ["realtime", "rw"]);
});

Deno.test("list-append: info txns take part through their appends", () => {
  // T1 timed out, but T0 read its append of y, and T0's append of x precedes T1's.
  const h = new HistoryBuilder()
    .begin(0, [["r", "y", [1]], ["append", "x", 1]])
    .begin(1, [["append", "x", 2], ["append", "y", 1]])
    .end(1, "info")
    .end(0)
    .txn(2, [["r", "x", [1, 2]]]);
  const rc = check(h.ops, ["read-committed"]);
  assert.equal(rc["valid?"], false, JSON.stringify(rc));
  assert.deepEqual(types(rc), ["G1c"]);
  assert.deepEqual(stepTypes(rc, "G1c").sort(), ["wr", "ww"]);
});

Deno.test("list-append: the same element appended twice makes the result unknown", () => {
  const h = new HistoryBuilder().txn(0, [["append", "x", 1]]).txn(1, [["append", "x", 1]]);
  const result = check(h.ops, ["serializable"]);
  assert.equal(result["valid?"], "unknown");
  assert.match(String(result.error), /appended to key/);
});

Deno.test("list-append: an empty graph is unknown (no Maelstrom wrapper)", () => {
  const h = new HistoryBuilder().txn(0, [["append", "x", 1]]).txn(1, [["append", "y", 1]]);
  const result = check(h.ops, ["read-uncommitted"]);
  assert.equal(result["valid?"], "unknown");
  assert.deepEqual(types(result), ["empty-transaction-graph"]);
});

Deno.test("list-append: garbage elements are invalid", () => {
  const h = new HistoryBuilder().txn(0, [["append", "x", 1]]).txn(1, [["r", "x", [1, 7]]]);
  const result = check(h.ops, ["read-uncommitted"]);
  assert.equal(result["valid?"], false);
  assert.ok(types(result).includes("garbage-read"));
});

Deno.test("list-append: two txns that read the same list and append to it are a lost update", () => {
  const h = new HistoryBuilder()
    .txn(0, [["append", "x", 1]])
    .begin(1, [["r", "x", [1]], ["append", "x", 2]])
    .begin(2, [["r", "x", [1]], ["append", "x", 3]])
    .end(1).end(2);
  const result = check(h.ops, ["repeatable-read"]);
  assert.equal(result["valid?"], false);
  assert.ok(types(result).includes("lost-update"), JSON.stringify(types(result)));
  const cases = (result.anomalies as Record<string, { key: unknown; value: unknown }[]>)[
    "lost-update"
  ];
  assert.deepEqual(cases.map(({ key, value }) => [key, value]), [["x", [1]]]);
});
