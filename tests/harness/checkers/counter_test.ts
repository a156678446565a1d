import {
  deepStrictEqual as assertEq,
  strictEqual as assertEquals,
  throws,
} from "node:assert/strict";
import {
  acceptableSet,
  checkCounter,
  intervalsContain,
  mergeIntervals,
} from "../../../lib/harness/checkers/counter.ts";
import type { Op } from "../../../lib/harness/types.ts";
import { TimedHistory } from "../support/part1_history.ts";

function finalRead(h: TimedHistory, process: number, value: unknown): void {
  h.invoke(process, "read", null, { final: true });
  h.complete(process, "ok", value);
}

Deno.test("counter: an empty history accepts only 0 and is valid", () => {
  assertEq(checkCounter([]), {
    "valid?": true,
    "errors": null,
    "final-reads": [],
    "acceptable": [[0, 0]],
  });
});

Deno.test("counter: Maelstrom's example, ok adds 2 and 3 with final reads 5 and 4", () => {
  const h = new TimedHistory();
  h.op(0, "add", "ok", 2).op(1, "add", "ok", 3);
  finalRead(h, 0, 5);
  finalRead(h, 1, 4);
  const result = checkCounter(h.ops);
  assertEquals(result["valid?"], false);
  assertEq(result["final-reads"], [5, 4]);
  assertEq(result["acceptable"], [[5, 5]]);
  const errors = result["errors"] as Op[];
  assertEquals(errors.length, 1);
  assertEquals(errors[0].value, 4);
  assertEquals(errors[0].final, true);
});

Deno.test("counter: Maelstrom's example, info adds widen the acceptable set", () => {
  const h = new TimedHistory();
  h.op(0, "add", "ok", 10).op(1, "add", "info", 5).op(2, "add", "info", -1).op(
    3,
    "add",
    "info",
    -1,
  );
  finalRead(h, 4, 11);
  finalRead(h, 5, 15);
  const result = checkCounter(h.ops);
  assertEq(result["acceptable"], [[8, 10], [13, 15]]);
  assertEquals(result["valid?"], false);
  assertEq((result["errors"] as Op[]).map((op) => op.value), [11]);
});

Deno.test("counter: fail adds, invokes and non-final reads are ignored", () => {
  const h = new TimedHistory();
  h.op(0, "add", "ok", 3).op(1, "add", "fail", 100).op(0, "read", "ok", null, 999);
  h.nemesis();
  h.invoke(2, "add", 4); // never completes
  finalRead(h, 1, 3);
  const result = checkCounter(h.ops);
  assertEquals(result["valid?"], true);
  assertEq(result["final-reads"], [3]);
  assertEq(result["acceptable"], [[3, 3]]);
});

Deno.test("counter: lost increments (drift) make a final read invalid", () => {
  const h = new TimedHistory();
  for (let i = 0; i < 10; i++) h.op(i % 3, "add", "ok", 1);
  finalRead(h, 0, 10);
  finalRead(h, 1, 10);
  finalRead(h, 2, 9);
  const result = checkCounter(h.ops);
  assertEquals(result["valid?"], false);
  assertEq((result["errors"] as Op[]).map((op) => op.value), [9]);
});

Deno.test("counter: info final reads are not checked; info adds with 0 keep the set", () => {
  const h = new TimedHistory();
  h.op(0, "add", "ok", 2).op(1, "add", "info", 0);
  h.invoke(2, "read", null, { final: true });
  h.complete(2, "info", null);
  finalRead(h, 0, 2);
  const result = checkCounter(h.ops);
  assertEquals(result["valid?"], true);
  assertEq(result["acceptable"], [[2, 2]]);
});

Deno.test("counter: a non-integer final read makes the checker throw (→ unknown)", () => {
  const h = new TimedHistory();
  finalRead(h, 0, "5");
  throws(() => checkCounter(h.ops), /non-integer "5"/);
  const g = new TimedHistory();
  finalRead(g, 0, 1.5);
  throws(() => checkCounter(g.ops), /non-integer 1.5/);
});

Deno.test("counter: big integer reads compare exactly", () => {
  const h = new TimedHistory();
  h.op(0, "add", "ok", 1);
  finalRead(h, 0, 1n);
  finalRead(h, 1, 2n ** 64n);
  const result = checkCounter(h.ops);
  assertEquals(result["valid?"], false);
  assertEquals((result["errors"] as Op[]).length, 1);
});

Deno.test("counter: the acceptable set is exactly every subset sum", () => {
  const deltas = [3, -2, 4, 0, -5, 1];
  const h = new TimedHistory();
  h.op(0, "add", "ok", 7);
  for (const delta of deltas) h.op(1, "add", "info", delta);
  const expected = new Set<number>();
  for (let mask = 0; mask < 1 << deltas.length; mask++) {
    let sum = 7;
    deltas.forEach((delta, i) => (mask & (1 << i)) && (sum += delta));
    expected.add(sum);
  }
  const intervals = acceptableSet(h.ops);
  for (let value = -20; value <= 30; value++) {
    assertEquals(intervalsContain(intervals, value), expected.has(value), `value ${value}`);
  }
});

Deno.test("mergeIntervals: adjacent integer intervals merge, gaps stay", () => {
  assertEq(mergeIntervals([[5, 6], [0, 1], [2, 3]]), [[0, 3], [5, 6]]);
  assertEq(mergeIntervals([[0, 10], [2, 3]]), [[0, 10]]);
  assertEq(mergeIntervals([]), []);
});
