// The pause and kill nemesis (lib/harness/faults.ts), end to end in the
// simulator with a small fixture node (tests/harness/nodes/fault_memory.ts):
// a pause delays but loses nothing; a kill loses the node's memory, the
// restarted node gets init again, messages to the dead node are dropped and
// counted; the history, the journal and the plots show each fault.

import assert from "node:assert/strict";
import { join } from "node:path";
import { parseTestArgs } from "../../lib/harness/cli.ts";
import { type RunnerOptions, runTest } from "../../lib/harness/runner.ts";
import { readJsonl } from "../../lib/harness/store.ts";
import type { Op } from "../../lib/harness/types.ts";
import type { JournalEvent } from "../../lib/harness/network.ts";
import { createEchoWorkload } from "./fixtures/echo_workload.ts";
import { dbNodes, NODE_SPECS } from "../../lib/harness/faults.ts";
import { Rng } from "../../lib/harness/rng.ts";

const FIXTURE = new URL("./nodes/fault_memory.ts", import.meta.url).pathname;
const quiet: RunnerOptions = { workload_factory: createEchoWorkload, console: () => {} };

async function run(nemesis: string, seed: number) {
  const dir = await Deno.makeTempDir({ prefix: "faults-test-" });
  const opts = parseTestArgs([
    "-w",
    "echo",
    "--bin",
    FIXTURE,
    "--node-count",
    "3",
    "--time-limit",
    "20",
    "--rate",
    "30",
    "--nemesis",
    nemesis,
    "--nemesis-interval",
    "2",
    "--sim",
    "--seed",
    String(seed),
    "--store",
    dir,
  ]);
  const outcome = await runTest(opts, quiet);
  const path = outcome.store_path;
  const history = readJsonl(join(path, "history.jsonl")) as Op[];
  const journal = readJsonl(join(path, "messages.jsonl")) as JournalEvent[];
  const log = (node: string) => Deno.readTextFileSync(join(path, "node-logs", `${node}.log`));
  return { outcome, path, history, journal, log, dir };
}

const nemesisOps = (history: Op[], f: string) =>
  history.filter((op) => op.process === "nemesis" && op.f === f);

Deno.test("pause: messages to a paused node wait and are all handled after resume", async () => {
  const { outcome, history, journal, log, path, dir } = await run("pause", 3);
  try {
    const pauses = nemesisOps(history, "pause");
    assert.ok(pauses.length >= 2, "the schedule paused nodes");
    const paused = new Set(
      pauses.flatMap((op) =>
        typeof op.value === "object" && op.value !== null
          ? Object.entries(op.value).filter(([, v]) => v === "paused").map(([k]) => k)
          : []
      ),
    );
    assert.ok(paused.size > 0);
    assert.ok(nemesisOps(history, "resume").length >= 2, "resumed, at least in the final phase");
    for (const node of paused) {
      // Every echo delivered to the node was handled: nothing was lost while it was frozen.
      const delivered = journal.filter((e) =>
        e.type === "recv" && e.message.dest === node && e.message.body.type === "echo"
      );
      const handled = new Set(log(node).split("\n").filter((l) => l.startsWith("echo ")));
      for (const e of delivered) {
        assert.ok(handled.has(`echo ${e.message.src} ${e.message.body.msg_id}`));
      }
      assert.ok(delivered.length > 0);
    }
    // The wait shows as latency (the simulated network gives clients none), never as failures.
    const perf = outcome.results?.perf as {
      "latency-ms": Record<string, { quantiles: Record<string, number> }>;
    };
    assert.ok(perf["latency-ms"].echo.quantiles["1"] > 100);
    assert.ok(!history.some((op) => op.type === "fail"));
    assert.equal(outcome.valid, true);
    assert.equal((outcome.results?.faults as Record<string, unknown>).restarts, 0);
    const svg = Deno.readTextFileSync(join(path, "latency-raw.svg"));
    assert.match(svg, /#A0B1E9/);
    assert.match(svg, />pause</);
    assert.match(Deno.readTextFileSync(join(path, "timeline.html")), /pause/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("kill: memory is lost, the node gets init again, messages to it are dropped and counted", async () => {
  const { outcome, history, journal, log, path, dir } = await run("kill", 3);
  try {
    const kills = nemesisOps(history, "kill");
    const killed = new Set(
      kills.flatMap((op) =>
        typeof op.value === "object" && op.value !== null
          ? Object.entries(op.value).filter(([, v]) => v === "killed").map(([k]) => k)
          : []
      ),
    );
    assert.ok(killed.size > 0, "the schedule killed a node");
    const faults = outcome.results?.faults as Record<string, unknown>;
    assert.equal(faults.kills, faults.restarts, "every killed node was started again");
    const drops = faults["messages-dropped-at-dead-nodes"] as Record<string, number>;
    for (const node of killed) {
      const inits = log(node).split("\n").filter((l) => l.startsWith(`init ${node}`));
      assert.ok(inits.length >= 2, `${node} got init again after its kill`);
      // A fresh process: its memory starts over.
      for (const line of inits) assert.match(line, /answered-before=0$/);
      assert.ok(log(node).includes("echo "), `${node} answered echoes before or after`);
    }
    const total_drops = Object.values(drops).reduce((a, b) => a + b, 0);
    assert.ok(total_drops > 0, "messages to a dead node were dropped and counted");
    // The journal shows them as sent and never received.
    const received = new Set(journal.filter((e) => e.type === "recv").map((e) => e.message.id));
    const lost = journal.filter((e) =>
      e.type === "send" && killed.has(e.message.dest) && !received.has(e.message.id)
    );
    assert.ok(lost.length >= total_drops);
    // Their clients' requests time out (info), as in Maelstrom.
    assert.ok(history.some((op) => op.type === "info" && op.f === "echo"));
    assert.ok(nemesisOps(history, "start").length >= 2);
    const svg = Deno.readTextFileSync(join(path, "latency-raw.svg"));
    assert.match(svg, /#E9A4A0/);
    assert.match(svg, />kill</);
    assert.equal(outcome.valid, true);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("node specs pick targets as Jepsen's db-nodes does", () => {
  const nodes = ["n0", "n1", "n2", "n3", "n4"];
  const rng = new Rng(7);
  assert.equal(dbNodes("one", nodes, rng).length, 1);
  assert.equal(dbNodes("minority", nodes, rng).length, 2);
  assert.equal(dbNodes("majority", nodes, rng).length, 3);
  assert.equal(dbNodes("minority-third", nodes, rng).length, 1);
  assert.deepEqual(dbNodes("all", nodes, rng), nodes);
  for (let i = 0; i < 50; i++) {
    const some = dbNodes(null, nodes, rng);
    assert.ok(some.length >= 1 && some.length <= 5 && new Set(some).size === some.length);
  }
  assert.equal(NODE_SPECS.length, 6);
});

async function challengeRun(challenge: string, args: string[]) {
  const dir = await Deno.makeTempDir({ prefix: "faults-test-" });
  try {
    const bin = new URL(`../../challenges/${challenge}.ts`, import.meta.url).pathname;
    const opts = parseTestArgs([...args, "--bin", bin, "--sim", "--store", dir]);
    return await runTest(opts, { console: () => {} });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

// Regression: a resumed node answered clients that had timed out and closed, and Maelstrom's
// protocol-error rule then silenced it for the rest of the run (final reads timed out).
Deno.test("regression: g-counter stays valid under pause (seed 1)", async () => {
  const outcome = await challengeRun("g-counter", [
    ..."-w g-counter --node-count 3 --rate 100 --time-limit 20 --nemesis pause --seed 1"
      .split(" "),
  ]);
  assert.equal(outcome.valid, true);
  const faults = outcome.results?.faults as Record<string, number>;
  assert.ok(faults["late-replies-to-closed-clients"] > 0, "the case the fix is about happened");
});

// Regression: a restarted node counted segment ids from 1 again and overwrote an immutable
// segment of its predecessor (G0, incompatible-order).
Deno.test("regression: txn-list-append stays valid under kill (seed 14)", async () => {
  const outcome = await challengeRun("txn-list-append", [
    ..."-w txn-list-append --node-count 2 --rate 100 --time-limit 30 --nemesis kill --seed 14"
      .split(" "),
  ]);
  assert.equal(outcome.valid, true);
  assert.ok((outcome.results?.faults as Record<string, number>).restarts > 0);
});

// An acknowledged add must survive the crash of the node that took it.
Deno.test("g-counter: acknowledged adds survive kills (seed 2: every node killed twice)", async () => {
  const outcome = await challengeRun("g-counter", [
    ..."-w g-counter --node-count 3 --rate 100 --time-limit 20 --nemesis kill --seed 2".split(" "),
  ]);
  assert.equal(outcome.valid, true);
  assert.ok((outcome.results?.faults as Record<string, number>).kills >= 3);
});

// Regression: a restarted Raft follower (empty log) rejected below its old match index, and the
// leader resent from match_index + 1 forever: a zero-latency hot loop that froze the virtual
// clock (the simulator's watchdog ends such a run after 60 s of real time without progress).
Deno.test("regression: lin-kv makes progress after a follower restarts (raft-3.2, seed 7)", async () => {
  const outcome = await challengeRun("lin-kv", [
    ..."-w lin-kv --node-count 3 --concurrency 2n --time-limit 60 --rate 1 --nemesis kill --seed 7"
      .split(" "),
  ]);
  assert.equal(outcome.exit_code === 0 || outcome.exit_code === 1, true);
  assert.ok((outcome.results?.faults as Record<string, number>).restarts > 0);
});
