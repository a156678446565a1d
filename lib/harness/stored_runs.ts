/**
 * The runs in a `store/` directory, for `maelstrom analyze` and `maelstrom
 * clean`: which runs there are, newest last, and which of them finished
 * writing their record. A run that was interrupted (Ctrl-C, a killed harness)
 * has its directory and `test.json` but no `history.jsonl`, which the runner
 * writes only once the test is over (runner.ts, `TestRun`).
 *
 * @module
 */

import { join } from "node:path";

/** One run directory: `<root>/<workload>/<name>`. */
export interface StoredRun {
  path: string;
  workload: string;
  /** The timestamp directory name (store.ts `timestampName`), which sorts by start time. */
  name: string;
  /** Whether the run wrote its history, i.e. finished (analyze can re-check it). */
  complete: boolean;
}

/** Every run under `root` (a `store/` directory), oldest first; none when `root` is missing. */
export function listStoredRuns(root: string): StoredRun[] {
  const runs: StoredRun[] = [];
  for (const workload of readDirOrEmpty(root)) {
    if (!workload.isDirectory) continue;
    for (const run of readDirOrEmpty(join(root, workload.name))) {
      // `latest` is a symlink, not a directory entry of its own.
      if (!run.isDirectory) continue;
      const path = join(root, workload.name, run.name);
      runs.push({ path, workload: workload.name, name: run.name, complete: isRunComplete(path) });
    }
  }
  return runs.sort((a, b) => a.name.localeCompare(b.name) || a.workload.localeCompare(b.workload));
}

/** Whether the run at `path` finished writing its record. */
export function isRunComplete(path: string): boolean {
  return isFile(join(path, "test.json")) && isFile(join(path, "history.jsonl"));
}

function isFile(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

function readDirOrEmpty(path: string): Deno.DirEntry[] {
  try {
    return [...Deno.readDirSync(path)];
  } catch {
    return [];
  }
}
