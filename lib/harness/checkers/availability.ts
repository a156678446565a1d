/**
 * The availability checker (`harness.md` §10.2): the fraction of client
 * invocations that completed ok, against `--availability`.
 *
 * @module
 */

import type { CheckResult, Op } from "../types.ts";

/** ok ops / invoke ops (nemesis ops are info, so neither); 1 without invokes. */
export function checkAvailability(
  history: readonly Op[],
  expected: "total" | number | undefined,
): CheckResult {
  let invokes = 0;
  let oks = 0;
  for (const op of history) {
    if (op.type === "invoke") invokes++;
    else if (op.type === "ok") oks++;
  }
  const ok_fraction = invokes === 0 ? 1 : oks / invokes;
  const valid = expected === undefined
    ? true
    : expected === "total"
    ? ok_fraction === 1
    : ok_fraction >= expected;
  return { "valid?": valid, "ok-fraction": ok_fraction };
}
