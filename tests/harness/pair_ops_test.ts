import assert from "node:assert/strict";
import { pairOps } from "../../lib/harness/history.ts";
import type { Op, OpType, Process } from "../../lib/harness/types.ts";

function op(index: number, process: Process, type: OpType): Op {
  return { index, time: index * 1e6, type, process, f: "read", value: index };
}

Deno.test("pairOps: completion order, then open invocations; nemesis and stray completions skipped", () => {
  const history = [
    op(0, 0, "invoke"),
    op(1, 1, "invoke"),
    op(2, "nemesis", "info"),
    op(3, 1, "ok"),
    op(4, 2, "fail"), // No open invocation on process 2.
    op(5, 0, "info"),
    op(6, 3, "invoke"),
  ];
  const pairs = pairOps(history).map((p) => [p.invoke.index, p.completion?.index]);
  assert.deepEqual(pairs, [[1, 3], [0, 5], [6, undefined]]);
});
