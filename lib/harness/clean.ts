/**
 * `maelstrom clean --keep N`: deletes all but the newest N runs in `store/`
 * (a kafka run writes ~30 MB), then re-points `store/latest`, `store/current`
 * and `store/<workload>/latest` at runs that still exist (or removes them when
 * none is left), and removes workload directories left empty. Maelstrom has no
 * such command; its store is cleaned by hand.
 *
 * @module
 */

import { join, relative } from "node:path";
import { listStoredRuns, type StoredRun } from "./stored_runs.ts";

/** Exit code for a bad command line (harness.md §1). */
const USAGE_EXIT = 254;

export const CLEAN_USAGE = `Usage: maelstrom clean --keep N [--store DIR]

Deletes all but the newest N runs in DIR/store/ (default: ./store/), keeping
store/latest, store/current and store/<workload>/latest pointing at runs that exist.
  --keep N      how many of the newest runs to keep (0 deletes them all)
  --store DIR   the directory that holds store/ (default .)`;

/** What a clean did. */
export interface CleanSummary {
  removed: StoredRun[];
  kept: StoredRun[];
  bytes_removed: number;
}

/** Deletes all but the newest `keep` runs under `root` (a `store/` directory) and fixes links. */
export function cleanStore(root: string, keep: number): CleanSummary {
  const runs = listStoredRuns(root);
  const cut = Math.max(0, runs.length - keep);
  const removed = runs.slice(0, cut);
  const kept = runs.slice(cut);
  let bytes_removed = 0;
  for (const run of removed) {
    bytes_removed += diskBytes(run.path);
    Deno.removeSync(run.path, { recursive: true });
  }
  relink(root, kept);
  return { removed, kept, bytes_removed };
}

/** Points each store link at an existing run, or removes it; removes empty workload dirs. */
function relink(root: string, kept: readonly StoredRun[]): void {
  const newest = (runs: readonly StoredRun[]) => runs.at(-1);
  const complete = kept.filter((run) => run.complete);
  fixLink(join(root, "current"), newest(kept), (run) => join(run.workload, run.name));
  fixLink(join(root, "latest"), newest(complete), (run) => join(run.workload, run.name));
  for (const workload of workloadDirs(root)) {
    const mine = complete.filter((run) => run.workload === workload);
    fixLink(join(root, workload, "latest"), newest(mine), (run) => run.name);
    try {
      Deno.removeSync(join(root, workload)); // only succeeds when empty
    } catch {
      // still holds runs
    }
  }
}

/** Leaves a link that resolves alone; re-points a dangling one at `run`, or removes it. */
function fixLink(
  link: string,
  run: StoredRun | undefined,
  target: (run: StoredRun) => string,
): void {
  let is_link = false;
  try {
    is_link = Deno.lstatSync(link).isSymlink;
  } catch {
    return; // no such link: nothing to keep valid
  }
  if (!is_link) return;
  try {
    Deno.statSync(link);
    return; // resolves: still valid
  } catch {
    // dangling
  }
  Deno.removeSync(link);
  if (run !== undefined) Deno.symlinkSync(target(run), link);
}

function workloadDirs(root: string): string[] {
  try {
    return [...Deno.readDirSync(root)].filter((e) => e.isDirectory).map((e) => e.name);
  } catch {
    return [];
  }
}

/** Bytes on disk under `path` (file sizes; symlinks count as nothing). */
function diskBytes(path: string): number {
  let total = 0;
  for (const entry of Deno.readDirSync(path)) {
    const child = join(path, entry.name);
    if (entry.isDirectory) total += diskBytes(child);
    else if (entry.isFile) total += Deno.lstatSync(child).size;
  }
  return total;
}

/** `12.3 MB`, `640 kB`, `0 B`. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(1)} GB`;
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
  if (bytes >= 1e3) return `${(bytes / 1e3).toFixed(0)} kB`;
  return `${bytes} B`;
}

/** The summary line, e.g. `clean: removed 12 runs (310.2 MB) from store/; kept the newest 3`. */
export function summaryLine(summary: CleanSummary, shown_root: string): string {
  const runs = (n: number) => `${n} run${n === 1 ? "" : "s"}`;
  const kept = summary.kept.length === 0 ? "none kept" : `kept the newest ${summary.kept.length}`;
  return `clean: removed ${runs(summary.removed.length)} (${formatBytes(summary.bytes_removed)}) ` +
    `from ${shown_root}/; ${kept}`;
}

/** `maelstrom clean …`; returns the exit code. */
export function cleanCommand(argv: readonly string[]): number {
  let keep: number | undefined;
  let store_dir = ".";
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.startsWith("--") && arg.includes("=")
      ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)]
      : [arg, undefined];
    const value = () => inline ?? argv[++i];
    if (flag === "-h" || flag === "--help") {
      console.log(CLEAN_USAGE);
      return 0;
    } else if (flag === "--keep") {
      const text = value();
      if (text === undefined || !/^\d+$/.test(text) || !Number.isSafeInteger(Number(text))) {
        console.error(
          `clean: --keep must be a whole number of runs (0 or more), got ${quote(text)}`,
        );
        return USAGE_EXIT;
      }
      keep = Number(text);
    } else if (flag === "--store") {
      const text = value();
      if (text === undefined) {
        console.error("clean: --store needs a directory");
        return USAGE_EXIT;
      }
      store_dir = text;
    } else {
      console.error(`clean: unexpected argument ${quote(arg)} (usage: maelstrom clean --keep N)`);
      return USAGE_EXIT;
    }
  }
  if (keep === undefined) {
    console.error("clean: say how many of the newest runs to keep: maelstrom clean --keep N");
    return USAGE_EXIT;
  }
  const root = join(store_dir, "store");
  const shown = relative(Deno.cwd(), root) || ".";
  try {
    if (!Deno.statSync(root).isDirectory) throw new Error("not a directory");
  } catch {
    console.log(`clean: no ${shown}/ here; nothing to remove`);
    return 0;
  }
  console.log(summaryLine(cleanStore(root, keep), shown));
  return 0;
}

function quote(text: string | undefined): string {
  return text === undefined ? "nothing" : JSON.stringify(text);
}
