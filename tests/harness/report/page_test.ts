// report.html end to end: written by every run into its store directory (valid broadcast,
// invalid kafka from a lossy fixture), self-contained, verdict first, anomalies explained
// with their history lines, figures and plots present; rewritten by `maelstrom analyze`.

import assert from "node:assert/strict";
import { join } from "node:path";
import { BROADCAST_ARGS, KAFKA_LOSSY_ARGS, simRun } from "./support.ts";
import { analyzeRun } from "../../../lib/harness/main.ts";
import { parseTestArgs } from "../../../lib/harness/cli.ts";
import { writeReport } from "../../../lib/harness/report/write.ts";

function externalRefs(html: string): string[] {
  return [...html.matchAll(/(?:src|href)="(https?:|\/\/)[^"]*"|<link\b|@import|url\(http/g)]
    .map((m) => m[0]);
}

Deno.test("a valid broadcast run writes a self-contained report.html with verdict and plots", async () => {
  const dir = await Deno.makeTempDir({ prefix: "report-broadcast-" });
  try {
    const outcome = await simRun(dir, "challenges/broadcast.ts", BROADCAST_ARGS);
    assert.equal(outcome.valid, true);
    const html = Deno.readTextFileSync(join(outcome.store_path, "report.html"));
    assert.deepEqual(externalRefs(html), []);
    assert.ok(html.indexOf('id="verdict"') < html.indexOf('id="figures"'), "verdict first");
    assert.match(html, /class="verdict valid">Valid/);
    assert.doesNotMatch(html, /id="anomalies"/);
    for (const id of ["plot-latency", "plot-quantiles", "plot-throughput", "plot-stable"]) {
      assert.match(html, new RegExp(`<figure id="${id}">`), id);
    }
    assert.match(html, /partition \(shaded\)/, "fault periods are in the legend");
    assert.match(html, /server messages per op/);
    assert.match(html, /id="traffic-data"/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("an invalid kafka run explains lost writes with their history lines; analyze rewrites it", async () => {
  const dir = await Deno.makeTempDir({ prefix: "report-kafka-" });
  try {
    const outcome = await simRun(
      dir,
      "tests/harness/report/nodes/kafka_lossy.ts",
      KAFKA_LOSSY_ARGS,
    );
    assert.equal(outcome.valid, false);
    const path = join(outcome.store_path, "report.html");
    const html = Deno.readTextFileSync(path);
    assert.match(html, /class="verdict invalid">Invalid: Lost writes \(\d+\)/);
    assert.match(html, /data-kind="lost-write"/);
    assert.match(html, /What it means:<\/b> A send was acknowledged at an offset/);
    // History lines: index, time, process, type, f, value.
    assert.match(html, /\d+ +\d+\.\d{3} s {2}\d+\tok\tsend\t/);
    assert.ok(html.indexOf('id="anomalies"') < html.indexOf('id="plots"'));
    Deno.writeTextFileSync(path, "stale");
    await analyzeRun(outcome.store_path);
    assert.match(Deno.readTextFileSync(path), /data-kind="lost-write"/, "analyze rewrote it");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("an aborted run (no results.json) still gets a report that says so", async () => {
  const dir = await Deno.makeTempDir({ prefix: "report-aborted-" });
  try {
    const opts = parseTestArgs(["-w", "echo", "--bin", Deno.execPath(), "--node-count", "1"]);
    Deno.writeTextFileSync(join(dir, "test.json"), JSON.stringify(opts));
    Deno.writeTextFileSync(join(dir, "history.jsonl"), "");
    const html = Deno.readTextFileSync(writeReport(dir, "init failed: node n0 exited"));
    assert.match(html, /class="verdict unknown">Test aborted — no verdict<small>init failed/);
    assert.doesNotMatch(html, /id="figures"/);
    assert.match(html, /no messages\.jsonl/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
