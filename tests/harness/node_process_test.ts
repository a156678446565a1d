// Tests of lib/harness/node_process.ts with real processes: lossless big
// integers both ways, envelope validation, crash reports, stderr logs.

import assert from "node:assert/strict";
import { Rng } from "../../lib/harness/rng.ts";
import { type NetMessage, Network } from "../../lib/harness/network.ts";
import { type NodeIssue, NodeProcess, validateEnvelope } from "../../lib/harness/node_process.ts";
import { nodeLauncher } from "./support/test_node.ts";

const dir = Deno.makeTempDirSync({ prefix: "node-process-test-" });

async function waitFor(cond: () => boolean, timeout_ms = 10_000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeout_ms) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}

Deno.test("envelope validation is strict", () => {
  assert.deepEqual(validateEnvelope({ src: "n0", dest: "c1", body: { type: "a" } }), {
    src: "n0",
    dest: "c1",
    body: { type: "a" },
  });
  assert.deepEqual(validateEnvelope({ src: "n0", dest: "c1", id: 4 }), {
    src: "n0",
    dest: "c1",
    body: {},
  });
  assert.match(validateEnvelope([1]) as string, /not a JSON object/);
  assert.match(
    validateEnvelope({ src: 1, dest: "c1", body: {} }) as string,
    /src must be a string/,
  );
  assert.match(validateEnvelope({ src: "n0", body: {} }) as string, /dest must be a string/);
  assert.match(
    validateEnvelope({ src: "n0", dest: "c1", body: {}, extra: 1 }) as string,
    /unexpected key "extra"/,
  );
  assert.match(
    validateEnvelope({ src: "n0", dest: "c", body: [] }) as string,
    /body must be an object/,
  );
  assert.match(
    validateEnvelope({ src: "n0", dest: "c", id: 1.5 }) as string,
    /id must be an integer/,
  );
});

Deno.test("integers beyond 2^53 stay exact and distinct, both ways", async () => {
  const bin = await nodeLauncher(dir, "harness_big_ids");
  const net = new Network({ latency_ms: 0, latency_dist: "constant", rng: new Rng(1) });
  const sent: NetMessage[] = [];
  const issues: NodeIssue[] = [];
  const log_path = `${dir}/big.log`;
  const proc = NodeProcess.start({
    id: "n0",
    bin,
    args: [],
    cwd: dir,
    log_path,
    log_stderr: false,
    strict: false,
    log: () => {},
    send: (src, dest, body) => sent.push(net.send(src, dest, body)),
    report: (issue) => issues.push(issue),
  });
  net.register("n0", (m) => proc.deliver(m));
  net.register("c0", () => {});
  net.send("c0", "n0", { type: "hello" });
  await waitFor(() => Deno.readTextFileSync(log_path).split("\n").length > 3);
  await proc.stop();
  net.close();
  assert.deepEqual(issues, []);
  const ids = sent.map((m) => m.body.id);
  assert.deepEqual(ids, [9007199254740993n, 9007199254740992n]);
  assert.notEqual(ids[0], ids[1]);
  const log = Deno.readTextFileSync(log_path);
  assert.match(log, /"id":9007199254740993\}/);
  assert.match(log, /"id":9007199254740992\}/);
});

Deno.test("a crash is reported with exit code and stderr tail; stop() is prompt", async () => {
  const bin = await nodeLauncher(dir, "harness_crash");
  const issues: NodeIssue[] = [];
  const net = new Network({ latency_ms: 0, latency_dist: "constant", rng: new Rng(1) });
  const proc = NodeProcess.start({
    id: "n0",
    bin,
    args: [],
    cwd: dir,
    log_path: `${dir}/crash.log`,
    log_stderr: false,
    strict: false,
    log: () => {},
    send: (src, dest, body) => net.send(src, dest, body),
    report: (issue) => issues.push(issue),
  });
  net.register("n0", (m) => proc.deliver(m));
  net.register("c0", () => {});
  net.send("c0", "n0", { type: "init", node_id: "n0", node_ids: ["n0"], msg_id: 1 });
  net.send("c0", "n0", { type: "echo", echo: 1, msg_id: 2 });
  await proc.exited;
  await waitFor(() => issues.length > 0);
  await proc.stop();
  net.close();
  assert.equal(issues.length, 1);
  assert.equal(issues[0].kind, "crashed");
  assert.equal(issues[0].exit_code, 3);
  assert.deepEqual(issues[0].stderr_tail, ["crashing on purpose"]);
  assert.ok(proc.crashed);
  assert.match(Deno.readTextFileSync(`${dir}/crash.log`), /crashing on purpose/);
});

Deno.test("a node that never answers is killed within the bound", async () => {
  const bin = await nodeLauncher(dir, "harness_hang");
  const proc = NodeProcess.start({
    id: "n0",
    bin,
    args: [],
    cwd: dir,
    log_path: `${dir}/hang.log`,
    log_stderr: false,
    strict: false,
    log: () => {},
    send: () => {},
    report: () => {},
  });
  const start = Date.now();
  await proc.stop();
  assert.ok(Date.now() - start < 5000);
  assert.ok(!proc.crashed);
  assert.equal(proc.exit_status?.signal, "SIGKILL");
});
