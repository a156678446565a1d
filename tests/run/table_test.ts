/**
 * The run table (run.ts): every documented invocation is present exactly once
 * per documentation mention, well-formed, and parses with the harness's own CLI.
 */

import assert from "node:assert/strict";
import { RUN_TABLE } from "../../run.ts";
import { flagArgs, indexRows, testArgs } from "../../lib/run/render.ts";
import { CHALLENGES } from "../../lib/run/types.ts";

const rows = indexRows(RUN_TABLE);

Deno.test("every row runs its own challenge's binary on a known workload", () => {
  for (const row of rows) {
    assert.ok(CHALLENGES.includes(row.challenge), row.id);
    assert.equal(row.bin, `bin/${row.challenge}`, row.id);
    assert.equal(row.workload, row.challenge, `${row.id}: workload named like its challenge`);
    assert.ok(row.source.length > 0, row.id);
  }
});

Deno.test("row ids are unique and number the rows of a part", () => {
  const ids = rows.map((row) => row.id);
  assert.equal(new Set(ids).size, ids.length);
  assert.deepEqual(ids.filter((id) => id.startsWith("3d")), ["3d.1", "3d.2"]);
  assert.ok(ids.includes("1") && ids.includes("5c"));
});

Deno.test("the table has every documented row: 17 Fly.io, 9 Datomic, 11 Raft", () => {
  const count = (prefix: string) => rows.filter((row) => row.part.startsWith(prefix)).length;
  assert.equal(count("datomic-"), 9);
  assert.equal(count("raft-"), 11);
  assert.equal(rows.length - count("datomic-") - count("raft-"), 17);
  const parts = (challenge: string) =>
    rows.filter((r) => r.challenge === challenge).map((r) => r.id);
  assert.deepEqual(parts("kafka"), ["5a", "5b", "5c"]);
  assert.deepEqual(parts("txn-rw-register"), ["6a", "6b.1", "6b.2", "6c"]);
  assert.deepEqual(parts("broadcast"), ["3a", "3b", "3c", "3d.1", "3d.2", "3e.1", "3e.2"]);
});

Deno.test("documented flags render exactly", () => {
  const flags = (id: string) => {
    const row = rows.find((r) => r.id === id);
    assert.ok(row, id);
    return [...flagArgs(row.flags), ...(row.flags.bin_args ? ["--", ...row.flags.bin_args] : [])]
      .join(" ");
  };
  assert.equal(
    flags("2"),
    "--node-count 3 --time-limit 30 --rate 1000 --nemesis partition --availability total",
  );
  assert.equal(
    flags("3e.2"),
    "--node-count 25 --time-limit 20 --rate 100 --latency 100 --nemesis partition -- --tuning batch",
  );
  assert.equal(
    flags("6c"),
    "--node-count 2 --concurrency 2n --time-limit 20 --rate 1000 --nemesis partition " +
      "--availability total --consistency-models read-committed",
  );
  assert.equal(
    flags("raft-4.1"),
    "--node-count 3 --concurrency 10n --time-limit 60 --rate 100 --nemesis partition " +
      "--nemesis-interval 3 --test-count 5",
  );
  assert.equal(flags("raft-2.2"), "--node-count 3 --concurrency 2n --time-limit 10");
  assert.equal(
    flags("datomic-4.4"),
    "--node-count 2 --time-limit 10 --rate 100 --consistency-models serializable",
  );
});

Deno.test("targets are attached where the issues set them", () => {
  const targets = (id: string) =>
    (rows.find((r) => r.id === id)?.our_targets ?? []).map((t) => `${t.metric}${t.op}${t.value}`);
  assert.deepEqual(targets("3d.1"), [
    "servers_msgs_per_op<=12.5",
    "stable_latency_median_ms<=150",
    "stable_latency_max_ms<=250",
  ]);
  assert.deepEqual(targets("3d.2"), []);
  assert.deepEqual(targets("5c"), ["servers_msgs_per_op<=1", "ok_fraction>=0.999"]);
  assert.deepEqual(targets("datomic-4.2"), ["servers_msgs_per_op<=4"]);
  assert.deepEqual(targets("raft-4.2"), ["ok_latency_median_ms<=10"]);
  const stated = rows.find((r) => r.id === "3e.1")?.stated_targets ?? [];
  assert.deepEqual(stated.map((t) => `${t.metric}${t.op}${t.value}`), [
    "servers_msgs_per_op<20",
    "stable_latency_median_ms<1000",
    "stable_latency_max_ms<2000",
  ]);
});

const cli_path = new URL("../../lib/harness/cli.ts", import.meta.url);
const harness_cli_exists = await Deno.stat(cli_path).then(() => true, () => false);

Deno.test({
  name: "every row's arguments parse with the harness's own parseTestArgs",
  ignore: !harness_cli_exists,
  async fn() {
    const { parseTestArgs } = await import(cli_path.href);
    const dir = await Deno.makeTempDir();
    try {
      const bin = `${dir}/node`;
      await Deno.writeTextFile(bin, "#!/bin/sh\n");
      await Deno.chmod(bin, 0o755);
      for (const row of rows) {
        const args = testArgs(row, { kind: "embedded" }, { bin, seed: 7 }).slice(1);
        const opts = parseTestArgs(args);
        assert.equal(opts.workload, row.workload, row.id);
        assert.equal(opts.nodes.length, row.flags.node_count ?? 5, row.id);
        assert.equal(opts.time_limit_s, row.flags.time_limit_s ?? 60, row.id);
        assert.equal(opts.rate, row.flags.rate ?? 5, row.id);
        assert.deepEqual(opts.bin_args, [...(row.flags.bin_args ?? [])], row.id);
        assert.deepEqual(opts.nemesis, row.flags.nemesis ? ["partition"] : [], row.id);
        assert.equal(opts.seed, 7, row.id);
        const concurrency = row.flags.concurrency ?? "1n";
        const threads = typeof concurrency === "number"
          ? concurrency
          : Number(concurrency.slice(0, -1)) * opts.nodes.length;
        assert.equal(opts.concurrency, threads, row.id);
        if (row.flags.consistency_models) {
          assert.deepEqual(opts.consistency_models, [...row.flags.consistency_models], row.id);
        }
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
