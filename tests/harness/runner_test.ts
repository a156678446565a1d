// End-to-end tests of lib/harness/runner.ts with real node processes and
// short time limits: a valid echo run and its store, services through a
// node, init hang, crash, garbage output, nemesis with a final phase.

import assert from "node:assert/strict";
import { parseTestArgs } from "../../lib/harness/cli.ts";
import { type RunnerOptions, runTest } from "../../lib/harness/runner.ts";
import { readJsonl } from "../../lib/harness/store.ts";
import type { Op, Workload, WorkloadFactory } from "../../lib/harness/types.ts";
import { createEchoWorkload } from "./fixtures/echo_workload.ts";
import { analyzeRun, formatReport, main } from "../../lib/harness/main.ts";
import { nodeLauncher } from "./support/test_node.ts";

const dir = Deno.makeTempDirSync({ prefix: "runner-test-" });
const ECHO_CHALLENGE = new URL("../../challenges/echo.ts", import.meta.url);

const quiet: RunnerOptions = { workload_factory: createEchoWorkload, console: () => {} };

function args(bin: string, extra: string[] = []): string[] {
  return ["-w", "echo", "--bin", bin, "--store", dir, "--seed", "5", ...extra];
}

Deno.test("a valid echo run: results, exit code, store layout", async () => {
  const bin = await nodeLauncher(dir, "echo", ECHO_CHALLENGE);
  const opts = parseTestArgs(args(bin, ["--node-count", "2", "--time-limit", "2", "--rate", "50"]));
  const outcome = await runTest(opts, quiet);
  assert.equal(outcome.exit_code, 0, JSON.stringify(outcome.results));
  const results = outcome.results!;
  assert.deepEqual(Object.keys(results), [
    "perf",
    "timeline",
    "exceptions",
    "stats",
    "availability",
    "net",
    "workload",
    "valid?",
  ]);
  const path = outcome.store_path;
  for (
    const file of [
      "test.json",
      "history.jsonl",
      "history.txt",
      "results.json",
      "messages.jsonl",
      "harness.log",
      "timeline.html",
      "latency-raw.svg",
      "latency-quantiles.svg",
      "rate.svg",
      "messages.svg",
      "node-logs/n0.log",
      "node-logs/n1.log",
    ]
  ) {
    assert.ok(Deno.statSync(`${path}/${file}`).isFile, file);
  }
  assert.equal(Deno.realPathSync(`${dir}/store/latest`), Deno.realPathSync(path));
  assert.equal(Deno.realPathSync(`${dir}/store/echo/latest`), Deno.realPathSync(path));
  assert.ok(!Deno.readLinkSync(`${dir}/store/latest`).startsWith("/"), "relative symlink");
  const history = readJsonl(`${path}/history.jsonl`) as Op[];
  assert.ok(history.length > 40);
  history.forEach((op, i) => assert.equal(op.index, i));
  assert.deepEqual(Object.keys(history[0]).slice(0, 6), [
    "index",
    "time",
    "type",
    "process",
    "f",
    "value",
  ]);
  assert.ok(new Set(history.map((op) => op.node)).size === 2, "both nodes used");
  const test = JSON.parse(Deno.readTextFileSync(`${path}/test.json`));
  assert.equal(test.seed, 5);
  // Journal: contiguous event ids, init included.
  const events = readJsonl(`${path}/messages.jsonl`) as {
    id: number;
    message: { body: { type: string } };
  }[];
  events.forEach((e, i) => assert.equal(e.id, i));
  assert.equal(events.filter((e) => e.message.body.type === "init").length, 4); // send + recv
  const net = results.net as { all: { "msg-count": number; "msgs-per-op": number } };
  const invokes = history.filter((op) => op.type === "invoke").length;
  assert.equal(
    net.all["msg-count"],
    events.filter((e) => (e as unknown as { type: string }).type === "send").length,
  );
  assert.ok(Math.abs(net.all["msgs-per-op"] - net.all["msg-count"] / invokes) < 1e-6);
  // Perf, timeline and the message diagram (init left out).
  assert.equal((results.perf as { "valid?": unknown })["valid?"], true);
  assert.deepEqual(results.timeline, { "valid?": true });
  const svg = Deno.readTextFileSync(`${path}/messages.svg`);
  assert.match(svg, /^<\?xml [^]*<\/svg>\n$/);
  assert.match(svg, />echo \{:echo /);
  assert.doesNotMatch(svg, />init/);
  assert.match(Deno.readTextFileSync(`${path}/timeline.html`), /class="op ok"/);
  // The stored run re-analyses to the same verdict.
  await Deno.remove(`${path}/messages.svg`);
  const analyzed = await analyzeRun(path);
  assert.equal(analyzed["valid?"], true);
  assert.deepEqual(Object.keys(analyzed), Object.keys(results), "same checkers, same order");
  assert.match(Deno.readTextFileSync(`${path}/messages.svg`), />echo \{:echo /, "diagram redrawn");
  assert.match(formatReport(results), /\n}\n\n\nEverything looks good! ヽ\(‘ー`\)ノ$/);
});

Deno.test("nodes reach the services; server traffic is counted", async () => {
  const bin = await nodeLauncher(dir, "harness_kv_echo");
  const opts = parseTestArgs(
    args(bin, ["--node-count", "1", "--time-limit", "1", "--rate", "20", "--latency", "2"]),
  );
  const outcome = await runTest(opts, quiet);
  assert.equal(outcome.valid, true, JSON.stringify(outcome.results));
  const servers = (outcome.results!.net as { servers: { "msg-count": number } }).servers;
  assert.ok(servers["msg-count"] > 0);
});

Deno.test("a node that never answers init aborts the run with exit 255, naming it", async () => {
  const bin = await nodeLauncher(dir, "harness_hang");
  const opts = parseTestArgs(args(bin, ["--node-count", "2", "--time-limit", "1"]));
  const start = Date.now();
  const outcome = await runTest(opts, { ...quiet, init_timeout_ms: 500 });
  assert.ok(Date.now() - start < 8000);
  assert.equal(outcome.exit_code, 255);
  assert.equal(outcome.results, undefined);
  assert.match(outcome.error!, /node n0 did not respond to init within 500 ms/);
  assert.match(outcome.error!, /node n1 did not respond to init/);
});

Deno.test("a crash is reported in the results and makes the test invalid", async () => {
  const bin = await nodeLauncher(dir, "harness_crash");
  const opts = parseTestArgs(args(bin, ["--node-count", "1", "--time-limit", "1", "--rate", "10"]));
  const short_timeout: WorkloadFactory = (ctx) => {
    const workload = createEchoWorkload(ctx);
    workload.rpc_timeout_ms = 300;
    return workload;
  };
  const outcome = await runTest(opts, { ...quiet, workload_factory: short_timeout });
  assert.equal(outcome.exit_code, 1);
  const node_errors = outcome.results!["node-errors"] as {
    "valid?": boolean;
    issues: { kind: string; exit_code: number; stderr_tail: string[] }[];
  };
  assert.equal(node_errors["valid?"], false);
  const crash = node_errors.issues.find((i) => i.kind === "crashed")!;
  assert.equal(crash.exit_code, 3);
  assert.deepEqual(crash.stderr_tail, ["crashing on purpose"]);
  assert.ok(Deno.statSync(`${outcome.store_path}/node-errors.json`).isFile);
});

Deno.test("a protocol error silences the node's output, as in Maelstrom", async () => {
  const bin = await nodeLauncher(dir, "harness_garbage");
  const opts = parseTestArgs(args(bin, ["--node-count", "1", "--time-limit", "1", "--rate", "20"]));
  const outcome = await runTest(opts, quiet);
  const node_errors = outcome.results!["node-errors"] as {
    "valid?": boolean;
    "by-kind": Record<string, number>;
    "silenced-nodes": string[];
  };
  // Maelstrom's stdout reader stops at the first bad line: later lines are never seen.
  assert.deepEqual(node_errors["by-kind"], { "line-not-valid-json": 1 });
  assert.equal(node_errors["valid?"], true, "protocol errors alone do not invalidate");
  assert.deepEqual(node_errors["silenced-nodes"], ["n0"]);
  const stats = outcome.results!.stats as { "ok-count": number; "info-count": number };
  assert.equal(stats["ok-count"], 0, "no reply after the garbage reaches a client");
  assert.ok(stats["info-count"] > 0);
  assert.equal(outcome.valid, false, "the echo checker sees no acknowledged echo");
});

Deno.test("--strict: every protocol error is reported, invalidates, and reading goes on", async () => {
  const bin = await nodeLauncher(dir, "harness_garbage");
  const opts = parseTestArgs(
    args(bin, ["--node-count", "1", "--time-limit", "1", "--rate", "20", "--strict"]),
  );
  const outcome = await runTest(opts, quiet);
  assert.equal(outcome.valid, false);
  const node_errors = outcome.results!["node-errors"] as {
    "valid?": boolean;
    "by-kind": Record<string, number>;
  };
  assert.equal(node_errors["valid?"], false);
  assert.deepEqual(node_errors["by-kind"], {
    "invalid-dest": 1,
    "line-not-valid-json": 1,
    "malformed-message": 1,
  });
  const stats = outcome.results!.stats as { "ok-count": number; "info-count": number };
  assert.ok(stats["ok-count"] > 5, "replies after the garbage still arrive");
});

Deno.test("nemesis and final phase: heal, recovery, final ops flagged", async () => {
  const bin = await nodeLauncher(dir, "echo", ECHO_CHALLENGE);
  const base = createEchoWorkload;
  const with_final: WorkloadFactory = (ctx) => {
    const workload: Workload = base(ctx);
    workload.final = async (phase) => {
      await Promise.all(
        Array.from(
          { length: phase.threads },
          (_, t) => phase.invoke(t, { f: "echo", value: `final ${t}`, final: true }),
        ),
      );
    };
    return workload;
  };
  const opts = parseTestArgs(args(bin, [
    "--node-count",
    "3",
    "--time-limit",
    "2",
    "--rate",
    "20",
    "--nemesis",
    "partition",
    "--nemesis-interval",
    "0.3",
  ]));
  const outcome = await runTest(opts, { ...quiet, workload_factory: with_final, recovery_ms: 200 });
  assert.equal(outcome.valid, true, JSON.stringify(outcome.results));
  const history = readJsonl(`${outcome.store_path}/history.jsonl`) as Op[];
  const nemesis = history.filter((op) => op.process === "nemesis");
  assert.ok(nemesis.length >= 4);
  assert.equal(nemesis[0].f, "start-partition");
  const final_ops = history.filter((op) => op.final);
  assert.equal(final_ops.length, 6);
  const last_nemesis = nemesis.at(-1)!;
  assert.equal(last_nemesis.f, "stop-partition");
  assert.ok(last_nemesis.index < final_ops[0].index);
  assert.ok(final_ops[0].time - last_nemesis.time >= 200e6, "recovery sleep before final ops");
  // The perf graphs shade the partitions; the timeline has a nemesis column.
  for (const name of ["latency-raw.svg", "latency-quantiles.svg", "rate.svg"]) {
    assert.match(Deno.readTextFileSync(`${outcome.store_path}/${name}`), /fill="#E9DCA0"/, name);
  }
  const timeline = Deno.readTextFileSync(`${outcome.store_path}/timeline.html`);
  assert.match(timeline, /<div class="process" style="left:0px;width:100px">nemesis<\/div>/);
});

Deno.test("main: usage errors exit 254; missing workload modules exit 254", async () => {
  const errors: string[] = [];
  const original = console.error;
  console.error = (...parts: unknown[]) => errors.push(parts.join(" "));
  try {
    assert.equal(await main(["test", "--rate", "x"]), 254);
    assert.equal(await main(["frob"]), 254);
    assert.equal(await main(["serve", "--port", "x"]), 254); // serve itself runs until stopped
    assert.equal(await main(["demo"]), 254);
  } finally {
    console.error = original;
  }
  assert.ok(errors.some((e) => /--rate must be a number, got "x"/.test(e)));
  assert.ok(errors.some((e) => /Expected a --bin/.test(e)));
});
