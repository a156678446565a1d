/**
 * Dependency inference for append-only lists (txn-list-append), after Elle's
 * `list-append`: every read returns a key's whole list, so the longest read
 * is the key's version order; ww, wr and rw edges follow from where each
 * append sits in that order. Also the non-cycle anomalies G1a, G1b, internal,
 * future-read, duplicate-elements, incompatible-order, dirty-update,
 * lost-update, and this harness's garbage-read (an element nobody appended).
 *
 * ok and info txns take part in the graph (an info txn contributes its
 * appends; its reads are unknown).
 *
 * @module
 */

import { RW, TxnGraph, WR, WW } from "./graph.ts";
import { keyOf, type Mop, type Txn } from "./history.ts";
import { addCase, addLostUpdates, type Inference, inner, pushAt, txnCase } from "./inference.ts";

/** The initial, empty state of a key in the version order. */
const INIT = "\u0000init";

function readList(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

/** Infers the dependency graph and non-cycle anomalies of a list-append history. */
export function inferListAppend(txns: readonly Txn[]): Inference {
  const graph = new TxnGraph(txns.length);
  const anomalies = new Map<string, unknown[]>();
  const errors: string[] = [];
  const key_names = new Map<string, unknown>();

  // key → element → appending txn (all types), and which appends are not a txn's last to a key.
  const appender = new Map<string, Map<string, number>>();
  const non_final = new Map<string, Set<string>>();
  const appends_per_key = new Map<string, number>();
  for (const txn of txns) {
    const last_append = new Map<string, string>();
    for (const [f, k, v] of txn.mops) {
      if (f !== "r" && f !== "append") {
        errors.push(
          `op ${txn.complete.index}: unknown micro-op f ${keyOf(f)} (expected r or append)`,
        );
        continue;
      }
      const key = keyOf(k);
      key_names.set(key, k);
      if (f !== "append") continue;
      const elem = keyOf(v);
      const by = inner(appender, key);
      const other = by.get(elem);
      if (other !== undefined && other !== txn.id) {
        errors.push(
          `element ${elem} appended to key ${key} by two txns (ops ${
            txns[other].complete.index
          } and ${txn.complete.index})`,
        );
      }
      by.set(elem, txn.id);
      const prev = last_append.get(key);
      if (prev !== undefined) {
        let set = non_final.get(key);
        if (set === undefined) non_final.set(key, set = new Set());
        set.add(prev);
      }
      last_append.set(key, elem);
      if (txn.type !== "fail") appends_per_key.set(key, (appends_per_key.get(key) ?? 0) + 1);
    }
  }
  if (errors.length > 0) return { graph, anomalies, errors: errors.slice(0, 8), extra: {} };

  const is_live = (id: number | undefined) => id !== undefined && txns[id].type !== "fail";

  // Reads: check each ok read; collect distinct non-empty lists per key.
  const observed = new Map<string, Map<string, unknown[]>>();
  for (const txn of txns) {
    if (txn.type !== "ok") continue;
    for (const mop of txn.mops) {
      const [f, k, v] = mop;
      if (f !== "r") continue;
      const key = keyOf(k);
      const list = readList(v);
      checkRead(txn, mop, key, list, appender, non_final, txns, anomalies);
      if (list.length > 0) inner(observed, key).set(keyOf(list), list);
    }
    internal(txn, anomalies);
  }

  // Version order per key: the longest observed list; every other must be a prefix of it.
  const order = new Map<string, string[]>();
  for (const [key, lists] of observed) {
    const sorted = [...lists.values()].sort((a, b) => a.length - b.length);
    const longest = sorted[sorted.length - 1].map(keyOf);
    for (const list of sorted) {
      const prefix_ok = list.every((x, i) => keyOf(x) === longest[i]);
      if (!prefix_ok) {
        addCase(anomalies, "incompatible-order", {
          key: key_names.get(key),
          values: [list, sorted[sorted.length - 1]],
        });
      }
    }
    order.set(key, [...new Set(longest)]);
  }
  for (const [key, count] of appends_per_key) {
    if (count !== 1) continue;
    for (const [elem, id] of appender.get(key) ?? []) if (is_live(id)) order.set(key, [elem]);
  }
  dirtyUpdates(order, appender, txns, key_names, anomalies);
  lostUpdates(txns, anomalies);

  // Readers indexed by the last element of their external read (INIT for empty).
  const readers_by_last = new Map<string, Map<string, number[]>>();
  for (const txn of txns) {
    if (txn.type !== "ok") continue;
    for (const [key, list] of externalReads(txn.mops)) {
      const last = list.length === 0 ? INIT : keyOf(list[list.length - 1]);
      pushAt(readers_by_last, key, last, txn.id);
      if (last === INIT) continue;
      const writer = appender.get(key)?.get(last);
      if (is_live(writer) && writer !== txn.id) {
        graph.link(writer!, txn.id, WR, { key: key_names.get(key), value: list[list.length - 1] });
      }
    }
  }

  // ww and rw: each append follows the element before it in the order.
  const positions = new Map<string, Map<string, number>>();
  for (const [key, ord] of order) positions.set(key, new Map(ord.map((e, i) => [e, i])));
  for (const txn of txns) {
    if (txn.type === "fail") continue;
    for (const [f, k, v] of txn.mops) {
      if (f !== "append") continue;
      const key = keyOf(k);
      const elem = keyOf(v);
      const ord = order.get(key) ?? [];
      const at = positions.get(key)?.get(elem) ?? -1;
      const prev = at > 0
        ? ord[at - 1]
        : at === 0
        ? INIT
        : ord.length > 0
        ? ord[ord.length - 1]
        : INIT;
      const why = {
        key: k,
        value: prev === INIT ? null : JSON.parse(prev),
        "value'": v,
      };
      if (prev !== INIT) {
        const writer = appender.get(key)?.get(prev);
        if (is_live(writer)) graph.link(writer!, txn.id, WW, why);
      }
      for (const reader of readers_by_last.get(key)?.get(prev) ?? []) {
        graph.link(reader, txn.id, RW, why);
      }
    }
  }
  return { graph, anomalies, errors, extra: {} };
}

function externalReads(mops: readonly Mop[]): Map<string, unknown[]> {
  const out = new Map<string, unknown[]>();
  const seen = new Set<string>();
  for (const [f, k, v] of mops) {
    const key = keyOf(k);
    if (f === "r" && !seen.has(key)) out.set(key, readList(v));
    seen.add(key);
  }
  return out;
}

function checkRead(
  txn: Txn,
  mop: Mop,
  key: string,
  list: readonly unknown[],
  appender: Map<string, Map<string, number>>,
  non_final: Map<string, Set<string>>,
  txns: readonly Txn[],
  anomalies: Map<string, unknown[]>,
): void {
  const elems = list.map(keyOf);
  const distinct = new Set(elems);
  if (distinct.size !== elems.length) {
    addCase(anomalies, "duplicate-elements", { op: txnCase(txn), mop });
  }
  const by = appender.get(key);
  for (const elem of distinct) {
    const writer = by?.get(elem);
    if (writer === undefined) {
      addCase(anomalies, "garbage-read", { op: txnCase(txn), mop, element: JSON.parse(elem) });
    } else if (txns[writer].type === "fail") {
      addCase(anomalies, "G1a", {
        op: txnCase(txn),
        mop,
        element: JSON.parse(elem),
        writer: txnCase(txns[writer]),
      });
    }
  }
  if (elems.length === 0) return;
  const last = elems[elems.length - 1];
  const writer = by?.get(last);
  if (writer !== undefined && writer !== txn.id && non_final.get(key)?.has(last)) {
    addCase(anomalies, "G1b", {
      op: txnCase(txn),
      mop,
      element: JSON.parse(last),
      writer: txnCase(txns[writer]),
    });
  }
}

/** internal and future-read: a txn's reads must agree with its own earlier reads and appends. */
function internal(txn: Txn, anomalies: Map<string, unknown[]>): void {
  const expected = new Map<string, string[]>();
  const pending = new Map<string, string[]>();
  const appends = txn.mops.flatMap(([f, k, v], i) =>
    f === "append" ? [{ at: i, key: keyOf(k), elem: keyOf(v) }] : []
  );
  txn.mops.forEach((mop, i) => {
    const [f, k, v] = mop;
    const key = keyOf(k);
    if (f === "append") {
      const target = expected.get(key) ?? pending.get(key) ?? [];
      target.push(keyOf(v));
      if (expected.has(key)) expected.set(key, target);
      else pending.set(key, target);
      return;
    }
    const got = readList(v).map(keyOf);
    for (const append of appends) {
      if (append.at <= i || append.key !== key || !got.includes(append.elem)) continue;
      addCase(anomalies, "future-read", { op: txnCase(txn), mop, element: parse(append.elem) });
    }
    const want = expected.get(key);
    if (want !== undefined) {
      if (keyOf(got) !== keyOf(want)) {
        addCase(anomalies, "internal", { op: txnCase(txn), mop, expected: want.map(parse) });
      }
    } else {
      const own = pending.get(key) ?? [];
      const tail = got.slice(got.length - own.length);
      if (own.length > 0 && (got.length < own.length || keyOf(tail) !== keyOf(own))) {
        addCase(anomalies, "internal", {
          op: txnCase(txn),
          mop,
          expected: ["...", ...own.map(parse)],
        });
      }
    }
    expected.set(key, got);
    pending.delete(key);
  });
}

function parse(text: string): unknown {
  return JSON.parse(text);
}

function dirtyUpdates(
  order: Map<string, string[]>,
  appender: Map<string, Map<string, number>>,
  txns: readonly Txn[],
  key_names: Map<string, unknown>,
  anomalies: Map<string, unknown[]>,
): void {
  for (const [key, ord] of order) {
    const by = appender.get(key);
    let failed_at = -1;
    ord.forEach((elem, i) => {
      const writer = by?.get(elem);
      if (writer === undefined) return;
      if (txns[writer].type === "fail") {
        if (failed_at < 0) failed_at = i;
        return;
      }
      if (failed_at < 0) return;
      addCase(anomalies, "dirty-update", {
        key: key_names.get(key),
        values: ord.slice(failed_at, i + 1).map(parse),
        txns: [txnCase(txns[by!.get(ord[failed_at])!]), txnCase(txns[writer])],
      });
      failed_at = -1;
    });
  }
}

function lostUpdates(txns: readonly Txn[], anomalies: Map<string, unknown[]>): void {
  const groups = new Map<string, Map<string, number[]>>();
  for (const txn of txns) {
    if (txn.type !== "ok") continue;
    const reads = externalReads(txn.mops);
    const appended = new Set(txn.mops.filter(([f]) => f === "append").map(([, k]) => keyOf(k)));
    for (const [key, list] of reads) {
      if (appended.has(key)) pushAt(groups, key, keyOf(list), txn.id);
    }
  }
  addLostUpdates(groups, txns, anomalies);
}
