import { deepStrictEqual as assertEq, strictEqual as assertEquals } from "node:assert/strict";
import { checkUniqueIds } from "../../../lib/harness/checkers/unique_ids.ts";
import { TimedHistory } from "../support/part1_history.ts";

Deno.test("unique-ids: no ops is valid with zero counts and no range", () => {
  assertEq(checkUniqueIds([]), {
    "valid?": true,
    "attempted-count": 0,
    "acknowledged-count": 0,
    "duplicated-count": 0,
    "duplicated": {},
    "range": null,
  });
});

Deno.test("unique-ids: distinct ids are valid; fail and info ops count only as attempts", () => {
  const h = new TimedHistory();
  h.op(0, "generate", "ok", null, 3).op(1, "generate", "ok", null, 1);
  h.op(2, "generate", "fail", null, null).op(0, "generate", "info", null, null);
  h.nemesis();
  h.invoke(1, "generate"); // still open at the end
  const result = checkUniqueIds(h.ops);
  assertEquals(result["valid?"], true);
  assertEquals(result["attempted-count"], 5);
  assertEquals(result["acknowledged-count"], 2);
  assertEq(result["range"], [1, 3]);
});

Deno.test("unique-ids: duplicates are reported with their counts", () => {
  const h = new TimedHistory();
  for (const id of ["n1-1", "n1-2", "n1-1", "n2-1", "n1-1", "n1-2", "n3-1"]) {
    h.op(0, "generate", "ok", null, id);
  }
  const result = checkUniqueIds(h.ops);
  assertEquals(result["valid?"], false);
  assertEquals(result["duplicated-count"], 2);
  assertEq(result["duplicated"], { "n1-1": 3, "n1-2": 2 });
  assertEq(result["range"], ["n1-1", "n3-1"]);
});

Deno.test("unique-ids: equality is structural and type-aware", () => {
  const h = new TimedHistory();
  h.op(0, "generate", "ok", null, [1, 2]).op(1, "generate", "ok", null, [1, 2]);
  h.op(0, "generate", "ok", null, [1, 3]);
  const result = checkUniqueIds(h.ops);
  assertEquals(result["valid?"], false);
  assertEq(result["duplicated"], { "[1,2]": 2 });
  assertEq(result["range"], [[1, 2], [1, 3]]);

  const g = new TimedHistory();
  g.op(0, "generate", "ok", null, 1).op(0, "generate", "ok", null, "1");
  g.op(0, "generate", "ok", null, 2n ** 70n).op(0, "generate", "ok", null, 2n ** 70n + 1n);
  const mixed = checkUniqueIds(g.ops);
  assertEquals(mixed["duplicated-count"], 0);
  // Numbers and strings cannot be ordered: Maelstrom's checker would throw here.
  assertEquals(mixed["valid?"], "unknown");
  assertEquals(typeof mixed["error"], "string");
});

Deno.test("unique-ids: big integer ids equal to safe numbers are the same id", () => {
  const h = new TimedHistory();
  h.op(0, "generate", "ok", null, 5).op(0, "generate", "ok", null, 5n);
  h.op(0, "generate", "ok", null, 2n ** 60n);
  const result = checkUniqueIds(h.ops);
  assertEquals(result["valid?"], false);
  assertEq(result["duplicated"], { "5": 2 });
  assertEq(result["range"], [5, 2n ** 60n]);
});

Deno.test("unique-ids: at most 48 duplicates are listed, highest counts first", () => {
  const h = new TimedHistory();
  for (let id = 0; id < 60; id++) {
    const copies = id < 10 ? 3 : 2;
    for (let copy = 0; copy < copies; copy++) h.op(0, "generate", "ok", null, id);
  }
  const result = checkUniqueIds(h.ops);
  assertEquals(result["duplicated-count"], 60);
  const listed = result["duplicated"] as Record<string, number>;
  assertEquals(Object.keys(listed).length, 48);
  for (let id = 0; id < 10; id++) assertEquals(listed[String(id)], 3);
  // Among the count-2 ids, Jepsen's reverse keeps the highest ids.
  assertEquals(listed["59"], 2);
  assertEquals(listed["10"], undefined);
});
