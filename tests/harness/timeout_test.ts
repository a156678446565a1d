// Client RPC timeouts come from the workload: lin-kv waits max(10 × latency, 1000) ms,
// the others 5000 ms (harness.md §6), both in the client and through a real run.

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { HarnessClient } from "../../lib/harness/client.ts";
import { parseTestArgs } from "../../lib/harness/cli.ts";
import { Network } from "../../lib/harness/network.ts";
import { Rng } from "../../lib/harness/rng.ts";
import { runTest } from "../../lib/harness/runner.ts";
import { RpcTimeout } from "../../lib/harness/types.ts";
import { writeLauncher } from "../../lib/launcher.ts";
import { SimEnv } from "../../lib/sim_env.ts";

Deno.test("a client without an explicit timeout uses the one it was opened with", async () => {
  const env = new SimEnv();
  const net = new Network({ latency_ms: 0, latency_dist: "constant", rng: new Rng(1), clock: env });
  net.register("n0", () => {});
  const client = new HarnessClient(net, "n0", 1000);
  const silent = client.rpc({ type: "read", key: 0 });
  const check = assert.rejects(silent, (e) => e instanceof RpcTimeout && e.timeout_ms === 1000);
  await env.advance(1000);
  await check;
});

Deno.test("lin-kv ops against a silent node complete after 1 s, not 5 s", async () => {
  const dir = await Deno.makeTempDir({ prefix: "timeout-test-" });
  try {
    const bin = `${dir}/silent`;
    await writeLauncher(bin, fileURLToPath(new URL("./nodes/harness_silent.ts", import.meta.url)));
    const opts = parseTestArgs([
      ...["-w", "lin-kv", "--bin", bin, "--store", dir, "--node-count", "1"],
      ...["--concurrency", "2n", "--time-limit", "2", "--rate", "10", "--seed", "3"],
    ]);
    const outcome = await runTest(opts, { console: () => {} });
    const history = Deno.readTextFileSync(`${outcome.store_path}/history.jsonl`).trim().split("\n")
      .map((line) => JSON.parse(line));
    const invoked_ns = new Map<unknown, number>();
    const waits_ms: number[] = [];
    for (const op of history) {
      if (op.process === "nemesis") continue;
      if (op.type === "invoke") invoked_ns.set(op.process, op.time);
      else waits_ms.push((op.time - invoked_ns.get(op.process)!) / 1e6);
    }
    assert.ok(waits_ms.length > 0, "some ops completed");
    for (const wait_ms of waits_ms) assert.ok(wait_ms >= 990 && wait_ms < 1500, `${wait_ms} ms`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
