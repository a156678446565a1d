/**
 * `maelstrom clean --keep N` and `analyze` over a store with interrupted runs, on synthetic
 * stores in temp dirs: runs are directories named by start time, an interrupted run has no
 * history.jsonl, and latest/current are relative symlinks (store.ts).
 */

import assert from "node:assert/strict";
import { cleanCommand, cleanStore, formatBytes, summaryLine } from "../../lib/harness/clean.ts";
import { listStoredRuns } from "../../lib/harness/stored_runs.ts";
import { main } from "../../lib/harness/main.ts";

/** Writes a run directory; `complete` runs have a history. */
function addRun(root: string, workload: string, name: string, complete = true): string {
  const path = `${root}/${workload}/${name}`;
  Deno.mkdirSync(`${path}/node-logs`, { recursive: true });
  Deno.writeTextFileSync(`${path}/test.json`, "{}\n");
  if (complete) Deno.writeTextFileSync(`${path}/history.jsonl`, "x".repeat(1000));
  return path;
}

function link(target: string, path: string): void {
  Deno.symlinkSync(target, path);
}

function resolves(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

async function withStore(fn: (dir: string, root: string) => void | Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "clean-test-" });
  try {
    await fn(dir, `${dir}/store`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("clean keeps the newest N runs across workloads and keeps the links valid", () =>
  withStore((_dir, root) => {
    addRun(root, "echo", "20260101T000000.000Z");
    addRun(root, "kafka", "20260102T000000.000Z");
    addRun(root, "echo", "20260103T000000.000Z");
    addRun(root, "kafka", "20260104T000000.000Z");
    addRun(root, "broadcast", "20260105T000000.000Z", false); // interrupted, newest
    link("20260103T000000.000Z", `${root}/echo/latest`);
    link("20260104T000000.000Z", `${root}/kafka/latest`);
    link("kafka/20260104T000000.000Z", `${root}/latest`);
    link("broadcast/20260105T000000.000Z", `${root}/current`);

    const summary = cleanStore(root, 2);
    assert.deepEqual(summary.removed.map((r) => r.name), [
      "20260101T000000.000Z",
      "20260102T000000.000Z",
      "20260103T000000.000Z",
    ]);
    assert.equal(summary.bytes_removed, 3000 + 3 * 3);
    assert.deepEqual(listStoredRuns(root).map((r) => `${r.workload}/${r.name}`), [
      "kafka/20260104T000000.000Z",
      "broadcast/20260105T000000.000Z",
    ]);
    // Links that still resolve are untouched; echo is gone entirely.
    assert.equal(Deno.readLinkSync(`${root}/latest`), "kafka/20260104T000000.000Z");
    assert.equal(Deno.readLinkSync(`${root}/current`), "broadcast/20260105T000000.000Z");
    assert.ok(resolves(`${root}/kafka/latest`));
    assert.ok(!resolves(`${root}/echo`), "empty workload directory removed");
    assert.equal(
      summaryLine(summary, "store"),
      "clean: removed 3 runs (3 kB) from store/; kept the newest 2",
    );
  }));

Deno.test("clean re-points a dangling latest at the newest finished run, or removes it", () =>
  withStore((_dir, root) => {
    addRun(root, "echo", "20260101T000000.000Z");
    addRun(root, "echo", "20260102T000000.000Z");
    addRun(root, "kafka", "20260103T000000.000Z");
    link("20260103T000000.000Z", `${root}/kafka/latest`);
    link("kafka/20260103T000000.000Z", `${root}/latest`);
    link("kafka/20260103T000000.000Z", `${root}/current`);
    // Keeping 2 of 3 keeps everything but the oldest; then keep 1 after deleting kafka by hand.
    cleanStore(root, 2);
    Deno.removeSync(`${root}/kafka/20260103T000000.000Z`, { recursive: true });
    cleanStore(root, 1);
    assert.equal(Deno.readLinkSync(`${root}/latest`), "echo/20260102T000000.000Z");
    assert.equal(Deno.readLinkSync(`${root}/current`), "echo/20260102T000000.000Z");
    assert.ok(!resolves(`${root}/kafka`));

    const none = cleanStore(root, 0);
    assert.equal(none.kept.length, 0);
    assert.deepEqual([...Deno.readDirSync(root)], [], "no dangling links left");
  }));

Deno.test("clean: bad or missing --keep is one line and exit 254; no store is fine", () =>
  withStore((dir) => {
    for (const argv of [[], ["--keep"], ["--keep", "x"], ["--keep", "-1"], ["--keep", "1.5"]]) {
      assert.equal(cleanCommand([...argv, "--store", dir]), 254, argv.join(" "));
    }
    assert.equal(cleanCommand(["--keep", "3", "--bogus"]), 254);
    assert.equal(cleanCommand(["--keep=3", "--store", dir]), 0);
  }));

Deno.test("bytes are shown in round units", () => {
  assert.equal(formatBytes(0), "0 B");
  assert.equal(formatBytes(640_000), "640 kB");
  assert.equal(formatBytes(31_400_000), "31.4 MB");
});

Deno.test("analyze skips an interrupted newest run and refuses one named explicitly", async () => {
  const dir = await Deno.makeTempDir({ prefix: "analyze-test-" });
  try {
    const echo = new URL("../../challenges/echo.ts", import.meta.url).pathname;
    const args = ["test", "-w", "echo", "--bin", echo, "--sim", "--seed", "3"];
    const code = await main([...args, "--time-limit", "2", "--store", dir]);
    assert.equal(code, 0);
    const [finished] = listStoredRuns(`${dir}/store`);
    // A newer run that was interrupted after writing test.json.
    const broken = addRun(`${dir}/store`, "echo", "29991231T000000.000Z", false);
    Deno.copyFileSync(`${finished.path}/test.json`, `${broken}/test.json`);
    assert.equal(await main(["analyze", "--store", dir]), 0);
    assert.equal(await main(["analyze", "--store", dir, "-t", broken]), 254);
    // A truncated history is named, not a stack trace.
    Deno.writeTextFileSync(`${broken}/history.jsonl`, '{"type":"inv');
    assert.equal(await main(["analyze", "--store", dir]), 254);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
