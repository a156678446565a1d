/**
 * tools/build.ts: a failed `--compile` keeps the working executable it would have replaced, and a
 * bad flag or `--help` gets usage text, not a stack trace. Everything is built in temp dirs.
 */

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { buildChallenges, BuildUsageError, parseBuildArgs } from "../../tools/build.ts";

const BUILD = fileURLToPath(new URL("../../tools/build.ts", import.meta.url));
const offline = (_script: string, _output: string) =>
  Promise.resolve("failed to lookup address information: Name or service not known");

Deno.test("--compile offline fails and leaves the existing launcher in place", async () => {
  const bin_dir = await Deno.makeTempDir({ prefix: "build-test-" });
  try {
    const path = `${bin_dir}/echo`;
    const working = "#!/bin/sh\n# a working launcher\n";
    await Deno.writeTextFile(path, working, { mode: 0o755 });
    await assert.rejects(
      buildChallenges(["echo"], "compile", { bin_dir, compile: offline }),
      /deno compile failed for echo: failed to lookup address.*left as it was/,
    );
    assert.equal(await Deno.readTextFile(path), working);
    // No temporary file is left behind either.
    const names = [];
    for await (const entry of Deno.readDir(bin_dir)) names.push(entry.name);
    assert.deepEqual(names, ["echo"]);
  } finally {
    await Deno.remove(bin_dir, { recursive: true });
  }
});

Deno.test("without --compile an offline build falls back to a launcher", async () => {
  const bin_dir = await Deno.makeTempDir({ prefix: "build-test-" });
  try {
    const built = await buildChallenges(["echo"], "auto", { bin_dir, compile: offline });
    assert.deepEqual(built, [{ name: "echo", path: `${bin_dir}/echo`, kind: "launcher" }]);
    assert.match(await Deno.readTextFile(`${bin_dir}/echo`), /challenges\/echo\.ts/);
  } finally {
    await Deno.remove(bin_dir, { recursive: true });
  }
});

Deno.test("a successful compile replaces the executable", async () => {
  const bin_dir = await Deno.makeTempDir({ prefix: "build-test-" });
  try {
    await Deno.writeTextFile(`${bin_dir}/echo`, "old");
    const fake = async (_script: string, output: string) => {
      await Deno.writeTextFile(output, "compiled");
      return undefined;
    };
    const built = await buildChallenges(["echo"], "compile", { bin_dir, compile: fake });
    assert.equal(built[0].kind, "compiled");
    assert.equal(await Deno.readTextFile(`${bin_dir}/echo`), "compiled");
  } finally {
    await Deno.remove(bin_dir, { recursive: true });
  }
});

Deno.test("build arguments: modes, help, and one-line errors for bad flags", () => {
  assert.deepEqual(parseBuildArgs([]), { help: false, mode: "auto", names: [] });
  assert.deepEqual(parseBuildArgs(["--launcher", "echo"]), {
    help: false,
    mode: "launcher",
    names: ["echo"],
  });
  assert.deepEqual(parseBuildArgs(["--help"]), { help: true });
  assert.deepEqual(parseBuildArgs(["-h"]), { help: true });
  assert.throws(() => parseBuildArgs(["--bogus"]), (e) => {
    assert.ok(e instanceof BuildUsageError);
    assert.equal(e.message, "Unknown option '--bogus'");
    return true;
  });
  assert.throws(() => parseBuildArgs(["--compile", "--launcher"]), BuildUsageError);
});

Deno.test("tools/build.ts --bogus prints one line and exits 254; --help prints usage", async () => {
  const run = async (args: string[]) => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", BUILD, ...args],
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }).output();
    const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes).trimEnd();
    return { code: out.code, stdout: decode(out.stdout), stderr: decode(out.stderr) };
  };
  const bad = await run(["--bogus"]);
  assert.equal(bad.code, 254);
  assert.equal(bad.stderr, "build: Unknown option '--bogus' (see --help)");
  assert.doesNotMatch(bad.stderr, /TypeError|at /);
  const help = await run(["--help"]);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^Usage: deno task build/);
  assert.equal(help.stderr, "");
});
