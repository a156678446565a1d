// The simulator's flags as the CLI takes them (lib/harness/cli.ts,
// lib/harness/main.ts): usage errors for flags that need --sim or a sane value,
// --max-ops bounding the main phase, --sim-cpu-us charging every message,
// and --strict against Maelstrom's default for a node's stray stdout line.

import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type MainRun, runMain } from "./main_capture.ts";

const ECHO = fileURLToPath(new URL("../../../challenges/echo.ts", import.meta.url));
const GARBAGE = fileURLToPath(new URL("../nodes/sim_garbage_echo.ts", import.meta.url));

interface Op {
  type: string;
  process: unknown;
  time: number;
  final?: boolean;
}

/** Runs `maelstrom test` in a temp store; `check` reads the run and its stored files. */
async function simTest(
  argv: string[],
  check: (run: MainRun, store_path: string) => void | Promise<void>,
): Promise<void> {
  const store = await Deno.makeTempDir({ prefix: "sim-cli-" });
  try {
    const run = await runMain(["test", ...argv, "--store", store]);
    const line = run.out.find((l) => l.startsWith("Store: "));
    await check(run, line === undefined ? "" : line.slice("Store: ".length));
  } finally {
    await Deno.remove(store, { recursive: true });
  }
}

function results(store_path: string): Record<string, Record<string, unknown>> {
  return JSON.parse(Deno.readTextFileSync(join(store_path, "results.json")));
}

function history(store_path: string): Op[] {
  return Deno.readTextFileSync(join(store_path, "history.jsonl")).split("\n").filter((l) => l)
    .map((l) => JSON.parse(l));
}

const ECHO_ARGS = ["-w", "echo", "--bin", ECHO, "--node-count", "1", "--time-limit", "2"];

for (
  const [argv, message] of [
    [["--sim-cpu-us", "100"], /^--sim-cpu-us needs --sim$/m],
    [["--check-determinism"], /^--check-determinism needs --sim \(real time cannot replay\)$/m],
    [["--shrink"], /^--shrink needs --sim \(real time cannot replay\)$/m],
    [["--sim", "--max-ops", "0"], /--max-ops.*0/],
    [["--sim", "--sim-cpu-us", "fast"], /--sim-cpu-us.*fast/],
  ] as const
) {
  Deno.test(`cli: ${argv.join(" ")} is a usage error (exit 254)`, async () => {
    await simTest([...ECHO_ARGS, ...argv], (run) => {
      assert.equal(run.code, 254, JSON.stringify(run));
      assert.deepEqual(run.out, []);
      assert.match(run.err.join("\n"), message);
    });
  });
}

Deno.test("cli: --max-ops N stops the main phase after N ops", async () => {
  const argv = [...ECHO_ARGS, "--rate", "50", "--sim", "--seed", "4"];
  await simTest([...argv, "--max-ops", "7"], (run, store_path) => {
    assert.equal(run.code, 0, run.out.join("\n"));
    const invokes = history(store_path).filter((op) => op.type === "invoke" && !op.final);
    assert.equal(invokes.length, 7);
    assert.equal(JSON.parse(Deno.readTextFileSync(join(store_path, "test.json"))).max_ops, 7);
  });
  await simTest(argv, (run, store_path) => {
    assert.equal(run.code, 0, run.out.join("\n"));
    const invokes = history(store_path).filter((op) => op.type === "invoke" && !op.final);
    assert.ok(invokes.length > 7, `without --max-ops: ${invokes.length} ops`);
  });
});

/** Latency of every completed op of a stored run, in virtual ms. */
function latencies_ms(store_path: string): number[] {
  const open = new Map<unknown, number>();
  const out: number[] = [];
  for (const op of history(store_path)) {
    if (op.type === "invoke") open.set(op.process, op.time);
    else if (op.type === "ok") out.push((op.time - open.get(op.process)!) / 1e6);
  }
  return out;
}

Deno.test("cli: --sim-cpu-us charges every message: echo latency grows by the cost", async () => {
  const argv = [...ECHO_ARGS, "--rate", "20", "--sim", "--seed", "6"];
  let free: number[] = [];
  await simTest(argv, (run, store_path) => {
    assert.equal(run.code, 0, run.out.join("\n"));
    assert.equal(results(store_path).simulation["cpu-us-per-message"], 0);
    free = latencies_ms(store_path);
  });
  await simTest([...argv, "--sim-cpu-us", "3000"], (run, store_path) => {
    assert.equal(run.code, 0, run.out.join("\n"));
    assert.equal(results(store_path).simulation["cpu-us-per-message"], 3000);
    const costly = latencies_ms(store_path);
    // Same seed, same ops: each echo is one message to the node, 3 ms more on the virtual clock.
    assert.equal(costly.length, free.length);
    assert.ok(costly.length > 10);
    for (const [i, ms] of costly.entries()) {
      assert.ok(Math.abs(ms - free[i] - 3) < 1e-6, `op ${i}: ${ms} vs ${free[i]}`);
    }
  });
});

Deno.test("cli: a stray stdout line silences the node (Maelstrom); --strict makes the test invalid", async () => {
  const argv = ["-w", "echo", "--bin", GARBAGE, "--node-count", "1", "--time-limit", "2"];
  argv.push("--rate", "5", "--sim", "--seed", "2");
  await simTest(argv, (_run, store_path) => {
    const errors = results(store_path)["node-errors"];
    assert.equal(errors["valid?"], true);
    assert.deepEqual(errors["silenced-nodes"], ["n0"]);
    const issues = errors.issues as { kind: string; line: string }[];
    assert.deepEqual(issues.map((i) => i.kind), ["line-not-valid-json"]);
    assert.match(issues[0].line, /^debug: first echo /);
    // Its replies after that line were ignored.
    const stats = results(store_path).stats;
    assert.equal(stats["ok-count"], 0);
  });
  await simTest([...argv, "--strict"], (run, store_path) => {
    assert.equal(run.code, 1, run.out.join("\n"));
    const all = results(store_path);
    assert.equal(all["valid?"], false);
    assert.equal(all["node-errors"]["valid?"], false);
    assert.deepEqual(all["node-errors"]["silenced-nodes"], []);
    assert.ok((all.stats["ok-count"] as number) > 0, "reading went on");
  });
});
