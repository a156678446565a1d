/**
 * Renders run-table rows: row ids, the `test` argument vector for the embedded
 * harness or a real Maelstrom, and copy-pasteable shell command lines.
 *
 * Flags are rendered in one canonical order, so the same row always prints the
 * same command; `--seed` exists only in the embedded harness and is never
 * rendered for a real Maelstrom.
 *
 * @module
 */

import { formatBound } from "./targets.ts";
import type { IndexedRow, RowFlags, RunRow, Target } from "./types.ts";

/** Which program a command line is for. */
export type Harness =
  | { kind: "embedded" }
  | { kind: "maelstrom"; path: string };

/** Per-invocation overrides from the `run` command line. */
export interface RenderOptions {
  /** Replaces the row's `--time-limit` (smoke runs). */
  time_limit_s?: number;
  /** Embedded harness only. */
  seed?: number;
  /** Replaces the row's `--bin` (e.g. an absolute path). */
  bin?: string;
  /** Embedded harness only: `--sim`, with the challenge's module as `--bin` (no build needed). */
  sim?: boolean;
  /** Embedded harness only: `--store DIR`. */
  store_dir?: string;
  /** Embedded harness only: `--outputs failures` (sweeps delete valid runs' stores anyway). */
  outputs_on_failure?: boolean;
}

/** Gives every row an id: its part, suffixed `.1`, `.2`, … when the part has several rows. */
export function indexRows(rows: readonly RunRow[]): IndexedRow[] {
  const count_by_part = new Map<string, number>();
  for (const row of rows) count_by_part.set(row.part, (count_by_part.get(row.part) ?? 0) + 1);
  const seen_by_part = new Map<string, number>();
  return rows.map((row) => {
    const position = (seen_by_part.get(row.part) ?? 0) + 1;
    seen_by_part.set(row.part, position);
    const id = count_by_part.get(row.part) === 1 ? row.part : `${row.part}.${position}`;
    return { ...row, id };
  });
}

/** The `test` arguments for `row` (without the program name), e.g. `["test", "-w", "echo", …]`. */
export function testArgs(row: RunRow, harness: Harness, options: RenderOptions = {}): string[] {
  const sim = harness.kind === "embedded" && options.sim === true;
  const bin = options.bin ?? (sim ? simModule(row) : row.bin);
  const args = ["test", "-w", row.workload, "--bin", bin];
  args.push(...flagArgs(row.flags, options.time_limit_s));
  if (harness.kind === "embedded") {
    if (sim) args.push("--sim");
    if (options.seed !== undefined) args.push("--seed", String(options.seed));
    if (options.store_dir !== undefined) args.push("--store", options.store_dir);
    if (options.outputs_on_failure) args.push("--outputs", "failures");
  }
  const bin_args = row.flags.bin_args ?? [];
  if (bin_args.length > 0) args.push("--", ...bin_args);
  return args;
}

/** The module the simulator loads for `row`: the challenge's own source file. */
export function simModule(row: RunRow): string {
  return `challenges/${row.challenge}.ts`;
}

/** The Maelstrom flags of `flags` in canonical order; `time_limit_s` overrides `--time-limit`. */
export function flagArgs(flags: RowFlags, time_limit_s?: number): string[] {
  const args: string[] = [];
  const add = (name: string, value: string | number | undefined) => {
    if (value !== undefined) args.push(name, String(value));
  };
  add("--node-count", flags.node_count);
  add("--concurrency", flags.concurrency);
  add("--time-limit", time_limit_s ?? flags.time_limit_s);
  add("--rate", flags.rate);
  add("--latency", flags.latency_ms);
  add("--nemesis", flags.nemesis);
  add("--nemesis-interval", flags.nemesis_interval_s);
  add("--topology", flags.topology);
  add("--availability", flags.availability);
  // Maelstrom splits this option on whitespace-surrounded commas.
  add("--consistency-models", flags.consistency_models?.join(" , "));
  add("--test-count", flags.test_count);
  return args;
}

/** The program and arguments that run `row` on `harness`. */
export function commandFor(
  row: RunRow,
  harness: Harness,
  options: RenderOptions = {},
): { program: string[]; args: string[] } {
  const args = testArgs(row, harness, options);
  if (harness.kind === "maelstrom") return { program: [harness.path], args };
  // tools/maelstrom is the drop-in launcher: the printed line works from the repository root
  // as it is, and (with tools/maelstrom on PATH as `maelstrom`) from anywhere.
  return { program: ["tools/maelstrom"], args };
}

/** A copy-pasteable shell command line for `row` on `harness`. */
export function commandLine(row: RunRow, harness: Harness, options: RenderOptions = {}): string {
  const { program, args } = commandFor(row, harness, options);
  return [...program, ...args].map(shellWord).join(" ");
}

/** Quotes `word` for a POSIX shell only when it needs it. */
export function shellWord(word: string): string {
  if (/^[A-Za-z0-9_\-+=.,/:@%]+$/.test(word)) return word;
  return `'${word.replaceAll("'", `'"'"'`)}'`;
}

/** A description of a row for `--list`: its flags, then its targets and note, if any. */
export function describeRow(row: IndexedRow): string {
  const flags = flagArgs(row.flags).join(" ");
  const bin_args = row.flags.bin_args?.length ? ` -- ${row.flags.bin_args.join(" ")}` : "";
  const lines = [
    `${row.id.padEnd(12)} ${row.workload.padEnd(16)} ${row.bin.padEnd(21)} ${flags}${bin_args}`,
  ];
  const indent = " ".repeat(13);
  const targets = (label: string, list: readonly Target[] | undefined) => {
    if (!list?.length) return;
    const bounds = list.map((t) => `${t.metric} ${formatBound(t)}`).join(", ");
    lines.push(`${indent}${label}: ${bounds}`);
  };
  targets("stated targets", row.stated_targets);
  targets("our targets", row.our_targets);
  if (row.note) lines.push(`${indent}note: ${row.note}`);
  lines.push(`${indent}source: ${row.source}`);
  return lines.join("\n");
}
