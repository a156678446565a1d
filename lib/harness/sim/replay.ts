/**
 * What the simulator's determinism buys: the exact command that replays a
 * run, a check that two runs of one seed are byte-identical, and shrinking a
 * failing run to the shortest prefix that still fails.
 *
 * All three rest on one property: in `--sim` the same seed and flags give the
 * same `history.jsonl` and `messages.jsonl`, byte for byte. Neither file holds
 * a wall-clock field (times are virtual), so their hashes are compared whole.
 *
 * @module
 */

import { join } from "node:path";
import { rewriteArgs, shellCommand } from "../cli.ts";
import { type RunnerOptions, runTest, type TestOutcome } from "../runner.ts";
import type { CheckResult, TestOptions } from "../types.ts";

/**
 * How the user started the harness (tools/maelstrom passes it on; `deno task maelstrom` says so),
 * so a printed command can be pasted back as it is; `tools/maelstrom` from the repository root
 * otherwise.
 */
export function harnessCommand(): string[] {
  const invoked = Deno.env.get("MAELSTROM_INVOKED_AS")?.trim();
  return [...(invoked ? invoked.split(/\s+/) : ["tools/maelstrom"]), "test"];
}

/** Options that describe how to run rather than what: never part of a replay command. */
const RUN_MODE_OPTIONS = ["--sim", "--seed", "--check-determinism", "--shrink", "--test-count"];

/** At most this many trial runs per shrink: a binary search over time, then over ops. */
export const MAX_SHRINK_TRIALS = 40;

/** Checkers whose failure is a symptom of another (few ops, no ops): not a failure to chase. */
const SECONDARY_CHECKERS = new Set(["stats", "availability", "perf", "timeline", "net"]);

/** The command that replays `argv` with `seed` in the simulator (and any `extra` options). */
export function replayCommand(
  argv: readonly string[],
  seed: number,
  extra: readonly string[] = [],
): string {
  const args = rewriteArgs(argv, RUN_MODE_OPTIONS, ["--sim", "--seed", String(seed), ...extra]);
  return shellCommand([...harnessCommand(), ...args]);
}

/** The hashes of one run's replayable outputs. */
export interface RunFingerprint {
  store_path: string;
  history_sha256: string;
  journal_sha256: string;
}

/** The verdict of `--check-determinism`. */
export interface DeterminismReport {
  identical: boolean;
  runs: [RunFingerprint, RunFingerprint];
  /** Where the two runs first differ, in plain words; undefined when identical. */
  divergence?: string;
  /** The guard's findings: calls behind the runtime's back, by node. */
  findings: string[];
  outcomes: [TestOutcome, TestOutcome];
}

/** SHA-256 of a file, in hex. */
export async function fileSha256(path: string): Promise<string> {
  const bytes = await Deno.readFile(path);
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return [...digest].map((b) => b.toString(16).padStart(2, "0")).join("");
}

async function fingerprint(store_path: string): Promise<RunFingerprint> {
  return {
    store_path,
    history_sha256: await fileSha256(join(store_path, "history.jsonl")),
    journal_sha256: await fileSha256(join(store_path, "messages.jsonl")),
  };
}

/** Runs the test twice with the same seed and compares history and journal byte for byte. */
export async function checkDeterminism(
  opts: TestOptions,
  ro: RunnerOptions,
): Promise<DeterminismReport> {
  const first = await runTest(opts, ro);
  const second = await runTest(opts, ro);
  const runs: [RunFingerprint, RunFingerprint] = [
    await fingerprint(first.store_path),
    await fingerprint(second.store_path),
  ];
  const identical = runs[0].history_sha256 === runs[1].history_sha256 &&
    runs[0].journal_sha256 === runs[1].journal_sha256;
  const findings = [...guardFindings(first.results), ...guardFindings(second.results)];
  const report: DeterminismReport = {
    identical,
    runs,
    findings: [...new Set(findings)],
    outcomes: [first, second],
  };
  if (!identical) report.divergence = await firstDivergence(first.store_path, second.store_path);
  return report;
}

/** The simulator's record of nondeterministic calls, one line each. */
export function guardFindings(results: CheckResult | undefined): string[] {
  const simulation = results?.simulation as CheckResult | undefined;
  const calls = simulation?.["nondeterministic-calls"];
  if (!Array.isArray(calls)) return [];
  return calls.map((c) => {
    const call = c as { node?: string; call?: string; at?: string; count?: number };
    return `node ${call.node} called ${call.call} at ${call.at} (${call.count}x)`;
  });
}

/** The first line where the journals (then the histories) of two runs differ. */
async function firstDivergence(a: string, b: string): Promise<string> {
  for (const file of ["messages.jsonl", "history.jsonl"]) {
    const lines_a = (await Deno.readTextFile(join(a, file))).split("\n");
    const lines_b = (await Deno.readTextFile(join(b, file))).split("\n");
    const n = Math.max(lines_a.length, lines_b.length);
    for (let i = 0; i < n; i++) {
      if (lines_a[i] === lines_b[i]) continue;
      return `${file} line ${i + 1} differs${senderOf(lines_a[i], lines_b[i])}:\n` +
        `  run 1: ${clip(lines_a[i])}\n  run 2: ${clip(lines_b[i])}`;
    }
  }
  return "the files differ but no line does (line endings?)";
}

/** ", sent by nX" when the first differing journal line names a server node as its source. */
function senderOf(a: string | undefined, b: string | undefined): string {
  for (const line of [a, b]) {
    if (line === undefined) continue;
    try {
      const event = JSON.parse(line) as { message?: { src?: string } };
      const src = event.message?.src;
      if (typeof src === "string" && !src.startsWith("c")) return `, sent by ${src}`;
    } catch { /* Not JSON: say nothing. */ }
  }
  return "";
}

function clip(line: string | undefined): string {
  if (line === undefined) return "(no line: the file ended)";
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}

/** The checkers that failed, the ones worth chasing first. */
export function failingCheckers(results: CheckResult | undefined): string[] {
  if (results === undefined) return [];
  const failing = Object.entries(results)
    .filter(([key, value]) =>
      key !== "valid?" && typeof value === "object" && value !== null &&
      (value as CheckResult)["valid?"] === false
    )
    .map(([key]) => key);
  const primary = failing.filter((key) => !SECONDARY_CHECKERS.has(key));
  return primary.length > 0 ? primary : failing;
}

/** One trial of a shrink, for the progress log. */
export interface ShrinkStep {
  time_limit_s: number;
  max_ops?: number;
  failed: boolean;
}

/** The outcome of `--shrink`. */
export interface ShrinkResult {
  /** The checkers the original run failed, which every accepted trial must fail too. */
  checkers: string[];
  time_limit_s: number;
  max_ops?: number;
  steps: ShrinkStep[];
  command: string;
}

/**
 * Searches the shortest failing prefix of `opts` (which must fail): first the smallest
 * `--time-limit` that still fails one of the same checkers, then the fewest ops. A binary
 * search assumes a shorter prefix fails no more often than a longer one; each accepted step
 * was seen to fail, so the printed command fails even where that assumption does not hold.
 */
export async function shrink(
  argv: readonly string[],
  opts: TestOptions,
  original: TestOutcome,
  ro: RunnerOptions,
  on_step: (step: ShrinkStep) => void = () => {},
): Promise<ShrinkResult> {
  const checkers = failingCheckers(original.results);
  const steps: ShrinkStep[] = [];
  const scratch = await Deno.makeTempDir({ prefix: "maelstrom-shrink-" });
  const trial = async (time_limit_s: number, max_ops?: number): Promise<TestOutcome> => {
    const outcome = await runTest(
      { ...opts, time_limit_s, max_ops, store_dir: scratch, test_count: 1 },
      ro,
    );
    const failed = failingCheckers(outcome.results).some((c) => checkers.includes(c));
    const step: ShrinkStep = { time_limit_s, ...(max_ops ? { max_ops } : {}), failed };
    steps.push(step);
    on_step(step);
    return outcome;
  };
  try {
    let lo_s = 1;
    let hi_s = opts.time_limit_s;
    let hi_outcome = original;
    while (lo_s < hi_s && steps.length < MAX_SHRINK_TRIALS) {
      const mid_s = Math.floor((lo_s + hi_s) / 2);
      const outcome = await trial(mid_s, opts.max_ops);
      if (steps[steps.length - 1].failed) {
        hi_s = mid_s;
        hi_outcome = outcome;
      } else lo_s = mid_s + 1;
    }
    const time_limit_s = hi_s;
    let lo_ops = 1;
    let hi_ops = await mainPhaseOps(hi_outcome.store_path);
    const ops_bound = hi_ops;
    while (lo_ops < hi_ops && steps.length < MAX_SHRINK_TRIALS) {
      const mid_ops = Math.floor((lo_ops + hi_ops) / 2);
      await trial(time_limit_s, mid_ops);
      if (steps[steps.length - 1].failed) hi_ops = mid_ops;
      else lo_ops = mid_ops + 1;
    }
    const max_ops = hi_ops < ops_bound ? hi_ops : opts.max_ops;
    const extra = ["--time-limit", String(time_limit_s)];
    if (max_ops !== undefined) extra.push("--max-ops", String(max_ops));
    const command = replayCommand(
      rewriteArgs(argv, ["--time-limit", "--max-ops"], []),
      original.seed,
      extra,
    );
    return { checkers, time_limit_s, ...(max_ops ? { max_ops } : {}), steps, command };
  } finally {
    await Deno.remove(scratch, { recursive: true }).catch(() => {});
  }
}

/** Client ops invoked in the main phase of a stored run (final reads excluded). */
async function mainPhaseOps(store_path: string): Promise<number> {
  const text = await Deno.readTextFile(join(store_path, "history.jsonl"));
  let count = 0;
  for (const line of text.split("\n")) {
    if (line === "") continue;
    const op = JSON.parse(line) as { type?: string; process?: unknown; final?: boolean };
    if (op.type === "invoke" && op.process !== "nemesis" && op.final !== true) count++;
  }
  return count;
}
