/**
 * The stats checker (`harness.md` §10.2): counts client completions overall
 * and by `:f`; invalid if some `:f` never completed ok. Like the kafka
 * wrapper, `crash` and `debug-topic-partitions` do not count for validity.
 * Ops of a final phase Maelstrom does not run (`Op.harness_only`) are counted
 * apart, under `harness-only-final-reads`.
 *
 * @module
 */

import type { CheckResult, Op } from "../types.ts";

/** `:f`s that may have no ok completion without failing the test. */
export const STATS_IGNORED_FS: ReadonlySet<string> = new Set(["crash", "debug-topic-partitions"]);

interface Counts {
  count: number;
  "ok-count": number;
  "fail-count": number;
  "info-count": number;
}

function empty(): Counts {
  return { count: 0, "ok-count": 0, "fail-count": 0, "info-count": 0 };
}

function add(counts: Counts, type: Op["type"]): void {
  counts.count++;
  if (type === "ok") counts["ok-count"]++;
  else if (type === "fail") counts["fail-count"]++;
  else if (type === "info") counts["info-count"]++;
}

/** Counts client completions by type and by `:f`. */
export function checkStats(history: readonly Op[]): CheckResult {
  const total = empty();
  const by_f = new Map<string, Counts>();
  let extra: Counts | undefined;
  for (const op of history) {
    if (op.type === "invoke" || op.process === "nemesis") continue;
    if (op.harness_only) {
      add(extra ??= empty(), op.type);
      continue;
    }
    add(total, op.type);
    let counts = by_f.get(op.f);
    if (counts === undefined) by_f.set(op.f, counts = empty());
    add(counts, op.type);
  }
  let valid = true;
  const by_f_out: Record<string, unknown> = {};
  for (const f of [...by_f.keys()].sort()) {
    const counts = by_f.get(f)!;
    const f_valid = counts["ok-count"] > 0;
    if (!f_valid && !STATS_IGNORED_FS.has(f)) valid = false;
    by_f_out[f] = { "valid?": f_valid, ...counts };
  }
  const result: CheckResult = { "valid?": valid, ...total, "by-f": by_f_out };
  if (extra !== undefined) {
    result["harness-only-final-reads"] = { note: "not in Maelstrom; not counted above", ...extra };
  }
  return result;
}
