/** The `deno task run` command line: selection, --list, --print, --json and bad arguments. */

import assert from "node:assert/strict";
import { RUN_TABLE } from "../../run.ts";
import { main, parseRunArgs, selectableWords, selectRows, USAGE_EXIT } from "../../lib/run/cli.ts";
import { indexRows } from "../../lib/run/render.ts";

const rows = indexRows(RUN_TABLE);

async function capture(argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, RUN_TABLE, {
    out: (text) => out.push(text),
    err: (text) => err.push(text),
  });
  return { code, out, err };
}

Deno.test("--list lists every row with its flags", async () => {
  const { code, out } = await capture(["--list"]);
  assert.equal(code, 0);
  const text = out.join("\n");
  assert.match(out[0], /^37 rows/);
  for (const row of rows) assert.match(text, new RegExp(`^${row.id.replace(".", "\\.")}\\s`, "m"));
  assert.match(text, /^5c\s+kafka\s+bin\/kafka\s+--node-count 2 --concurrency 2n/m);
  assert.match(text, /our targets: servers_msgs_per_op ≤1, ok_fraction ≥0\.999/);
});

Deno.test("--print kafka prints the three kafka command lines", async () => {
  const { code, out } = await capture(["--print", "kafka"]);
  assert.equal(code, 0);
  assert.deepEqual(out, [
    "tools/maelstrom test -w kafka --bin bin/kafka --node-count 1 --concurrency 2n --time-limit 20 --rate 1000",
    "tools/maelstrom test -w kafka --bin bin/kafka --node-count 2 --concurrency 2n --time-limit 20 --rate 1000",
    "tools/maelstrom test -w kafka --bin bin/kafka --node-count 2 --concurrency 2n --time-limit 20 --rate 1000",
  ]);
});

Deno.test("--print with --maelstrom renders real Maelstrom lines without --seed", async () => {
  const { code, out } = await capture([
    "--print",
    "--part",
    "3e",
    "--maelstrom",
    "./maelstrom/maelstrom",
    "--seed",
    "5",
    "--time-limit",
    "5",
  ]);
  assert.equal(code, 0);
  assert.deepEqual(out, [
    "./maelstrom/maelstrom test -w broadcast --bin bin/broadcast --node-count 25 --time-limit 5 --rate 100 --latency 100 -- --tuning batch",
    "./maelstrom/maelstrom test -w broadcast --bin bin/broadcast --node-count 25 --time-limit 5 --rate 100 --latency 100 --nemesis partition -- --tuning batch",
  ]);
  const embedded = await capture(["--print", "1", "--seed", "5"]);
  assert.deepEqual(embedded.out, [
    "tools/maelstrom test -w echo --bin bin/echo --node-count 1 --time-limit 10 --seed 5",
  ]);
});

Deno.test("selection by challenge, part, row id and all, in table order", () => {
  assert.deepEqual(selectRows(rows, ["3d.2"]).map((r) => r.id), ["3d.2"]);
  assert.deepEqual(selectRows(rows, ["5c", "echo"]).map((r) => r.id), ["1", "5c"]);
  assert.deepEqual(selectRows(rows, ["raft-3"]).map((r) => r.id), ["raft-3.1", "raft-3.2"]);
  assert.equal(selectRows(rows, ["all"]).length, rows.length);
  assert.throws(() => selectRows(rows, ["kafak"]), /unknown challenge, part or row "kafak"/);
});

Deno.test("a bare --json writes to stdout; a path after it is the file", () => {
  const words = selectableWords(rows);
  assert.equal(parseRunArgs(["--json", "kafka"], words).json, "-");
  assert.deepEqual(parseRunArgs(["--json", "kafka"], words).selections, ["kafka"]);
  assert.equal(parseRunArgs(["kafka", "--json"], words).json, "-");
  assert.equal(parseRunArgs(["--json", "out.json", "kafka"], words).json, "out.json");
  assert.equal(parseRunArgs(["--json=s.json", "all"], words).json, "s.json");
  assert.equal(parseRunArgs(["all"], words).json, undefined);
});

Deno.test("MAELSTROM in the environment selects a real Maelstrom unless --maelstrom is given", () => {
  assert.equal(parseRunArgs(["all"], new Set(), "/m/maelstrom").maelstrom, "/m/maelstrom");
  assert.equal(parseRunArgs(["all", "--maelstrom", "/x"], new Set(), "/m").maelstrom, "/x");
  assert.equal(parseRunArgs(["all"], new Set(), "").maelstrom, undefined);
});

Deno.test("bad arguments exit 2 with one line naming the bad value", async () => {
  const cases: [string[], RegExp][] = [
    [["kafak"], /"kafak"/],
    [[], /name a challenge/],
    [["all", "--repeat", "0"], /--repeat must be an integer in \[1, 100\], got "0"/],
    [["all", "--seed", "x"], /--seed .* got "x"/],
    [["all", "--time-limit", "1.5"], /--time-limit .* got "1.5"/],
    [["all", "--bogus"], /bogus/],
    [
      ["echo", "--maelstrom", "/nonexistent/maelstrom"],
      /--maelstrom \/nonexistent\/maelstrom: not an executable file/,
    ],
  ];
  for (const [argv, message] of cases) {
    const { code, err, out } = await capture(argv);
    assert.equal(code, USAGE_EXIT, argv.join(" "));
    assert.equal(err.length, 1, argv.join(" "));
    assert.match(err[0], message);
    assert.deepEqual(out, []);
  }
});

Deno.test("--help prints usage and exits 0", async () => {
  const { code, out } = await capture(["--help"]);
  assert.equal(code, 0);
  assert.match(out[0], /^Usage: deno task run/);
});

Deno.test("a chapter number selects all its parts: --part 3 and --part 5", async () => {
  const ids = (words: string[]) => selectRows(rows, words).map((row) => row.part);
  assert.deepEqual([...new Set(ids(["3"]))], ["3a", "3b", "3c", "3d", "3e"]);
  assert.deepEqual(ids(["5"]), ["5a", "5b", "5c"]);
  assert.deepEqual([...new Set(ids(["raft"]))], ["raft-1", "raft-2", "raft-3", "raft-4"]);
  assert.deepEqual(ids(["4"]), ["4"]);
  const { code, out } = await capture(["--print", "--part", "5"]);
  assert.equal(code, 0);
  assert.equal(out.length, 3);
});

Deno.test("an unknown part is refused with the valid part ids listed", async () => {
  const { code, err } = await capture(["--part", "7"]);
  assert.equal(code, USAGE_EXIT);
  assert.equal(err.length, 1);
  assert.match(err[0], /unknown challenge, part or row "7"/);
  assert.match(err[0], /parts: 1, 2, 3a, 3b, 3c, 3d, 3e, 4, 5a, 5b, 5c, 6a, .*raft-4/);
});
