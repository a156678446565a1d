/**
 * `deno task bench:guide`: the regression corpus benchmark. Runs every
 * broadcast variant whose figures Maelstrom's guide publishes
 * (`doc/03-broadcast/02-performance.md`; the nodes are rebuilt from its text in
 * tests/harness/fixtures/guide_broadcast/) with the guide's exact flags, and
 * prints our servers msgs/op, messages per broadcast, stable latencies and
 * verdict next to the published ones.
 *
 * Usage: deno task bench:guide [--real] [--runs N] [--seed S] [variant name …]
 *
 * By default the nodes run in the simulator (`--sim`, seeds S…S+N−1; about a
 * minute for all rows); `--real` runs them as processes in real time, as the
 * guide did (about 35 s a row). With several runs each figure is the median.
 * `deno bench` is not used: each row is one long run, not a micro-benchmark.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { writeLauncher } from "../lib/launcher.ts";
import {
  fixturePath,
  GUIDE_VARIANTS,
  type GuideVariant,
  type Latencies,
} from "../tests/harness/fixtures/guide_broadcast/variants.ts";
import {
  type CorpusFigures,
  runVariant,
} from "../tests/harness/fixtures/guide_broadcast/corpus_run.ts";

const QUANTILES = ["0.5", "0.95", "0.99", "1"] as const;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function medianFigures(runs: CorpusFigures[]): CorpusFigures {
  const pick = (f: (r: CorpusFigures) => number) => median(runs.map(f));
  const with_latencies = runs.filter((r) => r.latencies !== undefined);
  return {
    valid: runs.every((r) => r.valid === true)
      ? true
      : runs.some((r) => r.valid === false)
      ? false
      : "unknown",
    seed: runs[0].seed,
    servers_msgs_per_op: pick((r) => r.servers_msgs_per_op),
    per_broadcast: pick((r) => r.per_broadcast),
    broadcast_ops: pick((r) => r.broadcast_ops),
    ops: pick((r) => r.ops),
    lost_count: pick((r) => r.lost_count),
    latencies: with_latencies.length === 0 ? undefined : Object.fromEntries(
      QUANTILES.map((q) => [q, median(with_latencies.map((r) => r.latencies![q]))]),
    ) as unknown as Latencies,
  };
}

function latencyText(l: Latencies | undefined): string {
  return l === undefined ? "" : QUANTILES.map((q) => Math.round(l[q])).join(" / ");
}

function number(x: number | undefined, digits = 2): string {
  return x === undefined ? "" : x.toFixed(digits);
}

/** One markdown row: the published figures next to ours. */
function row(v: GuideVariant, ours: CorpusFigures): string {
  const delta = v.msgs_per_op === undefined
    ? ""
    : `${((ours.servers_msgs_per_op / v.msgs_per_op - 1) * 100).toFixed(1)} %`;
  const verdict = (valid: boolean | "unknown", lost?: number) =>
    `${valid}${lost === undefined || lost === 0 ? "" : ` (lost ${lost})`}`;
  return [
    v.name,
    v.flags.join(" "),
    number(v.msgs_per_op),
    number(ours.servers_msgs_per_op),
    delta,
    v.per_broadcast === undefined ? "" : String(v.per_broadcast),
    number(ours.per_broadcast, 1),
    latencyText(v.latencies),
    latencyText(ours.latencies),
    verdict(v.valid, v.lost_count),
    verdict(ours.valid, ours.lost_count),
  ].join(" | ");
}

const HEADER = [
  "variant",
  "flags (after --bin)",
  "published msgs/op",
  "ours",
  "Δ",
  "design msgs/bcast",
  "ours msgs/bcast",
  "published stable lat. 50/95/99/100 ms",
  "ours",
  "published valid",
  "ours",
];

if (import.meta.main) {
  const { values, positionals } = parseArgs({
    args: Deno.args,
    options: {
      real: { type: "boolean" },
      runs: { type: "string", default: "1" },
      seed: { type: "string", default: "1" },
    },
    allowPositionals: true,
  });
  const runs = Number(values.runs);
  const seed = Number(values.seed);
  if (!Number.isInteger(runs) || runs < 1 || !Number.isInteger(seed) || seed < 0) {
    console.error(
      `guide_broadcast: --runs and --seed take integers, got ${values.runs}, ${values.seed}`,
    );
    Deno.exit(254);
  }
  const unknown = positionals.filter((p) => !GUIDE_VARIANTS.some((v) => v.name === p));
  if (unknown.length > 0) {
    console.error(
      `guide_broadcast: unknown variant "${unknown[0]}" (known: ${
        GUIDE_VARIANTS.map((v) => v.name).join(", ")
      })`,
    );
    Deno.exit(254);
  }
  const wanted = GUIDE_VARIANTS.filter((v) =>
    positionals.length === 0 || positionals.includes(v.name)
  );
  const bin_dir = values.real ? await Deno.makeTempDir({ prefix: "guide-bin-" }) : undefined;
  console.log(
    `Maelstrom guide broadcast corpus: ${values.real ? "real processes" : "--sim"}, ` +
      `${runs} run(s) per row from seed ${seed}${runs > 1 ? " (medians)" : ""}\n`,
  );
  console.log(`| ${HEADER.join(" | ")} |`);
  console.log(`|${HEADER.map(() => " --- ").join("|")}|`);
  try {
    for (const variant of wanted) {
      let bin: string | undefined;
      if (bin_dir !== undefined) {
        bin = `${bin_dir}/${variant.fixture.replace(/\.ts$/, "")}`;
        await writeLauncher(bin, fixturePath(variant));
      }
      const figures: CorpusFigures[] = [];
      for (let i = 0; i < runs; i++) {
        figures.push(await runVariant(variant, { sim: !values.real, seed: seed + i, bin }));
      }
      console.log(`| ${row(variant, medianFigures(figures))} |`);
    }
  } finally {
    if (bin_dir !== undefined) await Deno.remove(bin_dir, { recursive: true });
  }
}
