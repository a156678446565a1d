/**
 * The unique-ids checker (Jepsen `checker/unique-ids`, algorithm A3 in
 * shared/maelstrom/workloads/README.md): no id may be acknowledged twice.
 *
 * Ids are compared structurally (two equal arrays are the same id; 1 and "1"
 * differ). `duplicated` maps up to 48 ids with the highest counts to their
 * counts; its keys are the ids themselves for strings and JSON text for other
 * values.
 *
 * Deviation (stricter than Maelstrom): Jepsen's `range` orders ids with
 * Clojure's `compare`, which throws for ids of different kinds or for objects,
 * turning the result into unknown. Here the same ids give `valid? unknown`
 * with an `error` explaining why, unless duplicates already make it false.
 *
 * @module
 */

import type { CheckResult, Op } from "../types.ts";
import { canonicalKey, compareJson } from "../json_values.ts";

/** How many duplicated ids the result lists (Jepsen's limit). */
export const DUPLICATED_LIMIT = 48;

/** Judges `generate` ops: valid when no two ok completions returned equal ids. */
export function checkUniqueIds(history: readonly Op[]): CheckResult {
  let attempted_count = 0;
  let acknowledged_count = 0;
  const frequencies = new Map<string, { id: unknown; count: number }>();
  const ids: unknown[] = [];
  for (const op of history) {
    if (op.f !== "generate" || op.process === "nemesis") continue;
    if (op.type === "invoke") attempted_count++;
    if (op.type !== "ok") continue;
    acknowledged_count++;
    const key = canonicalKey(op.value);
    const entry = frequencies.get(key);
    if (entry === undefined) {
      frequencies.set(key, { id: op.value, count: 1 });
      ids.push(op.value);
    } else {
      entry.count++;
    }
  }
  const duplicates = [...frequencies.values()].filter((entry) => entry.count > 1);
  const result: CheckResult = {
    "valid?": duplicates.length === 0,
    "attempted-count": attempted_count,
    "acknowledged-count": acknowledged_count,
    "duplicated-count": duplicates.length,
    "duplicated": {},
    "range": null,
  };
  try {
    result["duplicated"] = duplicatedMap(duplicates);
    result["range"] = idRange(ids);
  } catch (error) {
    if (result["valid?"] === true) result["valid?"] = "unknown";
    result["error"] = `ids cannot be ordered: ${(error as Error).message}`;
  }
  return result;
}

function duplicatedMap(duplicates: { id: unknown; count: number }[]): Record<string, number> {
  // Highest counts first; among equal counts Jepsen keeps the highest ids.
  const by_id = [...duplicates].sort((a, b) => compareJson(a.id, b.id));
  const top = by_id.sort((a, b) => a.count - b.count).reverse().slice(0, DUPLICATED_LIMIT);
  top.sort((a, b) => compareJson(a.id, b.id));
  return Object.fromEntries(top.map(({ id, count }) => [idLabel(id), count]));
}

function idRange(ids: readonly unknown[]): [unknown, unknown] | null {
  if (ids.length === 0) return null;
  let lowest = ids[0];
  let highest = ids[0];
  for (const id of ids) {
    if (compareJson(id, lowest) < 0) lowest = id;
    if (compareJson(id, highest) > 0) highest = id;
  }
  return [lowest, highest];
}

function idLabel(id: unknown): string {
  return typeof id === "string" ? id : canonicalKey(id);
}
