// The simulator's launcher (lib/harness/sim/launcher.ts): one module instance
// per node, so module-level state is per node as it is per process, and a
// node restarted after a kill gets a fresh instance (its memory is gone).

import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Body } from "../../../lib/maelstrom.ts";
import { parseTestArgs } from "../../../lib/harness/cli.ts";
import type { NodeHost, NodeHostOptions } from "../../../lib/harness/node_host.ts";
import { Rng } from "../../../lib/harness/rng.ts";
import { SimLauncher } from "../../../lib/harness/sim/launcher.ts";

const STATEFUL = fileURLToPath(new URL("../nodes/sim_module_state.ts", import.meta.url));

Deno.test("launcher: module-level state is per node, and a restart starts it afresh", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sim-launcher-" });
  const replies: string[] = [];
  const opts = parseTestArgs([
    "-w",
    "echo",
    "--bin",
    STATEFUL,
    "--node-count",
    "2",
    "--sim",
    "--seed",
    "1",
    "--store",
    dir,
  ]);
  const launcher = await SimLauncher.create(opts, new Rng(1));
  const options = (id: string): NodeHostOptions => ({
    id,
    args: [],
    log_path: join(dir, `${id}.log`),
    log_stderr: false,
    strict: false,
    log: () => {},
    send: (src: string, _dest: string, body: Body) => {
      if (body.type === "count_ok") replies.push(`${src}:${body.handled}`);
    },
    report: (issue) => assert.fail(JSON.stringify(issue)),
  });
  let next_id = 1;
  const hosts = new Map<string, NodeHost>();
  const send = (id: string, type: string) =>
    hosts.get(id)!.deliver({
      id: next_id,
      src: "c1",
      dest: id,
      body: { type, msg_id: next_id++, node_id: id, node_ids: ["n0", "n1"] },
    });
  const clock = launcher.clock;
  const tick = () => new Promise<void>((resolve) => clock.setTimer(resolve, 1));
  try {
    await clock.run(async () => {
      for (const id of ["n0", "n1"]) {
        hosts.set(id, launcher.start(options(id)));
        send(id, "init");
      }
      await tick();
      send("n0", "count");
      send("n0", "count");
      send("n1", "count");
      await tick();
      assert.deepEqual(replies, ["n0:1", "n0:2", "n1:1"]);
      await hosts.get("n0")!.kill();
      hosts.set("n0", await launcher.restart(options("n0")));
      send("n0", "init");
      await tick();
      send("n0", "count");
      send("n1", "count");
      await tick();
      for (const host of hosts.values()) await host.stop();
    });
    assert.deepEqual(replies, ["n0:1", "n0:2", "n1:1", "n0:1", "n1:2"]);
  } finally {
    await launcher.close();
    await Deno.remove(dir, { recursive: true });
  }
});
