/** Command-line rendering for the embedded harness and a real Maelstrom. */

import assert from "node:assert/strict";
import { commandLine, indexRows, shellWord, testArgs } from "../../lib/run/render.ts";
import type { RunRow } from "../../lib/run/types.ts";

const BROADCAST: RunRow = {
  challenge: "broadcast",
  part: "3d",
  source: "test",
  workload: "broadcast",
  bin: "bin/broadcast",
  flags: {
    node_count: 25,
    time_limit_s: 20,
    rate: 100,
    latency_ms: 100,
    bin_args: ["--tuning", "latency"],
  },
};

Deno.test("a real Maelstrom command line has the flags and binary args but never --seed", () => {
  const line = commandLine(BROADCAST, { kind: "maelstrom", path: "/opt/maelstrom/maelstrom" }, {
    seed: 42,
  });
  assert.equal(
    line,
    "/opt/maelstrom/maelstrom test -w broadcast --bin bin/broadcast --node-count 25 " +
      "--time-limit 20 --rate 100 --latency 100 -- --tuning latency",
  );
});

Deno.test("the embedded harness command passes --seed before the binary args", () => {
  const line = commandLine(BROADCAST, { kind: "embedded" }, { seed: 42 });
  assert.equal(
    line,
    "tools/maelstrom test -w broadcast --bin bin/broadcast --node-count 25 " +
      "--time-limit 20 --rate 100 --latency 100 --seed 42 -- --tuning latency",
  );
});

Deno.test("--time-limit overrides the row's and --bin can be replaced", () => {
  const args = testArgs(BROADCAST, { kind: "embedded" }, { time_limit_s: 3, bin: "/tmp/b" });
  assert.deepEqual(args.slice(0, 5), ["test", "-w", "broadcast", "--bin", "/tmp/b"]);
  assert.equal(args[args.indexOf("--time-limit") + 1], "3");
  const no_limit: RunRow = { ...BROADCAST, flags: { rate: 1 } };
  const overridden = testArgs(no_limit, { kind: "embedded" }, { time_limit_s: 3 });
  assert.equal(overridden[overridden.indexOf("--time-limit") + 1], "3");
  assert.ok(!testArgs(no_limit, { kind: "embedded" }).includes("--time-limit"));
});

Deno.test("several consistency models join with spaced commas, as Maelstrom splits them", () => {
  const row: RunRow = {
    ...BROADCAST,
    flags: { consistency_models: ["serializable", "read-committed"] },
  };
  const args = testArgs(row, { kind: "embedded" });
  assert.equal(args[args.indexOf("--consistency-models") + 1], "serializable , read-committed");
  assert.match(commandLine(row, { kind: "embedded" }), /'serializable , read-committed'/);
});

Deno.test("shell words are quoted only when needed", () => {
  assert.equal(shellWord("--rate"), "--rate");
  assert.equal(shellWord("bin/kafka"), "bin/kafka");
  assert.equal(shellWord("a b"), "'a b'");
  assert.equal(shellWord("it's"), `'it'"'"'s'`);
  assert.equal(shellWord(""), "''");
});

Deno.test("row ids: the part alone, or numbered within a part", () => {
  const ids = indexRows([BROADCAST, { ...BROADCAST, part: "3e" }, BROADCAST]).map((r) => r.id);
  assert.deepEqual(ids, ["3d.1", "3e", "3d.2"]);
});
