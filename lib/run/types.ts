/**
 * The vocabulary of the run table (run.ts): which challenge a row runs, the
 * Maelstrom flags it passes, and the targets it is judged by. The types are
 * closed, so a misspelt flag or metric in the table is a type error.
 *
 * @module
 */

/** Challenges with a binary `bin/<name>` built from `challenges/<name>.ts`. */
export const CHALLENGES = [
  "echo",
  "unique-ids",
  "broadcast",
  "g-counter",
  "kafka",
  "txn-rw-register",
  "txn-list-append",
  "lin-kv",
] as const;
export type Challenge = typeof CHALLENGES[number];

/** Workloads the rows use (Maelstrom's names). */
export type RowWorkload =
  | "echo"
  | "unique-ids"
  | "broadcast"
  | "g-counter"
  | "kafka"
  | "txn-rw-register"
  | "txn-list-append"
  | "lin-kv";

/** Consistency models the rows name (a subset of the models Elle knows). */
export type ConsistencyModel =
  | "read-uncommitted"
  | "read-committed"
  | "repeatable-read"
  | "snapshot-isolation"
  | "serializable"
  | "strict-serializable";

/** `--concurrency`: a plain thread count, or `Kn` (K threads per node). */
export type Concurrency = number | `${number}n`;

/** Every Maelstrom `test` flag a documented invocation uses, typed. Absent means the default. */
export interface RowFlags {
  node_count?: number;
  time_limit_s?: number;
  rate?: number;
  concurrency?: Concurrency;
  latency_ms?: number;
  nemesis?: "partition";
  nemesis_interval_s?: number;
  availability?: "total" | number;
  consistency_models?: readonly ConsistencyModel[];
  test_count?: number;
  topology?: "line" | "grid" | "tree" | "tree2" | "tree3" | "tree4" | "total";
  /** Arguments after `--`, passed to the binary. */
  bin_args?: readonly string[];
}

/** The figures a run is judged by (see lib/run/figures.ts for how each is read). */
export const METRICS = [
  "servers_msgs_per_op",
  "all_msgs_per_op",
  "stable_latency_median_ms",
  "stable_latency_max_ms",
  "ok_fraction",
  "latency_median_ms",
  "latency_p99_ms",
  "ok_latency_median_ms",
  "ok_latency_p99_ms",
  "run_time_s",
] as const;
export type Metric = typeof METRICS[number];

/** One bound on one figure: `figure <op> value`. */
export interface Target {
  metric: Metric;
  op: "<" | "<=" | ">=";
  value: number;
}

/** One documented invocation. */
export interface RunRow {
  challenge: Challenge;
  /** Part label: Fly.io's "3d", or a guide chapter such as "raft-4". */
  part: string;
  /** Where the invocation is documented. */
  source: string;
  workload: RowWorkload;
  /** The binary, `bin/<challenge>` relative to the repository root. */
  bin: `bin/${Challenge}`;
  flags: RowFlags;
  /** Targets as the source states them (shown, and also required). */
  stated_targets?: readonly Target[];
  /** Our own, stricter targets (required for the row to pass). */
  our_targets?: readonly Target[];
  /** A short note shown in `--list` (e.g. why a row has no target). */
  note?: string;
}

/** A row with its unique id (`3d.2`, `raft-4.1`, or the part when it is alone). */
export interface IndexedRow extends RunRow {
  id: string;
}
