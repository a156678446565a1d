/**
 * The exceptions checker (Jepsen `unhandled-exceptions`): groups info ops that
 * carry an exception by exception class, most frequent first. Always valid.
 *
 * @module
 */

import type { CheckResult, Op } from "../types.ts";

/** Groups client ops with an `exception` by its class (the text before the first ":"). */
export function checkExceptions(history: readonly Op[]): CheckResult {
  const groups = new Map<string, { count: number; class: string; example: Op }>();
  for (const op of history) {
    if (op.exception === undefined) continue;
    const cls = op.exception.split(":")[0];
    const group = groups.get(cls);
    if (group === undefined) groups.set(cls, { count: 1, class: cls, example: op });
    else group.count++;
  }
  if (groups.size === 0) return { "valid?": true };
  const exceptions = [...groups.values()].sort((a, b) => b.count - a.count);
  return { "valid?": true, exceptions };
}
