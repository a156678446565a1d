/**
 * Checker composition (`harness.md` §10.1): each checker runs on its own; one
 * that throws yields `{valid?: "unknown", error}`; the overall verdict is the
 * worst child, ranked false > unknown > true.
 *
 * @module
 */

import type { CheckResult, Validity } from "../types.ts";

/** The worse of two verdicts: false beats unknown beats true. */
export function mergeValid(a: Validity, b: Validity): Validity {
  if (a === false || b === false) return false;
  if (a === "unknown" || b === "unknown") return "unknown";
  return true;
}

/** A named checker. */
export type NamedCheck = [name: string, run: () => CheckResult | Promise<CheckResult>];

/** Normalises a checker's `valid?` (anything but true/false becomes unknown). */
function validityOf(result: CheckResult): Validity {
  const v = result["valid?"];
  return v === true || v === false ? v : "unknown";
}

/** Runs checkers in order and merges them into one results map ending in `valid?`. */
export async function compose(checks: NamedCheck[]): Promise<CheckResult> {
  const results: Record<string, unknown> = {};
  let valid: Validity = true;
  for (const [name, run] of checks) {
    let result: CheckResult;
    try {
      result = await run();
      if (typeof result !== "object" || result === null) {
        throw new Error(`checker ${name} returned ${String(result)}`);
      }
    } catch (e) {
      const error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
      result = { "valid?": "unknown", error };
    }
    results[name] = result;
    valid = mergeValid(valid, validityOf(result));
  }
  return { ...results, "valid?": valid };
}
