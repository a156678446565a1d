// Tests of lib/harness/cli.ts: defaults, every option's parsing, and usage errors.

import assert from "node:assert/strict";
import { parseTestArgs, UsageError } from "../../lib/harness/cli.ts";

const dir = Deno.makeTempDirSync({ prefix: "cli-test-" });
const bin = `${dir}/node`;
Deno.writeTextFileSync(bin, "#!/bin/sh\n");
Deno.chmodSync(bin, 0o755);
const not_exec = `${dir}/plain`;
Deno.writeTextFileSync(not_exec, "");
Deno.chmodSync(not_exec, 0o644);

function usageError(argv: string[]): UsageError {
  try {
    parseTestArgs(argv);
  } catch (e) {
    assert.ok(e instanceof UsageError, `expected UsageError, got ${e}`);
    return e;
  }
  assert.fail(`expected a usage error for ${argv.join(" ")}`);
}

Deno.test("defaults follow Maelstrom", () => {
  const opts = parseTestArgs(["--bin", bin]);
  assert.equal(opts.workload, "lin-kv");
  assert.deepEqual(opts.nodes, ["n1", "n2", "n3", "n4", "n5"]);
  assert.equal(opts.concurrency, 5);
  assert.equal(opts.time_limit_s, 60);
  assert.equal(opts.rate, 5);
  assert.equal(opts.latency_ms, 0);
  assert.equal(opts.latency_dist, "constant");
  assert.deepEqual(opts.nemesis, []);
  assert.equal(opts.nemesis_interval_s, 10);
  assert.equal(opts.topology, "grid");
  assert.equal(opts.availability, undefined);
  assert.deepEqual(opts.consistency_models, ["strict-serializable"]);
  assert.equal(opts.key_count, undefined);
  assert.equal(opts.max_txn_length, 4);
  assert.equal(opts.max_writes_per_key, 16);
  assert.equal(opts.test_count, 1);
  assert.equal(opts.final_reads, true);
  assert.equal(opts.bin, Deno.realPathSync(bin));
  assert.ok(Number.isInteger(opts.seed) && opts.seed >= 0);
});

Deno.test("every option parses", () => {
  const opts = parseTestArgs([
    "-w",
    "broadcast",
    "--bin",
    bin,
    "--node-count",
    "3",
    "--time-limit",
    "7",
    "--rate",
    "12.5",
    "--concurrency",
    "2n",
    "--latency",
    "100",
    "--latency-dist",
    "exponential",
    "--nemesis",
    "partition , partition",
    "--nemesis-interval",
    "0.5",
    "--topology",
    "tree4",
    "--availability",
    "0.75",
    "--consistency-models",
    "read-committed, serializable",
    "--key-count",
    "3",
    "--max-txn-length",
    "2",
    "--max-writes-per-key",
    "8",
    "--test-count",
    "2",
    "--log-stderr",
    "--log-net-send",
    "--log-net-recv",
    "--seed",
    "42",
    "--no-final-reads",
    "--store",
    "/tmp/x",
    "--",
    "--flag-for-node",
    "arg",
  ]);
  assert.equal(opts.workload, "broadcast");
  assert.deepEqual(opts.nodes, ["n0", "n1", "n2"]);
  assert.equal(opts.concurrency, 6);
  assert.equal(opts.time_limit_s, 7);
  assert.equal(opts.rate, 12.5);
  assert.equal(opts.latency_ms, 100);
  assert.equal(opts.latency_dist, "exponential");
  assert.deepEqual(opts.nemesis, ["partition"]);
  assert.equal(opts.nemesis_interval_s, 0.5);
  const faults = parseTestArgs([
    ...opts.bin === undefined ? [] : ["--bin", opts.bin],
    "--nemesis",
    "partition, pause",
    "--nemesis",
    "kill,pause",
  ]);
  assert.deepEqual(faults.nemesis, ["partition", "pause", "kill"]);
  assert.equal(opts.topology, "tree4");
  assert.equal(opts.availability, 0.75);
  assert.deepEqual(opts.consistency_models, ["read-committed", "serializable"]);
  assert.equal(opts.key_count, 3);
  assert.equal(opts.max_txn_length, 2);
  assert.equal(opts.max_writes_per_key, 8);
  assert.equal(opts.test_count, 2);
  assert.equal(opts.log_stderr && opts.log_net_send && opts.log_net_recv, true);
  assert.equal(opts.seed, 42);
  assert.equal(opts.final_reads, false);
  assert.equal(opts.store_dir, "/tmp/x");
  assert.deepEqual(opts.bin_args, ["--flag-for-node", "arg"]);
});

Deno.test("node lists: -n, --nodes, concurrency without n", () => {
  const opts = parseTestArgs([
    "--bin",
    bin,
    "-n",
    "a1",
    "--node",
    "b2",
    "--nodes",
    "x,y",
    "--concurrency",
    "3",
  ]);
  assert.deepEqual(opts.nodes, ["a1", "b2", "x", "y"]);
  assert.equal(opts.concurrency, 3);
  assert.equal(parseTestArgs([`--bin=${bin}`, "--availability=total"]).availability, "total");
});

Deno.test("bad values give one line each, naming the value", () => {
  const cases: [string[], RegExp][] = [
    [["-w", "nope"], /--workload.*"nope"/],
    [["--node-count", "0"], /--node-count.*0/],
    [["--node-count", "x"], /--node-count.*"x"/],
    [["--time-limit", "1.5"], /--time-limit.*"1.5"/],
    [["--rate", "-1"], /--rate.*-1/],
    [["--rate", "fast"], /--rate.*"fast"/],
    [["--concurrency", "2x"], /--concurrency.*2x/],
    [["--latency", "-5"], /--latency.*-5/],
    [["--latency-dist", "normal"], /--latency-dist.*"normal"/],
    [["--latency-dist", "uniform"], /--latency-dist uniform needs --latency > 0/],
    [["--latency-dist", "exponential"], /--latency-dist exponential needs --latency > 0/],
    [["--nemesis", "partition,clock"], /--nemesis.*"clock"/],
    [["--nemesis-interval", "0"], /--nemesis-interval.*0/],
    [["--topology", "star"], /--topology.*"star"/],
    [["--availability", "1.5"], /--availability.*1.5/],
    [["--availability", "most"], /--availability.*"most"/],
    [["--consistency-models", "bogus"], /unknown consistency model "bogus"/],
    [["--key-count", "0"], /--key-count.*0/],
    [["--max-txn-length", "0"], /--max-txn-length.*0/],
    [["--max-writes-per-key", "-1"], /--max-writes-per-key.*-1/],
    [["--test-count", "0"], /--test-count.*0/],
    [["--seed", "abc"], /--seed.*"abc"/],
    [["--frobnicate"], /Unknown option: --frobnicate/],
    [["--nodes", "n1,lin-kv"], /"lin-kv" is the name of a built-in service/],
    [["--nodes", "n1,n1"], /"n1" given twice/],
    [["--rate"], /Missing value for --rate/],
  ];
  for (const [args, pattern] of cases) {
    const error = usageError(["--bin", bin, ...args]);
    assert.equal(error.exit_code, 254);
    assert.match(error.message, pattern, `for ${args.join(" ")}`);
    assert.equal(error.message.split("\n").length, 1, `one line for ${args.join(" ")}`);
  }
});

Deno.test("--bin missing, absent, a directory, not executable", () => {
  assert.match(usageError([]).message, /^Expected a --bin/);
  assert.match(usageError(["--bin", `${dir}/missing`]).message, /does not exist/);
  assert.match(usageError(["--bin", dir]).message, /is a directory/);
  assert.match(usageError(["--bin", not_exec]).message, /is not executable/);
});

Deno.test("several problems are all reported, one per line", () => {
  const error = usageError(["--rate", "x", "--latency", "y"]);
  assert.equal(error.message.split("\n").length, 3);
});

Deno.test("--help is a UsageError with exit code 0", () => {
  const error = usageError(["--bin", bin, "-h"]);
  assert.equal(error.exit_code, 0);
  assert.match(error.message, /^Usage: maelstrom test/);
});
