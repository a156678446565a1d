// What `--sim --bin` accepts (lib/harness/sim/loader.ts): node modules and
// the bin/<name> launchers that run one. A Python script, a compiled binary, a
// module without `setup`, or one that starts a process at import is refused
// with one clear line and exit 254, through the CLI's own `main`.

import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  launcherTarget,
  loadNodeSetup,
  resolveSimModule,
  SimUnsupported,
} from "../../../lib/harness/sim/loader.ts";
import { writeLauncher } from "../../../lib/launcher.ts";
import { type MainRun, runMain } from "./main_capture.ts";
import { Node } from "../../../lib/maelstrom.ts";
import { SimEnv } from "../../../lib/sim_env.ts";

const node = (name: string) => fileURLToPath(new URL(`../nodes/${name}`, import.meta.url));
const ECHO = fileURLToPath(new URL("../../../challenges/echo.ts", import.meta.url));

/** Runs `main(["test", …])` in a temp store with console output captured. */
async function runTest(argv: string[]): Promise<MainRun> {
  const store = await Deno.makeTempDir({ prefix: "sim-loader-" });
  try {
    return await runMain(["test", ...argv, "--store", store]);
  } finally {
    await Deno.remove(store, { recursive: true });
  }
}

const ECHO_ARGS = ["-w", "echo", "--node-count", "1", "--time-limit", "1", "--sim", "--seed", "1"];

/** A refusal: exit 254, no report, and exactly one line that matches `pattern`. */
async function assertRefused(bin: string, pattern: RegExp): Promise<void> {
  const { code, out, err } = await runTest([...ECHO_ARGS, "--bin", bin]);
  assert.equal(code, 254, JSON.stringify({ out, err }));
  assert.deepEqual(out, [], "no report is printed");
  assert.equal(err.length, 1, JSON.stringify(err));
  assert.equal(err[0].includes("\n"), false, err[0]);
  assert.match(err[0], pattern);
}

Deno.test("loader: --sim refuses a Python script with one line, exit 254", async () => {
  await assertRefused(
    node("foreign_python.py"),
    /^--sim cannot run .*foreign_python\.py: it is a script for \/usr\/bin\/env python3; .*give --bin the \.ts file, or drop --sim/,
  );
});

Deno.test("loader: --sim refuses a compiled executable with one line, exit 254", async () => {
  await assertRefused(
    "/bin/true",
    /^--sim cannot run (\/usr)?\/bin\/true: it is a compiled executable;/,
  );
});

Deno.test("loader: --sim refuses a .ts module without a setup export, exit 254", async () => {
  await assertRefused(
    node("sim_no_setup.ts"),
    /^--sim: .*sim_no_setup\.ts does not export setup\(node, args\);/,
  );
});

Deno.test("loader: a module that runs a process at import is refused at once, not after reading stdin", async () => {
  // part1_echo.ts calls `await node.run()` at top level (no setup): in the simulator that
  // must fail fast with the runtime's hint instead of reading the harness's stdin.
  await assertRefused(
    node("part1_echo.ts"),
    /^--sim cannot import .*part1_echo\.ts: Node\.run\(\) was called while the simulator loaded this module/,
  );
});

Deno.test("loader: a missing --bin is a usage error naming the path", async () => {
  const { code, err } = await runTest([...ECHO_ARGS, "--bin", "/nonexistent/node.ts"]);
  assert.equal(code, 254);
  assert.match(err.join("\n"), /\/nonexistent\/node\.ts/);
});

Deno.test("loader: a bin/<name> launcher resolves to its module, and runs under --sim", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sim-loader-bin-" });
  try {
    const bin = join(dir, "echo");
    await writeLauncher(bin, ECHO);
    assert.deepEqual(resolveSimModule(bin), {
      path: ECHO,
      url: new URL("../../../challenges/echo.ts", import.meta.url).href,
    });
    // A path with a quote and a space survives the launcher's shell quoting.
    const odd_dir = join(dir, "it's a dir");
    await Deno.mkdir(odd_dir);
    const odd_module = join(odd_dir, "node.ts");
    await Deno.copyFile(ECHO, odd_module);
    const odd_bin = join(dir, "odd");
    await writeLauncher(odd_bin, odd_module);
    assert.equal(resolveSimModule(odd_bin).path, odd_module);

    const { code, out } = await runTest([...ECHO_ARGS, "--bin", bin]);
    assert.equal(code, 0, out.join("\n"));
    assert.match(out.join("\n"), /"module": ".*challenges\/echo\.ts"/);
    assert.match(out.join("\n"), /Everything looks good!/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loader: launcherTarget reads only exec … run … <module> lines", () => {
  assert.equal(
    launcherTarget("#!/bin/sh\nexec '/x/deno' run -A '/a/b.ts' \"$@\"\n"),
    "/a/b.ts",
  );
  assert.equal(launcherTarget("#!/bin/sh\necho run /a/b.ts\n"), undefined);
  assert.equal(launcherTarget("exec deno run /a/b.ts\n"), undefined, "no shebang: not a script");
  assert.equal(launcherTarget("#!/bin/sh\nexec python3 /a/b.py\n"), undefined);
});

Deno.test("loader: each instance of a module has its own module-level state", async () => {
  const module = resolveSimModule(node("sim_lossy_broadcast.ts"));
  const a = await loadNodeSetup(module, "loader-test-a");
  const b = await loadNodeSetup(module, "loader-test-b");
  assert.notEqual(a, b);
  const refused = await loadNodeSetup(resolveSimModule(node("sim_no_setup.ts")), "x").catch((e) =>
    e
  );
  assert.ok(refused instanceof SimUnsupported);
  // A node built on one instance works on its own Env.
  const env = new SimEnv(1);
  const n = new Node(env);
  a(n, []);
  n.handleMessage({ src: "c0", dest: "n0", body: { type: "init", msg_id: 1, node_id: "n0" } });
  await env.advance(0);
  assert.match((await env.takeSent()).map((m) => m.body.type).join(","), /init_ok/);
});
