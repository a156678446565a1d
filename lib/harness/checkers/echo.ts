/**
 * The echo checker (Maelstrom `workload/echo.clj`): every echo invocation
 * paired with an ok or fail completion must get back its payload in the
 * reply's `echo` field. A fail completion carries no reply, so it is always
 * an error; info completions are not paired and not checked.
 *
 * Deviation (output only): `errors` lists at most `ERROR_LIMIT` entries and
 * `error-count` gives the total, so a broken node cannot flood the results.
 *
 * @module
 */

import type { CheckResult, Op } from "../types.ts";
import { pairOps } from "../history.ts";
import { isJsonObject, jsonEqual } from "../json_values.ts";

/** How many mismatches the result lists. */
export const ERROR_LIMIT = 100;

/** One mismatch, shaped like Maelstrom's error entries. */
export type EchoError = ["Expected a message with :echo", unknown, "But received", unknown];

/** Judges echo ops: valid when every paired completion echoes its invocation's value. */
export function checkEcho(history: readonly Op[]): CheckResult {
  const errors: EchoError[] = [];
  let error_count = 0;
  for (const { invoke, completion } of pairOps(history)) {
    if (completion === undefined || completion.type === "info") continue;
    const echoed = isJsonObject(completion.value) ? completion.value.echo : undefined;
    if (jsonEqual(invoke.value, echoed)) continue;
    error_count++;
    if (errors.length < ERROR_LIMIT) {
      errors.push([
        "Expected a message with :echo",
        invoke.value,
        "But received",
        completion.value,
      ]);
    }
  }
  return { "valid?": error_count === 0, "errors": errors, "error-count": error_count };
}
