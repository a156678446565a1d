// Short simulated runs into a temporary store, for the report's tests.

import { fileURLToPath } from "node:url";
import { parseTestArgs } from "../../../lib/harness/cli.ts";
import { runTest, type TestOutcome } from "../../../lib/harness/runner.ts";

/** The absolute path of a repository file. */
export function repoPath(relative: string): string {
  return fileURLToPath(new URL(`../../../${relative}`, import.meta.url));
}

/** A valid broadcast run: 5 nodes, 3 s, in the simulator. */
export const BROADCAST_ARGS = [
  "-w",
  "broadcast",
  "--node-count",
  "5",
  "--time-limit",
  "3",
  "--rate",
  "50",
  "--latency",
  "20",
  "--nemesis",
  "partition",
  "--nemesis-interval",
  "1",
];

/** An invalid kafka run of the lossy fixture: 1 node, 2 s. */
export const KAFKA_LOSSY_ARGS = [
  "-w",
  "kafka",
  "--node-count",
  "1",
  "--concurrency",
  "2n",
  "--time-limit",
  "2",
  "--rate",
  "200",
];

/** Runs `bin` (a repository-relative .ts module) in the simulator with its store under `dir`. */
export async function simRun(dir: string, bin: string, argv: string[]): Promise<TestOutcome> {
  const opts = parseTestArgs([
    "--bin",
    repoPath(bin),
    "--store",
    dir,
    "--sim",
    "--seed",
    "7",
    ...argv,
  ]);
  return await runTest(opts, { recovery_ms: 10_000, console: () => {} });
}
