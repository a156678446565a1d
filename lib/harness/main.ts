/**
 * The embedded Maelstrom CLI: `maelstrom test …` runs tests, `maelstrom
 * analyze` re-runs the checkers on a stored run. Output and exit codes follow
 * `harness.md` §1 and §10.3.
 *
 * @module
 */

import { join } from "node:path";
import { parseTestArgs, USAGE, UsageError } from "./cli.ts";
import {
  analyzeHistory,
  exitCodeFor,
  type RunnerOptions,
  runTests,
  type TestOutcome,
  writeReportOrWarn,
} from "./runner.ts";
import { checkDeterminism, MAX_SHRINK_TRIALS, replayCommand, shrink } from "./sim/replay.ts";
import { WorkloadUnavailable } from "./workloads.ts";
import type { CheckResult, Op, TestOptions, Validity } from "./types.ts";
import { stringifyJson } from "./json.ts";
import { readJsonl } from "./store.ts";
import { Rng } from "./rng.ts";
import { loadWorkloadFactory } from "./workloads.ts";
import { NetStats } from "./checkers/net.ts";
import { MessagesDiagram } from "./viz/messages_svg.ts";
import type { JournalEvent } from "./network.ts";
import { killAllNodes } from "./node_process.ts";
import { SimUnsupported } from "./sim/loader.ts";
import { serveCommand } from "./serve.ts";
import { isRunComplete, listStoredRuns } from "./stored_runs.ts";
import { cleanCommand } from "./clean.ts";

const COMMANDS_USAGE = `Usage: maelstrom <command> [options]

Commands:
  test      run a test (see maelstrom test --help)
  analyze   re-run the checkers on a stored test: [-t INDEX_OR_PATH] [--store DIR]
  serve     list the runs in store/ with their reports: [--port 8080] [--host H] [--store DIR]
  clean     delete all but the newest runs in store/: --keep N [--store DIR]
  demo, doc   not supported by the embedded harness
`;

/** The last line of the report for a verdict (`harness.md` §10.3). */
export function verdictLine(valid: Validity): string {
  if (valid === true) return "Everything looks good! ヽ(‘ー`)ノ";
  if (valid === false) return "Analysis invalid! (ﾉಥ益ಥ）ﾉ ┻━┻";
  return "Errors occurred during analysis, but no anomalies found. ಠ~ಠ";
}

/** Pretty results, two blank lines, the verdict. */
export function formatReport(results: CheckResult): string {
  return `${stringifyJson(results, 2)}\n\n\n${verdictLine(results["valid?"])}`;
}

/** A console sink that first clears a live progress line. */
function makeConsole(): { line: (text: string) => void; progress?: (text: string) => void } {
  const encoder = new TextEncoder();
  if (!Deno.stderr.isTerminal()) return { line: (text) => console.error(text) };
  let shown = false;
  return {
    line: (text) => {
      if (shown) Deno.stderr.writeSync(encoder.encode("\r\x1b[K"));
      shown = false;
      console.error(text);
    },
    progress: (text) => {
      Deno.stderr.writeSync(encoder.encode(`\r\x1b[K${text}`));
      shown = true;
    },
  };
}

async function testCommand(argv: string[]): Promise<number> {
  let opts: TestOptions;
  try {
    opts = parseTestArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    (e.exit_code === 0 ? console.log : console.error)(e.message);
    return e.exit_code;
  }
  const sink = makeConsole();
  const ro = { console: sink.line, progress: sink.progress };
  try {
    if (opts.check_determinism) return await determinismCommand(opts, ro);
    const outcomes = await runTests(opts, ro);
    sink.line("");
    const code = printOutcomes(argv, opts, outcomes);
    const failed = outcomes[outcomes.length - 1];
    if (opts.shrink && failed?.valid === false) return await shrinkCommand(argv, opts, failed, ro);
    if (opts.shrink) console.log("Nothing to shrink: the run did not fail.");
    return code;
  } catch (e) {
    // A workload can reject an option combination only once it is built (e.g. lin-kv's 1n).
    if (
      e instanceof WorkloadUnavailable || e instanceof UsageError || e instanceof SimUnsupported
    ) {
      sink.line(e.message);
      return 254;
    }
    throw e;
  }
}

/** Prints each outcome's report (and, for a failed simulated run, its replay command). */
function printOutcomes(argv: string[], opts: TestOptions, outcomes: TestOutcome[]): number {
  let code = 0;
  for (const outcome of outcomes) {
    console.log(`Seed: ${outcome.seed}`);
    console.log(`Store: ${outcome.store_path}`);
    if (outcome.results === undefined) {
      console.log(`Test crashed: ${outcome.error}`);
      return 255;
    }
    console.log(formatReport(outcome.results));
    code = outcome.exit_code;
    if (opts.sim && outcome.valid !== true) {
      console.log(`\nReplay: ${replayCommand(argv, outcome.seed)}`);
    }
  }
  return code;
}

async function determinismCommand(opts: TestOptions, ro: RunnerOptions): Promise<number> {
  const report = await checkDeterminism({ ...opts, test_count: 1 }, ro);
  for (const [i, run] of report.runs.entries()) {
    console.log(
      `Run ${i + 1}: history sha256 ${run.history_sha256}  journal sha256 ${run.journal_sha256}` +
        `  (${run.store_path}, ${verdictWord(report.outcomes[i].valid)})`,
    );
  }
  for (const finding of report.findings) console.log(`Nondeterministic call: ${finding}`);
  if (report.identical) {
    console.log(`Deterministic: seed ${opts.seed} gave byte-identical history and journal twice.`);
    return 0;
  }
  console.log(`NOT deterministic: ${report.divergence}`);
  return 1;
}

function verdictWord(valid: Validity): string {
  return valid === true ? "valid" : valid === false ? "invalid" : "unknown";
}

async function shrinkCommand(
  argv: string[],
  opts: TestOptions,
  failed: TestOutcome,
  ro: RunnerOptions,
): Promise<number> {
  console.log(`\nShrinking seed ${failed.seed} (at most ${MAX_SHRINK_TRIALS} trial runs) …`);
  const quiet: RunnerOptions = { ...ro, console: () => {}, progress: undefined };
  const result = await shrink(argv, { ...opts, seed: failed.seed }, failed, quiet, (step) => {
    const ops = step.max_ops === undefined ? "" : ` --max-ops ${step.max_ops}`;
    ro.console?.(
      `  --time-limit ${step.time_limit_s}${ops}: ${step.failed ? "fails" : "passes"}`,
    );
  });
  console.log(`Still failing ${result.checkers.join(", ")} with the smallest prefix found:`);
  console.log(`Shrunk: ${result.command}`);
  return failed.exit_code;
}

/**
 * The run `test` names: a path, or an index into the store's finished runs (-1 the newest).
 * Interrupted runs (no history.jsonl) are skipped by index and named in `notes`, so `analyze`
 * after a Ctrl-C checks the newest run that can be checked.
 */
function resolveStoredRun(store_root: string, test: string, notes: string[]): string {
  if (!/^-?\d+$/.test(test)) {
    if (!isRunComplete(test)) {
      throw new UsageError(
        "not a finished run (no test.json or history.jsonl: interrupted?)",
      );
    }
    return test;
  }
  const all = listStoredRuns(store_root);
  const runs = all.filter((run) => run.complete).map((run) => run.path);
  const index = Number(test);
  const path = runs[index < 0 ? runs.length + index : index];
  if (path === undefined) {
    const skipped = all.length - runs.length;
    const why = skipped > 0 ? ` (${skipped} interrupted run(s) skipped)` : "";
    throw new UsageError(`no stored test at index ${test} in ${store_root}${why}`);
  }
  const chosen = all.findIndex((run) => run.path === path);
  for (const run of all.slice(chosen + 1)) {
    if (!run.complete) notes.push(`analyze: skipping ${run.path}: interrupted (no history.jsonl)`);
  }
  return path;
}

/** The journal index where a harness-only final phase began, from a stored results.json. */
function harnessOnlyPhaseStart(path: string): number | undefined {
  try {
    const results = JSON.parse(Deno.readTextFileSync(join(path, "results.json")));
    const from = results?.net?.["harness-only-final-phase"]?.["from-event"];
    return Number.isSafeInteger(from) ? from : undefined;
  } catch {
    return undefined;
  }
}

/** Re-runs the checkers on a stored run and rewrites its results.json (and plots). */
export async function analyzeRun(path: string): Promise<CheckResult> {
  const opts = JSON.parse(Deno.readTextFileSync(join(path, "test.json"))) as TestOptions;
  const history = readJsonl(join(path, "history.jsonl")) as Op[];
  const net_stats = new NetStats();
  const messages = new MessagesDiagram(opts.nodes.length);
  // Where a harness-only final phase began in the journal, as the first analysis recorded it.
  const extra_from = harnessOnlyPhaseStart(path);
  let index = 0;
  for (const event of readJsonl(join(path, "messages.jsonl")) as JournalEvent[]) {
    if (index++ === extra_from) net_stats.startHarnessOnlyPhase();
    net_stats.add(event);
    messages.add(event);
  }
  if (index === extra_from) net_stats.startHarnessOnlyPhase();
  const factory = await loadWorkloadFactory(opts.workload);
  const workload = factory({ opts, rng: new Rng(opts.seed).fork("workload") });
  let node_errors: CheckResult | undefined;
  try {
    node_errors = JSON.parse(Deno.readTextFileSync(join(path, "node-errors.json")));
  } catch {
    node_errors = undefined;
  }
  const results = await analyzeHistory({
    opts,
    workload,
    history,
    store_path: path,
    net_stats,
    messages,
    node_errors,
  });
  Deno.writeTextFileSync(join(path, "results.json"), stringifyJson(results, 2) + "\n");
  writeReportOrWarn(path, undefined, (line) => console.error(line));
  return results;
}

async function analyzeCommand(argv: string[]): Promise<number> {
  let test = "-1";
  let store_dir = ".";
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if ((arg === "-t" || arg === "--test") && i + 1 < argv.length) test = argv[++i];
    else if (arg === "--store" && i + 1 < argv.length) store_dir = argv[++i];
    else if (arg === "-h" || arg === "--help") {
      console.log(COMMANDS_USAGE);
      return 0;
    } else {
      console.error(`analyze: unexpected argument ${arg}`);
      return 254;
    }
  }
  let path: string;
  const notes: string[] = [];
  try {
    path = resolveStoredRun(join(store_dir, "store"), test, notes);
  } catch (e) {
    console.error(`analyze: cannot find stored test ${test}: ${(e as Error).message}`);
    return 254;
  }
  for (const note of notes) console.error(note);
  let results: CheckResult;
  try {
    results = await analyzeRun(path);
  } catch (e) {
    // A truncated history.jsonl or messages.jsonl (a run killed while writing): name it, no stack.
    if (!(e instanceof SyntaxError || e instanceof Deno.errors.NotFound)) throw e;
    console.error(`analyze: cannot read stored test ${path}: ${e.message.split("\n")[0]}`);
    return 254;
  }
  console.log(`Store: ${path}`);
  console.log(formatReport(results));
  return exitCodeFor(results["valid?"]);
}

/** Runs the CLI and returns the exit code. */
export async function main(args: string[]): Promise<number> {
  const [command, ...rest] = args;
  switch (command) {
    case "test":
      return await testCommand(rest);
    case "analyze":
      return await analyzeCommand(rest);
    case "clean":
      return cleanCommand(rest);
    case "serve":
      return await serveCommand(rest);
    case "demo":
    case "doc":
      console.error(`${command} is not supported by the embedded harness`);
      return 254;
    case "-h":
    case "--help":
      console.log(COMMANDS_USAGE + "\n" + USAGE);
      return 0;
    case undefined:
      console.error(COMMANDS_USAGE);
      return 254;
    default:
      console.error(`Unknown command: ${command}\n${COMMANDS_USAGE}`);
      return 254;
  }
}

function onInterrupt(signal: Deno.Signal): void {
  killAllNodes();
  console.error(`\nmaelstrom: interrupted by ${signal}; node processes killed`);
  Deno.exit(130);
}

if (import.meta.main) {
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    Deno.addSignalListener(signal, () => onInterrupt(signal));
  }
  let code: number;
  try {
    code = await main(Deno.args);
  } catch (e) {
    console.error(`maelstrom: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
    code = 255;
  }
  Deno.exit(code);
}
