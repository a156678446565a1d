/**
 * The summary of a `deno task run`: per row, the verdict over its repeated
 * runs, the median of every figure over the runs that completed (crashed runs
 * are counted in the verdict, not in the figures), and each target checked
 * against those medians; then the table, the JSON document and the exit code.
 *
 * A row passes only if every run was valid and the medians meet every target
 * the row has (stated and ours).
 *
 * @module
 */

import { type Figures, median, type Validity } from "./figures.ts";
import {
  checkTargets,
  describeMiss,
  formatBound,
  formatFigure,
  type TargetCheck,
} from "./targets.ts";
import { type IndexedRow, type Metric, METRICS } from "./types.ts";

/** The result of one run of one row. */
export interface RunRecord {
  /** The harness's exit code; undefined when it could not be started or was killed. */
  exit_code?: number;
  /** `valid?` from the results map, when it could be read. */
  validity?: Validity;
  /** Checkers that judged the run invalid or unknown, e.g. `workload: false`. */
  failing?: string[];
  figures: Figures;
  seed?: number;
  store_path?: string;
  /** A sweep deleted the store of this valid run after reading it. */
  store_removed?: boolean;
  /** Simulated runs: SHA-256 of history.jsonl and messages.jsonl, equal for equal seeds. */
  history_sha256?: string;
  journal_sha256?: string;
  /** Problems reading the store, timeouts, spawn failures. */
  problems: string[];
}

/** The worst outcome first: a row's verdict is the worst over its runs, then its targets. */
export const VERDICTS = ["error", "crash", "invalid", "unknown", "missed", "pass"] as const;
export type Verdict = typeof VERDICTS[number];

/** One row's summary. */
export interface RowSummary {
  id: string;
  part: string;
  challenge: string;
  workload: string;
  command: string;
  verdict: Verdict;
  /** Median of each figure over the completed runs that produced it (crashes left out). */
  figures: Figures;
  checks: TargetCheck[];
  runs: RunRecord[];
}

/** The verdict of one run from its exit code and results (harness.md §1 exit codes). */
export function runVerdict(run: RunRecord): Exclude<Verdict, "missed"> {
  const code = run.exit_code;
  if (code === undefined || code === 254) return "error";
  if (code === 255) return "crash";
  if (code === 1 || run.validity === false) return "invalid";
  if (code === 2 || run.validity === "unknown") return "unknown";
  if (code !== 0) return "crash";
  // An exit 0 that left no results behind proves nothing.
  if (run.store_path === undefined) return "error";
  return "pass";
}

/** The median of every metric over `runs`; a metric no run produced stays absent. */
export function medianFigures(runs: readonly { figures: Figures }[]): Figures {
  const figures: Figures = {};
  for (const metric of METRICS) {
    const values = runs.flatMap((run) => run.figures[metric] ?? []);
    const value = median(values);
    if (value !== undefined) figures[metric] = value;
  }
  return figures;
}

/**
 * Whether a run got as far as its checkers (valid, invalid or unknown): only those runs' figures
 * describe the node; a crashed or unstartable run's figures (its run time, a partial store) would
 * drag the medians.
 */
export function runCompleted(run: RunRecord): boolean {
  const verdict = runVerdict(run);
  return verdict !== "crash" && verdict !== "error";
}

/** Summarises the runs of `row`: medians over its completed runs, the worst verdict of all. */
export function summarizeRow(row: IndexedRow, command: string, runs: RunRecord[]): RowSummary {
  const figures = medianFigures(runs.filter(runCompleted));
  const checks = checkTargets(row, figures);
  let verdict: Verdict = runs.length === 0 ? "error" : "pass";
  for (const run of runs) verdict = worse(verdict, runVerdict(run));
  if (verdict === "pass" && checks.some((check) => !check.met)) verdict = "missed";
  return {
    id: row.id,
    part: row.part,
    challenge: row.challenge,
    workload: row.workload,
    command,
    verdict,
    figures,
    checks,
    runs,
  };
}

/** 0 when every row passed, else 1. */
export function exitCode(rows: readonly RowSummary[]): number {
  return rows.length > 0 && rows.every((row) => row.verdict === "pass") ? 0 : 1;
}

function worse(a: Verdict, b: Verdict): Verdict {
  return VERDICTS.indexOf(a) <= VERDICTS.indexOf(b) ? a : b;
}

/** How the whole run was made, for the summary header and JSON. */
export interface SummaryContext {
  harness: "embedded" | "maelstrom";
  repeat: number;
  /** Set when `--time-limit` overrode the rows' time limits (a smoke run). */
  smoke_time_limit_s?: number;
  seed?: number;
}

/** The summary as a JSON document for scripts. */
export function summaryJson(context: SummaryContext, rows: readonly RowSummary[]): unknown {
  return { ...context, passed: exitCode(rows) === 0, rows };
}

const COLUMNS: { metric: Metric; title: string }[] = [
  { metric: "servers_msgs_per_op", title: "srv msg/op" },
  { metric: "all_msgs_per_op", title: "all msg/op" },
  { metric: "stable_latency_median_ms", title: "stable p50 ms" },
  { metric: "stable_latency_max_ms", title: "stable max ms" },
  { metric: "ok_fraction", title: "ok frac" },
  // Every completion, as Jepsen's perf checker counts them; the ok-only figure is labelled so.
  { metric: "latency_median_ms", title: "lat p50 ms" },
  { metric: "latency_p99_ms", title: "lat p99 ms" },
  { metric: "ok_latency_median_ms", title: "ok lat p50 ms" },
  { metric: "run_time_s", title: "time s" },
];

/** One table cell: the figure, then each bound on it and ✓/✗ (e.g. `11.20 ≤12.5 <30 ✓`). */
export function formatCell(metric: Metric, figures: Figures, checks: readonly TargetCheck[]) {
  const value = figures[metric];
  const bounds = checks.filter((check) => check.metric === metric);
  const shown = value === undefined ? "-" : formatFigure(metric, value);
  if (bounds.length === 0) return shown;
  const mark = bounds.every((check) => check.met) ? "✓" : "✗";
  return `${shown} ${bounds.map(formatBound).join(" ")} ${mark}`;
}

/** The summary table with a header, one line per row, misses and problems below. */
export function renderSummary(context: SummaryContext, rows: readonly RowSummary[]): string {
  const header = ["row", "verdict", ...COLUMNS.map((column) => column.title)];
  const body = rows.map((row) => [
    row.id,
    verdictCell(row),
    ...COLUMNS.map((column) => formatCell(column.metric, row.figures, row.checks)),
  ]);
  const widths = header.map((_, i) => Math.max(...[header, ...body].map((line) => width(line[i]))));
  const format = (line: string[]) =>
    line.map((cell, i) => cell + " ".repeat(widths[i] - width(cell))).join("  ").trimEnd();
  const lines = [
    summaryTitle(context),
    format(header),
    format(widths.map((w) => "-".repeat(w))),
    ...body.map(format),
  ];
  const notes = rows.flatMap(rowNotes);
  if (notes.length > 0) lines.push("", ...notes);
  const passed = rows.filter((row) => row.verdict === "pass").length;
  lines.push("", `${passed} of ${rows.length} rows pass.`);
  return lines.join("\n");
}

const RUN_OUTCOME: Record<Exclude<Verdict, "missed">, string> = {
  error: "failed to run",
  crash: "crashed",
  invalid: "invalid",
  unknown: "unknown",
  pass: "passed",
};

/**
 * The verdict column: the row's verdict, and with repeats how many runs it stands for, e.g.
 * `crash (1 of 3 crashed)`, `pass (3 runs)`, `missed (3 runs)`.
 */
export function verdictCell(row: Pick<RowSummary, "verdict" | "runs">): string {
  const total = row.runs.length;
  if (total <= 1) return row.verdict;
  if (row.verdict === "missed") return `missed (${total} runs)`;
  const count = row.runs.filter((run) => runVerdict(run) === row.verdict).length;
  if (count === total) return `${row.verdict} (${total} runs)`;
  return `${row.verdict} (${count} of ${total} ${RUN_OUTCOME[row.verdict]})`;
}

function summaryTitle(context: SummaryContext): string {
  const parts = [
    context.harness === "embedded" ? "embedded harness" : "real Maelstrom",
    context.repeat > 1 ? `medians of ${context.repeat} runs` : "one run per row",
  ];
  if (context.seed !== undefined) parts.push(`seed ${context.seed}`);
  if (context.smoke_time_limit_s !== undefined) {
    parts.push(`SMOKE RUN: --time-limit ${context.smoke_time_limit_s} overrides the table`);
  }
  return `Summary (${parts.join("; ")})`;
}

function rowNotes(row: RowSummary): string[] {
  const notes = row.checks.filter((check) => !check.met).map((check) =>
    `${row.id}: missed ${describeMiss(check)}`
  );
  row.runs.forEach((run, i) => {
    const label = row.runs.length > 1 ? `${row.id} run ${i + 1}` : row.id;
    if (runVerdict(run) !== "pass") {
      const code = run.exit_code === undefined ? "no exit code" : `exit ${run.exit_code}`;
      const failing = run.failing?.length ? ` [${run.failing.join(", ")}]` : "";
      const store = run.store_path ? ` ${run.store_path}` : "";
      notes.push(`${label}: ${runVerdict(run)} (${code})${failing}${store}`);
    }
    for (const problem of run.problems) notes.push(`${label}: ${problem}`);
  });
  return notes;
}

/** Display width: the check marks and ≤ are one column each, like any other character. */
function width(text: string): number {
  return [...text].length;
}
