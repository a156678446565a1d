import { deepStrictEqual as assertEq, strictEqual as assertEquals } from "node:assert/strict";
import { checkEcho, ERROR_LIMIT } from "../../../lib/harness/checkers/echo.ts";
import { TimedHistory } from "../support/part1_history.ts";

const reply = (echo: unknown) => ({ type: "echo_ok", in_reply_to: 1, echo });

Deno.test("echo: matching replies are valid; no ops is valid", () => {
  assertEq(checkEcho([]), { "valid?": true, "errors": [], "error-count": 0 });
  const h = new TimedHistory();
  h.op(0, "echo", "ok", "Please echo 1", reply("Please echo 1"));
  h.op(1, "echo", "ok", "Please echo 2", reply("Please echo 2"));
  assertEquals(checkEcho(h.ops)["valid?"], true);
});

Deno.test("echo: a wrong payload is an error listing invocation and reply", () => {
  const h = new TimedHistory();
  h.op(0, "echo", "ok", "Please echo 1", reply("Please echo 1"));
  h.op(0, "echo", "ok", "Please echo 7", reply("please echo 7"));
  const result = checkEcho(h.ops);
  assertEquals(result["valid?"], false);
  assertEq(result["errors"], [[
    "Expected a message with :echo",
    "Please echo 7",
    "But received",
    reply("please echo 7"),
  ]]);
});

Deno.test("echo: a fail completion is always an error; info is not checked", () => {
  const h = new TimedHistory();
  h.op(0, "echo", "info", "Please echo 3", null);
  h.op(3, "echo", "ok", "Please echo 4", reply("Please echo 4"));
  h.nemesis();
  assertEquals(checkEcho(h.ops)["valid?"], true);
  h.op(3, "echo", "fail", "Please echo 5");
  const result = checkEcho(h.ops);
  assertEquals(result["valid?"], false);
  assertEquals(result["error-count"], 1);
});

Deno.test("echo: pairs by process across interleaved ops and compares deeply", () => {
  const h = new TimedHistory();
  h.invoke(0, "echo", "Please echo 1");
  h.invoke(1, "echo", ["a", { b: 1 }]);
  h.complete(1, "ok", reply(["a", { b: 1 }]));
  h.complete(0, "ok", reply("Please echo 1"));
  h.invoke(2, "echo", "Please echo 9"); // unpaired at the end: not checked
  assertEquals(checkEcho(h.ops)["valid?"], true);
});

Deno.test("echo: errors are capped but counted", () => {
  const h = new TimedHistory();
  for (let i = 0; i < ERROR_LIMIT + 5; i++) h.op(0, "echo", "ok", `Please echo ${i}`, reply("x"));
  const result = checkEcho(h.ops);
  assertEquals((result["errors"] as unknown[]).length, ERROR_LIMIT);
  assertEquals(result["error-count"], ERROR_LIMIT + 5);
});
