/**
 * The run's figures next to their targets: finds the rows of the run table (run.ts) whose
 * flags give this run's options, reads the figures lib/run/figures.ts reads, and checks each
 * row's targets with lib/run/targets.ts. A row matches when its rendered flags, parsed by the
 * harness's own parser, give the same workload, node count, time limit, rate, concurrency,
 * latency, nemesis, topology, availability, models and binary arguments as the run.
 *
 * @module
 */

import { RUN_TABLE } from "../../../run.ts";
import { indexRows, testArgs } from "../../run/render.ts";
import { checkTargets, type TargetCheck } from "../../run/targets.ts";
import { type Figures, latencyFigures, resultFigures } from "../../run/figures.ts";
import type { IndexedRow } from "../../run/types.ts";
import { parseTestArgs } from "../cli.ts";
import type { Op, TestOptions } from "../types.ts";

/** A matching row and its target checks. */
export interface RowTargets {
  row: IndexedRow;
  checks: TargetCheck[];
}

/** The options that decide which row a run is. */
function signature(opts: TestOptions): string {
  return JSON.stringify([
    opts.workload,
    opts.nodes.length,
    opts.time_limit_s,
    opts.rate,
    opts.concurrency,
    opts.latency_ms,
    [...opts.nemesis].sort(),
    opts.nemesis.length > 0 ? opts.nemesis_interval_s : null,
    opts.workload === "broadcast" ? opts.topology : null,
    opts.availability ?? null,
    [...(opts.consistency_models ?? [])].sort(),
    opts.bin_args,
  ]);
}

/** The run-table rows whose flags give `opts` (usually zero or one); `opts.bin` is ignored. */
export function matchingRows(opts: TestOptions): IndexedRow[] {
  const wanted = signature(opts);
  return indexRows(RUN_TABLE).filter((row) => {
    if (row.workload !== opts.workload) return false;
    try {
      // The binary does not decide the row, and the run's may be a .ts module (--sim) the
      // parser would reject as not executable: parse with one that surely exists.
      const args = testArgs(row, { kind: "embedded" }, { bin: Deno.execPath() }).slice(1);
      return signature(parseTestArgs(args)) === wanted;
    } catch {
      return false; // A row the parser rejects here (e.g. its --bin is absent) cannot match.
    }
  });
}

/** The figures of a run, as `deno task run` reads them (run time is not known here). */
export function runFigures(results: unknown, history: readonly Op[]): Figures {
  return { ...resultFigures(results), ...latencyFigures(history) };
}

/** Each matching row with its targets checked against `figures`. */
export function rowTargets(opts: TestOptions, figures: Figures): RowTargets[] {
  return matchingRows(opts).map((row) => ({ row, checks: checkTargets(row, figures) }));
}
