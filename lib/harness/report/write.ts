/**
 * Writes `report.html` into a run's store directory from what the run left there (test.json,
 * history.jsonl, results.json, messages.jsonl). Called after every run and by `maelstrom
 * analyze`; a report that cannot be built is a warning, never a failed run.
 *
 * @module
 */

import { basename, join } from "node:path";
import type { Op, TestOptions } from "../types.ts";
import { readJsonl } from "../store.ts";
import { renderReport } from "./page.ts";
import { journalEvents, opsData, trafficData } from "./traffic.ts";

/** The report's file name in the run directory. */
export const REPORT_FILE = "report.html";

function readOptional<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}

/** Builds and writes `<run>/report.html`; returns its path. */
export function writeReport(run_path: string, aborted?: string): string {
  const opts = JSON.parse(Deno.readTextFileSync(join(run_path, "test.json"))) as TestOptions;
  const history = (readOptional(() => readJsonl(join(run_path, "history.jsonl"))) ?? []) as Op[];
  const results = readOptional(() =>
    JSON.parse(Deno.readTextFileSync(join(run_path, "results.json")))
  );
  const journal = readOptional(() => Deno.readTextFileSync(join(run_path, "messages.jsonl")));
  const files = [...Deno.readDirSync(run_path)]
    .filter((e) => e.name !== REPORT_FILE)
    .map((e) => e.isDirectory ? `${e.name}/` : e.name);
  const html = renderReport({
    opts,
    results,
    history,
    traffic: journal === undefined ? undefined : trafficData(journalEvents(journal)),
    ops: opsData(history),
    aborted: results === undefined ? aborted ?? "the run left no results.json" : undefined,
    files,
    run_name: basename(Deno.realPathSync(run_path)), // store/latest is a symlink
  });
  const path = join(run_path, REPORT_FILE);
  Deno.writeTextFileSync(path, html);
  return path;
}
