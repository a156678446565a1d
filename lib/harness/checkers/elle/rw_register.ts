/**
 * Dependency inference for read-write registers (txn-rw-register), after
 * Elle's `rw-register`: wr edges from unique written values, a per-key
 * version order from what the evidence supports, and ww / rw edges from that
 * order; plus the non-cycle anomalies G1a, G1b, internal, lost-update,
 * cyclic-versions, and this harness's garbage-read.
 *
 * Version-order evidence, merged per key in this order (a source whose edges
 * would make a key's version graph cyclic is dropped for that key only, where
 * Elle drops it for all keys, and reported as `cyclic-versions`):
 *   1. initial state: `null` precedes every written or read value;
 *   2. writes-follow-reads: an ok txn that read k = v and then wrote k = v'
 *      orders v before v' (Maelstrom turns this on);
 *   3. final reads (this harness, stricter than Maelstrom; off with
 *      `--no-final-reads`): see below.
 *
 * Why final reads are sound evidence. Maelstrom's rw-register checker only
 * orders versions through writes-follow-reads, so two replicas that install
 * blind concurrent writes in different orders (G0, Maelstrom issue #56) are
 * invisible to it. With final reads, after the main phase the runner heals the
 * network and lets the cluster recover, then reads every key on every node.
 * No client write is in flight any more, so each node's value for k is the last
 * version that node installed. When every node that answered returns the same
 * value f for k, the replicas have converged on f, and f must be the last
 * version of k in the (single, total) version order that every model from
 * read-uncommitted up presumes: any other version v of k that an ok or info txn
 * wrote was installed before f, so v precedes f. That is the only fact we add:
 * edges v → f, hence ww from each ok writer of v to the ok writer of f and rw
 * from each ok reader of v to the writer of f. Such an edge need not be an
 * immediate successor, but in the true dependency graph it stands for the
 * chain v → … → f, i.e. rw or ww followed only by ww edges, so every cycle we
 * find maps to a real cycle with the same count of rw edges and the same
 * anomaly class. Keys on which the nodes disagree give no evidence (reported
 * in `final-divergent-keys`), so a lagging replica is never trusted. A final
 * `null` for a key that ok txns wrote means the writes were all lost; it shows
 * up as `cyclic-versions`. The final-read txns are ordinary ok txns for the
 * rest of the analysis (wr edges, realtime edges).
 *
 * @module
 */

import { RW, tarjan, TxnGraph, WR, WW } from "./graph.ts";
import { keyOf, type Txn } from "./history.ts";
import { addCase, addLostUpdates, type Inference, inner, pushAt, txnCase } from "./inference.ts";

/** Options of the rw-register inference. */
export interface RwRegisterOptions {
  /** Use converged final-phase reads as evidence of each key's last version. */
  final_reads: boolean;
}

interface External {
  /** key → value of the first micro-op on key, when it is a read. */
  reads: Map<string, unknown>;
  /** key → last value written. */
  writes: Map<string, unknown>;
  /** [key, value] written and then overwritten within the txn. */
  intermediate: [string, unknown][];
  /** key text → original key. */
  keys: Map<string, unknown>;
}

function external(txn: Txn): External {
  const ext: External = { reads: new Map(), writes: new Map(), intermediate: [], keys: new Map() };
  const seen = new Set<string>();
  for (const [f, k, v] of txn.mops) {
    const key = keyOf(k);
    ext.keys.set(key, k);
    if (f === "r" && !seen.has(key)) ext.reads.set(key, v ?? null);
    if (f === "w") {
      if (ext.writes.has(key)) ext.intermediate.push([key, ext.writes.get(key)]);
      ext.writes.set(key, v);
    }
    seen.add(key);
  }
  return ext;
}

type VersionGraph = Map<string, Set<string>>;

/** Infers the dependency graph and non-cycle anomalies of an rw-register history. */
export function inferRwRegister(txns: readonly Txn[], opts: RwRegisterOptions): Inference {
  const graph = new TxnGraph(txns.length);
  const anomalies = new Map<string, unknown[]>();
  const errors: string[] = [];
  const exts = txns.map(external);
  const key_names = new Map<string, unknown>();

  // Indexes: key → value → txn ids.
  const ok_writers = new Map<string, Map<string, number[]>>();
  const ok_readers = new Map<string, Map<string, number[]>>();
  const info_writes = new Map<string, Set<string>>();
  const failed = new Map<string, Map<string, number>>();
  const intermediate = new Map<string, Map<string, number>>();
  const ever_written = new Map<string, Set<string>>();

  for (const txn of txns) {
    const ext = exts[txn.id];
    for (const [key, k] of ext.keys) key_names.set(key, k);
    for (const [f, k, v] of [...txn.mops, ...requestMops(txn)]) {
      if (f !== "r" && f !== "w") {
        errors.push(`op ${txn.complete.index}: unknown micro-op f ${keyOf(f)} (expected r or w)`);
        continue;
      }
      if (f === "w") addToSet(ever_written, keyOf(k), keyOf(v));
    }
    if (txn.type === "fail") {
      for (const [f, k, v] of txn.mops) {
        if (f === "w") inner(failed, keyOf(k)).set(keyOf(v), txn.id);
      }
    }
    for (const [key, v] of ext.intermediate) inner(intermediate, key).set(keyOf(v), txn.id);
    if (txn.type === "info") {
      for (const [key, v] of ext.writes) addToSet(info_writes, key, keyOf(v));
    }
    if (txn.type !== "ok") continue;
    for (const [key, v] of ext.writes) pushAt(ok_writers, key, keyOf(v), txn.id);
    for (const [key, v] of ext.reads) pushAt(ok_readers, key, keyOf(v), txn.id);
  }
  if (errors.length > 0) return { graph, anomalies, errors: errors.slice(0, 8), extra: {} };

  for (const [key, by_value] of ok_writers) {
    for (const [value, writers] of by_value) {
      if (writers.length < 2) continue;
      const ops = writers.map((id) => txns[id].complete.index).join(", ");
      errors.push(`key ${key} value ${value} was written by more than one ok txn (ops ${ops})`);
    }
  }
  if (errors.length > 0) return { graph, anomalies, errors: errors.slice(0, 8), extra: {} };

  for (const txn of txns) {
    if (txn.type !== "ok") continue;
    readAnomalies(txn, failed, intermediate, ever_written, txns, anomalies);
    internalAnomalies(txn, anomalies);
  }
  lostUpdates(txns, exts, anomalies);

  // wr edges: the unique ok writer of each externally read value.
  for (const txn of txns) {
    if (txn.type !== "ok") continue;
    for (const [key, v] of exts[txn.id].reads) {
      if (v === null) continue;
      const writers = ok_writers.get(key)?.get(keyOf(v));
      if (writers?.length !== 1) continue;
      graph.link(writers[0], txn.id, WR, { key: key_names.get(key), value: v });
    }
  }

  // Version graphs, source by source.
  const versions = new Map<string, VersionGraph>();
  const sources: [string, Map<string, [string, string][]>][] = [
    ["initial-state", initialEdges(ok_writers, ok_readers, info_writes)],
    ["writes-follow-reads", wfrEdges(txns, exts)],
  ];
  const extra: Record<string, unknown> = {};
  if (opts.final_reads) {
    const final = finalEdges(txns, exts, ok_writers, info_writes);
    sources.push(["final-reads", final.edges]);
    extra["final-read-keys"] = final.converged;
    if (final.divergent.length > 0) {
      extra["final-divergent-keys"] = final.divergent.slice(0, 32).map((k) => key_names.get(k));
      extra["final-divergent-count"] = final.divergent.length;
    }
  }
  for (const [source, edges_by_key] of sources) {
    for (const [key, edges] of edges_by_key) {
      const vg = versions.get(key) ?? new Map<string, Set<string>>();
      versions.set(key, vg);
      const cycle = mergeVersionEdges(vg, edges);
      if (cycle !== undefined) {
        addCase(anomalies, "cyclic-versions", {
          key: key_names.get(key),
          source,
          scc: cycle.map((v) => JSON.parse(v)),
        });
      }
    }
  }

  // ww and rw edges from each key's version graph.
  for (const [key, vg] of versions) {
    const writers = ok_writers.get(key);
    const readers = ok_readers.get(key);
    const k = key_names.get(key);
    for (const [v1, nexts] of vg) {
      for (const v2 of nexts) {
        const w2s = writers?.get(v2);
        if (w2s === undefined) continue;
        const why = { key: k, value: JSON.parse(v1), "value'": JSON.parse(v2) };
        for (const w1 of writers?.get(v1) ?? []) for (const w2 of w2s) graph.link(w1, w2, WW, why);
        for (const r of readers?.get(v1) ?? []) for (const w2 of w2s) graph.link(r, w2, RW, why);
      }
    }
  }
  return { graph, anomalies, errors, extra };
}

function requestMops(txn: Txn): [string, unknown, unknown][] {
  const value = txn.invoke.value;
  if (txn.type !== "ok" || !Array.isArray(value)) return [];
  return value.filter((m): m is [string, unknown, unknown] => Array.isArray(m) && m.length === 3);
}

function addToSet(map: Map<string, Set<string>>, key: string, value: string): void {
  let set = map.get(key);
  if (set === undefined) {
    set = new Set();
    map.set(key, set);
  }
  set.add(value);
}

function readAnomalies(
  txn: Txn,
  failed: Map<string, Map<string, number>>,
  intermediate: Map<string, Map<string, number>>,
  ever_written: Map<string, Set<string>>,
  txns: readonly Txn[],
  anomalies: Map<string, unknown[]>,
): void {
  const own_writes = new Set<string>();
  for (const mop of txn.mops) {
    const [f, k, v] = mop;
    const key = keyOf(k);
    if (f === "w") own_writes.add(`${key} ${keyOf(v)}`);
    if (f !== "r" || v === null || v === undefined) continue;
    const value = keyOf(v);
    const aborted = failed.get(key)?.get(value);
    if (aborted !== undefined) {
      addCase(anomalies, "G1a", { op: txnCase(txn), mop, writer: txnCase(txns[aborted]) });
    }
    const im = intermediate.get(key)?.get(value);
    if (im !== undefined && im !== txn.id) {
      addCase(anomalies, "G1b", { op: txnCase(txn), mop, writer: txnCase(txns[im]) });
    }
    if (!ever_written.get(key)?.has(value) && !own_writes.has(`${key} ${value}`)) {
      addCase(anomalies, "garbage-read", { op: txnCase(txn), mop });
    }
  }
}

function internalAnomalies(txn: Txn, anomalies: Map<string, unknown[]>): void {
  const known = new Map<string, unknown>();
  for (const mop of txn.mops) {
    const [f, k, v] = mop;
    const key = keyOf(k);
    if (f === "w") {
      known.set(key, v);
      continue;
    }
    const expected = known.get(key);
    if (expected !== undefined && expected !== null && keyOf(expected) !== keyOf(v)) {
      addCase(anomalies, "internal", { op: txnCase(txn), mop, expected });
    }
    if (v !== null && v !== undefined) known.set(key, v);
  }
}

function lostUpdates(
  txns: readonly Txn[],
  exts: readonly External[],
  anomalies: Map<string, unknown[]>,
): void {
  const groups = new Map<string, Map<string, number[]>>();
  for (const txn of txns) {
    if (txn.type !== "ok") continue;
    const ext = exts[txn.id];
    for (const [key, v] of ext.reads) {
      if (ext.writes.has(key)) pushAt(groups, key, keyOf(v), txn.id);
    }
  }
  addLostUpdates(groups, txns, anomalies);
}

const NULL = "null";

function initialEdges(
  ok_writers: Map<string, Map<string, number[]>>,
  ok_readers: Map<string, Map<string, number[]>>,
  info_writes: Map<string, Set<string>>,
): Map<string, [string, string][]> {
  const out = new Map<string, [string, string][]>();
  const keys = new Set([...ok_writers.keys(), ...ok_readers.keys(), ...info_writes.keys()]);
  for (const key of keys) {
    const values = new Set([
      ...(ok_writers.get(key)?.keys() ?? []),
      ...(ok_readers.get(key)?.keys() ?? []),
      ...(info_writes.get(key) ?? []),
    ]);
    values.delete(NULL);
    out.set(key, [...values].map((v): [string, string] => [NULL, v]));
  }
  return out;
}

function wfrEdges(
  txns: readonly Txn[],
  exts: readonly External[],
): Map<string, [string, string][]> {
  const out = new Map<string, [string, string][]>();
  for (const txn of txns) {
    if (txn.type !== "ok") continue;
    const ext = exts[txn.id];
    for (const [key, read] of ext.reads) {
      if (read === null || !ext.writes.has(key)) continue;
      const from = keyOf(read);
      const to = keyOf(ext.writes.get(key));
      if (from === to) continue;
      const list = out.get(key);
      if (list === undefined) out.set(key, [[from, to]]);
      else list.push([from, to]);
    }
  }
  return out;
}

function finalEdges(
  txns: readonly Txn[],
  exts: readonly External[],
  ok_writers: Map<string, Map<string, number[]>>,
  info_writes: Map<string, Set<string>>,
): { edges: Map<string, [string, string][]>; converged: number; divergent: string[] } {
  const seen = new Map<string, Set<string>>();
  for (const txn of txns) {
    if (!txn.final || txn.type !== "ok") continue;
    for (const [key, v] of exts[txn.id].reads) addToSet(seen, key, keyOf(v));
  }
  const edges = new Map<string, [string, string][]>();
  const divergent: string[] = [];
  let converged = 0;
  for (const [key, values] of seen) {
    if (values.size !== 1) {
      divergent.push(key);
      continue;
    }
    converged++;
    const last = [...values][0];
    const written = new Set([
      ...(ok_writers.get(key)?.keys() ?? []),
      ...(info_writes.get(key) ?? []),
    ]);
    written.delete(last);
    edges.set(key, [...written].map((v): [string, string] => [v, last]));
  }
  return { edges, converged, divergent };
}

/** Adds edges to a version graph unless they make it cyclic; returns the cycle's versions then. */
function mergeVersionEdges(
  vg: VersionGraph,
  edges: readonly [string, string][],
): string[] | undefined {
  const added: [string, string][] = [];
  for (const [a, b] of edges) {
    let next = vg.get(a);
    if (next === undefined) {
      next = new Set();
      vg.set(a, next);
    }
    if (!vg.has(b)) vg.set(b, new Set());
    if (next.has(b)) continue;
    next.add(b);
    added.push([a, b]);
  }
  if (added.length === 0) return undefined;
  const names = [...vg.keys()];
  const index = new Map(names.map((n, i) => [n, i]));
  const succ = names.map((n) => [...vg.get(n)!].map((m) => index.get(m)!));
  const cycles = tarjan(succ);
  if (cycles.length === 0) return undefined;
  for (const [a, b] of added) vg.get(a)!.delete(b);
  return cycles[0].map((i) => names[i]);
}
