// The simulator's watchdog (lib/harness/sim/watchdog.ts): simulated nodes run
// on the harness's thread, so a node stuck in an endless loop must not hang
// the harness. A child process runs the watchdog with a short stall limit and
// then blocks its own thread: the watchdog's worker kills it, naming the node.

import assert from "node:assert/strict";
import { join } from "node:path";

const WATCHDOG = new URL("../../../lib/harness/sim/watchdog.ts", import.meta.url).href;

/** Runs `body` (with `w`, a Watchdog over n0 and n1 and a 1 s stall limit) in a child Deno. */
async function child(
  body: string,
  stall_ms = 1000,
): Promise<{ code: number; signal: string | null; err: string }> {
  const dir = await Deno.makeTempDir({ prefix: "sim-watchdog-" });
  try {
    const script = join(dir, "child.ts");
    await Deno.writeTextFile(
      script,
      `import { Watchdog } from ${JSON.stringify(WATCHDOG)};\n` +
        `const w = new Watchdog(["n0", "n1"], ${stall_ms});\n${body}\n`,
    );
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--quiet", script],
      stdout: "null",
      stderr: "piped",
    }).output();
    return { code: out.code, signal: out.signal, err: new TextDecoder().decode(out.stderr) };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("watchdog: a node that never yields is killed, and the line names it", async () => {
  // Blocks the main thread for up to 60 s; the watchdog must end it long before.
  const result = await child(
    `w.arm();\nw.running("n1");\nconst end = Date.now() + 60_000;\nwhile (Date.now() < end) {}\n` +
      `console.error("survived");\nDeno.exit(0);`,
  );
  assert.equal(result.signal, "SIGKILL", JSON.stringify(result));
  assert.match(
    result.err,
    /^maelstrom --sim: the simulation made no progress for 1 s; node n1 is stuck \(an endless loop, or promises that never yield to timers\)$/m,
  );
  assert.doesNotMatch(result.err, /survived/);
});

Deno.test("watchdog: progress, or a disarmed watchdog, lets a long run live", async () => {
  // 3 s of blocking each, beyond the 2 s stall limit: counted steps keep it alive while armed;
  // disarmed, nothing is watched. (A 2 s limit, not 1 s: a false kill would need the OS to starve
  // the stepping thread for 2 s while the watchdog's thread runs, even on a loaded machine.)
  const result = await child(
    `w.arm();\nlet end = Date.now() + 3000;\nwhile (Date.now() < end) w.step();\n` +
      `w.disarm();\nend = Date.now() + 3000;\nwhile (Date.now() < end) {}\n` +
      `w.close();\nconsole.error("survived");`,
    2000,
  );
  assert.deepEqual(result, { code: 0, signal: null, err: "survived\n" });
});
