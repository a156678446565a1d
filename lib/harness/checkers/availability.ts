/**
 * The availability checker (`harness.md` §10.2): the fraction of client
 * invocations that completed ok, against `--availability`. Ops of a final
 * phase Maelstrom does not run (`Op.harness_only`) are left out of the
 * fraction and reported apart.
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
  let extra_invokes = 0;
  let extra_oks = 0;
  for (const op of history) {
    if (op.harness_only) {
      if (op.type === "invoke") extra_invokes++;
      else if (op.type === "ok") extra_oks++;
    } else if (op.type === "invoke") invokes++;
    else if (op.type === "ok") oks++;
  }
  const ok_fraction = invokes === 0 ? 1 : oks / invokes;
  const valid = expected === undefined
    ? true
    : expected === "total"
    ? ok_fraction === 1
    : ok_fraction >= expected;
  const result: CheckResult = { "valid?": valid, "ok-fraction": ok_fraction };
  if (extra_invokes > 0) {
    result["harness-only-final-reads"] = {
      note: "not in Maelstrom; left out of ok-fraction",
      ops: extra_invokes,
      "ok-count": extra_oks,
      "ok-fraction-including-them": (oks + extra_oks) / (invokes + extra_invokes),
    };
  }
  return result;
}
