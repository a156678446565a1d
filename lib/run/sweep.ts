/**
 * Seed sweeps in the simulator: every selected row with N seeds, run in
 * parallel on all cores, summarised per row as the valid count, the median /
 * p95 / worst of each figure, and every failing seed with the command that
 * replays it.
 *
 * A sweep is a flat list of (row, seed) tasks in a fixed order, so `--shard
 * I/N` can take every N-th task on one machine and the shards' JSON summaries
 * merge into the whole (`deno task run --merge a.json b.json …`).
 *
 * Each task is a separate harness process (`--sim --seed S --store TMP`):
 * tasks share nothing, a crash takes one task down, and the stores of valid
 * runs are deleted at once — 200 kafka stores would fill a disk.
 *
 * @module
 */

import { commandLine, type Harness, type RenderOptions } from "./render.ts";
import { type RunnerConfig, runOnce } from "./runner.ts";
import { type RunRecord, runVerdict } from "./summary.ts";
import { type Figures, median, quantile } from "./figures.ts";
import { formatFigure } from "./targets.ts";
import { fileSha256 } from "../harness/sim/replay.ts";
import { type IndexedRow, type Metric, METRICS } from "./types.ts";

/** At most this many seeds per row in one sweep. */
export const MAX_SEEDS = 100_000;
/** At most this many tasks run at once. */
export const MAX_JOBS = 64;
/** The seed of a simulated row when none is given, so plain `--sim` runs are fixed. */
export const DEFAULT_SIM_SEED = 1;

/** One slice of a sweep: `--shard I/N` runs the tasks whose position is I-1 modulo N. */
export interface Shard {
  /** 1-based. */
  index: number;
  count: number;
}

/** One run of one row with one seed. */
export interface SweepTask {
  /** Position in the whole (unsharded) sweep. */
  position: number;
  row: IndexedRow;
  seed: number;
}

/** The tasks of a sweep: rows in table order, seeds `first_seed …` for each; then the shard. */
export function sweepTasks(
  rows: readonly IndexedRow[],
  seed_count: number,
  first_seed: number,
  shard?: Shard,
): SweepTask[] {
  const tasks: SweepTask[] = [];
  for (const row of rows) {
    for (let i = 0; i < seed_count; i++) {
      tasks.push({ position: tasks.length, row, seed: first_seed + i });
    }
  }
  if (shard === undefined) return tasks;
  return tasks.filter((task) => task.position % shard.count === shard.index - 1);
}

/** Parses `I/N` with 1 ≤ I ≤ N; throws a one-line Error naming the bad value. */
export function parseShard(text: string): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(text);
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (match === null || count < 1 || index < 1 || index > count || count > MAX_SEEDS) {
    throw new Error(`--shard must be I/N with 1 <= I <= N, got "${text}"`);
  }
  return { index, count };
}

/** Runs `work` over `items` with at most `jobs` at once; results in item order. */
export async function runPool<T, R>(
  items: readonly T[],
  jobs: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(jobs, items.length)) }, worker));
  return results;
}

/** A live progress line: tasks done of total, failures so far, and the time left. */
export class SweepProgress {
  private done = 0;
  private failed = 0;
  private readonly started_ms = performance.now();

  constructor(private readonly total: number, private readonly show: (line: string) => void) {}

  /** Counts one finished task and shows the line. */
  finished(failed: boolean): void {
    this.done++;
    if (failed) this.failed++;
    this.show(this.line());
  }

  line(): string {
    const elapsed_s = (performance.now() - this.started_ms) / 1000;
    const eta_s = this.done === 0 ? undefined : elapsed_s / this.done * (this.total - this.done);
    const eta = eta_s === undefined ? "" : `, ETA ${formatDuration(eta_s)}`;
    return `${this.done}/${this.total} runs, ${this.failed} failing, ` +
      `${formatDuration(elapsed_s)} elapsed${eta}`;
  }
}

function formatDuration(s: number): string {
  if (s < 60) return `${s.toFixed(0)} s`;
  return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

/** Runs one task in a fresh temporary store; keeps that store only if the run did not pass. */
export async function runTask(
  task: SweepTask,
  render: RenderOptions,
  config: RunnerConfig,
): Promise<RunRecord> {
  const store_dir = await Deno.makeTempDir({ prefix: `sweep-${task.row.id}-${task.seed}-` });
  const options = { ...render, sim: true, seed: task.seed, store_dir, outputs_on_failure: true };
  const record = await runOnce(task.row, options, {
    ...config,
    capture_stderr: true,
  });
  record.seed = task.seed;
  if (record.store_path !== undefined) await recordHashes(record, config.root);
  if (runVerdict(record) === "pass") {
    await Deno.remove(store_dir, { recursive: true }).catch(() => {});
    record.store_removed = true;
  }
  return record;
}

/** Notes the SHA-256 of the run's history and journal, which replay must reproduce exactly. */
async function recordHashes(record: RunRecord, root: string): Promise<void> {
  // Stores outside the repository are recorded absolute, those inside relative to it.
  const path = record.store_path!.startsWith("/")
    ? record.store_path!
    : `${root}/${record.store_path}`;
  try {
    record.history_sha256 = await fileSha256(`${path}/history.jsonl`);
    record.journal_sha256 = await fileSha256(`${path}/messages.jsonl`);
  } catch (error) {
    record.problems.push(`cannot hash the run's outputs: ${(error as Error).message}`);
  }
}

/** Median, 95th percentile and worst of one figure over a row's seeds. */
export interface Spread {
  median: number;
  p95: number;
  worst: number;
}

/** Metrics where a larger value is the better one. */
const HIGHER_IS_BETTER: ReadonlySet<Metric> = new Set(["ok_fraction"]);

/** The spread of every figure over `runs`: p95 and worst lean towards the bad end. */
export function spreads(runs: readonly { figures: Figures }[]): Partial<Record<Metric, Spread>> {
  const out: Partial<Record<Metric, Spread>> = {};
  for (const metric of METRICS) {
    const values = runs.flatMap((run) => run.figures[metric] ?? []);
    if (values.length === 0) continue;
    const higher_better = HIGHER_IS_BETTER.has(metric);
    const sorted = [...values].sort((a, b) => higher_better ? b - a : a - b);
    out[metric] = {
      median: median(values)!,
      p95: quantile(sorted, 0.95)!,
      worst: sorted[sorted.length - 1],
    };
  }
  return out;
}

/** One row of a sweep, for the report below the summary table. */
export interface RowSweep {
  id: string;
  valid: number;
  total: number;
  spreads: Partial<Record<Metric, Spread>>;
  failing: { seed?: number; verdict: string; failing?: string[]; store?: string; replay: string }[];
}

/** The sweep report of one row: valid count, spreads, failing seeds with replay commands. */
export function sweepRow(row: IndexedRow, runs: readonly RunRecord[], harness: Harness): RowSweep {
  const failing = runs.filter((run) => runVerdict(run) !== "pass").map((run) => ({
    seed: run.seed,
    verdict: runVerdict(run),
    ...(run.failing?.length ? { failing: run.failing } : {}),
    ...(run.store_path && !run.store_removed ? { store: run.store_path } : {}),
    replay: commandLine(row, harness, { sim: true, seed: run.seed }),
  }));
  return {
    id: row.id,
    valid: runs.length - failing.length,
    total: runs.length,
    spreads: spreads(runs.filter((run) => runVerdict(run) === "pass")),
    failing,
  };
}

const SPREAD_METRICS: { metric: Metric; title: string }[] = [
  { metric: "servers_msgs_per_op", title: "srv msg/op" },
  { metric: "stable_latency_median_ms", title: "stable p50 ms" },
  { metric: "stable_latency_max_ms", title: "stable max ms" },
  { metric: "ok_fraction", title: "ok frac" },
  { metric: "run_time_s", title: "wall s" },
];

/** The sweep report: per row its valid count and spreads, then every failing seed. */
export function renderSweep(rows: readonly RowSweep[]): string {
  const lines = ["Sweep (valid runs / seeds; median / p95 / worst over the valid runs):"];
  for (const row of rows) {
    const figures = SPREAD_METRICS.flatMap(({ metric, title }) => {
      const spread = row.spreads[metric];
      if (spread === undefined) return [];
      const f = (v: number) => formatFigure(metric, v);
      return [`${title} ${f(spread.median)} / ${f(spread.p95)} / ${f(spread.worst)}`];
    });
    lines.push(`  ${row.id.padEnd(10)} ${row.valid}/${row.total} valid   ${figures.join("   ")}`);
    for (const fail of row.failing) {
      const why = fail.failing?.length ? ` [${fail.failing.join(", ")}]` : "";
      lines.push(`    seed ${fail.seed}: ${fail.verdict}${why}`);
      lines.push(`      replay: ${fail.replay}`);
      if (fail.store) lines.push(`      store: ${fail.store}`);
    }
  }
  return lines.join("\n");
}
