/**
 * The runner against a stand-in for a real Maelstrom: a shell script that
 * writes a store directory the way Maelstrom does (results.edn, history.edn,
 * a `latest` link) and exits with a chosen code. No JVM needed.
 */

import assert from "node:assert/strict";
import { runDeadlineMs, runOnce } from "../../lib/run/runner.ts";
import type { RunRow } from "../../lib/run/types.ts";

const ROW: RunRow = {
  challenge: "echo",
  part: "1",
  source: "test",
  workload: "echo",
  bin: "bin/echo",
  flags: { node_count: 1, time_limit_s: 10 },
};

const FAKE_MAELSTROM = `#!/bin/sh
# Records its arguments, writes a Maelstrom-like store and exits with $FAKE_EXIT.
dir="store/echo/20250101T000000.000Z-$$"
mkdir -p "$dir"
echo "$@" > "$dir/args.txt"
printf '{:net {:all {:msgs-per-op 2.0}, :servers {:msgs-per-op 0.0}},\\n :availability {:valid? true, :ok-fraction 1.0},\\n :valid? %s}\\n' "$FAKE_VALID" > "$dir/results.edn"
printf '{:index 0, :time 0, :type :invoke, :process 0, :f :echo, :value "a"}\\n{:index 1, :time 3000000, :type :ok, :process 0, :f :echo, :value "a"}\\n' > "$dir/history.edn"
ln -sfn "$(basename "$dir")" store/echo/latest
echo "INFO jepsen.core Everything looks good"
exit "$FAKE_EXIT"
`;

async function withFake(
  env: Record<string, string>,
  fn: (root: string, path: string) => Promise<void>,
): Promise<void> {
  const root = await Deno.makeTempDir();
  const path = `${root}/fake-maelstrom`;
  await Deno.writeTextFile(path, FAKE_MAELSTROM);
  await Deno.chmod(path, 0o755);
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, Deno.env.get(k)]));
  for (const [key, value] of Object.entries(env)) Deno.env.set(key, value);
  try {
    await fn(root, path);
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) Deno.env.delete(key);
      else Deno.env.set(key, value);
    }
    await Deno.remove(root, { recursive: true });
  }
}

Deno.test("a real-Maelstrom run is read from store/<workload>/latest", async () => {
  await withFake({ FAKE_EXIT: "0", FAKE_VALID: "true" }, async (root, path) => {
    const run = await runOnce(ROW, { seed: 3 }, {
      root,
      harness: { kind: "maelstrom", path },
      verbose: false,
    });
    assert.equal(run.exit_code, 0);
    assert.equal(run.validity, true);
    assert.deepEqual(run.problems, []);
    assert.match(run.store_path ?? "", /^store\/echo\/20250101T000000\.000Z-\d+$/);
    assert.equal(run.figures.servers_msgs_per_op, 0);
    assert.equal(run.figures.all_msgs_per_op, 2);
    assert.equal(run.figures.ok_fraction, 1);
    assert.equal(run.figures.ok_latency_median_ms, 3);
    assert.ok((run.figures.run_time_s ?? -1) >= 0);
    const args = await Deno.readTextFile(`${root}/${run.store_path}/args.txt`);
    assert.equal(args.trim(), "test -w echo --bin bin/echo --node-count 1 --time-limit 10");
  });
});

Deno.test("an invalid real-Maelstrom run keeps its exit code and verdict", async () => {
  await withFake({ FAKE_EXIT: "1", FAKE_VALID: "false" }, async (root, path) => {
    const run = await runOnce(ROW, {}, {
      root,
      harness: { kind: "maelstrom", path },
      verbose: false,
    });
    assert.equal(run.exit_code, 1);
    assert.equal(run.validity, false);
    assert.deepEqual(run.problems, []);
  });
});

Deno.test("a crashed run reports the last lines of its output", async () => {
  await withFake({ FAKE_EXIT: "255", FAKE_VALID: "true" }, async (root, path) => {
    const run = await runOnce(ROW, {}, {
      root,
      harness: { kind: "maelstrom", path },
      verbose: false,
    });
    assert.equal(run.exit_code, 255);
    assert.match(run.problems.join("\n"), /last output:\n\s+INFO jepsen.core/);
  });
});

Deno.test("a run that writes no new store directory says so", async () => {
  const root = await Deno.makeTempDir();
  try {
    const path = `${root}/noop`;
    await Deno.writeTextFile(path, "#!/bin/sh\nexit 0\n");
    await Deno.chmod(path, 0o755);
    const run = await runOnce(ROW, {}, {
      root,
      harness: { kind: "maelstrom", path },
      verbose: false,
    });
    assert.equal(run.exit_code, 0);
    assert.deepEqual(run.problems, ["no new store directory was written"]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("a run that exceeds its deadline is killed and reported", async () => {
  const root = await Deno.makeTempDir();
  try {
    const path = `${root}/hang`;
    await Deno.writeTextFile(path, "#!/bin/sh\nexec sleep 30\n");
    await Deno.chmod(path, 0o755);
    const started = performance.now();
    const run = await runOnce(ROW, { time_limit_s: 1 }, {
      root,
      harness: { kind: "maelstrom", path },
      verbose: false,
      grace_s: 0,
    });
    assert.ok(performance.now() - started < 10_000);
    assert.equal(run.exit_code, undefined);
    assert.match(run.problems[0], /killed after exceeding 1 s/);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("the deadline scales with the time limit and the test count", () => {
  assert.equal(runDeadlineMs(ROW, {}, 100), 110_000);
  assert.equal(runDeadlineMs({ ...ROW, flags: { test_count: 5 } }, {}, 100), 5 * 160_000);
  assert.equal(runDeadlineMs(ROW, { time_limit_s: 2 }, 10), 12_000);
});
