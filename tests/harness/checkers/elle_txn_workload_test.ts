import assert from "node:assert/strict";
import { Rng } from "../../../lib/harness/rng.ts";
import {
  checkTxnOk,
  TxnGenerator,
  validateTxnOptions,
} from "../../../lib/harness/workloads/txn_common.ts";
import { MalformedResponse } from "../../../lib/harness/types.ts";
import type { Mop } from "../../../lib/harness/checkers/elle/history.ts";
import { simulateHistory } from "../../../lib/harness/checkers/elle/simulate.ts";
import { checkElle, rwRegisterVerdict } from "../../../lib/harness/checkers/elle/check.ts";

const DEFAULTS = { key_count: 10, max_txn_length: 4, max_writes_per_key: 16 };

Deno.test("txn generator: Elle's defaults, unique values per key, key rotation", () => {
  const gen = new TxnGenerator({ ...DEFAULTS, write_f: "w" }, new Rng(7));
  const seen = new Map<number, Set<number>>();
  const lengths = new Set<number>();
  let reads = 0, writes = 0;
  for (let i = 0; i < 5000; i++) {
    const txn = gen.next().value as Mop[];
    lengths.add(txn.length);
    for (const [f, k, v] of txn) {
      assert.equal(typeof k, "number");
      if (f === "r") {
        assert.equal(v, null);
        reads++;
        continue;
      }
      writes++;
      assert.equal(f, "w");
      const values = seen.get(k as number) ?? new Set();
      assert.ok(!values.has(v as number), `value ${v} written twice to key ${k}`);
      assert.ok((v as number) >= 1 && (v as number) <= 16);
      values.add(v as number);
      seen.set(k as number, values);
    }
  }
  assert.deepEqual([...lengths].sort(), [1, 2, 3, 4]);
  assert.ok(Math.abs(reads / (reads + writes) - 0.5) < 0.03);
  // Retired keys got all 16 writes; fresh keys count up from the largest.
  assert.ok(seen.size > 100, `only ${seen.size} keys`);
  assert.ok([...seen.values()].filter((values) => values.size === 16).length > 100);
  assert.ok(Math.max(...seen.keys()) >= 10 + seen.size - 11, "fresh keys count up");
  assert.deepEqual(gen.writtenKeys(), [...seen.keys()].sort((a, b) => a - b));
});

Deno.test("txn generator: exponential key choice favours the last pool slot", () => {
  const gen = new TxnGenerator(
    { key_count: 4, max_txn_length: 1, max_writes_per_key: 1_000_000, write_f: "append" },
    new Rng(3),
  );
  const counts = new Map<unknown, number>();
  for (let i = 0; i < 20000; i++) {
    const [[, k]] = gen.next().value as Mop[];
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  // Slot i has probability 2^(i+1) / (2^5 - 2): 1/15, 2/15, 4/15, 8/15.
  for (const [k, p] of [[0, 1 / 15], [1, 2 / 15], [2, 4 / 15], [3, 8 / 15]]) {
    assert.ok(Math.abs((counts.get(k) ?? 0) / 20000 - p) < 0.02, `key ${k}`);
  }
});

Deno.test("txn generator: bad options name the flag and value", () => {
  assert.throws(
    () => validateTxnOptions({ ...DEFAULTS, key_count: 0, write_f: "w" }),
    /--key-count must be an integer in 1\.\.1000, got 0/,
  );
  assert.throws(
    () => validateTxnOptions({ ...DEFAULTS, max_txn_length: 1.5, write_f: "w" }),
    /--max-txn-length/,
  );
});

const REQUEST: Mop[] = [["r", 1, null], ["w", 1, 6], ["w", 2, 9]];
const reply = (txn: unknown, extra: Record<string, unknown> = {}) => ({
  type: "txn_ok",
  in_reply_to: 1,
  txn,
  ...extra,
});

Deno.test("txn_ok check: a faithful reply passes and keeps read values", () => {
  const got = checkTxnOk(REQUEST, reply([["r", 1, 3], ["w", 1, 6], ["w", 2, 9]]), "w");
  assert.deepEqual(got, [["r", 1, 3], ["w", 1, 6], ["w", 2, 9]]);
  const lists = checkTxnOk(
    [["r", 1, null], ["append", 1, 6]],
    reply([["r", 1, null], ["append", 1, 6]]),
    "append",
  );
  assert.deepEqual(lists, [["r", 1, null], ["append", 1, 6]]);
});

Deno.test("txn_ok check: dropped, reordered, altered micro-ops and bad shapes are malformed", () => {
  const bad: [unknown, RegExp][] = [
    [[["r", 1, 3], ["w", 1, 6]], /2 micro-ops, request had 3/],
    [[["w", 1, 6], ["r", 1, 3], ["w", 2, 9]], /wrong f or key/],
    [[["r", 1, 3], ["w", 1, 7], ["w", 2, 9]], /written value changed/],
    [[["r", 2, 3], ["w", 1, 6], ["w", 2, 9]], /wrong f or key/],
    [[["r", 1], ["w", 1, 6], ["w", 2, 9]], /not \[f, k, v\]/],
    ["nope", /txn is not an array/],
  ];
  for (const [txn, pattern] of bad) {
    assert.throws(() => checkTxnOk(REQUEST, reply(txn), "w"), (e: unknown) => {
      assert.ok(e instanceof MalformedResponse);
      assert.match(e.message, /^malformed txn_ok: /);
      assert.match(e.message, pattern);
      return true;
    });
  }
  assert.throws(
    () => checkTxnOk([["r", 1, null]], reply([["r", 1, 5]]), "append"),
    /a list read must be an array or null/,
  );
  assert.throws(
    () => checkTxnOk(REQUEST, reply([["r", 1, 3], ["w", 1, 6], ["w", 2, 9]], { x: 1 }), "w"),
    /unexpected field "x"/,
  );
  assert.throws(() => checkTxnOk(REQUEST, { type: "read_ok", in_reply_to: 1 }, "w"), /txn_ok/);
});

Deno.test("simulated strict-serializable histories pass both checkers", () => {
  const common = { seed: 5, duration_s: 2, rate: 500, concurrency: 4, node_count: 2 };
  const rw = simulateHistory({ ...common, workload: "rw-register", final_reads: true });
  const rw_result = rwRegisterVerdict(
    checkElle(rw, { workload: "rw-register", consistency_models: [] }),
  );
  assert.equal(rw_result["valid?"], true, JSON.stringify(rw_result).slice(0, 2000));
  assert.ok((rw_result["final-read-keys"] as number) > 10);
  const la = simulateHistory({ ...common, workload: "list-append" });
  assert.deepEqual(checkElle(la, { workload: "list-append", consistency_models: [] }), {
    "valid?": true,
  });
});

Deno.test("a simulated history with one read altered is caught", () => {
  const common = { seed: 6, duration_s: 2, rate: 500, concurrency: 4, node_count: 2 };
  const la = simulateHistory({ ...common, workload: "list-append" });
  // Drop the last element of the longest ok read of some key: a stale read after
  // later reads saw more, which strict serializability forbids.
  const victim = la.findLast((op) =>
    op.type === "ok" &&
    (op.value as Mop[]).some(([f, , v]) => f === "r" && Array.isArray(v) && v.length > 3)
  )!;
  victim.value = (victim.value as Mop[]).map(([f, k, v]): Mop =>
    f === "r" && Array.isArray(v) && v.length > 3 ? [f, k, v.slice(0, 1)] : [f, k, v]
  );
  const result = checkElle(la, { workload: "list-append", consistency_models: [] });
  assert.equal(result["valid?"], false);
});
