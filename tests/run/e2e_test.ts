/**
 * End to end: `deno task run echo` (as `main`) builds bin/echo, runs the echo
 * row on the embedded harness with a short smoke time limit, and reports a
 * passing summary with figures read from the store. bin/ and store/ go to a
 * temporary working directory, never into the repository.
 */

import assert from "node:assert/strict";
import { RUN_TABLE } from "../../run.ts";
import { main } from "../../lib/run/cli.ts";

const harness_ready = await Promise.all(
  ["../../lib/harness/main.ts", "../../lib/harness/workloads/echo.ts", "../../challenges/echo.ts"]
    .map((path) => Deno.stat(new URL(path, import.meta.url)).then(() => true, () => false)),
).then((found) => found.every(Boolean));

const REPO = new URL("../..", import.meta.url).pathname;

/** What the run could have touched in the repository: store/latest's target, bin/echo's mtime. */
async function repoMarks(): Promise<string[]> {
  const latest = await Deno.readLink(`${REPO}store/latest`).catch(() => "none");
  const bin = await Deno.stat(`${REPO}bin/echo`).then(
    (s) => String(s.mtime?.getTime()),
    () => "none",
  );
  return [latest, bin];
}

Deno.test({
  name: "deno task run echo --time-limit 2 passes with figures from the store",
  ignore: !harness_ready,
  async fn() {
    const dir = await Deno.makeTempDir();
    const before = await repoMarks();
    try {
      const json_path = `${dir}/summary.json`;
      const out: string[] = [];
      const err: string[] = [];
      const code = await main(
        ["echo", "--time-limit", "2", "--seed", "11", "--json", json_path],
        RUN_TABLE,
        {
          out: (text) => out.push(text),
          err: (text) => err.push(text),
        },
        dir,
      );
      assert.equal(code, 0, [...err, ...out].join("\n"));
      assert.match(out.join("\n"), /SMOKE RUN: --time-limit 2/);
      assert.match(out.join("\n"), /^1\s+pass\s/m);
      const summary = JSON.parse(await Deno.readTextFile(json_path));
      assert.equal(summary.passed, true);
      const [row] = summary.rows;
      assert.equal(row.id, "1");
      assert.equal(row.runs[0].seed, 11);
      assert.match(row.runs[0].store_path, /^store\/echo\//);
      assert.equal(row.figures.ok_fraction, 1);
      assert.equal(row.figures.servers_msgs_per_op, 0);
      assert.ok(row.figures.all_msgs_per_op > 0);
      assert.ok(row.figures.ok_latency_median_ms >= 0);
      assert.ok((await Deno.stat(`${dir}/bin/echo`)).isFile);
      assert.ok((await Deno.stat(`${dir}/${row.runs[0].store_path}/results.json`)).isFile);
      assert.deepEqual(await repoMarks(), before, "the repository's store/ and bin/ untouched");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
