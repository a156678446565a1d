/**
 * tools/maelstrom as a drop-in `maelstrom`: from an empty directory outside the repository, through
 * a symlink on PATH, the README's Python echo node passes with a relative `--bin`, and `store/`
 * appears in that directory; `deno task maelstrom` keeps the caller's directory too. Temp dirs only.
 */

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url)).replace(/\/$/, "");
const has_python = await new Deno.Command("python3", { args: ["--version"], stdout: "null" })
  .output().then((o) => o.success, () => false);
const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

/** The README's Python echo node: the first python block of "Test your own node". */
function readmeEchoNode(): string {
  const readme = Deno.readTextFileSync(`${ROOT}/README.md`);
  const section = readme.slice(readme.indexOf("## Test your own node"));
  const match = /```python\n([^]*?)```/.exec(section);
  assert.ok(match, "README has a python block in 'Test your own node'");
  return match[1];
}

function callerEnv(): Record<string, string> {
  const env = Deno.env.toObject();
  delete env.INIT_CWD;
  delete env.MAELSTROM_CALLER_CWD;
  return env;
}

/** Runs `script` in bash in `cwd` with `path_dirs` in front of PATH, bounded in time. */
async function sh(script: string, cwd: string, path_dirs: string[] = []) {
  const out = await new Deno.Command("bash", {
    args: ["-c", script],
    cwd,
    // As typed in a fresh shell: no INIT_CWD from an enclosing `deno task test` (deno task keeps
    // an INIT_CWD it inherits, so the outer task's directory would win).
    clearEnv: true,
    env: {
      ...callerEnv(),
      PATH: [...path_dirs, Deno.env.get("PATH") ?? ""].join(":"),
      NO_COLOR: "1",
    },
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(120_000),
  }).output();
  return { code: out.code, stdout: decode(out.stdout), stderr: decode(out.stderr) };
}

Deno.test({
  name: "maelstrom on PATH: a Python echo node passes from an empty directory; store/ lands there",
  ignore: !has_python,
  async fn() {
    const tmp = await Deno.makeTempDir({ prefix: "dropin-" });
    try {
      await Deno.mkdir(`${tmp}/binpath`);
      await Deno.mkdir(`${tmp}/work`);
      await Deno.symlink(`${ROOT}/tools/maelstrom`, `${tmp}/binpath/maelstrom`);
      await Deno.writeTextFile(`${tmp}/work/echo.py`, readmeEchoNode(), { mode: 0o755 });
      // The README's command line but for a shorter --time-limit.
      const run = await sh(
        "maelstrom test -w echo --bin ./echo.py --node-count 1 --time-limit 3",
        `${tmp}/work`,
        [`${tmp}/binpath`],
      );
      assert.equal(run.code, 0, run.stdout + run.stderr);
      assert.match(
        run.stdout,
        /^Store: store\/echo\/\d{8}T\d{6}\.\d{3}Z$/m,
        "path relative to cwd",
      );
      assert.match(run.stdout, /Everything looks good!/);
      const results = JSON.parse(await Deno.readTextFile(`${tmp}/work/store/latest/results.json`));
      assert.equal(results["valid?"], true);
      assert.ok((await Deno.lstat(`${tmp}/work/store/current`)).isSymlink);
      // analyze and clean work the same way, from the same directory.
      const analyze = await sh("maelstrom analyze", `${tmp}/work`, [`${tmp}/binpath`]);
      assert.equal(analyze.code, 0, analyze.stderr);
      assert.match(analyze.stdout, /^Store: store\/echo\//m);
      const clean = await sh("maelstrom clean --keep 0", `${tmp}/work`, [`${tmp}/binpath`]);
      assert.match(clean.stdout, /^clean: removed 1 run \(\d+ kB\) from store\/; none kept\n$/);
    } finally {
      await Deno.remove(tmp, { recursive: true });
    }
  },
});

Deno.test("a relative --bin that does not exist is named as the caller typed it", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "dropin-" });
  try {
    const run = await sh(`'${ROOT}/tools/maelstrom' test -w echo --bin ./nope`, tmp);
    assert.equal(run.code, 254);
    assert.equal(run.stderr.trim(), "--bin ./nope does not exist");
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("deno task maelstrom runs in the directory it was typed in, not the repository", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "dropin-" });
  try {
    // A finished run in tmp's store (synthetic: a directory with test.json and history.jsonl).
    const run = `${tmp}/store/echo/20260101T000000.000Z`;
    await Deno.mkdir(run, { recursive: true });
    await Deno.writeTextFile(`${run}/test.json`, "{}");
    await Deno.writeTextFile(`${run}/history.jsonl`, "");
    const task = await sh(
      `'${Deno.execPath()}' task --quiet --config '${ROOT}/deno.json' maelstrom clean --keep 0`,
      tmp,
    );
    assert.equal(task.code, 0, task.stderr);
    assert.match(task.stdout, /^clean: removed 1 run \(2 B\) from store\/; none kept$/m);
    assert.deepEqual([...Deno.readDirSync(`${tmp}/store`)], []);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});
