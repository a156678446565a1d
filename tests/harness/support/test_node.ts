/**
 * Runs the tiny test nodes of tests/harness/nodes/ as real processes: a launcher for a node, and
 * one harness run of a node in a temporary store (removed afterwards), for the e2e tests.
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import { writeLauncher } from "../../../lib/launcher.ts";
import { type RunnerOptions, runTest, type TestOutcome } from "../../../lib/harness/runner.ts";
import type { CheckResult, TestOptions } from "../../../lib/harness/types.ts";
import { section } from "../../support/harness_run.ts";

/** Writes the executable `${dir}/<node>` that runs tests/harness/nodes/<node>.ts (or `script`). */
export async function nodeLauncher(dir: string, node: string, script?: URL): Promise<string> {
  const bin = `${dir}/${node}`;
  const source = script ?? new URL(`../nodes/${node}.ts`, import.meta.url);
  await writeLauncher(bin, fileURLToPath(source));
  return bin;
}

/**
 * Runs test node `node` through the harness with the options `options(bin, store_dir)` builds,
 * quietly, in a fresh temporary store.
 */
export async function runTestNode(
  node: string,
  options: (bin: string, store_dir: string) => TestOptions,
  runner: RunnerOptions = {},
): Promise<TestOutcome> {
  const dir = await Deno.makeTempDir({ prefix: `e2e-${node}-` });
  try {
    const bin = await nodeLauncher(dir, node);
    return await runTest(options(bin, dir), { console: () => {}, ...runner });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** The workload's result of a run that reached its checkers. */
export function workloadResult(outcome: TestOutcome): CheckResult {
  return section(outcome, "workload") as CheckResult;
}
