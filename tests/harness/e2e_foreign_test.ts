// The harness takes any executable that speaks Maelstrom's protocol: a plain
// Python node (tests/harness/nodes/foreign_python.py, no library) passes echo
// through the CLI exactly as a user would run it, and broadcast with partitions.

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { parseTestArgs } from "../../lib/harness/cli.ts";
import { runTest } from "../../lib/harness/runner.ts";

const PYTHON_NODE = fileURLToPath(new URL("./nodes/foreign_python.py", import.meta.url));
const MAIN = fileURLToPath(new URL("../../lib/harness/main.ts", import.meta.url));
const has_python = await new Deno.Command("python3", { args: ["--version"], stdout: "null" })
  .output().then((o) => o.success, () => false);

Deno.test({
  name: "foreign node: a Python echo node passes through the CLI",
  ignore: !has_python,
  async fn() {
    const store = await Deno.makeTempDir({ prefix: "e2e-foreign-" });
    try {
      const args = ["run", "-A", MAIN, "test", "-w", "echo", "--bin", PYTHON_NODE];
      args.push("--node-count", "2", "--time-limit", "2", "--rate", "20", "--store", store);
      const out = await new Deno.Command(Deno.execPath(), {
        args,
        stdout: "piped",
        stderr: "piped",
      })
        .output();
      const stdout = new TextDecoder().decode(out.stdout);
      assert.equal(out.code, 0, stdout + new TextDecoder().decode(out.stderr));
      assert.match(stdout, /Everything looks good!/);
    } finally {
      await Deno.remove(store, { recursive: true });
    }
  },
});

// A fixed seed fixes the op mix and the partition schedule; the node gossips on a
// fixed 100 ms deadline, so after the final heal every node has sent its whole
// set to every peer ten times over before the final reads at 1 s.
Deno.test({
  name: "foreign node: a Python broadcast node is valid under partitions",
  ignore: !has_python,
  async fn() {
    const store = await Deno.makeTempDir({ prefix: "e2e-foreign-" });
    try {
      const opts = parseTestArgs([
        "-w",
        "broadcast",
        "--bin",
        PYTHON_NODE,
        "--node-count",
        "3",
        "--time-limit",
        "3",
        "--rate",
        "20",
        "--nemesis",
        "partition",
        "--nemesis-interval",
        "1",
        "--seed",
        "17",
        "--store",
        store,
      ]); // deno-fmt-ignore
      const outcome = await runTest(opts, { recovery_ms: 1000, console: () => {} });
      assert.equal(outcome.valid, true, JSON.stringify(outcome.results?.workload).slice(0, 1000));
    } finally {
      await Deno.remove(store, { recursive: true });
    }
  },
});
