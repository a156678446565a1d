/**
 * The on-disk record of a test run (`harness.md` §12), in JSON instead of EDN:
 *
 *     store/<workload>/<timestamp>/
 *       test.json  history.jsonl  history.txt  results.json  messages.jsonl
 *       timeline.html  latency-raw.svg  latency-quantiles.svg  rate.svg  messages.svg
 *       report.html (lib/harness/report/)
 *       harness.log  node-errors.json (when a node misbehaved)  node-logs/<id>.log
 *     store/latest, store/current, store/<workload>/latest  (relative symlinks)
 *
 * @module
 */

import { join } from "node:path";
import type { Op } from "./types.ts";
import { parseJsonLossless, stringifyJson } from "./json.ts";
import { formatOpLine } from "./history.ts";

const encoder = new TextEncoder();

/** Flush threshold of a buffered writer, in characters. */
export const WRITER_BUFFER_CHARS = 256 * 1024;

/** Appends lines to a file through an in-memory buffer, flushing in large batches. */
export class BufferedWriter {
  private chunks: string[] = [];
  private pending_chars = 0;
  private file: Deno.FsFile | undefined;

  constructor(readonly path: string) {
    this.file = Deno.openSync(path, { create: true, append: true });
  }

  /** Appends one line ("\n" is added). */
  line(text: string): void {
    if (this.file === undefined) return;
    this.chunks.push(text, "\n");
    this.pending_chars += text.length + 1;
    if (this.pending_chars >= WRITER_BUFFER_CHARS) this.flush();
  }

  /** Writes the buffer to disk. */
  flush(): void {
    if (this.file === undefined || this.chunks.length === 0) return;
    let bytes = encoder.encode(this.chunks.join(""));
    this.chunks = [];
    this.pending_chars = 0;
    while (bytes.length > 0) bytes = bytes.subarray(this.file.writeSync(bytes));
  }

  /** Flushes and closes the file; later lines are ignored. */
  close(): void {
    this.flush();
    this.file?.close();
    this.file = undefined;
  }
}

/** A store directory name: Joda basic date-time in UTC, e.g. 20251128T084731.123Z. */
export function timestampName(date: Date): string {
  const iso = date.toISOString(); // 2025-11-28T08:47:31.123Z
  return iso.replaceAll("-", "").replaceAll(":", "");
}

function symlinkReplace(target: string, link_path: string): void {
  const temp = `${link_path}.tmp-${crypto.randomUUID().slice(0, 8)}`;
  Deno.symlinkSync(target, temp);
  Deno.renameSync(temp, link_path);
}

/** The directory of one run and its files. */
export class RunStore {
  readonly harness_log: BufferedWriter;
  readonly journal: BufferedWriter;

  private constructor(
    readonly root: string,
    readonly workload: string,
    readonly run_name: string,
  ) {
    Deno.mkdirSync(join(this.path, "node-logs"), { recursive: true });
    this.harness_log = new BufferedWriter(join(this.path, "harness.log"));
    this.journal = new BufferedWriter(join(this.path, "messages.jsonl"));
  }

  /** Creates `<store_dir>/store/<workload>/<timestamp>/` and points `store/current` at it. */
  static create(store_dir: string, workload: string, now = new Date()): RunStore {
    const root = join(store_dir, "store");
    const base = timestampName(now);
    let name = base;
    for (let i = 1; exists(join(root, workload, name)); i++) name = `${base}-${i}`;
    const store = new RunStore(root, workload, name);
    symlinkReplace(join(workload, name), join(root, "current"));
    return store;
  }

  /** The run directory. */
  get path(): string {
    return join(this.root, this.workload, this.run_name);
  }

  /** Where node `id`'s stderr goes. */
  nodeLogPath(id: string): string {
    return join(this.path, "node-logs", `${id}.log`);
  }

  /** Writes `test.json`. */
  writeTest(test: unknown): void {
    Deno.writeTextFileSync(join(this.path, "test.json"), stringifyJson(test, 2) + "\n");
  }

  /** Writes `history.jsonl` (one op per line) and `history.txt`. */
  writeHistory(history: readonly Op[]): void {
    const jsonl = new BufferedWriter(join(this.path, "history.jsonl"));
    const txt = new BufferedWriter(join(this.path, "history.txt"));
    for (const op of history) {
      jsonl.line(stringifyJson(op));
      txt.line(formatOpLine(op));
    }
    jsonl.close();
    txt.close();
  }

  /** Writes `results.json`. */
  writeResults(results: unknown): void {
    Deno.writeTextFileSync(join(this.path, "results.json"), stringifyJson(results, 2) + "\n");
  }

  /** Writes `node-errors.json`. */
  writeNodeErrors(errors: unknown): void {
    Deno.writeTextFileSync(join(this.path, "node-errors.json"), stringifyJson(errors, 2) + "\n");
  }

  /** Points `store/latest` and `store/<workload>/latest` at this run. */
  updateLatest(): void {
    symlinkReplace(join(this.workload, this.run_name), join(this.root, "latest"));
    symlinkReplace(this.run_name, join(this.root, this.workload, "latest"));
  }

  /** Flushes and closes the log and journal. */
  close(): void {
    this.harness_log.close();
    this.journal.close();
  }
}

function exists(path: string): boolean {
  try {
    Deno.lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Reads a `.jsonl` file into values. */
export function readJsonl(path: string): unknown[] {
  const text = Deno.readTextFileSync(path);
  return text.split("\n").filter((line) => line !== "").map((line) => parseJsonLossless(line));
}
