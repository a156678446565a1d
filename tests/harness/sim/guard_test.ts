// The simulator's guard (lib/harness/sim/guard.ts): a node that reads the
// real clock, real randomness or real timers is named, with its node id and
// source location, in the results' simulation.nondeterministic-calls; the
// challenges are not. console.log in a node is a line on that node's stdout
// (a protocol line), console.error a line in its log. Calls from outside a
// simulated node's module pass through untouched.

import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseTestArgs } from "../../../lib/harness/cli.ts";
import { runTest, type TestOutcome } from "../../../lib/harness/runner.ts";
import { type Finding, SimGuard } from "../../../lib/harness/sim/guard.ts";
import { Node } from "../../../lib/maelstrom.ts";
import { SimEnv } from "../../../lib/sim_env.ts";

const BYPASS = fileURLToPath(new URL("../nodes/sim_bypass_echo.ts", import.meta.url));
const challenge = (name: string) =>
  fileURLToPath(new URL(`../../../challenges/${name}.ts`, import.meta.url));

/** Runs a short simulated test of `bin` in a temp store; `check` reads the outcome and store. */
async function simRun(
  bin: string,
  argv: string[],
  check: (outcome: TestOutcome) => void | Promise<void>,
): Promise<void> {
  const store = await Deno.makeTempDir({ prefix: "sim-guard-" });
  try {
    const opts = parseTestArgs(["--bin", bin, "--sim", "--store", store, ...argv]);
    const outcome = await runTest(opts, { console: () => {} });
    await check(outcome);
  } finally {
    await Deno.remove(store, { recursive: true });
  }
}

function findings(outcome: TestOutcome): Finding[] {
  assert.ok(outcome.results, `run aborted: ${outcome.error}`);
  const simulation = outcome.results.simulation as Record<string, unknown>;
  assert.ok(simulation, "a --sim run has a simulation section");
  return simulation["nondeterministic-calls"] as Finding[];
}

/** The 1-based line of the fixture holding `marker`. */
function lineOf(path: string, marker: string): number {
  const index = Deno.readTextFileSync(path).split("\n").findIndex((l) => l.includes(marker));
  assert.ok(index >= 0, marker);
  return index + 1;
}

Deno.test("guard: a node's Date.now, Math.random and setTimeout are named with node and line", async () => {
  const argv = ["-w", "echo", "--node-count", "2", "--time-limit", "3", "--rate", "10"];
  await simRun(BYPASS, [...argv, "--seed", "5"], async (outcome) => {
    const found = findings(outcome);
    const where = (call: string, node: string) =>
      found.filter((f) => f.call === call && f.node === node).map((f) => f.at);
    for (
      const [call, marker] of [
        ["Date.now", "guard: Date.now"],
        ["Math.random", "guard: Math.random"],
        ["setTimeout", "guard: setTimeout"],
      ]
    ) {
      const line = lineOf(BYPASS, marker);
      for (const node of ["n0", "n1"]) {
        const at = where(call, node);
        assert.equal(at.length, 1, `${call} by ${node}: ${JSON.stringify(found)}`);
        assert.match(at[0], new RegExp(`^${BYPASS.replaceAll(".", "\\.")}:${line}:\\d+$`));
      }
    }
    // Every echo op went through a node, and each one made each call once.
    const ops = outcome.results!.stats as Record<string, number>;
    const total = found.filter((f) => f.call === "Date.now").reduce((n, f) => n + f.count, 0);
    assert.ok(total > 0);
    assert.equal(total, ops["count"], JSON.stringify({ ops, found }));
    // console.log wrote the replies to the node's stdout: they reached the clients.
    assert.equal(outcome.valid, true, JSON.stringify(outcome.results!.workload));
    assert.ok(ops["ok-count"] > 0);
    assert.equal(outcome.results!["node-errors"], undefined);
    // console.error went to the node's own log, not to its stdout nor another node's log.
    for (const [node, other] of [["n0", "n1"], ["n1", "n0"]]) {
      const log = await Deno.readTextFile(join(outcome.store_path, "node-logs", `${node}.log`));
      assert.match(log, new RegExp(`^bypass ${node} echo \\d+ at \\d+ noise 0\\.\\d+$`, "m"));
      assert.doesNotMatch(log, new RegExp(`bypass ${other}`));
    }
  });
});

for (
  const [name, argv] of [
    ["echo", ["-w", "echo", "--node-count", "2", "--time-limit", "3", "--rate", "10"]],
    ["unique-ids", ["-w", "unique-ids", "--node-count", "3", "--time-limit", "3", "--rate", "10"]],
    [
      "broadcast",
      ["-w", "broadcast", "--node-count", "5", "--time-limit", "5", "--rate", "10"].concat(
        ["--nemesis", "partition", "--nemesis-interval", "1"],
      ),
    ],
  ] as const
) {
  Deno.test(`guard: challenges/${name}.ts makes no nondeterministic call`, async () => {
    await simRun(challenge(name), [...argv, "--seed", "3"], (outcome) => {
      assert.deepEqual(findings(outcome), []);
      assert.equal(outcome.valid, true);
    });
  });
}

Deno.test("guard: calls from outside a simulated node pass through, and uninstall restores", async () => {
  const originals = [Math.random, Date.now, console.log, console.error, globalThis.setTimeout];
  const warnings: string[] = [];
  const routed: string[] = [];
  const guard = new SimGuard({
    nodeForTag: (tag) => tag === "t1" ? "n7" : undefined,
    stdout: (tag, line) => routed.push(`stdout ${tag} ${line}`),
    stderr: (tag, line) => routed.push(`stderr ${tag} ${line}`),
    exit: () => {},
    crash: () => {},
    warn: (line) => warnings.push(line),
  });
  const printed: string[] = [];
  console.log = (...args: unknown[]) => printed.push(args.join(" "));
  const stub = console.log;
  try {
    guard.install();
    try {
      assert.notEqual(Math.random, originals[0]);
      Math.random();
      Date.now();
      console.log("from the test");
      // A module instance the simulation made (tag t1 → n7) is attributed and routed.
      const url = new URL("../nodes/sim_bypass_echo.ts", import.meta.url);
      const module = await import(`${url.href}?sim-node=t1`);
      const env = new SimEnv(1);
      const node = new Node(env);
      module.setup(node, []);
      node.handleMessage({
        src: "c0",
        dest: "n7",
        body: { type: "init", msg_id: 1, node_id: "n7", node_ids: ["n7"] },
      });
      node.handleMessage({ src: "c1", dest: "n7", body: { type: "echo", msg_id: 2, echo: "x" } });
    } finally {
      guard.uninstall();
    }
  } finally {
    console.log = originals[2];
  }
  assert.deepEqual(printed, ["from the test"], "the test's own console.log passed through");
  assert.equal(Math.random, originals[0]);
  assert.equal(Date.now, originals[1]);
  assert.equal(console.error, originals[3]);
  assert.equal(globalThis.setTimeout, originals[4]);
  assert.notEqual(stub, originals[2]);
  const { findings: found } = guard.report();
  assert.deepEqual(found.map((f) => `${f.node} ${f.call} ${f.count}`).sort(), [
    "n7 Date.now 1",
    "n7 Math.random 1",
    "n7 setTimeout 1",
  ]);
  assert.equal(warnings.length, 3);
  assert.match(routed[0], /^stderr t1 bypass n7 echo 2 at \d+ noise/);
  assert.equal(
    routed[1],
    'stdout t1 {"src":"n7","dest":"c1","body":{"type":"echo_ok","echo":"x","in_reply_to":2}}',
  );
  assert.equal(routed.length, 2);
});

Deno.test("guard: a rejected promise nobody handles ends the node it came from, only that one", async () => {
  const bin = fileURLToPath(new URL("../nodes/sim_detached_reject.ts", import.meta.url));
  const argv = ["-w", "echo", "--node-count", "3", "--time-limit", "3", "--rate", "10"];
  await simRun(bin, [...argv, "--seed", "2"], (outcome) => {
    assert.ok(outcome.results, `run aborted: ${outcome.error}`);
    const errors = outcome.results["node-errors"] as Record<string, unknown>;
    assert.ok(errors, JSON.stringify(outcome.results));
    const issues = errors.issues as { node: string; kind: string; stderr_tail: string[] }[];
    assert.deepEqual(issues.map((i) => `${i.node} ${i.kind}`), ["n1 crashed"]);
    assert.match(issues[0].stderr_tail.join("\n"), /error: Uncaught Error: detached boom in n1/);
    // The other nodes kept answering.
    const stats = outcome.results.stats as Record<string, number>;
    assert.ok(stats["ok-count"] > 0);
  });
});

Deno.test("guard: each console method goes to the stream a Deno process writes it to", async () => {
  // In a process, console.log, info and debug write to stdout; error and warn to stderr.
  const routed: string[] = [];
  const guard = new SimGuard({
    nodeForTag: (tag) => tag === "speaker" ? "n3" : undefined,
    stdout: (_tag, line) => routed.push(`stdout ${line}`),
    stderr: (_tag, line) => routed.push(`stderr ${line}`),
    exit: () => {},
    crash: () => {},
    warn: () => {},
  });
  const url = new URL("../nodes/sim_console_calls.ts", import.meta.url);
  const module = await import(`${url.href}?sim-node=speaker`);
  guard.install();
  try {
    module.speak();
  } finally {
    guard.uninstall();
  }
  assert.deepEqual(routed, [
    "stdout via log",
    "stdout via info",
    "stdout via debug",
    "stderr via error",
    "stderr via warn",
  ]);
});

Deno.test("guard: a node's raw Deno.stdout and Deno.stderr writes go to its own streams", async () => {
  const bin = fileURLToPath(new URL("../nodes/sim_raw_write_echo.ts", import.meta.url));
  const argv = ["-w", "echo", "--node-count", "2", "--time-limit", "3", "--rate", "10"];
  await simRun(bin, [...argv, "--seed", "4"], async (outcome) => {
    assert.ok(outcome.results, `run aborted: ${outcome.error}`);
    assert.equal(outcome.results["node-errors"], undefined);
    const stats = outcome.results.stats as Record<string, number>;
    assert.ok(stats["ok-count"] > 0);
    assert.equal(stats["ok-count"], stats["count"], "every reply, written in pieces, arrived");
    assert.equal(outcome.valid, true);
    for (const node of ["n0", "n1"]) {
      const log = await Deno.readTextFile(join(outcome.store_path, "node-logs", `${node}.log`));
      assert.match(log, new RegExp(`^raw ${node} echoed \\d+$`, "m"));
    }
  });
});
