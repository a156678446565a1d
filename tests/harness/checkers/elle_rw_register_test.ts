import assert from "node:assert/strict";
import { checkElle, rwRegisterVerdict } from "../../../lib/harness/checkers/elle/check.ts";
import type { CheckResult, Op } from "../../../lib/harness/types.ts";
import { HistoryBuilder } from "./elle_history.ts";

function check(ops: Op[], models: string[], final_reads = true): CheckResult {
  return rwRegisterVerdict(
    checkElle(ops, { workload: "rw-register", consistency_models: models, final_reads }),
  );
}

function types(result: CheckResult): string[] {
  return (result["anomaly-types"] as string[] | undefined) ?? [];
}

function firstCase(result: CheckResult, type: string): Record<string, unknown> {
  const cases = (result.anomalies as Record<string, Record<string, unknown>[]>)[type];
  assert.ok(cases?.length, `expected ${type} in ${JSON.stringify(types(result))}`);
  return cases[0];
}

Deno.test("rw-register: a serial history is strict-serializable", () => {
  const h = new HistoryBuilder()
    .txn(0, [["w", 1, 1], ["r", 2, null]])
    .txn(1, [["r", 1, 1], ["w", 1, 2], ["w", 2, 1]])
    .txn(0, [["r", 1, 2], ["r", 2, 1]]);
  const result = check(h.ops, ["strict-serializable"]);
  assert.equal(result["valid?"], true, JSON.stringify(result));
  assert.deepEqual(types(result), []);
});

Deno.test("rw-register: G1c is invalid for read-committed and valid for read-uncommitted", () => {
  const h = new HistoryBuilder()
    .begin(0, [["w", "x", 1], ["r", "y", 1]])
    .begin(1, [["w", "y", 1], ["r", "x", 1]])
    .end(0).end(1);
  const rc = check(h.ops, ["read-committed"]);
  assert.equal(rc["valid?"], false);
  assert.deepEqual(types(rc), ["G1c"]);
  const cycle = firstCase(rc, "G1c");
  assert.equal((cycle.cycle as unknown[]).length, 3);
  assert.deepEqual((cycle.steps as { type: string }[]).map((s) => s.type), ["wr", "wr"]);
  assert.deepEqual(rc.not, ["read-committed"]);
  assert.equal(check(h.ops, ["read-uncommitted"])["valid?"], true);
});

Deno.test("rw-register: G0 through writes-follow-reads is invalid for read-uncommitted", () => {
  const h = new HistoryBuilder()
    .txn(0, [["w", "x", 10], ["w", "y", 20]])
    .begin(1, [["r", "y", 21], ["w", "x", 11], ["w", "y", 22]])
    .begin(2, [["r", "x", 11], ["w", "x", 12], ["w", "y", 21]])
    .end(1).end(2);
  const result = check(h.ops, ["read-uncommitted"]);
  assert.equal(result["valid?"], false, JSON.stringify(result));
  assert.deepEqual(types(result), ["G0"]);
  const steps = firstCase(result, "G0").steps as { type: string }[];
  assert.ok(steps.every((s) => s.type === "ww"));
});

Deno.test("rw-register: blind-write G0 is caught only with final reads", () => {
  // Two replicas installed the concurrent writes in different orders per key;
  // both nodes then converged on x = 2 (T1 last) and y = 1 (T0 last).
  const history = new HistoryBuilder()
    .begin(0, [["w", "x", 1], ["w", "y", 1]])
    .begin(1, [["w", "x", 2], ["w", "y", 2]])
    .end(0).end(1)
    .txn(2, [["r", "x", 2], ["r", "y", 1]], "ok", { final: true })
    .txn(3, [["r", "x", 2], ["r", "y", 1]], "ok", { final: true }).ops;
  const with_final = check(history, ["read-uncommitted"]);
  assert.equal(with_final["valid?"], false, JSON.stringify(with_final));
  assert.deepEqual(types(with_final), ["G0"]);
  assert.equal(with_final["final-read-keys"], 2);
  const steps = firstCase(with_final, "G0").steps as { type: string; key: string }[];
  assert.deepEqual(steps.map((s) => s.type), ["ww", "ww"]);
  assert.deepEqual(steps.map((s) => s.key).sort(), ["x", "y"]);
  // Maelstrom's exact behaviour (--no-final-reads) cannot see it.
  assert.equal(check(history, ["read-uncommitted"], false)["valid?"], true);
});

Deno.test("rw-register: divergent final reads are no evidence", () => {
  const b = new HistoryBuilder()
    .begin(0, [["w", "x", 1], ["w", "y", 1]])
    .begin(1, [["w", "x", 2], ["w", "y", 2]])
    .end(0).end(1)
    .txn(2, [["r", "x", 2], ["r", "y", 1]], "ok", { final: true })
    .txn(3, [["r", "x", 1], ["r", "y", 1]], "ok", { final: true });
  const result = check(b.ops, ["read-uncommitted"]);
  assert.equal(result["valid?"], true, JSON.stringify(result));
  assert.deepEqual(result["final-divergent-keys"], ["x"]);
});

Deno.test("rw-register: a final null after committed writes is cyclic-versions", () => {
  const b = new HistoryBuilder()
    .txn(0, [["w", "x", 1]])
    .txn(1, [["r", "x", null]], "ok", { final: true });
  const result = check(b.ops, ["read-uncommitted"]);
  assert.equal(result["valid?"], false);
  assert.deepEqual(types(result), ["cyclic-versions"]);
  assert.equal(firstCase(result, "cyclic-versions").source, "final-reads");
});

Deno.test("rw-register: G1a (read of an aborted write) is invalid for read-committed only", () => {
  const b = new HistoryBuilder()
    .txn(0, [["w", "x", 1]], "fail")
    .txn(1, [["r", "x", 1], ["w", "y", 1]])
    .txn(2, [["r", "y", 1]]);
  const rc = check(b.ops, ["read-committed"], false);
  assert.equal(rc["valid?"], false);
  assert.ok(types(rc).includes("G1a"));
  assert.equal(check(b.ops, ["read-uncommitted"], false)["valid?"], true);
});

Deno.test("rw-register: G1b (intermediate read) is invalid for read-committed", () => {
  const b = new HistoryBuilder()
    .txn(0, [["w", "x", 1], ["w", "x", 2]])
    .txn(1, [["r", "x", 1], ["r", "x", 1], ["w", "y", 1]])
    .txn(2, [["r", "y", 1]]);
  const result = check(b.ops, ["read-committed"]);
  assert.equal(result["valid?"], false);
  assert.deepEqual(types(result), ["G1b"]);
});

Deno.test("rw-register: internal is prohibited by serializable, ignored by read-committed", () => {
  const b = new HistoryBuilder()
    .txn(0, [["w", "x", 5]])
    .txn(1, [["w", "x", 1], ["r", "x", 5]]);
  const ser = check(b.ops, ["serializable"], false);
  assert.equal(ser["valid?"], false);
  assert.ok(types(ser).includes("internal"));
  const rc = check(b.ops, ["read-committed"], false);
  assert.ok(!types(rc).includes("internal"));
});

Deno.test("rw-register: G-single is valid for read-committed, invalid for SI and serializable", () => {
  const b = new HistoryBuilder()
    .begin(0, [["r", "x", null], ["r", "y", 1]])
    .begin(1, [["w", "x", 1], ["w", "y", 1]])
    .end(1).end(0);
  assert.equal(check(b.ops, ["read-committed"])["valid?"], true);
  for (const model of ["snapshot-isolation", "serializable"]) {
    const result = check(b.ops, [model]);
    assert.equal(result["valid?"], false, model);
    assert.deepEqual(types(result), ["G-single-item"], model);
    const steps = (firstCase(result, "G-single-item").steps as { type: string }[]).map((s) =>
      s.type
    );
    assert.deepEqual(steps.sort(), ["rw", "wr"]);
  }
});

Deno.test("rw-register: write skew (G2-item) is valid for SI, invalid for serializable", () => {
  const b = new HistoryBuilder()
    .begin(0, [["r", "x", null], ["w", "y", 1]])
    .begin(1, [["r", "y", null], ["w", "x", 1]])
    .end(0).end(1);
  assert.equal(check(b.ops, ["snapshot-isolation"])["valid?"], true);
  const ser = check(b.ops, ["serializable"]);
  assert.equal(ser["valid?"], false);
  assert.deepEqual(types(ser), ["G2-item"]);
});

Deno.test("rw-register: a realtime-only cycle fails strict-serializable only", () => {
  const b = new HistoryBuilder()
    .txn(0, [["w", "x", 1]])
    .txn(1, [["r", "x", null]]);
  assert.equal(check(b.ops, ["serializable"])["valid?"], true);
  const strict = check(b.ops, ["strict-serializable"]);
  assert.equal(strict["valid?"], false);
  assert.deepEqual(types(strict), ["G-single-item-realtime"]);
  // Elle 0.2.2: the weakest model ruled out is strong snapshot isolation.
  assert.deepEqual(strict.not, ["strong-snapshot-isolation"]);
  assert.ok((strict["also-not"] as string[]).includes("strict-serializable"));
  const steps = (firstCase(strict, "G-single-item-realtime").steps as { type: string }[]).map((
    s,
  ) => s.type);
  assert.deepEqual(steps.sort(), ["realtime", "rw"]);
});

Deno.test("rw-register: lost update is prohibited by repeatable-read", () => {
  const b = new HistoryBuilder()
    .txn(0, [["w", "x", 1]])
    .begin(1, [["r", "x", 1], ["w", "x", 2]])
    .begin(2, [["r", "x", 1], ["w", "x", 3]])
    .end(1).end(2);
  const result = check(b.ops, ["repeatable-read"], false);
  assert.equal(result["valid?"], false);
  assert.ok(types(result).includes("lost-update"), JSON.stringify(types(result)));
  assert.equal(check(b.ops, ["read-committed"], false)["valid?"], true);
});

Deno.test("rw-register: cyclic versions from writes-follow-reads", () => {
  const b = new HistoryBuilder()
    .begin(0, [["r", "x", 2], ["w", "x", 1]])
    .begin(1, [["r", "x", 1], ["w", "x", 2]])
    .end(0).end(1);
  const result = check(b.ops, ["read-uncommitted"]);
  assert.equal(result["valid?"], false);
  assert.ok(types(result).includes("cyclic-versions"));
});

Deno.test("rw-register: a garbage read is invalid under any model", () => {
  const b = new HistoryBuilder().txn(0, [["w", "y", 1]]).txn(0, [["r", "x", 99], ["r", "y", 1]]);
  const result = check(b.ops, ["read-uncommitted"]);
  assert.equal(result["valid?"], false);
  assert.deepEqual(types(result), ["garbage-read"]);
});

Deno.test("rw-register: a value written by two ok txns makes the result unknown", () => {
  const b = new HistoryBuilder().txn(0, [["w", "x", 1]]).txn(1, [["w", "x", 1]]);
  const result = check(b.ops, ["read-uncommitted"]);
  assert.equal(result["valid?"], "unknown");
  assert.match(String(result.error), /more than one ok txn/);
});

Deno.test("rw-register: a malformed txn_ok is an anomaly under any model", () => {
  const b = new HistoryBuilder()
    .txn(0, [["w", "x", 1]])
    .txn(1, [["r", "x", null]], "info", {
      exception: "MalformedResponse: malformed txn_ok: micro-op 0 dropped",
    });
  const result = check(b.ops, ["read-uncommitted"]);
  assert.equal(result["valid?"], false);
  assert.ok(types(result).includes("malformed-txn-ok"));
});

Deno.test("rw-register: an empty transaction graph is invalid (Maelstrom's wrapper)", () => {
  const b = new HistoryBuilder().txn(0, [["w", "x", 1]]).txn(1, [["w", "y", 1]]);
  const result = check(b.ops, ["read-uncommitted"], false);
  assert.equal(result["valid?"], false);
  assert.deepEqual(types(result), ["empty-transaction-graph"]);
});

Deno.test("rw-register: cycle-search timeouts are ignored but the fallback cycle counts", () => {
  const b = new HistoryBuilder()
    .begin(0, [["r", "x", null], ["w", "y", 1]])
    .begin(1, [["r", "y", null], ["w", "x", 1]])
    .end(0).end(1);
  const raw = checkElle(b.ops, {
    workload: "rw-register",
    consistency_models: ["serializable"],
    cycle_search_budget: 1,
  });
  assert.ok((raw["anomaly-types"] as string[]).includes("cycle-search-timeout"));
  const wrapped = rwRegisterVerdict(raw);
  assert.ok(!types(wrapped).includes("cycle-search-timeout"));
  assert.ok(types(wrapped).includes("G2-item"), JSON.stringify(types(wrapped)));
  assert.equal(wrapped["valid?"], false);
});

Deno.test("rw-register: unknown consistency models are rejected by name", () => {
  assert.throws(
    () => checkElle([], { workload: "rw-register", consistency_models: ["read-comitted"] }),
    /unknown consistency model "read-comitted"/,
  );
});

Deno.test("rw-register: a process-only cycle fails strong-session models, not serializable", () => {
  const b = new HistoryBuilder()
    .txn(0, [["w", "x", 1]])
    .txn(0, [["r", "x", null], ["w", "y", 1]])
    .txn(1, [["r", "y", 1]]);
  assert.equal(check(b.ops, ["serializable"])["valid?"], true);
  const session = check(b.ops, ["strong-session-serializable"]);
  assert.equal(session["valid?"], false);
  assert.deepEqual(types(session), ["G-single-item-process"]);
  const steps = (firstCase(session, "G-single-item-process").steps as { type: string }[]).map((
    s,
  ) => s.type);
  assert.deepEqual(steps.sort(), ["process", "rw"]);
});
