/**
 * The command lines of Fly.io's Gossip Glomers pages (https://fly.io/dist-sys/), as printed there
 * apart from the binary path, parse without complaint. Parsing only: no test is run.
 */

import assert from "node:assert/strict";
import { parseTestArgs } from "../../lib/harness/cli.ts";

const PAGES: Record<string, string> = {
  "1": "-w echo --bin BIN --node-count 1 --time-limit 10",
  "2": "-w unique-ids --bin BIN --time-limit 30 --rate 1000 --node-count 3 " +
    "--availability total --nemesis partition",
  "3a": "-w broadcast --bin BIN --node-count 1 --time-limit 20 --rate 10",
  "3b": "-w broadcast --bin BIN --node-count 5 --time-limit 20 --rate 10",
  "3c": "-w broadcast --bin BIN --node-count 5 --time-limit 20 --rate 10 --nemesis partition",
  "3d": "-w broadcast --bin BIN --node-count 25 --time-limit 20 --rate 100 --latency 100",
  "4": "-w g-counter --bin BIN --node-count 3 --rate 100 --time-limit 20 --nemesis partition",
  "5a": "-w kafka --bin BIN --node-count 1 --concurrency 2n --time-limit 20 --rate 1000",
  "5b": "-w kafka --bin BIN --node-count 2 --concurrency 2n --time-limit 20 --rate 1000",
  "6a": "-w txn-rw-register --bin BIN --node-count 1 --time-limit 20 --rate 1000 " +
    "--concurrency 2n --consistency-models read-uncommitted --availability total",
  "6b": "-w txn-rw-register --bin BIN --node-count 2 --concurrency 2n --time-limit 20 " +
    "--rate 1000 --consistency-models read-uncommitted --availability total --nemesis partition",
  "6c": "-w txn-rw-register --bin BIN --node-count 2 --concurrency 2n --time-limit 20 " +
    "--rate 1000 --consistency-models read-committed --availability total --nemesis partition",
};

Deno.test("every Fly.io page's maelstrom command line parses as printed", async () => {
  const dir = await Deno.makeTempDir({ prefix: "flyio-lines-" });
  try {
    const bin = `${dir}/maelstrom-node`;
    await Deno.writeTextFile(bin, "#!/bin/sh\n", { mode: 0o755 });
    for (const [part, line] of Object.entries(PAGES)) {
      const argv = line.split(" ").map((word) => word === "BIN" ? bin : word);
      const opts = parseTestArgs(argv);
      assert.equal(opts.workload, argv[1], part);
      assert.equal(opts.nodes.length, Number(argv[argv.indexOf("--node-count") + 1]), part);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
