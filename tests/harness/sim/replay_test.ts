// What the simulator's determinism buys (lib/harness/sim/replay.ts and the
// CLI in lib/harness/main.ts): replay commands built from the user's own
// argv, --check-determinism (identical hashes for a challenge; a divergence
// and the guard's finding for a node that reads Math.random behind the
// runtime's back), a failing run's "Replay:" command that reproduces it byte
// for byte, and --shrink's smaller command that still fails.

import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { rewriteArgs, shellCommand } from "../../../lib/harness/cli.ts";
import {
  failingCheckers,
  fileSha256,
  guardFindings,
  harnessCommand,
  replayCommand,
} from "../../../lib/harness/sim/replay.ts";
import { runMain, shellWords } from "./main_capture.ts";

const node = (name: string) => fileURLToPath(new URL(`../nodes/${name}`, import.meta.url));
const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const ECHO = fileURLToPath(new URL("../../../challenges/echo.ts", import.meta.url));

// --- unit: command lines ---------------------------------------------------------------------

Deno.test("replay: rewriteArgs drops options with their values, keeps `--` and what follows last", () => {
  const argv = ["-w", "echo", "--seed", "5", "--bin", "x.ts", "--sim", "--", "--seed", "7"];
  assert.deepEqual(rewriteArgs(argv, ["--seed", "--sim"], ["--sim", "--seed", "9"]), [
    "-w",
    "echo",
    "--bin",
    "x.ts",
    "--sim",
    "--seed",
    "9",
    "--",
    "--seed",
    "7",
  ]);
  // `--name=value` is one word; a value that looks like an option is still a value.
  assert.deepEqual(
    rewriteArgs(["--seed=5", "--store", "--sim", "--time-limit", "3"], ["--seed", "--sim"], []),
    ["--store", "--sim", "--time-limit", "3"],
  );
  // Dropped more than once; a flag (no value) takes no neighbour with it.
  assert.deepEqual(
    rewriteArgs(["--shrink", "-w", "echo", "--seed", "1", "--seed", "2"], ["--shrink", "--seed"], [
      "--x",
    ]),
    ["-w", "echo", "--x"],
  );
});

Deno.test("replay: shellCommand quotes only what a shell would split or expand", async () => {
  const words = ["deno", "a b", "it's", "", "$HOME", "--time-limit=3", "x/y.ts", "*", "a\nb"];
  const command = shellCommand(words);
  assert.equal(
    command.startsWith("deno 'a b' 'it'\\''s' '' '$HOME' --time-limit=3 x/y.ts '*'"),
    true,
  );
  assert.deepEqual(await shellWords(command), words, "sh splits it back into the same words");
});

Deno.test("replay: replayCommand replaces how-to-run options with --sim --seed N", async () => {
  const argv = [
    "-w",
    "echo",
    "--bin",
    "my node.ts",
    "--seed",
    "4",
    "--test-count",
    "10",
    "--check-determinism",
    "--shrink",
    "--sim",
    "--strict",
    "--sim-cpu-us",
    "50",
  ];
  const command = replayCommand(argv, 77, ["--time-limit", "2"]);
  assert.deepEqual(await shellWords(command), [
    ...harnessCommand(),
    "-w",
    "echo",
    "--bin",
    "my node.ts",
    "--strict",
    "--sim-cpu-us",
    "50",
    "--sim",
    "--seed",
    "77",
    "--time-limit",
    "2",
  ]);
});

Deno.test("replay: failingCheckers prefers the primary checkers; guardFindings formats the calls", () => {
  assert.deepEqual(
    failingCheckers({
      "valid?": false,
      workload: { "valid?": false },
      stats: { "valid?": false },
      perf: { "valid?": true },
    }),
    ["workload"],
  );
  assert.deepEqual(failingCheckers({ "valid?": false, stats: { "valid?": false } }), ["stats"]);
  assert.deepEqual(failingCheckers({ "valid?": true, workload: { "valid?": true } }), []);
  assert.deepEqual(failingCheckers(undefined), []);
  assert.deepEqual(
    guardFindings({
      "valid?": true,
      simulation: {
        "valid?": true,
        "nondeterministic-calls": [{ node: "n1", call: "Date.now", at: "/a.ts:3:9", count: 2 }],
      },
    }),
    ["node n1 called Date.now at /a.ts:3:9 (2x)"],
  );
  assert.deepEqual(guardFindings({ "valid?": true }), []);
});

// --- CLI: --check-determinism ------------------------------------------------------------------

async function withStore(fn: (store: string) => Promise<void>): Promise<void> {
  const store = await Deno.makeTempDir({ prefix: "sim-replay-" });
  try {
    await fn(store);
  } finally {
    await Deno.remove(store, { recursive: true });
  }
}

const HASH_LINE =
  /^Run (\d): history sha256 ([0-9a-f]{64}) {2}journal sha256 ([0-9a-f]{64}) {2}\((.+), (\w+)\)$/;

function hashLines(out: string[]): string[][] {
  return out.map((line) => HASH_LINE.exec(line)).filter((m) => m !== null).map((m) => [...m!]);
}

Deno.test("replay: --check-determinism on a challenge gives identical hashes twice", async () => {
  await withStore(async (store) => {
    const argv = ["test", "-w", "echo", "--bin", ECHO, "--node-count", "2", "--time-limit", "3"];
    const run = await runMain([...argv, "--sim", "--seed", "8", "--check-determinism"].concat([
      "--store",
      store,
    ]));
    assert.equal(run.code, 0, run.out.join("\n"));
    const lines = hashLines(run.out);
    assert.equal(lines.length, 2, run.out.join("\n"));
    assert.notEqual(lines[0][4], lines[1][4], "two runs, two stores");
    assert.equal(lines[0][2], lines[1][2]);
    assert.equal(lines[0][3], lines[1][3]);
    assert.deepEqual([lines[0][5], lines[1][5]], ["valid", "valid"]);
    // The printed hashes are the files' hashes.
    assert.equal(await fileSha256(join(lines[0][4], "history.jsonl")), lines[0][2]);
    assert.equal(await fileSha256(join(lines[1][4], "messages.jsonl")), lines[1][3]);
    assert.match(run.out.at(-1)!, /^Deterministic: seed 8 gave byte-identical history and journal/);
    assert.equal(run.out.some((l) => l.startsWith("Nondeterministic call")), false);
  });
});

Deno.test("replay: --check-determinism names a node that reads Math.random behind the runtime", async () => {
  const bin = node("sim_random_ids.ts");
  const line = Deno.readTextFileSync(bin).split("\n").findIndex((l) =>
    l.includes("behind the runtime's back")
  );
  await withStore(async (store) => {
    const run = await runMain([
      "test",
      "-w",
      "unique-ids",
      "--bin",
      bin,
      "--node-count",
      "3",
      "--time-limit",
      "3",
      "--rate",
      "10",
      "--sim",
      "--seed",
      "8",
      "--check-determinism",
      "--store",
      store,
    ]);
    const text = run.out.join("\n");
    assert.equal(run.code, 1, text);
    const lines = hashLines(run.out);
    assert.equal(lines.length, 2, text);
    assert.notEqual(lines[0][2], lines[1][2], "the histories differ");
    // The ids are unique either way: each run alone is valid.
    assert.deepEqual([lines[0][5], lines[1][5]], ["valid", "valid"]);
    // The divergence: the first differing journal line, a reply from a server node.
    assert.match(
      text,
      /^NOT deterministic: messages\.jsonl line \d+ differs, sent by n\d:\n {2}run 1: .*"generate_ok".*\n {2}run 2: .*"generate_ok"/m,
    );
    // The guard's finding for every node, naming the file and line (both runs are attributed).
    for (const n of ["n0", "n1", "n2"]) {
      assert.match(
        text,
        new RegExp(
          `^Nondeterministic call: node ${n} called Math\\.random at ${
            bin.replaceAll(".", "\\.")
          }:${line + 1}:\\d+ \\(\\d+x\\)$`,
          "m",
        ),
      );
    }
  });
});

// --- CLI: a failing run, its replay, and --shrink ----------------------------------------------

const LOSSY_ARGV = [
  "-w",
  "broadcast",
  "--bin",
  "tests/harness/nodes/sim_lossy_broadcast.ts",
  "--node-count",
  "5",
  "--time-limit",
  "20",
  "--rate",
  "10",
  "--nemesis",
  "partition",
  "--nemesis-interval",
  "3",
  "--sim",
  "--seed",
  "11",
];

function storeOf(run: { out: string[] }): string {
  const line = run.out.find((l) => l.startsWith("Store: "));
  assert.ok(line, run.out.join("\n"));
  return line.slice("Store: ".length);
}

/** The harness argv of a printed command line ("Replay: …", "Shrunk: …"). */
async function commandArgs(out: string[], prefix: string): Promise<string[]> {
  const line = out.flatMap((l) => l.split("\n")).find((l) => l.startsWith(prefix));
  assert.ok(line, `no ${prefix} line in:\n${out.join("\n")}`);
  const words = await shellWords(line.slice(prefix.length));
  const command = harnessCommand();
  assert.deepEqual(words.slice(0, command.length), command);
  return words.slice(command.length - 1); // From "test" on.
}

function workloadOf(store_path: string): Record<string, unknown> {
  const results = JSON.parse(Deno.readTextFileSync(join(store_path, "results.json")));
  return results.workload;
}

Deno.test("replay: a failing run's Replay: command reproduces it byte for byte", async () => {
  await withStore(async (store) => {
    const bin = node("sim_lossy_broadcast.ts");
    const argv = LOSSY_ARGV.map((a) =>
      a === "tests/harness/nodes/sim_lossy_broadcast.ts" ? bin : a
    );
    const first = await runMain(["test", ...argv, "--store", store]);
    assert.equal(first.code, 1, first.out.join("\n"));
    assert.match(first.out.join("\n"), /Analysis invalid! \(ﾉಥ益ಥ）ﾉ ┻━┻$/m);
    const workload = workloadOf(storeOf(first));
    assert.equal(workload["valid?"], false);
    assert.ok((workload["lost-count"] as number) > 0, JSON.stringify(workload));

    const replay = await commandArgs(first.out, "Replay: ");
    assert.deepEqual(replay.slice(-3), ["--sim", "--seed", "11"]);
    const second = await runMain(replay);
    assert.equal(second.code, 1, second.out.join("\n"));
    // And as a user would: the printed line pasted into a shell at the repository's root.
    const line = first.out.flatMap((l) => l.split("\n")).find((l) => l.startsWith("Replay: "))!;
    const pasted = await new Deno.Command("sh", {
      args: ["-c", line.slice("Replay: ".length)],
      cwd: REPO_ROOT,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const third = { out: new TextDecoder().decode(pasted.stdout).split("\n") };
    assert.equal(pasted.code, 1, new TextDecoder().decode(pasted.stderr));
    const [a, b, c] = [storeOf(first), storeOf(second), storeOf(third)];
    assert.equal(new Set([a, b, c]).size, 3);
    for (const file of ["history.jsonl", "messages.jsonl"]) {
      const original = await Deno.readTextFile(join(a, file));
      assert.equal(await Deno.readTextFile(join(b, file)), original, `${file} differs in-process`);
      assert.equal(await Deno.readTextFile(join(c, file)), original, `${file} differs in a shell`);
    }
    assert.deepEqual(workloadOf(b), workload, "the same failure");
    assert.deepEqual(workloadOf(c), workload, "the same failure");
  });
});

Deno.test("replay: --shrink prints a shorter command that still fails the same checker", async () => {
  await withStore(async (store) => {
    const bin = node("sim_lossy_broadcast.ts");
    const argv = LOSSY_ARGV.map((a) =>
      a === "tests/harness/nodes/sim_lossy_broadcast.ts" ? bin : a
    );
    const run = await runMain(["test", ...argv, "--shrink", "--store", store]);
    assert.equal(run.code, 1, run.out.join("\n"));
    assert.ok(run.out.includes("Still failing workload with the smallest prefix found:"));
    const shrunk = await commandArgs(run.out, "Shrunk: ");
    assert.equal(shrunk.includes("--shrink"), false);
    const value = (flag: string) => {
      const i = shrunk.lastIndexOf(flag);
      return i < 0 ? undefined : Number(shrunk[i + 1]);
    };
    const time_limit = value("--time-limit")!;
    const max_ops = value("--max-ops");
    assert.ok(time_limit <= 20, shrunk.join(" "));
    assert.ok(time_limit < 20 || max_ops !== undefined, `not smaller: ${shrunk.join(" ")}`);
    assert.equal(shrunk.filter((w) => w === "--time-limit").length, 1, shrunk.join(" "));
    // The trials' progress went to the console, one line each.
    assert.ok(
      run.err.some((l) => /^ {2}--time-limit \d+(?: --max-ops \d+)?: (fails|passes)$/.test(l)),
    );

    const again = await runMain(shrunk);
    assert.equal(again.code, 1, again.out.join("\n"));
    assert.equal(workloadOf(storeOf(again))["valid?"], false);
    if (max_ops !== undefined) {
      const history = Deno.readTextFileSync(join(storeOf(again), "history.jsonl"));
      const invokes = history.split("\n").filter((l) =>
        l.includes('"type":"invoke"') && !l.includes('"final":true') &&
        !l.includes('"process":"nemesis"')
      );
      assert.ok(invokes.length <= max_ops, `${invokes.length} > ${max_ops}`);
    }
  });
});
