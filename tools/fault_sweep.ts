/**
 * The README's fault table, reproducible: runs one harness command in the
 * simulator over seeds 1..N with a given `--nemesis` and prints the verdict
 * counts, the servers' msgs/op and, for each seed that was not valid, which
 * checkers failed.
 *
 *   deno run -A tools/fault_sweep.ts --faults kill --seeds 10 -- \
 *     -w g-counter --bin challenges/g-counter.ts --node-count 3 --time-limit 20 --rate 100
 *
 * Everything after `--` is passed to `deno task maelstrom test` (binary arguments after a
 * second `--`). Each run gets its own temporary store.
 *
 * @module
 */

import { parseArgs } from "node:util";

const split = Deno.args.indexOf("--");
const own = split < 0 ? Deno.args : Deno.args.slice(0, split);
const test_args = split < 0 ? [] : Deno.args.slice(split + 1);
const { values } = parseArgs({
  args: own,
  options: {
    faults: { type: "string", default: "pause" },
    seeds: { type: "string", default: "10" },
    first: { type: "string", default: "1" },
  },
});
const seeds = Number(values.seeds);
const first = Number(values.first);
if (!Number.isInteger(seeds) || seeds < 1 || !Number.isInteger(first)) {
  console.error(`fault_sweep: --seeds and --first must be integers, got ${values.seeds}`);
  Deno.exit(2);
}

const bin_split = test_args.indexOf("--");
const harness_args = bin_split < 0 ? test_args : test_args.slice(0, bin_split);
const bin_args = bin_split < 0 ? [] : test_args.slice(bin_split);
const main = new URL("../lib/harness/main.ts", import.meta.url).pathname;
const counts = { valid: 0, invalid: 0, unknown: 0, aborted: 0 };
const msgs: number[] = [];
const failures: string[] = [];
for (let seed = first; seed < first + seeds; seed++) {
  const store = await Deno.makeTempDir({ prefix: "fault-sweep-" });
  try {
    const { code } = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        main,
        "test",
        ...harness_args,
        "--nemesis",
        values.faults!,
        "--sim",
        "--seed",
        String(seed),
        "--store",
        store,
        ...bin_args,
      ],
      stdout: "null",
      stderr: "null",
    }).output();
    const kind = code === 0 ? "valid" : code === 1 ? "invalid" : code === 2 ? "unknown" : "aborted";
    counts[kind]++;
    let detail = "";
    try {
      const results = JSON.parse(await Deno.readTextFile(`${store}/store/latest/results.json`));
      const m = results?.net?.servers?.["msgs-per-op"];
      if (typeof m === "number") msgs.push(m);
      const bad = Object.entries(results as Record<string, { "valid?"?: unknown }>)
        .filter(([, v]) => typeof v === "object" && v !== null && v["valid?"] !== true)
        .map(([k, v]) => `${k}=${String(v["valid?"])}`);
      detail = bad.join(" ");
    } catch {
      detail = "no results";
    }
    if (kind !== "valid") failures.push(`seed ${seed}: ${kind} ${detail}`);
  } finally {
    await Deno.remove(store, { recursive: true }).catch(() => {});
  }
}
msgs.sort((a, b) => a - b);
const median = msgs.length === 0 ? NaN : msgs[Math.floor(msgs.length / 2)];
console.log(
  `${values.faults}: valid ${counts.valid}/${seeds}` +
    (counts.invalid ? `, invalid ${counts.invalid}` : "") +
    (counts.unknown ? `, unknown ${counts.unknown}` : "") +
    (counts.aborted ? `, aborted ${counts.aborted}` : "") +
    `; servers msgs/op median ${median.toFixed(2)}`,
);
for (const line of failures) console.log(`  ${line}`);
