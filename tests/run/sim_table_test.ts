/**
 * The documented invocations themselves, in CI: every row of the run table,
 * with its full flags and time limit, in the simulator with a fixed seed —
 * twice, in separate processes. Every row must pass its targets both times,
 * and each row's history and journal must hash the same in both passes
 * (`deno task run all --sim` is deterministic end to end).
 */

import assert from "node:assert/strict";
import { RUN_TABLE } from "../../run.ts";
import { main } from "../../lib/run/cli.ts";

interface SimSummary {
  rows: {
    id: string;
    verdict: string;
    runs: { history_sha256?: string; journal_sha256?: string; problems: string[] }[];
  }[];
}

async function simulateTable(dir: string, pass: number): Promise<SimSummary> {
  const json_path = `${dir}/pass-${pass}.json`;
  const lines: string[] = [];
  const output = {
    out: (text: string) => lines.push(text),
    err: (text: string) => lines.push(text),
  };
  const code = await main(["all", "--sim", "--seed", "1", "--json", json_path], RUN_TABLE, output);
  assert.equal(code, 0, `pass ${pass} of the table failed:\n${lines.join("\n")}`);
  return JSON.parse(await Deno.readTextFile(json_path));
}

Deno.test({
  name: "deno task run all --sim: every row passes, and replays byte for byte",
  sanitizeResources: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "sim-table-test-" });
    try {
      const first = await simulateTable(dir, 1);
      const second = await simulateTable(dir, 2);
      assert.equal(first.rows.length, RUN_TABLE.length);
      for (const [i, row] of first.rows.entries()) {
        const again = second.rows[i];
        assert.equal(row.verdict, "pass", `${row.id}: ${row.runs[0].problems.join("; ")}`);
        const a = row.runs[0];
        const b = again.runs[0];
        assert.ok(a.history_sha256 && a.journal_sha256, `${row.id}: no hashes`);
        assert.equal(b.history_sha256, a.history_sha256, `${row.id}: history differs`);
        assert.equal(b.journal_sha256, a.journal_sha256, `${row.id}: journal differs`);
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
