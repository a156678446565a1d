/**
 * What a workload-specific inference hands the cycle checker: the dependency
 * graph over transactions, the non-cycle anomalies it found, and the
 * conditions under which Elle would throw (the verdict becomes unknown).
 *
 * @module
 */

import type { TxnGraph } from "./graph.ts";
import { opSummary, type Txn } from "./history.ts";

/** The result of inferring dependencies from a transactional history. */
export interface Inference {
  graph: TxnGraph;
  /** Non-cycle anomalies: type → cases. */
  anomalies: Map<string, unknown[]>;
  /** Reasons the history cannot be analysed (Elle throws; the verdict is unknown). */
  errors: string[];
  /** Extra result fields (e.g. final-read evidence counts). */
  extra: Record<string, unknown>;
}

/** Most cases kept per anomaly type in a report; the count is reported in full. */
export const MAX_CASES_PER_TYPE = 32;

/** Appends a case to an anomaly list. */
export function addCase(anomalies: Map<string, unknown[]>, type: string, item: unknown): void {
  const list = anomalies.get(type);
  if (list === undefined) anomalies.set(type, [item]);
  else list.push(item);
}

/** A report-sized view of a transaction. */
export function txnCase(txn: Txn): Record<string, unknown> {
  return opSummary(txn);
}

/** A Map-of-Maps helper: the inner map for `outer`, created on demand. */
export function inner<K, K2, V>(map: Map<K, Map<K2, V>>, outer: K): Map<K2, V> {
  let m = map.get(outer);
  if (m === undefined) {
    m = new Map<K2, V>();
    map.set(outer, m);
  }
  return m;
}

/** Pushes `value` onto the list at map[a][b]. */
export function pushAt<K, K2, V>(map: Map<K, Map<K2, V[]>>, a: K, b: K2, value: V): void {
  const m = inner(map, a);
  const list = m.get(b);
  if (list === undefined) m.set(b, [value]);
  else list.push(value);
}

/**
 * Reports a lost-update for every (key, value) that two or more ok txns read and then wrote:
 * `groups` maps key → value read (both as `keyOf` text) → txn ids.
 */
export function addLostUpdates(
  groups: ReadonlyMap<string, ReadonlyMap<string, readonly number[]>>,
  txns: readonly Txn[],
  anomalies: Map<string, unknown[]>,
): void {
  for (const [key, by_value] of groups) {
    for (const [value, ids] of by_value) {
      if (ids.length < 2) continue;
      addCase(anomalies, "lost-update", {
        key: JSON.parse(key),
        value: JSON.parse(value),
        txns: ids.map((id) => txnCase(txns[id])),
      });
    }
  }
}
