/**
 * Consistency models and the anomalies they rule out, following Elle's
 * `consistency-model` namespace (jepsen-io/elle v0.2.2): which anomaly implies
 * which, which model implies which, which anomalies each model directly
 * forbids, and from those the prohibited set for `--consistency-models` and the
 * `not` / `also-not` boundary of a set of found anomalies.
 *
 * Two anomalies are this harness's own and stricter than Elle:
 * `malformed-txn-ok` (a reply whose txn does not match the request) and
 * `garbage-read` (a read of a value nobody wrote). Both are forbidden by
 * read-uncommitted, hence by every transactional model.
 *
 * @module
 */

type Dag = Record<string, readonly string[]>;

/** a → b: finding anomaly a means anomaly b is present too. */
const IMPLIED_ANOMALIES: Dag = {
  "G0": ["G1c", "G0-process"],
  "G0-process": ["G1c-process", "G0-realtime"],
  "G0-realtime": ["G1c-realtime"],
  "G1a": ["G1"],
  "G1b": ["G1"],
  "G1c": ["G1", "G1c-process"],
  "G1c-process": ["G1c-realtime", "G1-process"],
  "G1c-realtime": ["G1-realtime"],
  "G1": ["G1-process"],
  "G1-process": ["G1-realtime"],
  "G-single-item": ["G-single", "G-single-item-process", "G-nonadjacent-item"],
  "G-single-item-process": [
    "G-single-process",
    "G-single-item-realtime",
    "G-nonadjacent-item-process",
  ],
  "G-single-item-realtime": ["G-single-realtime", "G-nonadjacent-item-realtime"],
  "G-single": ["G-nonadjacent", "GSIb", "G-single-process"],
  "G-single-process": ["G-nonadjacent-process", "G-single-realtime"],
  "G-single-realtime": ["G-nonadjacent-realtime"],
  "G-nonadjacent-item": ["G-nonadjacent", "G2-item", "G-nonadjacent-item-process"],
  "G-nonadjacent-item-process": [
    "G-nonadjacent-process",
    "G2-item-process",
    "G-nonadjacent-item-realtime",
  ],
  "G-nonadjacent-item-realtime": ["G2-item-realtime", "G-nonadjacent-realtime"],
  "G-nonadjacent": ["G2", "G-nonadjacent-process"],
  "G-nonadjacent-process": ["G2-process", "G-nonadjacent-realtime"],
  "G-nonadjacent-realtime": ["G2-realtime"],
  "G2": ["G2-process"],
  "G2-item": ["G2", "G2-item-process"],
  "G2-item-process": ["G2-process", "G2-item-realtime"],
  "G2-item-realtime": ["G2-realtime"],
  "G2-process": ["G2-realtime"],
  "GSIa": ["GSI"],
  "GSIb": ["GSI"],
  "incompatible-order": ["G1a"],
  "future-read": ["G1c"],
  "dirty-update": ["G1a"],
  "lost-update": ["write-skew", "G2-item"],
  "write-skew": ["G2"],
};

/**
 * Extra "worse than" order Elle uses only to sort its cycle searches (the
 * item variants added so the search runs G0, G1c, G-single-item, … as the
 * spec describes for elle 0.2.2).
 */
const ANOMALY_SEVERITY: Dag = {
  "G0": ["G1c"],
  "G0-process": ["G1c-process"],
  "G0-realtime": ["G1c-realtime"],
  "G1c": ["G-single", "G-single-item", "G2-item"],
  "G1c-process": ["G-single-process", "G-single-item-process", "G2-item-process"],
  "G1c-realtime": ["G-single-realtime", "G-single-item-realtime", "G2-item-realtime"],
  "G2": ["G0-process"],
  "G2-process": ["G0-realtime"],
};

/** Friendly model names → Elle's canonical names. */
const CANONICAL: Record<string, string> = {
  "consistent-view": "PL-2+",
  "conflict-serializable": "PL-3",
  "cursor-stability": "PL-CS",
  "forward-consistent-view": "PL-FCV",
  "monotonic-snapshot-read": "PL-MSR",
  "monotonic-view": "PL-2L",
  "read-committed": "PL-2",
  "read-uncommitted": "PL-1",
  "repeatable-read": "PL-2.99",
  "serializable": "PL-3",
  "snapshot-isolation": "PL-SI",
  "strict-serializable": "PL-SS",
  "strong-serializable": "PL-SS",
  "update-serializable": "PL-3U",
  "strong-session-read-uncommitted": "strong-session-PL-1",
  "strong-session-read-committed": "strong-session-PL-2",
  "strong-read-uncommitted": "strong-PL-1",
  "strong-read-committed": "strong-PL-2",
};

/** Canonical → friendly (PL-3 prints as serializable). */
const FRIENDLY: Record<string, string> = Object.fromEntries(
  Object.entries(CANONICAL).map(([friendly, canonical]) => [canonical, friendly]),
);
FRIENDLY["PL-3"] = "serializable";
FRIENDLY["PL-SS"] = "strict-serializable";

/** a → b: a history satisfying model a satisfies model b (friendly names, canonicalised below). */
const MODELS_RAW: Dag = {
  "causal-cerone": ["read-atomic"],
  "consistent-view": ["cursor-stability", "monotonic-view"],
  "conflict-serializable": ["view-serializable"],
  "cursor-stability": ["read-committed", "PL-2"],
  "forward-consistent-view": ["consistent-view"],
  "PL-2": ["PL-1"],
  "PL-3": ["repeatable-read", "update-serializable"],
  "update-serializable": ["forward-consistent-view"],
  "monotonic-atomic-view": ["read-committed"],
  "monotonic-view": ["PL-2"],
  "monotonic-snapshot-read": ["PL-2"],
  // Elle 0.2.2: ROLA "actually provides" update-atomic (consistency_model.clj `models`).
  "parallel-snapshot-isolation": ["causal-cerone", "update-atomic"],
  "prefix": ["causal-cerone"],
  "read-atomic": ["monotonic-atomic-view"],
  "read-committed": ["read-uncommitted"],
  "repeatable-read": ["cursor-stability", "monotonic-atomic-view"],
  "update-atomic": ["read-atomic"],
  "serializable": ["repeatable-read", "snapshot-isolation", "view-serializable"],
  "session-serializable": ["1SR"],
  "snapshot-isolation": [
    "forward-consistent-view",
    "monotonic-atomic-view",
    "monotonic-snapshot-read",
    "parallel-snapshot-isolation",
    "prefix",
  ],
  "strict-serializable": [
    "PL-3",
    "serializable",
    "linearizable",
    "snapshot-isolation",
    "strong-snapshot-isolation",
    "strong-session-serializable",
  ],
  "strong-session-PL-1": ["PL-1"],
  "strong-session-PL-2": ["PL-2", "strong-session-PL-1"],
  "strong-PL-1": ["strong-session-PL-1"],
  "strong-PL-2": ["strong-session-PL-2", "strong-PL-1"],
  "strong-session-serializable": ["serializable", "strong-session-snapshot-isolation"],
  "strong-session-snapshot-isolation": ["snapshot-isolation", "strong-session-PL-2"],
  "strong-serializable": ["session-serializable"],
  "strong-snapshot-isolation": ["strong-session-snapshot-isolation", "strong-PL-2"],
  "linearizable": ["sequential"],
  "sequential": ["causal"],
  "causal": ["writes-follow-reads", "PRAM"],
  "PRAM": ["monotonic-reads", "monotonic-writes", "read-your-writes"],
};

/** Model → anomalies it forbids beyond the models it implies (friendly names). */
const DIRECT_PROSCRIBED_RAW: Dag = {
  "causal-cerone": ["internal", "G1a"],
  "cursor-stability": ["G1", "G-cursor", "lost-update"],
  "monotonic-view": ["G1", "G-monotonic"],
  "monotonic-snapshot-read": ["G1", "G-MSR"],
  "consistent-view": ["G1", "G-single"],
  "forward-consistent-view": ["G1", "G-SIb"],
  "parallel-snapshot-isolation": ["internal", "G1a"],
  "PL-3": ["G1", "G2", "predicate-read-miss", "PL-3-cycle-exists"],
  "PL-2": ["G1", "PL-2-cycle-exists"],
  "PL-1": [
    "G0",
    "duplicate-elements",
    "cyclic-versions",
    "PL-1-cycle-exists",
    // This harness's own, stricter than Elle: impossible under any model.
    "malformed-txn-ok",
    "garbage-read",
  ],
  "prefix": ["internal", "G1a"],
  "serializable": ["internal"],
  "snapshot-isolation": ["internal", "G1", "G-SI", "G-nonadjacent", "PL-SI-cycle-exists"],
  "read-atomic": ["internal", "G1a", "future-read"],
  "repeatable-read": ["G1", "G2-item", "PL-2.99-cycle-exists", "lost-update"],
  "update-atomic": ["lost-update"],
  "strict-serializable": ["G1", "G1c-realtime", "G2-realtime", "PL-SS-cycle-exists"],
  "strong-session-PL-1": ["strong-session-PL-1-cycle-exists", "G0-process"],
  "strong-session-PL-2": ["strong-session-PL-2-cycle-exists", "G1c-process"],
  "strong-PL-1": ["strong-PL-1-cycle-exists", "G0-realtime"],
  "strong-PL-2": ["strong-PL-2-cycle-exists", "G1c-realtime"],
  "strong-session-snapshot-isolation": [
    "internal",
    "G1-process",
    "G-nonadjacent-process",
    "strong-session-snapshot-isolation-cycle-exists",
  ],
  "strong-snapshot-isolation": [
    "internal",
    "G1-realtime",
    "G-nonadjacent-realtime",
    "strong-snapshot-isolation-cycle-exists",
  ],
  "strong-session-serializable": [
    "G1-process",
    "G2-process",
    "strong-session-serializable-cycle-exists",
  ],
  "update-serializable": ["G1", "G-update"],
};

/** Elle's canonical name of a model (unknown names pass through). */
export function canonicalModel(model: string): string {
  return CANONICAL[model] ?? model;
}

/** The friendly name of a canonical model. */
export function friendlyModel(model: string): string {
  return FRIENDLY[model] ?? model;
}

function canonicalDag(raw: Dag): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [from, tos] of Object.entries(raw)) {
    const key = canonicalModel(from);
    const list = out.get(key) ?? [];
    for (const to of tos) list.push(canonicalModel(to));
    out.set(key, list);
  }
  return out;
}

/** Canonicalises the keys only, merging lists that land on the same key. */
function canonicalKeys(raw: Dag): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [from, tos] of Object.entries(raw)) {
    const key = canonicalModel(from);
    out.set(key, [...(out.get(key) ?? []), ...tos]);
  }
  return out;
}

function invert(dag: ReadonlyMap<string, readonly string[]>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [from, tos] of dag) {
    for (const to of tos) {
      const list = out.get(to) ?? [];
      list.push(from);
      out.set(to, list);
    }
  }
  return out;
}

const IMPLIED = new Map(Object.entries(IMPLIED_ANOMALIES).map(([k, v]) => [k, [...v]]));
const IMPLIED_BY = invert(IMPLIED);
const MODELS = canonicalDag(MODELS_RAW);
const MODELS_IMPLIED_BY = invert(MODELS);
/** Proscriptions keyed by canonical model; values are anomaly names. */
const DIRECT_PROSCRIBED = canonicalKeys(DIRECT_PROSCRIBED_RAW);
const PROSCRIBED_BY = invert(DIRECT_PROSCRIBED);

/** Every name `--consistency-models` accepts. */
export const KNOWN_MODELS: ReadonlySet<string> = new Set([
  ...Object.keys(CANONICAL),
  ...Object.values(CANONICAL),
  ...[...MODELS.keys()],
  ...[...MODELS.values()].flat(),
]);

function reach(start: Iterable<string>, next: ReadonlyMap<string, readonly string[]>): Set<string> {
  const seen = new Set<string>();
  const queue = [...start];
  while (queue.length > 0) {
    const x = queue.pop()!;
    if (seen.has(x)) continue;
    seen.add(x);
    for (const y of next.get(x) ?? []) queue.push(y);
  }
  return seen;
}

/** Throws a one-line error naming the first unknown model. */
export function validateModels(models: readonly string[]): void {
  for (const model of models) {
    if (!KNOWN_MODELS.has(model)) {
      throw new Error(
        `unknown consistency model "${model}"; known: ${[...KNOWN_MODELS].sort().join(", ")}`,
      );
    }
  }
}

/** The anomalies given plus every anomaly they imply. */
export function allImpliedAnomalies(anomalies: Iterable<string>): Set<string> {
  return reach(anomalies, IMPLIED);
}

/** The anomalies given plus every anomaly that implies one of them. */
export function allAnomaliesImplying(anomalies: Iterable<string>): Set<string> {
  return reach(anomalies, IMPLIED_BY);
}

/** The (canonical) models given plus every model they imply. */
export function allImpliedModels(models: Iterable<string>): Set<string> {
  return reach([...models].map(canonicalModel), MODELS);
}

/** The (canonical) models given plus every stronger model, which is then impossible too. */
export function allImpossibleModels(models: Iterable<string>): Set<string> {
  return reach([...models].map(canonicalModel), MODELS_IMPLIED_BY);
}

/** Anomalies that cannot be present if all `models` hold. */
export function anomaliesProhibitedBy(models: Iterable<string>): Set<string> {
  const direct: string[] = [];
  for (const model of allImpliedModels(models)) direct.push(...DIRECT_PROSCRIBED.get(model) ?? []);
  return allAnomaliesImplying(direct);
}

/** Canonical models that cannot hold given these anomalies. */
export function anomaliesToImpossibleModels(anomalies: Iterable<string>): Set<string> {
  const direct: string[] = [];
  for (const anomaly of allImpliedAnomalies(anomalies)) {
    direct.push(...PROSCRIBED_BY.get(anomaly) ?? []);
  }
  return allImpossibleModels(direct);
}

/** `not`: the weakest ruled-out models; `also_not`: the other ruled-out ones (friendly, sorted). */
export function boundary(anomalies: Iterable<string>): { not: string[]; also_not: string[] } {
  const impossible = anomaliesToImpossibleModels(anomalies);
  const weakest = new Set<string>();
  for (const model of impossible) {
    const below = reach(MODELS.get(model) ?? [], MODELS);
    const covered = [...below].some((m) => m !== model && impossible.has(m));
    if (!covered) weakest.add(model);
  }
  const friendly = (ms: Iterable<string>) => [...new Set([...ms].map(friendlyModel))].sort();
  return {
    not: friendly(weakest),
    also_not: friendly([...impossible].filter((m) => !weakest.has(m))),
  };
}

/**
 * Depth of each anomaly in the implication-plus-severity order (0 = implied by
 * nothing); Elle searches cycle types in this order, worst first.
 */
export function anomalyDepths(): Map<string, number> {
  const edges = new Map<string, string[]>();
  for (const dag of [IMPLIED_ANOMALIES, ANOMALY_SEVERITY]) {
    for (const [from, tos] of Object.entries(dag)) {
      edges.set(from, [...(edges.get(from) ?? []), ...tos]);
    }
  }
  const preds = invert(edges);
  const depth = new Map<string, number>();
  const visit = (x: string, guard: number): number => {
    const known = depth.get(x);
    if (known !== undefined) return known;
    if (guard > 64) throw new Error(`anomaly order has a cycle at ${x}`);
    let d = 0;
    for (const p of preds.get(x) ?? []) d = Math.max(d, visit(p, guard + 1) + 1);
    depth.set(x, d);
    return d;
  };
  for (const x of [...edges.keys(), ...preds.keys()]) visit(x, 0);
  return depth;
}
