// The executables --bin needs: launchers run a challenge from any working directory.

import assert from "node:assert/strict";
import { launcherScript, writeLauncher } from "../../lib/launcher.ts";

const ECHO = new URL("../../challenges/echo.ts", import.meta.url).pathname;

Deno.test("launcher script quotes paths with spaces and quotes", () => {
  const text = launcherScript("/tmp/a b/it's.ts", "/opt/deno");
  assert.match(text, /^#!\/bin\/sh\n/);
  assert.ok(text.includes(`'/tmp/a b/it'"'"'s.ts'`));
  assert.ok(text.includes(`"$@"`));
});

Deno.test("a launcher starts the node without type-check, config search or update check", () => {
  const text = launcherScript("/x/echo.ts", "/opt/deno");
  const command = text.split("\n").find((line) => line.includes(" exec "));
  assert.ok(command, text);
  assert.match(command, /^DENO_NO_UPDATE_CHECK=1 exec '\/opt\/deno' run /);
  for (const flag of ["--no-check", "--no-config", "--quiet"]) {
    assert.ok(command.includes(flag), flag);
  }
});

Deno.test("a launcher runs the echo node from another directory", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const bin = `${dir}/echo`;
    await writeLauncher(bin, ECHO);
    assert.ok(((await Deno.stat(bin)).mode ?? 0) & 0o100, "launcher is executable");
    const input = [
      `{"src":"c0","dest":"n1","body":{"type":"init","msg_id":1,"node_id":"n1","node_ids":["n1"]}}`,
      `this line is garbage`,
      `{"src":"c0","dest":"n1","body":{"type":"echo","msg_id":2,"echo":"hi"}}`,
      "",
    ].join("\n");
    const child = new Deno.Command(bin, {
      cwd: dir,
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(input));
    await writer.close();
    const out = await child.output();
    const lines = new TextDecoder().decode(out.stdout).trim().split("\n").map((l) => JSON.parse(l));
    assert.deepEqual(lines.map((m) => m.body), [
      { type: "init_ok", in_reply_to: 1 },
      { type: "echo_ok", echo: "hi", in_reply_to: 2 },
    ]);
    const stderr = new TextDecoder().decode(out.stderr);
    assert.equal(stderr.trim().split("\n").length, 1, "exactly one stderr line for the garbage");
    assert.match(stderr, /garbage/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
