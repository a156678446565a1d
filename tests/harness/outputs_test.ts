/**
 * `--outputs failures`: a sweep's valid runs skip the plots, timeline, message
 * diagram and report (their stores are deleted anyway); a failing run still
 * gets every one of them, and the verdict is the same either way.
 */

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { parseTestArgs } from "../../lib/harness/cli.ts";
import { runTest } from "../../lib/harness/runner.ts";

const ECHO = fileURLToPath(new URL("../../challenges/echo.ts", import.meta.url));
const LOSSY = fileURLToPath(new URL("./nodes/sim_lossy_broadcast.ts", import.meta.url));
const DRAWN = ["latency-raw.svg", "latency-quantiles.svg", "rate.svg", "timeline.html"];

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

Deno.test("--outputs failures: a valid run draws nothing, an invalid one draws everything", async () => {
  const dir = await Deno.makeTempDir({ prefix: "outputs-test-" });
  try {
    const quiet = { console: () => {} };
    const base = ["--store", dir, "--sim", "--seed", "11", "--outputs", "failures"];
    const valid = await runTest(
      parseTestArgs([
        "-w",
        "echo",
        "--bin",
        ECHO,
        "--node-count",
        "1",
        "--time-limit",
        "3",
        ...base,
      ]),
      quiet,
    );
    assert.equal(valid.valid, true);
    for (const file of [...DRAWN, "messages.svg", "report.html"]) {
      assert.ok(!exists(`${valid.store_path}/${file}`), `${file} drawn for a valid run`);
    }
    assert.ok(exists(`${valid.store_path}/results.json`));
    const lossy = [
      ...["-w", "broadcast", "--bin", LOSSY, "--node-count", "5", "--time-limit", "20"],
      ...["--rate", "10", "--nemesis", "partition", "--nemesis-interval", "3"],
    ];
    const invalid = await runTest(parseTestArgs([...lossy, ...base]), quiet);
    assert.equal(invalid.valid, false);
    for (const file of [...DRAWN, "messages.svg", "report.html"]) {
      assert.ok(exists(`${invalid.store_path}/${file}`), `${file} missing for an invalid run`);
    }
    const full = await runTest(parseTestArgs([...lossy, ...base.slice(0, -2)]), quiet);
    assert.equal(full.valid, invalid.valid);
    assert.deepEqual(full.results!.workload, invalid.results!.workload);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
