/**
 * Runs one row once: spawns the embedded harness (`lib/harness/main.ts test …`
 * with the current Deno) or a real Maelstrom as a subprocess in the repository
 * root, streams its progress, bounds its run time, finds the store directory
 * it wrote and reads the figures from it.
 *
 * The harness's stderr (its one-line live progress) is passed through; its
 * stdout (log and the full results map) is only scanned for the store path,
 * and echoed with `verbose`.
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import { readEmbeddedStore, readMaelstromStore } from "./figures.ts";
import { type Harness, type RenderOptions, testArgs } from "./render.ts";
import type { RunRecord } from "./summary.ts";
import type { RunRow } from "./types.ts";

/** How rows are run. */
export interface RunnerConfig {
  /** The working directory of every run and the base of `bin/` and `store/` (the repository root
   * for `deno task run`; a temporary directory in tests). */
  root: string;
  harness: Harness;
  /** Echo the harness's stdout too. */
  verbose: boolean;
  /** Extra seconds allowed beyond the time limit per test before the run is killed. */
  grace_s?: number;
  /**
   * Keep the harness's stderr (its live progress line) to ourselves instead of passing it
   * through: runs in parallel would garble each other's. Its tail explains a crash.
   */
  capture_stderr?: boolean;
}

/** The embedded harness's entry point, in this repository whatever the working directory. */
const HARNESS_MAIN = fileURLToPath(new URL("../harness/main.ts", import.meta.url));
/** Maelstrom's default `--time-limit`. */
const DEFAULT_TIME_LIMIT_S = 60;
/** Startup, final phase (recovery 10 s + final ops), checking and teardown, per test. */
const DEFAULT_GRACE_S = 180;
/** Lines of stdout kept for the report of a failed run. */
const TAIL_LINES = 20;
const KILL_WAIT_MS = 5_000;
/** How long to keep reading stdout after the process exited. */
const DRAIN_MS = 2_000;

/** The longest a run of `row` may take before it is killed, in ms. */
export function runDeadlineMs(row: RunRow, options: RenderOptions, grace_s: number): number {
  const time_limit_s = options.time_limit_s ?? row.flags.time_limit_s ?? DEFAULT_TIME_LIMIT_S;
  const test_count = row.flags.test_count ?? 1;
  return test_count * (time_limit_s + grace_s) * 1000;
}

/** The program and arguments to spawn for `row` (the embedded harness runs on this Deno). */
export function spawnCommand(
  row: RunRow,
  config: Pick<RunnerConfig, "root" | "harness">,
  options: RenderOptions,
): { program: string; args: string[] } {
  const args = testArgs(row, config.harness, options);
  if (config.harness.kind === "maelstrom") return { program: config.harness.path, args };
  return {
    program: Deno.execPath(),
    args: ["run", "-A", HARNESS_MAIN, ...args],
  };
}

/** Runs `row` once and reads its results. */
export async function runOnce(
  row: RunRow,
  options: RenderOptions,
  config: RunnerConfig,
): Promise<RunRecord> {
  const { program, args } = spawnCommand(row, config, options);
  const store_root = options.store_dir ?? config.root;
  const latest_link = `${store_root}/store/${row.workload}/latest`;
  const previous_store = await realPath(latest_link);
  const started_ms = performance.now();
  const outcome = await spawnBounded(
    program,
    args,
    config,
    runDeadlineMs(row, options, config.grace_s ?? DEFAULT_GRACE_S),
  );
  const run_time_s = (performance.now() - started_ms) / 1000;

  const record: RunRecord = { exit_code: outcome.exit_code, figures: {}, problems: [] };
  if (outcome.problem) record.problems.push(outcome.problem);
  const store_path = await findStore(
    outcome.store_mentions,
    latest_link,
    previous_store,
    config.root,
  );
  if (store_path === undefined) {
    record.problems.push("no new store directory was written");
  } else {
    record.store_path = relativeTo(config.root, store_path);
    const reading = config.harness.kind === "embedded"
      ? await readEmbeddedStore(store_path)
      : await readMaelstromStore(store_path);
    record.validity = reading.validity;
    record.failing = reading.failing;
    record.figures = reading.figures;
    record.seed = reading.seed ?? options.seed;
    // A crashed run has no results; the exit code already says so.
    if (outcome.exit_code === 0) record.problems.push(...reading.problems);
  }
  record.figures.run_time_s = run_time_s;
  // Invalid and unknown runs are explained by their results; crashes by their last words.
  const crashed = outcome.exit_code === undefined || outcome.exit_code > 2;
  if (crashed && outcome.tail.length > 0) {
    record.problems.push(`last output:\n    ${outcome.tail.join("\n    ")}`);
  }
  return record;
}

interface SpawnOutcome {
  exit_code?: number;
  problem?: string;
  /** Store paths mentioned on stdout, in order. */
  store_mentions: string[];
  tail: string[];
}

async function spawnBounded(
  program: string,
  args: string[],
  config: RunnerConfig,
  deadline_ms: number,
): Promise<SpawnOutcome> {
  const outcome: SpawnOutcome = { store_mentions: [], tail: [] };
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(program, {
      args,
      cwd: config.root,
      stdin: "null",
      stdout: "piped",
      stderr: config.capture_stderr ? "piped" : "inherit",
    }).spawn();
  } catch (error) {
    outcome.problem = `cannot start ${program}: ${(error as Error).message}`;
    return outcome;
  }
  let timed_out = false;
  let kill_timer: ReturnType<typeof setTimeout> | undefined;
  const timer = setTimeout(() => {
    timed_out = true;
    signal(child, "SIGTERM");
    kill_timer = setTimeout(() => signal(child, "SIGKILL"), KILL_WAIT_MS);
  }, deadline_ms);
  const stop_reading = new AbortController();
  const reading = scanLines(child.stdout, (line) => {
    if (config.verbose) console.error(line);
    outcome.tail.push(line);
    if (outcome.tail.length > TAIL_LINES) outcome.tail.shift();
    for (const match of line.matchAll(/(?:^|[\s'"=:(])((?:\/[^\s'"]*)?store\/[^\s'"),]+)/g)) {
      outcome.store_mentions.push(match[1]);
    }
  }, stop_reading.signal);
  const reading_stderr = config.capture_stderr
    ? scanLines(child.stderr, (line) => {
      outcome.tail.push(line);
      if (outcome.tail.length > TAIL_LINES) outcome.tail.shift();
    }, stop_reading.signal)
    : Promise.resolve();
  try {
    const status = await child.status;
    outcome.exit_code = status.signal === null ? status.code : undefined;
    if (status.signal !== null && !timed_out) outcome.problem = `killed by ${status.signal}`;
  } finally {
    clearTimeout(timer);
    clearTimeout(kill_timer);
  }
  // A grandchild that inherited stdout may keep it open: read what is left, briefly.
  const drain_timer = setTimeout(() => stop_reading.abort(), DRAIN_MS);
  await reading.catch(() => {});
  await reading_stderr.catch(() => {});
  clearTimeout(drain_timer);
  if (timed_out) outcome.problem = `killed after exceeding ${deadline_ms / 1000} s`;
  return outcome;
}

function signal(child: Deno.ChildProcess, name: Deno.Signal): void {
  try {
    child.kill(name);
  } catch { /* Already gone. */ }
}

/** Calls `on_line` for each line of `stream` (decoded as UTF-8). */
export async function scanLines(
  stream: ReadableStream<Uint8Array>,
  on_line: (line: string) => void,
  signal?: AbortSignal,
): Promise<void> {
  const reader = stream.pipeThrough(new TextDecoderStream()).getReader();
  signal?.addEventListener("abort", () => reader.cancel().catch(() => {}), { once: true });
  let pending = "";
  for (;;) {
    const { done, value: chunk } = await reader.read();
    if (done) break;
    pending += chunk;
    const lines = pending.split("\n");
    pending = lines.pop() ?? "";
    for (const line of lines) on_line(line.replace(/\r$/, ""));
  }
  if (pending !== "") on_line(pending);
}

/**
 * The store directory of the run just finished: the last run directory the
 * harness named on stdout that exists, else the workload's `latest` link if it
 * moved during the run.
 */
async function findStore(
  mentions: readonly string[],
  latest_link: string,
  previous: string | undefined,
  root: string,
): Promise<string | undefined> {
  for (const mention of [...mentions].reverse()) {
    const absolute = mention.startsWith("/") ? mention : `${root}/${mention}`;
    const resolved = await realPath(absolute.replace(/\/+$/, ""));
    if (resolved === undefined || resolved === previous) continue;
    if (await isRunDirectory(resolved)) return resolved;
  }
  const latest = await realPath(latest_link);
  return latest !== undefined && latest !== previous ? latest : undefined;
}

async function isRunDirectory(path: string): Promise<boolean> {
  for (const name of ["results.json", "results.edn", "history.jsonl", "history.edn"]) {
    try {
      await Deno.stat(`${path}/${name}`);
      return true;
    } catch { /* Try the next. */ }
  }
  return false;
}

async function realPath(path: string): Promise<string | undefined> {
  try {
    return await Deno.realPath(path);
  } catch {
    return undefined;
  }
}

function relativeTo(root: string, path: string): string {
  return path.startsWith(`${root}/`) ? path.slice(root.length + 1) : path;
}
