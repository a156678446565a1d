/**
 * The `deno task run` command line: selects rows of the run table, then lists
 * them, prints their command lines, or builds and runs them and prints the
 * summary.
 *
 * @module
 */

import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { buildNeeded } from "./build.ts";
import { buildChallenges } from "../../tools/build.ts";
import { commandLine, describeRow, type Harness, indexRows, type RenderOptions } from "./render.ts";
import { type RunnerConfig, runOnce } from "./runner.ts";
import {
  exitCode,
  renderSummary,
  type RowSummary,
  type RunRecord,
  runVerdict,
  summarizeRow,
  type SummaryContext,
  summaryJson,
} from "./summary.ts";
import { formatFigure } from "./targets.ts";
import type { IndexedRow, RunRow } from "./types.ts";
import { compareSummaries, renderComparison, type SummaryFile } from "./compare.ts";
import {
  DEFAULT_SIM_SEED,
  MAX_JOBS,
  MAX_SEEDS,
  parseShard,
  renderSweep,
  type RowSweep,
  runPool,
  runTask,
  type Shard,
  SweepProgress,
  sweepRow,
  sweepTasks,
} from "./sweep.ts";

/** Exit code for bad `run` arguments. */
export const USAGE_EXIT = 2;
const MAX_REPEAT = 100;
const ROOT = new URL("../..", import.meta.url).pathname.replace(/\/$/, "");

export const USAGE = `Usage: deno task run [options] <challenge | part | row id | all> …

Runs documented invocations (rows of run.ts) on the embedded harness and prints a summary.
  deno task run kafka              every kafka row (5a, 5b, 5c)
  deno task run --part 3d          every row of part 3d; a row id such as 3d.2 selects one row
  deno task run --part 3           every part of chapter 3 (3a–3e); also 5, 6, datomic, raft
  deno task run all                every row

Options:
  --list              list the rows (all, or the selected ones) with their flags and targets
  --print             print the command lines instead of running them
  --repeat N          run each row N times; the summary shows medians (1..${MAX_REPEAT})
  --seed N            pass --seed to the embedded harness (run i of a row gets N + i)
  --time-limit S      override every row's --time-limit (a smoke run; marked in the summary)
  --json [FILE]       also write the summary as JSON to FILE, or to stdout without FILE
  --maelstrom PATH    run (or --print) with a real Maelstrom instead (default: $MAELSTROM)
  --verbose           echo the harness's full output

Simulator (deterministic, seconds instead of minutes; see the README's "Simulation"):
  --sim               run the rows in the simulator (--sim on the harness), seed ${DEFAULT_SIM_SEED} unless --seed
  --seeds N           with --sim: run every row with N seeds (--seed, --seed + 1, …) and report
                      per row the valid count, median / p95 / worst figures and failing seeds
  --jobs J            with --sim: runs at once (default: the core count, ${navigator.hardwareConcurrency})
  --shard I/N         with --sim: run only slice I of N of the (row, seed) list; merge the
                      slices' --json files with --merge
  --merge FILE…       print the summary of the --json files of several shards as one
  --compare A B       two --json summaries side by side (e.g. real time and --sim): wall time
                      per row and speed-up, servers msgs/op and the deviation of B from A
  -h, --help          this text

Exit status: 0 if every row is valid and meets its targets, 1 if not, ${USAGE_EXIT} for bad arguments.`;

/** Thrown for bad `run` arguments; the message is one line naming the bad value. */
export class RunUsageError extends Error {}

/** The parsed `run` command line. */
export interface RunArgs {
  selections: string[];
  list: boolean;
  print: boolean;
  repeat: number;
  seed?: number;
  time_limit_s?: number;
  /** "-" for stdout. */
  json?: string;
  maelstrom?: string;
  verbose: boolean;
  help: boolean;
  sim: boolean;
  seeds?: number;
  jobs: number;
  shard?: Shard;
  merge: boolean;
  compare: boolean;
}

/** Parses `argv`; `selectable` names what a bare `--json` must not swallow as its file. */
export function parseRunArgs(
  argv: readonly string[],
  selectable: ReadonlySet<string> = new Set(),
  env_maelstrom?: string,
): RunArgs {
  const normalized = normalizeJsonFlag(argv, selectable);
  let parsed;
  try {
    parsed = parseArgs({
      args: normalized,
      allowPositionals: true,
      options: {
        list: { type: "boolean" },
        print: { type: "boolean" },
        part: { type: "string", multiple: true },
        repeat: { type: "string" },
        seed: { type: "string" },
        "time-limit": { type: "string" },
        json: { type: "string" },
        maelstrom: { type: "string" },
        verbose: { type: "boolean" },
        help: { type: "boolean", short: "h" },
        sim: { type: "boolean" },
        seeds: { type: "string" },
        jobs: { type: "string" },
        shard: { type: "string" },
        merge: { type: "boolean" },
        compare: { type: "boolean" },
      },
    });
  } catch (error) {
    throw new RunUsageError((error as Error).message.split("\n")[0]);
  }
  const { values, positionals } = parsed;
  const maelstrom = values.maelstrom ?? (env_maelstrom || undefined);
  return {
    selections: [...positionals, ...(values.part ?? [])],
    list: values.list ?? false,
    print: values.print ?? false,
    repeat: values.repeat === undefined ? 1 : integerIn("--repeat", values.repeat, 1, MAX_REPEAT),
    seed: values.seed === undefined ? undefined : integerIn("--seed", values.seed, 0, 2 ** 32 - 1),
    time_limit_s: values["time-limit"] === undefined
      ? undefined
      : integerIn("--time-limit", values["time-limit"], 1, 86_400),
    json: values.json,
    maelstrom,
    verbose: values.verbose ?? false,
    help: values.help ?? false,
    ...simArgs(values),
  };
}

function simArgs(values: {
  sim?: boolean;
  seeds?: string;
  jobs?: string;
  shard?: string;
  merge?: boolean;
  compare?: boolean;
  maelstrom?: string;
}): Pick<RunArgs, "sim" | "seeds" | "jobs" | "shard" | "merge" | "compare"> {
  const sim = values.sim ?? false;
  for (const name of ["seeds", "jobs", "shard"] as const) {
    if (values[name] !== undefined && !sim) throw new RunUsageError(`--${name} needs --sim`);
  }
  if (sim && values.maelstrom !== undefined) {
    throw new RunUsageError("--sim runs the embedded harness; it cannot run a real Maelstrom");
  }
  let shard: Shard | undefined;
  try {
    shard = values.shard === undefined ? undefined : parseShard(values.shard);
  } catch (error) {
    throw new RunUsageError((error as Error).message);
  }
  return {
    sim,
    seeds: values.seeds === undefined
      ? undefined
      : integerIn("--seeds", values.seeds, 1, MAX_SEEDS),
    jobs: values.jobs === undefined
      ? navigator.hardwareConcurrency
      : integerIn("--jobs", values.jobs, 1, MAX_JOBS),
    shard,
    merge: values.merge ?? false,
    compare: values.compare ?? false,
  };
}

/** Turns a bare `--json` (no file follows) into `--json=-`. */
function normalizeJsonFlag(argv: readonly string[], selectable: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const next = argv[i + 1];
    const bare = argv[i] === "--json" &&
      (next === undefined || next.startsWith("-") || selectable.has(next));
    out.push(bare ? "--json=-" : argv[i]);
  }
  return out;
}

function integerIn(name: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) {
    throw new RunUsageError(`${name} must be an integer in [${min}, ${max}], got "${text}"`);
  }
  return value;
}

/** The words that select rows: "all", challenges, chapters, parts and row ids. */
export function selectableWords(rows: readonly IndexedRow[]): Set<string> {
  return new Set([
    "all",
    ...rows.flatMap((row) => [row.challenge, chapterOf(row.part), row.part, row.id]),
  ]);
}

/**
 * The chapter a part belongs to: "3" for 3a–3e, "datomic" for datomic-1, and a
 * part that has no sub-parts ("1", "4") is its own chapter.
 */
export function chapterOf(part: string): string {
  return /^(\d+)[a-z]$/.exec(part)?.[1] ?? /^([a-z]+)-\d+$/.exec(part)?.[1] ?? part;
}

/** The rows `selections` name, in table order; an unknown word is a usage error. */
export function selectRows(
  rows: readonly IndexedRow[],
  selections: readonly string[],
): IndexedRow[] {
  const known = selectableWords(rows);
  for (const word of selections) {
    if (!known.has(word)) throw new RunUsageError(unknownSelection(rows, word));
  }
  if (selections.includes("all")) return [...rows];
  return rows.filter((row) =>
    selections.some((word) =>
      word === row.challenge || word === chapterOf(row.part) || word === row.part ||
      word === row.id
    )
  );
}

function unknownSelection(rows: readonly IndexedRow[], word: string): string {
  const unique = (values: string[]) => [...new Set(values)].join(", ");
  const challenges = unique(rows.map((row) => row.challenge));
  const parts = unique(rows.map((row) => row.part));
  return `unknown challenge, part or row "${word}" (challenges: ${challenges}; ` +
    `parts: ${parts}; a chapter such as 3 means all its parts; row ids: see --list)`;
}

/** Where output goes; injectable for tests. */
export interface Output {
  out(text: string): void;
  err(text: string): void;
}

const CONSOLE: Output = {
  out: (text) => console.log(text),
  err: (text) => console.error(text),
};

/**
 * Runs the `run` command; returns the exit code. `work_dir` holds `bin/` and `store/` and is the
 * runs' working directory: the repository root, or a temporary directory in tests.
 */
export async function main(
  argv: readonly string[],
  table: readonly RunRow[],
  output: Output = CONSOLE,
  work_dir: string = ROOT,
): Promise<number> {
  const rows = indexRows(table);
  let args: RunArgs;
  let selected: IndexedRow[];
  try {
    args = parseRunArgs(argv, selectableWords(rows), Deno.env.get("MAELSTROM"));
    if (args.help) {
      output.out(USAGE);
      return 0;
    }
    if (args.merge) return await mergeCommand(args.selections, table, output);
    if (args.compare) return await compareCommand(args.selections, output);
    if (args.selections.length === 0 && !args.list) {
      throw new RunUsageError("name a challenge, a part, a row id or all (see --list, --help)");
    }
    selected = args.selections.length === 0 ? rows : selectRows(rows, args.selections);
  } catch (error) {
    if (!(error instanceof RunUsageError)) throw error;
    output.err(`run: ${error.message}`);
    return USAGE_EXIT;
  }

  const harness: Harness = args.maelstrom
    ? { kind: "maelstrom", path: args.maelstrom }
    : { kind: "embedded" };
  const render: RenderOptions = { time_limit_s: args.time_limit_s, seed: args.seed };
  if (args.list) {
    output.out(`${selected.length} rows (id, workload, binary, flags):`);
    for (const row of selected) output.out(describeRow(row));
    return 0;
  }
  if (args.print) {
    for (const row of selected) {
      output.out(commandLine(row, harness, { ...render, sim: args.sim || undefined }));
    }
    return 0;
  }
  if (args.sim) return await runSimRows(selected, args, output);
  if (harness.kind === "maelstrom") {
    if (!(await isExecutable(harness.path))) {
      output.err(`run: --maelstrom ${harness.path}: not an executable file`);
      return USAGE_EXIT;
    }
    // The runs use the repository root as working directory.
    const absolute = resolve(harness.path);
    const spawned: Harness = { kind: "maelstrom", path: absolute };
    return await runRows(selected, args, harness, spawned, output, work_dir);
  }
  return await runRows(selected, args, harness, harness, output, work_dir);
}

async function runRows(
  rows: readonly IndexedRow[],
  args: RunArgs,
  harness: Harness,
  spawned: Harness,
  output: Output,
  work_dir: string,
): Promise<number> {
  const json_to_stdout = args.json === "-";
  const report = json_to_stdout ? output.err : output.out;
  output.err(`Building ${[...new Set(rows.map((row) => row.challenge))].join(", ")} …`);
  const bin_dir = `${work_dir}/bin`;
  const builds = await buildNeeded(
    rows.map((row) => row.challenge),
    (names) => buildChallenges(names, "launcher", { bin_dir }),
  );
  const config: RunnerConfig = { root: work_dir, harness: spawned, verbose: args.verbose };
  const summaries: RowSummary[] = [];
  for (const [position, row] of rows.entries()) {
    const shown = commandLine(row, harness, { time_limit_s: args.time_limit_s, seed: args.seed });
    const runs: RunRecord[] = [];
    const build = builds.get(row.challenge);
    if (build && !build.ok) {
      output.err(`[${position + 1}/${rows.length}] ${row.id}: cannot build: ${build.error}`);
      runs.push({ figures: {}, problems: [`build failed: ${build.error}`] });
      summaries.push(summarizeRow(row, shown, runs));
      continue;
    }
    for (let repeat = 0; repeat < args.repeat; repeat++) {
      const seed = args.seed === undefined ? undefined : args.seed + repeat;
      const options: RenderOptions = { time_limit_s: args.time_limit_s, seed };
      const label = args.repeat > 1 ? ` run ${repeat + 1}/${args.repeat}` : "";
      output.err(
        `[${position + 1}/${rows.length}] ${row.id}${label}: ${commandLine(row, harness, options)}`,
      );
      const run = await runOnce(row, options, config);
      runs.push(run);
      output.err(`  -> ${describeRun(run)}`);
    }
    summaries.push(summarizeRow(row, shown, runs));
  }
  const context: SummaryContext = {
    harness: harness.kind,
    repeat: args.repeat,
    smoke_time_limit_s: args.time_limit_s,
    seed: args.seed,
  };
  report("");
  report(renderSummary(context, summaries));
  if (args.json !== undefined) {
    const text = JSON.stringify(summaryJson(context, summaries), null, 2);
    if (json_to_stdout) {
      output.out(text);
    } else {
      try {
        await Deno.writeTextFile(args.json, text + "\n");
      } catch (error) {
        output.err(`run: cannot write --json ${args.json}: ${(error as Error).message}`);
        return 1;
      }
    }
  }
  return exitCode(summaries);
}

function describeRun(run: RunRecord): string {
  const parts: string[] = [runVerdict(run)];
  const f = run.figures;
  if (f.servers_msgs_per_op !== undefined) {
    parts.push(`srv ${formatFigure("servers_msgs_per_op", f.servers_msgs_per_op)} msg/op`);
  }
  if (f.ok_fraction !== undefined) parts.push(`ok ${formatFigure("ok_fraction", f.ok_fraction)}`);
  if (f.stable_latency_median_ms !== undefined) {
    parts.push(`stable p50 ${f.stable_latency_median_ms} max ${f.stable_latency_max_ms} ms`);
  }
  if (f.run_time_s !== undefined) parts.push(`${formatFigure("run_time_s", f.run_time_s)} s`);
  if (run.seed !== undefined) parts.push(`seed ${run.seed}`);
  if (run.store_path) parts.push(run.store_path);
  return parts.join(", ");
}

async function isExecutable(path: string): Promise<boolean> {
  try {
    const info = await Deno.stat(path);
    return info.isFile && ((info.mode ?? 0o111) & 0o111) !== 0;
  } catch {
    return false;
  }
}

/** What a simulated run's JSON summary holds beyond the table's: the sweep and its slice. */
interface SimSummaryJson {
  sim: true;
  seeds: number;
  shard?: Shard;
  wall_time_s: number;
  rows: RowSummary[];
  sweep: RowSweep[];
}

async function runSimRows(
  rows: readonly IndexedRow[],
  args: RunArgs,
  output: Output,
): Promise<number> {
  const seeds = args.seeds ?? args.repeat;
  const first_seed = args.seed ?? DEFAULT_SIM_SEED;
  const tasks = sweepTasks(rows, seeds, first_seed, args.shard);
  const jobs = Math.min(args.jobs, MAX_JOBS);
  const shard = args.shard ? `, shard ${args.shard.index}/${args.shard.count}` : "";
  output.err(
    `Simulating ${tasks.length} runs (${rows.length} rows x ${seeds} seeds from ${first_seed}` +
      `${shard}) with ${jobs} at once …`,
  );
  const config: RunnerConfig = { root: ROOT, harness: { kind: "embedded" }, verbose: false };
  const render: RenderOptions = { time_limit_s: args.time_limit_s };
  const live = Deno.stderr.isTerminal();
  const encoder = new TextEncoder();
  const progress = new SweepProgress(tasks.length, (line) => {
    if (live) Deno.stderr.writeSync(encoder.encode(`\r\x1b[K${line}`));
  });
  const started_ms = performance.now();
  const records = await runPool(tasks, jobs, async (task) => {
    const record = await runTask(task, render, config);
    progress.finished(runVerdict(record) !== "pass");
    if (!live || args.verbose) {
      output.err(`${task.row.id} seed ${task.seed}: ${describeRun(record)}`);
    }
    return record;
  });
  if (live) Deno.stderr.writeSync(encoder.encode("\r\x1b[K"));
  const wall_time_s = (performance.now() - started_ms) / 1000;
  const by_row = new Map<string, RunRecord[]>();
  tasks.forEach((task, i) => {
    const list = by_row.get(task.row.id) ?? [];
    list.push(records[i]);
    by_row.set(task.row.id, list);
  });
  const summary = simSummary(rows, by_row, args, seeds, wall_time_s);
  return await reportSim(summary, args, output);
}

function simSummary(
  rows: readonly IndexedRow[],
  by_row: ReadonlyMap<string, RunRecord[]>,
  args: Pick<RunArgs, "time_limit_s" | "seed" | "shard">,
  seeds: number,
  wall_time_s: number,
): SimSummaryJson {
  const harness: Harness = { kind: "embedded" };
  const present = rows.filter((row) => by_row.has(row.id));
  const summaries = present.map((row) =>
    summarizeRow(
      row,
      commandLine(row, harness, { time_limit_s: args.time_limit_s, sim: true, seed: args.seed }),
      by_row.get(row.id)!,
    )
  );
  return {
    sim: true,
    seeds,
    ...(args.shard ? { shard: args.shard } : {}),
    wall_time_s,
    rows: summaries,
    sweep: present.map((row) => sweepRow(row, by_row.get(row.id)!, harness)),
  };
}

async function reportSim(summary: SimSummaryJson, args: RunArgs, output: Output): Promise<number> {
  const json_to_stdout = args.json === "-";
  const report = json_to_stdout ? output.err : output.out;
  const context: SummaryContext = {
    harness: "embedded",
    repeat: summary.seeds,
    smoke_time_limit_s: args.time_limit_s,
    seed: args.seed ?? DEFAULT_SIM_SEED,
  };
  report("");
  report(renderSummary(context, summary.rows).replace("embedded harness", "simulator"));
  if (summary.seeds > 1 || summary.sweep.some((row) => row.failing.length > 0)) {
    report("");
    report(renderSweep(summary.sweep));
  }
  report(`\nWall time: ${summary.wall_time_s.toFixed(1)} s`);
  if (args.json !== undefined) {
    const text = JSON.stringify(summary, null, 2);
    if (json_to_stdout) output.out(text);
    else {
      try {
        await Deno.writeTextFile(args.json, text + "\n");
      } catch (error) {
        output.err(`run: cannot write --json ${args.json}: ${(error as Error).message}`);
        return 1;
      }
    }
  }
  return exitCode(summary.rows);
}

/** `--merge a.json b.json …`: the shards' runs, summarised as one sweep. */
async function mergeCommand(
  files: readonly string[],
  table: readonly RunRow[],
  output: Output,
): Promise<number> {
  if (files.length === 0) {
    output.err("run: --merge needs the --json files of the shards");
    return USAGE_EXIT;
  }
  const rows = indexRows(table);
  const by_row = new Map<string, RunRecord[]>();
  let seeds = 0;
  let wall_time_s = 0;
  for (const file of files) {
    let part: SimSummaryJson;
    try {
      part = JSON.parse(await Deno.readTextFile(file));
      if (part.sim !== true || !Array.isArray(part.rows)) throw new Error("not a --sim summary");
    } catch (error) {
      output.err(`run: --merge ${file}: ${(error as Error).message}`);
      return USAGE_EXIT;
    }
    seeds = Math.max(seeds, part.seeds);
    wall_time_s = Math.max(wall_time_s, part.wall_time_s);
    for (const row of part.rows) {
      if (!rows.some((r) => r.id === row.id)) {
        output.err(`run: --merge ${file}: unknown row ${row.id}`);
        return USAGE_EXIT;
      }
      by_row.set(row.id, [...(by_row.get(row.id) ?? []), ...row.runs]);
    }
  }
  for (const runs of by_row.values()) runs.sort((a, b) => (a.seed ?? 0) - (b.seed ?? 0));
  const summary = simSummary(rows, by_row, {}, seeds, wall_time_s);
  return await reportSim(summary, { ...parseRunArgs([]), sim: true }, output);
}

/** `--compare A.json B.json`: wall time and servers msgs/op of two summaries, row by row. */
async function compareCommand(files: readonly string[], output: Output): Promise<number> {
  if (files.length !== 2) {
    output.err("run: --compare needs exactly two --json files (e.g. real time, then --sim)");
    return USAGE_EXIT;
  }
  const summaries: SummaryFile[] = [];
  for (const file of files) {
    try {
      const parsed = JSON.parse(await Deno.readTextFile(file)) as SummaryFile;
      if (!Array.isArray(parsed.rows)) throw new Error("not a deno task run --json summary");
      summaries.push(parsed);
    } catch (error) {
      output.err(`run: --compare ${file}: ${(error as Error).message}`);
      return USAGE_EXIT;
    }
  }
  const label = (s: SummaryFile) => s.sim ? "sim" : "real";
  const labels: [string, string] = [label(summaries[0]), label(summaries[1])];
  if (labels[0] === labels[1]) labels[1] += " (2)";
  output.out(renderComparison(compareSummaries(summaries[0], summaries[1]), labels));
  for (const [i, s] of summaries.entries()) {
    if (s.wall_time_s !== undefined) {
      output.out(`${labels[i]}: the whole run took ${s.wall_time_s.toFixed(1)} s of wall time.`);
    }
  }
  return 0;
}
