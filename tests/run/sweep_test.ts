/**
 * Tests of lib/run/sweep.ts: the (row, seed) task list and its shards, the
 * bounded pool, the spread of figures, the sweep report with replay commands,
 * and the `--sim` options of `deno task run`.
 */

import assert from "node:assert/strict";
import { RUN_TABLE } from "../../run.ts";
import { main, parseRunArgs, RunUsageError } from "../../lib/run/cli.ts";
import { indexRows } from "../../lib/run/render.ts";
import {
  parseShard,
  renderSweep,
  runPool,
  spreads,
  sweepRow,
  sweepTasks,
} from "../../lib/run/sweep.ts";
import type { RunRecord } from "../../lib/run/summary.ts";

const rows = indexRows(RUN_TABLE);

Deno.test("sweep tasks: every row with every seed, in table order", () => {
  const tasks = sweepTasks(rows.slice(0, 3), 4, 10);
  assert.equal(tasks.length, 12);
  assert.deepEqual(tasks.slice(0, 5).map((t) => [t.row.id, t.seed]), [
    [rows[0].id, 10],
    [rows[0].id, 11],
    [rows[0].id, 12],
    [rows[0].id, 13],
    [rows[1].id, 10],
  ]);
  assert.deepEqual(tasks.map((t) => t.position), [...tasks.keys()]);
});

Deno.test("shards partition the sweep: disjoint, and together the whole", () => {
  const whole = sweepTasks(rows, 7, 1).map((t) => `${t.row.id}#${t.seed}`);
  const seen: string[] = [];
  for (let i = 1; i <= 3; i++) {
    const shard = sweepTasks(rows, 7, 1, { index: i, count: 3 }).map((t) =>
      `${t.row.id}#${t.seed}`
    );
    assert.ok(shard.length >= Math.floor(whole.length / 3));
    seen.push(...shard);
  }
  assert.equal(new Set(seen).size, seen.length, "no task in two shards");
  assert.deepEqual([...seen].sort(), [...whole].sort());
});

Deno.test("parseShard takes I/N with 1 <= I <= N and names a bad value", () => {
  assert.deepEqual(parseShard("2/5"), { index: 2, count: 5 });
  for (const bad of ["0/3", "4/3", "3", "a/b", "1/0", "-1/2"]) {
    assert.throws(() => parseShard(bad), new RegExp(`"${bad.replace("/", "\\/")}"`));
  }
});

Deno.test("runPool keeps item order and never runs more than `jobs` at once", async () => {
  let running = 0;
  let most = 0;
  const gates: (() => void)[] = [];
  const pool = runPool([1, 2, 3, 4, 5], 2, async (n) => {
    running++;
    most = Math.max(most, running);
    await new Promise<void>((resolve) => gates.push(resolve));
    running--;
    return n * 10;
  });
  // Release the waiting tasks one at a time, in whatever order they started.
  while (gates.length > 0 || running > 0) {
    await Promise.resolve();
    gates.shift()?.();
    await new Promise((resolve) => queueMicrotask(() => resolve(undefined)));
  }
  assert.deepEqual(await pool, [10, 20, 30, 40, 50]);
  assert.equal(most, 2);
});

function run(seed: number, exit_code: number, msgs: number, ok: number): RunRecord {
  return {
    seed,
    exit_code,
    validity: exit_code === 0 ? true : false,
    failing: exit_code === 0 ? [] : ["workload: false"],
    figures: { servers_msgs_per_op: msgs, ok_fraction: ok },
    store_path: `/tmp/store-${seed}`,
    problems: [],
  };
}

Deno.test("spreads: median, p95 and worst lean to the bad end of each figure", () => {
  const runs = Array.from({ length: 20 }, (_, i) => run(i, 0, i + 1, 1 - i / 100));
  const s = spreads(runs);
  assert.equal(s.servers_msgs_per_op?.worst, 20);
  assert.equal(s.ok_fraction?.worst, 1 - 19 / 100, "the lowest ok fraction is the worst");
  assert.ok(s.servers_msgs_per_op!.p95 >= 19 && s.servers_msgs_per_op!.p95 <= 20);
  assert.ok(s.servers_msgs_per_op!.median >= 10 && s.servers_msgs_per_op!.median <= 11);
});

Deno.test("a sweep row counts valid seeds and gives each failing seed its replay command", () => {
  const row = rows.find((r) => r.id === "3c")!;
  const sweep = sweepRow(row, [run(1, 0, 2, 1), run(2, 1, 9, 1), run(3, 0, 3, 1)], {
    kind: "embedded",
  });
  assert.equal(sweep.valid, 2);
  assert.equal(sweep.total, 3);
  assert.equal(sweep.spreads.servers_msgs_per_op?.worst, 3, "figures of valid runs only");
  assert.equal(sweep.failing.length, 1);
  assert.equal(sweep.failing[0].seed, 2);
  assert.match(sweep.failing[0].replay, /--bin challenges\/broadcast\.ts .*--nemesis partition/);
  assert.match(sweep.failing[0].replay, /--sim --seed 2$/);
  const text = renderSweep([sweep]);
  assert.match(text, /3c\s+2\/3 valid/);
  assert.match(text, /seed 2: invalid \[workload: false\]/);
  assert.match(text, /replay: tools\/maelstrom test -w broadcast/);
  assert.match(text, /store: \/tmp\/store-2/);
});

Deno.test("run --sim options: --seeds/--jobs/--shard need --sim; bad values are named", () => {
  const args = parseRunArgs(["3c", "--sim", "--seeds", "200", "--jobs", "3", "--shard", "2/4"]);
  assert.equal(args.sim, true);
  assert.equal(args.seeds, 200);
  assert.equal(args.jobs, 3);
  assert.deepEqual(args.shard, { index: 2, count: 4 });
  assert.equal(parseRunArgs(["3c", "--sim"]).jobs, navigator.hardwareConcurrency);
  assert.throws(() => parseRunArgs(["3c", "--seeds", "3"]), /--seeds needs --sim/);
  assert.throws(() => parseRunArgs(["3c", "--sim", "--jobs", "0"]), RunUsageError);
  assert.throws(() => parseRunArgs(["3c", "--sim", "--shard", "5/4"]), /"5\/4"/);
  assert.throws(
    () => parseRunArgs(["3c", "--sim", "--maelstrom", "/bin/true"]),
    /cannot run a real Maelstrom/,
  );
});

Deno.test("--merge joins the shards' JSON summaries into one sweep", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sweep-merge-test-" });
  try {
    const shard = (runs: RunRecord[]) => ({
      sim: true,
      seeds: 3,
      wall_time_s: 1,
      rows: [{ id: "3c", runs }],
      sweep: [],
    });
    await Deno.writeTextFile(
      `${dir}/a.json`,
      JSON.stringify(shard([run(1, 0, 2, 1), run(3, 0, 4, 1)])),
    );
    await Deno.writeTextFile(`${dir}/b.json`, JSON.stringify(shard([run(2, 1, 9, 1)])));
    const lines: string[] = [];
    const output = { out: (t: string) => lines.push(t), err: (t: string) => lines.push(t) };
    const code = await main(["--merge", `${dir}/a.json`, `${dir}/b.json`], RUN_TABLE, output);
    const text = lines.join("\n");
    assert.equal(code, 1, "one failing seed fails the merged sweep");
    assert.match(text, /3c\s+2\/3 valid/);
    assert.match(text, /seed 2: invalid/);
    await Deno.writeTextFile(`${dir}/bad.json`, "{}");
    assert.equal(await main(["--merge", `${dir}/bad.json`], RUN_TABLE, output), 2);
    assert.match(lines.join("\n"), /--merge .*bad\.json: not a --sim summary/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
