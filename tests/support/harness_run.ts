// Runs a challenge through the embedded harness, as `maelstrom test` would, in a
// temporary store: the shared helper for the challenges' short end-to-end tests.

import { fileURLToPath } from "node:url";
import { parseTestArgs } from "../../lib/harness/cli.ts";
import { runTest, type TestOutcome } from "../../lib/harness/runner.ts";
import { writeLauncher } from "../../lib/launcher.ts";

/**
 * How a test runs a challenge: in the simulator (the default: deterministic, so figures can be
 * asserted whatever the machine's load), or as real node processes.
 */
export type RunMode = "sim" | "process";

/**
 * Runs `challenges/<challenge>.ts` with Maelstrom `test` flags; `recovery_ms` shortens the final
 * wait. In the simulator a run without `--seed` gets seed 1, so it is the same run every time.
 */
export async function runChallenge(
  challenge: string,
  argv: string[],
  recovery_ms = 1000,
  mode: RunMode = "sim",
): Promise<TestOutcome> {
  const dir = await Deno.makeTempDir({ prefix: `${challenge}-harness-` });
  try {
    const script = fileURLToPath(new URL(`../../challenges/${challenge}.ts`, import.meta.url));
    let bin = script;
    const extra: string[] = [];
    if (mode === "process") {
      bin = `${dir}/${challenge}`;
      await writeLauncher(bin, script);
    } else {
      extra.push("--sim");
      if (!argv.includes("--seed")) extra.push("--seed", "1");
    }
    const opts = parseTestArgs(["--bin", bin, "--store", dir, ...extra, ...argv]);
    return await runTest(opts, { recovery_ms, console: () => {} });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** A run's results section `name` (e.g. "workload", "net"), for assertions. */
export function section(outcome: TestOutcome, name: string): Record<string, unknown> {
  if (!outcome.results) throw new Error(`run aborted: ${outcome.error}`);
  return outcome.results[name] as Record<string, unknown>;
}

/** Servers msgs-per-op of a run. */
export function serversMsgsPerOp(outcome: TestOutcome): number {
  return (section(outcome, "net").servers as Record<string, number>)["msgs-per-op"];
}

/** A run's verdict, with the parts of the results a failure message needs. */
export function runSummary(outcome: TestOutcome) {
  return {
    valid: outcome.valid,
    workload: section(outcome, "workload"),
    servers_msgs_per_op: serversMsgsPerOp(outcome),
    ok_fraction: section(outcome, "availability")["ok-fraction"] as number,
  };
}
