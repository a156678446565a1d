/**
 * `deno task run --compare REAL.json SIM.json`: two summaries of the same rows
 * side by side — typically a real-time run and a simulated one — with each
 * row's wall time, their ratio, and servers msgs/op with the simulator's
 * deviation from real time. This is how the simulator's speed and fidelity
 * targets are measured (issue 14): both files come from `deno task run … --json`.
 *
 * @module
 */

import type { Figures } from "./figures.ts";

/** The part of a `--json` summary the comparison reads. */
export interface SummaryFile {
  sim?: boolean;
  wall_time_s?: number;
  rows: { id: string; verdict: string; figures: Figures; runs: { figures: Figures }[] }[];
}

/** One row of the comparison. */
export interface ComparedRow {
  id: string;
  verdicts: [string, string];
  /** Median wall seconds per run of the row. */
  wall_s: [number | undefined, number | undefined];
  /** How many times faster the second is (first / second). */
  speedup?: number;
  msgs_per_op: [number | undefined, number | undefined];
  /** (second - first) / first, when both are defined and the first is not 0. */
  msgs_deviation?: number;
}

/** Pairs the rows of two summaries by id, in the first's order. */
export function compareSummaries(a: SummaryFile, b: SummaryFile): ComparedRow[] {
  const other = new Map(b.rows.map((row) => [row.id, row]));
  return a.rows.flatMap((row) => {
    const twin = other.get(row.id);
    if (twin === undefined) return [];
    const wall_a = row.figures.run_time_s;
    const wall_b = twin.figures.run_time_s;
    const msgs_a = row.figures.servers_msgs_per_op;
    const msgs_b = twin.figures.servers_msgs_per_op;
    return [{
      id: row.id,
      verdicts: [row.verdict, twin.verdict],
      wall_s: [wall_a, wall_b],
      ...(wall_a !== undefined && wall_b ? { speedup: wall_a / wall_b } : {}),
      msgs_per_op: [msgs_a, msgs_b],
      ...(msgs_a !== undefined && msgs_b !== undefined && msgs_a !== 0
        ? { msgs_deviation: (msgs_b - msgs_a) / msgs_a }
        : {}),
    }];
  });
}

function cell(value: number | undefined, digits: number): string {
  return value === undefined ? "-" : value.toFixed(digits);
}

/** The comparison as a text table, with totals of the wall times. */
export function renderComparison(rows: readonly ComparedRow[], labels: [string, string]): string {
  const header = [
    "row",
    `${labels[0]} verdict`,
    `${labels[1]} verdict`,
    `${labels[0]} wall s`,
    `${labels[1]} wall s`,
    "speed-up",
    `${labels[0]} srv msg/op`,
    `${labels[1]} srv msg/op`,
    "deviation",
  ];
  const body = rows.map((row) => [
    row.id,
    row.verdicts[0],
    row.verdicts[1],
    cell(row.wall_s[0], 1),
    cell(row.wall_s[1], 1),
    row.speedup === undefined ? "-" : `${row.speedup.toFixed(0)}x`,
    cell(row.msgs_per_op[0], 2),
    cell(row.msgs_per_op[1], 2),
    row.msgs_deviation === undefined ? "-" : `${(row.msgs_deviation * 100).toFixed(1)}%`,
  ]);
  const widths = header.map((_, i) => Math.max(...[header, ...body].map((line) => line[i].length)));
  const format = (line: string[]) => line.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd();
  const total = (i: 0 | 1) => rows.reduce((sum, row) => sum + (row.wall_s[i] ?? 0), 0);
  return [
    format(header),
    format(widths.map((w) => "-".repeat(w))),
    ...body.map(format),
    "",
    `Sum of row wall times: ${labels[0]} ${total(0).toFixed(0)} s, ${labels[1]} ${
      total(1).toFixed(0)
    } s.`,
  ].join("\n");
}
