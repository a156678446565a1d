import { deepStrictEqual as assertEq, strictEqual as assertEquals } from "node:assert/strict";
import { checkSetFull, quantiles } from "../../../lib/harness/checkers/set_full.ts";
import { TimedHistory } from "../support/part1_history.ts";

Deno.test("set-full: an empty history is unknown with zero counts and no latency maps", () => {
  const result = checkSetFull([]);
  assertEq(result, {
    "valid?": "unknown",
    "attempt-count": 0,
    "stable-count": 0,
    "lost-count": 0,
    "lost": [],
    "never-read-count": 0,
    "never-read": [],
    "stale-count": 0,
    "stale": [],
    "worst-stale": [],
    "duplicated-count": 0,
    "duplicated": {},
  });
});

Deno.test("set-full: acknowledged and read elements are stable with zero latency", () => {
  const h = new TimedHistory();
  h.at(0).op(0, "add", "ok", 0);
  h.at(1).op(1, "add", "ok", 1);
  h.at(2).op(0, "read", "ok", null, [1, 0]);
  const result = checkSetFull(h.ops);
  assertEquals(result["valid?"], true);
  assertEquals(result["stable-count"], 2);
  assertEq(result["stable-latencies"], { "0": 0, "0.5": 0, "0.95": 0, "0.99": 0, "1": 0 });
  assertEquals(result["lost-latencies"], undefined);
});

Deno.test("set-full: an acknowledged element missing from a later read is lost", () => {
  const h = new TimedHistory();
  h.at(0).op(0, "add", "ok", 5);
  h.at(3).op(1, "read", "ok", null, []);
  const result = checkSetFull(h.ops);
  assertEquals(result["valid?"], false);
  assertEq(result["lost"], [5]);
  assertEquals(result["lost-count"], 1);
  // No present read: lost time 0, so the latency floors at 0.
  assertEq(result["lost-latencies"], { "0": 0, "0.5": 0, "0.95": 0, "0.99": 0, "1": 0 });
});

Deno.test("set-full: an element read and then missing is lost, with its lost latency", () => {
  const h = new TimedHistory();
  h.at(0).invoke(0, "add", 7);
  h.at(1).complete(0, "info"); // the add's outcome is unknown
  h.at(10).op(1, "read", "ok", null, [7]); // seen: known at this completion (10 ms)
  h.at(25).op(2, "read", "ok", null, [8]); // 8 was never added: ignored
  const result = checkSetFull(h.ops);
  assertEquals(result["valid?"], false);
  assertEq(result["lost"], [7]);
  // lost latency = (last present invocation 10 ms + 1 ns) - known 10 ms → 0 ms
  assertEquals((result["lost-latencies"] as Record<string, number>)["1"], 0);
  assertEquals(result["attempt-count"], 1);
});

Deno.test("set-full: a missing read concurrent with the add leaves the element never-read", () => {
  const h = new TimedHistory();
  h.at(0).invoke(0, "add", 1);
  h.at(1).invoke(1, "read");
  h.at(2).complete(0, "ok");
  h.at(3).complete(1, "ok", []); // invoked before the add was known
  const result = checkSetFull(h.ops);
  assertEquals(result["valid?"], "unknown");
  assertEq(result["never-read"], [1]);
  assertEquals(result["lost-count"], 0);
});

Deno.test("set-full: failed and crashed adds that nobody read are never-read, not lost", () => {
  const h = new TimedHistory();
  h.at(0).op(0, "add", "fail", 1);
  h.at(1).op(1, "add", "info", 2);
  h.at(2).op(2, "add", "ok", 3);
  h.at(3).op(0, "read", "ok", null, [3]);
  const result = checkSetFull(h.ops);
  assertEquals(result["valid?"], true);
  assertEq(result["never-read"], [1, 2]);
  assertEquals(result["attempt-count"], 3);
});

Deno.test("set-full: info, fail and nemesis ops are ignored by reads", () => {
  const h = new TimedHistory();
  h.at(0).op(0, "add", "ok", 1);
  h.nemesis();
  h.at(5).op(1, "read", "info", null, null);
  h.at(6).op(2, "read", "fail", null, null);
  h.at(7).op(0, "read", "ok", null, [1]);
  const result = checkSetFull(h.ops);
  assertEquals(result["valid?"], true);
  assertEquals(result["stable-count"], 1);
});

Deno.test("set-full: stale elements get the stable latency from the last missing read", () => {
  const h = new TimedHistory();
  h.at(10).op(0, "add", "ok", 1); // known at 10 ms
  h.at(15).op(1, "read", "ok", null, []); // missing, invoked at 15 ms
  h.at(22.5).op(2, "read", "ok", null, [0]); // missing again, invoked 22.5 ms
  h.at(40).op(1, "read", "ok", null, [1]); // present afterwards
  h.at(41).op(0, "add", "ok", 2);
  h.at(42).op(2, "read", "ok", null, [1, 2]);
  const result = checkSetFull(h.ops);
  assertEquals(result["valid?"], true);
  assertEq(result["stale"], [1]);
  assertEquals(result["stale-count"], 1);
  // (22.5 ms + 1 ns) - 10 ms = 12.500001 ms → 12 ms (truncated)
  const worst = result["worst-stale"] as { element: unknown; "stable-latency": number }[];
  assertEquals(worst.length, 1);
  assertEquals(worst[0].element, 1);
  assertEquals(worst[0]["stable-latency"], 12);
  assertEq(result["stable-latencies"], { "0": 0, "0.5": 12, "0.95": 12, "0.99": 12, "1": 12 });
});

Deno.test("set-full: a later present read makes an earlier absence stable, not lost", () => {
  const h = new TimedHistory();
  h.at(0).op(0, "add", "ok", 1);
  h.at(5).op(1, "read", "ok", null, []);
  h.at(9).op(1, "read", "ok", null, [1]);
  const result = checkSetFull(h.ops);
  assertEquals(result["valid?"], true);
  assertEquals(result["lost-count"], 0);
  assertEquals(result["stale-count"], 1);
});

Deno.test("set-full: elements listed twice in one read are duplicates and invalid", () => {
  const h = new TimedHistory();
  h.at(0).op(0, "add", "ok", 1);
  h.at(1).op(0, "add", "ok", 2);
  h.at(2).op(1, "read", "ok", null, [1, 2, 1, 1, 2]);
  h.at(3).op(1, "read", "ok", null, [1, 2, 2]);
  const result = checkSetFull(h.ops);
  assertEquals(result["valid?"], false);
  assertEquals(result["duplicated-count"], 2);
  assertEq(result["duplicated"], { "1": 3, "2": 2 });
  assertEquals(result["lost-count"], 0);
});

Deno.test("set-full: broadcast is tracked as the add when add_f says so", () => {
  const h = new TimedHistory();
  h.at(0).op(0, "broadcast", "ok", 0);
  h.at(1).op(0, "broadcast", "ok", 1);
  h.at(2).op(1, "read", "ok", null, [0]);
  assertEquals(checkSetFull(h.ops)["valid?"], "unknown"); // add_f "add": nothing tracked
  const result = checkSetFull(h.ops, { add_f: "broadcast" });
  assertEquals(result["valid?"], false);
  assertEq(result["lost"], [1]);
});

Deno.test("set-full: worst-stale lists at most 8, highest latency first", () => {
  const h = new TimedHistory();
  for (let element = 0; element < 10; element++) h.at(element).op(0, "add", "ok", element);
  // Element e is missed by a read invoked at 10 + 2e ms, then everything is seen.
  for (let element = 0; element < 10; element++) {
    const missing = [...Array(10).keys()].filter((x) => x !== element);
    h.at(10 + 2 * element).op(1, "read", "ok", null, missing);
  }
  h.at(100).op(1, "read", "ok", null, [...Array(10).keys()]);
  const result = checkSetFull(h.ops);
  const worst = result["worst-stale"] as { element: number; "stable-latency": number }[];
  assertEquals(worst.length, 8);
  assertEq(worst.map((w) => w.element), [9, 8, 7, 6, 5, 4, 3, 2]);
  // element e: (10 + 2e ms + 1 ns) - e ms = 10 + e ms
  assertEq(worst.map((w) => w["stable-latency"]), [19, 18, 17, 16, 15, 14, 13, 12]);
  assertEquals(result["stale-count"], 10);
});

Deno.test("set-full: structurally equal elements match, sorted lists use numeric order", () => {
  const h = new TimedHistory();
  h.at(0).op(0, "add", "ok", 10);
  h.at(1).op(0, "add", "ok", 9);
  h.at(2).op(0, "add", "ok", { b: 1, a: [2] });
  h.at(3).op(1, "read", "ok", null, [{ a: [2], b: 1 }]);
  const result = checkSetFull(h.ops);
  assertEq(result["lost"], [9, 10]);
  assertEquals(result["stable-count"], 1);
});

Deno.test("set-full: an ok read whose value is not an array is a checker error", () => {
  const h = new TimedHistory();
  h.at(0).op(0, "add", "ok", 1);
  h.at(1).op(1, "read", "ok", null, 1);
  let message = "";
  try {
    checkSetFull(h.ops);
  } catch (error) {
    message = (error as Error).message;
  }
  assertEquals(message, "ok read 3 has a non-array value");
});

Deno.test("quantiles: Jepsen's index rule min(n-1, floor(n·q))", () => {
  assertEq(quantiles([9, 8, 7, 6, 5, 4, 3, 2, 1, 0]), {
    "0": 0,
    "0.5": 5,
    "0.95": 9,
    "0.99": 9,
    "1": 9,
  });
  assertEq(quantiles([4]), { "0": 4, "0.5": 4, "0.95": 4, "0.99": 4, "1": 4 });
  assertEq(quantiles([1, 3]), { "0": 1, "0.5": 3, "0.95": 3, "0.99": 3, "1": 3 });
});
