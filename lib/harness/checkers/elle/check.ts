/**
 * The Elle-style transactional checker: pairs the history into transactions,
 * runs the workload's dependency inference, adds realtime or process edges when
 * the chosen consistency models need them, searches every strongly connected
 * component for cycles, and folds everything into Elle's result map
 * (`valid?`, `anomaly-types`, `anomalies`, `not`, `also-not`).
 *
 * Differences from Maelstrom that make this checker stricter are listed in
 * `models.ts` (malformed-txn-ok, garbage-read) and `rw_register.ts` (final
 * reads). The txn-rw-register wrapper behaviour (cycle-search timeouts ignored,
 * an empty graph invalid) is `rwRegisterVerdict`.
 *
 * @module
 */

import type { CheckResult, Op } from "../../types.ts";
import {
  ALL_RELS,
  localGraph,
  PROCESS,
  REALTIME,
  REL_NAMES,
  tarjan,
  type TxnGraph,
} from "./graph.ts";
import {
  addProcessEdges,
  addRealtimeEdges,
  MALFORMED_MARK,
  opSummary,
  transactions,
  type Txn,
} from "./history.ts";
import { type Inference, MAX_CASES_PER_TYPE } from "./inference.ts";
import { CYCLE_TYPES, type FoundCycle, sccCases } from "./cycles.ts";
import {
  allAnomaliesImplying,
  anomaliesProhibitedBy,
  anomaliesToImpossibleModels,
  boundary,
  canonicalModel,
  validateModels,
} from "./models.ts";
import { inferRwRegister } from "./rw_register.ts";
import { inferListAppend } from "./list_append.ts";

/** Which inference to run. */
export type ElleWorkload = "rw-register" | "list-append";

/** Checker options. */
export interface ElleOptions {
  workload: ElleWorkload;
  /** `--consistency-models`; empty means strict-serializable. */
  consistency_models: readonly string[];
  /** rw-register: use converged final reads as version evidence (default true). */
  final_reads?: boolean;
  /** BFS state expansions allowed per SCC before `cycle-search-timeout`. */
  cycle_search_budget?: number;
}

/** Default per-SCC search budget: a few hundred milliseconds of BFS. */
export const DEFAULT_CYCLE_SEARCH_BUDGET = 2_000_000;

/** Anomalies that make a result unknown rather than false. */
const UNKNOWN_TYPES = ["empty-transaction-graph", "cycle-search-timeout"];
/** Always prohibited, whatever the models: the reply did not match the request. */
const ALWAYS_PROHIBITED = ["malformed-txn-ok"];

/** Anomaly types a set of models prohibits (plus the harness's always-prohibited ones). */
export function prohibitedAnomalyTypes(models: readonly string[]): Set<string> {
  const chosen = models.length > 0 ? models : ["strict-serializable"];
  return new Set([...anomaliesProhibitedBy(chosen), ...allAnomaliesImplying(ALWAYS_PROHIBITED)]);
}

/** Checks a transactional history and returns Elle's result map. */
export function checkElle(history: readonly Op[], opts: ElleOptions): CheckResult {
  validateModels(opts.consistency_models);
  const prohibited = prohibitedAnomalyTypes(opts.consistency_models);
  const reportable = new Set([...prohibited, ...UNKNOWN_TYPES]);

  let txns: Txn[];
  try {
    txns = transactions(history);
  } catch (e) {
    return { "valid?": "unknown", error: String(e instanceof Error ? e.message : e) };
  }
  const malformed = txns.filter((t) =>
    t.type === "info" && typeof t.complete.exception === "string" &&
    t.complete.exception.includes(MALFORMED_MARK)
  ).map((t) => ({ op: opSummary(t), exception: t.complete.exception }));

  const inference: Inference = opts.workload === "rw-register"
    ? inferRwRegister(txns, { final_reads: opts.final_reads ?? true })
    : inferListAppend(txns);
  const anomalies = new Map<string, unknown[]>(inference.anomalies);
  if (malformed.length > 0) anomalies.set("malformed-txn-ok", malformed);
  if (inference.errors.length > 0) {
    return errorResult(inference.errors, anomalies, prohibited);
  }

  const graph = inference.graph;
  const realtime = [...reportable].some((t) => CYCLE_TYPES.has(t) && t.endsWith("-realtime"));
  const process = [...reportable].some((t) => CYCLE_TYPES.has(t) && t.endsWith("-process"));
  if (realtime) addRealtimeEdges(graph, txns);
  else if (process) addProcessEdges(graph, txns);
  if (graph.edgeCount() === 0) anomalies.set("empty-transaction-graph", []);

  const budget = opts.cycle_search_budget ?? DEFAULT_CYCLE_SEARCH_BUDGET;
  const all = localGraph(graph, txns.map((t) => t.id), ALL_RELS);
  for (const component of tarjan(all.succ)) {
    const scc = localGraph(graph, component, ALL_RELS);
    for (const c of sccCases(scc, budget)) {
      if (c.kind === "cycle") {
        addCycle(anomalies, graph, txns, scc.vertices, c.cycle);
      } else if (c.kind === "exists") {
        push(anomalies, c.type, {
          type: c.type,
          not: c.not,
          subgraph: c.subgraph,
          "scc-size": c.scc.length,
          scc: c.scc.map((id) => txns[id].complete.index).sort((a, b) => a - b),
        });
      } else {
        push(anomalies, "cycle-search-timeout", {
          type: "cycle-search-timeout",
          "anomaly-spec-type": c.anomaly_spec_type,
          "scc-size": c.scc_size,
        });
        if (c.fallback) addCycle(anomalies, graph, txns, scc.vertices, c.fallback);
      }
    }
  }
  const result = resultMap(anomalies, prohibited, reportable);
  return { ...result, ...inference.extra };
}

function push(anomalies: Map<string, unknown[]>, type: string, item: unknown): void {
  const list = anomalies.get(type);
  if (list === undefined) anomalies.set(type, [item]);
  else list.push(item);
}

function addCycle(
  anomalies: Map<string, unknown[]>,
  graph: TxnGraph,
  txns: readonly Txn[],
  vertices: readonly number[],
  cycle: FoundCycle,
): void {
  const ids = cycle.vertices.map((v) => vertices[v]);
  const steps = ids.map((from, i) => {
    const to = ids[(i + 1) % ids.length];
    const rel = cycle.rels[i];
    const type = REL_NAMES.get(rel) ?? String(rel);
    if (rel === REALTIME) {
      return {
        type,
        "a-complete-index": txns[from].complete.index,
        "b-invoke-index": txns[to].invoke.index,
      };
    }
    if (rel === PROCESS) return { type, process: txns[to].complete.process };
    return { type, ...graph.explain(from, to, rel) };
  });
  const ops = ids.map((id) => opSummary(txns[id]));
  push(anomalies, cycle.type, { type: cycle.type, cycle: [...ops, ops[0]], steps });
}

function errorResult(
  errors: string[],
  anomalies: Map<string, unknown[]>,
  prohibited: Set<string>,
): CheckResult {
  const bad = [...anomalies.keys()].filter((t) => prohibited.has(t));
  const out: CheckResult = { "valid?": bad.length > 0 ? false : "unknown", error: errors };
  if (bad.length > 0) {
    out["anomaly-types"] = bad.sort();
    out.anomalies = Object.fromEntries(bad.map((t) => [t, anomalies.get(t)]));
  }
  return out;
}

/** Elle's `result-map`: keep reportable anomalies, drop redundant cycle-exists, add the boundary. */
function resultMap(
  anomalies: Map<string, unknown[]>,
  prohibited: Set<string>,
  reportable: Set<string>,
): CheckResult {
  const kept = new Map([...anomalies].filter(([t]) => reportable.has(t)));
  const others = [...kept.keys()].filter((t) => !t.endsWith("-cycle-exists"));
  const impossible = anomaliesToImpossibleModels(others);
  for (const t of [...kept.keys()]) {
    if (t.endsWith("-cycle-exists") && impossible.has(canonicalModel(modelOf(t)))) kept.delete(t);
  }
  if (kept.size === 0) return { "valid?": true };
  const bad = [...kept.keys()].some((t) => prohibited.has(t));
  const types = [...kept.keys()].sort();
  const shown: Record<string, unknown> = {};
  const truncated: Record<string, number> = {};
  for (const t of types) {
    const cases = kept.get(t)!;
    if (t === "empty-transaction-graph") {
      shown[t] = true;
      continue;
    }
    shown[t] = cases.slice(0, MAX_CASES_PER_TYPE);
    if (cases.length > MAX_CASES_PER_TYPE) truncated[t] = cases.length;
  }
  const { not, also_not } = boundary(anomalies.keys());
  const out: CheckResult = {
    "valid?": bad ? false : "unknown",
    "anomaly-types": types,
    anomalies: shown,
    not,
    "also-not": also_not,
  };
  if (Object.keys(truncated).length > 0) out["anomaly-counts"] = truncated;
  return out;
}

function modelOf(cycle_exists_type: string): string {
  return cycle_exists_type.slice(0, -"-cycle-exists".length);
}

/**
 * Maelstrom's txn-rw-register wrapper: drop `cycle-search-timeout`, then valid
 * iff no anomaly type remains (so an empty graph is invalid). A checker error
 * stays unknown.
 */
export function rwRegisterVerdict(result: CheckResult): CheckResult {
  if (result.error !== undefined && result["valid?"] === "unknown") return result;
  const types = ((result["anomaly-types"] as string[] | undefined) ?? []).filter((t) =>
    t !== "cycle-search-timeout"
  );
  const out: CheckResult = { ...result, "anomaly-types": types, "valid?": types.length === 0 };
  const shown = result.anomalies as Record<string, unknown> | undefined;
  if (shown !== undefined) {
    const { "cycle-search-timeout": _timeout, ...rest } = shown;
    out.anomalies = rest;
  }
  return out;
}
