/**
 * tools/deno, the bootstrap: with tools/ itself on PATH it must not exec itself forever, and when
 * it has to fetch Deno from npm and cannot, it says so in its own words (npm's output goes to a
 * log file). Runs copies of the wrapper in temp dirs, with PATHs built for each case.
 */

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { dirname } from "node:path";

const TOOLS = fileURLToPath(new URL("../../tools", import.meta.url));
const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

async function run(program: string, args: string[], path: string) {
  const out = await new Deno.Command(program, {
    args,
    clearEnv: true,
    env: {
      PATH: path,
      HOME: Deno.env.get("HOME") ?? "/tmp",
      TMPDIR: Deno.env.get("TMPDIR") ?? "/tmp",
    },
    stdout: "piped",
    stderr: "piped",
    // Bounds the old behaviour (an endless exec loop); a passing run takes well under a second.
    signal: AbortSignal.timeout(60_000),
  }).output();
  return { code: out.code, stdout: decode(out.stdout), stderr: decode(out.stderr) };
}

/** A directory holding symlinks to the named system commands (and nothing else). */
async function commandsDir(dir: string, names: string[]): Promise<string> {
  await Deno.mkdir(dir, { recursive: true });
  for (const name of names) {
    const found = await new Deno.Command("bash", {
      args: ["-c", `command -v ${name}`],
      stdout: "piped",
    })
      .output();
    const path = decode(found.stdout).trim();
    assert.ok(path.startsWith("/"), `${name} is on PATH`);
    await Deno.symlink(path, `${dir}/${name}`);
  }
  return dir;
}

const SHELL_TOOLS = ["bash", "env", "head", "grep", "readlink", "dirname", "mktemp", "rm"];

Deno.test("tools/deno with tools/ on PATH (directly and through a symlink) runs the real deno", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "tools-deno-" });
  try {
    const real = dirname(Deno.execPath());
    await Deno.mkdir(`${tmp}/linked`);
    await Deno.symlink(`${TOOLS}/deno`, `${tmp}/linked/deno`);
    for (const path of [`${TOOLS}:${real}`, `${tmp}/linked:${TOOLS}:${real}`]) {
      const system = await commandsDir(`${tmp}/sys-${path.length}`, SHELL_TOOLS);
      const out = await run(`${TOOLS}/deno`, ["--version"], `${path}:${system}`);
      assert.equal(out.code, 0, out.stderr);
      assert.match(out.stdout, /^deno \d+\.\d+\.\d+/);
    }
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("tools/deno without a reachable npm registry prints its own one-line message", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "tools-deno-" });
  try {
    // A copy of tools/ with no Deno installed yet, and no deno on PATH.
    await Deno.mkdir(`${tmp}/tools/deno-npm`, { recursive: true });
    await Deno.copyFile(`${TOOLS}/deno`, `${tmp}/tools/deno`);
    await Deno.chmod(`${tmp}/tools/deno`, 0o755);
    await Deno.copyFile(`${TOOLS}/deno-npm/package.json`, `${tmp}/tools/deno-npm/package.json`);
    const system = await commandsDir(`${tmp}/sys`, SHELL_TOOLS);
    // npm as it fails offline: an error code, then a stack.
    await Deno.mkdir(`${tmp}/npm`);
    await Deno.writeTextFile(
      `${tmp}/npm/npm`,
      [
        "#!/bin/sh",
        "echo 'npm error code ECONNREFUSED' >&2",
        "echo 'npm error errno ECONNREFUSED' >&2",
        "echo 'npm error FetchError: request to https://registry.npmjs.org/deno failed' >&2",
        "echo '    at ClientRequest.<anonymous> (/usr/lib/node_modules/npm/node_modules/minipass-fetch/lib/index.js:130:14)' >&2",
        "exit 1",
        "",
      ].join("\n"),
      { mode: 0o755 },
    );
    const out = await run(`${tmp}/tools/deno`, ["--version"], `${tmp}/npm:${system}`);
    assert.equal(out.code, 1);
    const lines = out.stderr.trimEnd().split("\n");
    assert.equal(lines.length, 2, out.stderr);
    assert.match(lines[0], /^tools\/deno: installing the pinned Deno/);
    assert.match(
      lines[1],
      /^tools\/deno: could not fetch the pinned Deno from npm \(is the npm registry reachable\?\): error code ECONNREFUSED; npm's output is in \//,
    );
    assert.doesNotMatch(out.stderr, /at ClientRequest/);

    // No npm at all: one line saying what to install.
    const bare = await run(`${tmp}/tools/deno`, ["--version"], system);
    assert.equal(bare.code, 1);
    assert.match(bare.stderr, /^tools\/deno: no deno on PATH and no npm[^\n]*\n$/);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});
