// Regression corpus: the Maelstrom guide's broadcast nodes (fixtures/guide_broadcast/), run in the
// simulator with the guide's exact flags and a fixed seed.
//
// Where the design fixes the number of server messages per broadcast (no partitions), that count
// must come out exactly, and servers msgs/op within 5 % of the figure the guide published for real
// Maelstrom. msgs/op is compared at the workload's 50/50 broadcast/read mix (Maelstrom's
// workload/broadcast.clj: gen/mix of broadcast and read): messages per broadcast ÷ 2. The raw
// figure also carries the random share of broadcasts among ~2000 ops, which moves it by about
// ±1.5 % per run in Maelstrom as here (the guide's own 5-node runs had 998 of 1991 and 986 of 2011
// ops as broadcasts), so a raw comparison with one published sample would test the dice, not the
// harness; the mix itself is checked separately. `deno task bench:guide` prints the raw figures.

import assert from "node:assert/strict";
import { GUIDE_VARIANTS } from "./fixtures/guide_broadcast/variants.ts";
import { runVariant } from "./fixtures/guide_broadcast/corpus_run.ts";

const SEED = 1;
const TOLERANCE = 0.05;
/** Share of broadcasts among the ops: 0.5 expected, ±5 standard deviations at ~2000 ops. */
const MIX_RANGE = [0.45, 0.55] as const;

for (const variant of GUIDE_VARIANTS) {
  if (variant.msgs_per_op === undefined || variant.per_broadcast === undefined) continue;
  Deno.test(`guide corpus: ${variant.name} (${variant.flags.join(" ")})`, async () => {
    const ours = await runVariant(variant, { sim: true, seed: SEED });
    const summary = JSON.stringify(ours);
    assert.equal(ours.valid, true, summary);
    assert.equal(ours.per_broadcast, variant.per_broadcast, `messages per broadcast: ${summary}`);
    const share = ours.broadcast_ops / ours.ops;
    assert.ok(share >= MIX_RANGE[0] && share <= MIX_RANGE[1], `broadcast share ${share}`);
    const at_even_mix = ours.per_broadcast / 2;
    const deviation = at_even_mix / variant.msgs_per_op! - 1;
    assert.ok(
      Math.abs(deviation) <= TOLERANCE,
      `servers msgs/op ${at_even_mix} at a 50/50 mix vs published ${variant.msgs_per_op} ` +
        `(${(deviation * 100).toFixed(1)} %); raw ${ours.servers_msgs_per_op}`,
    );
  });
}

Deno.test("guide corpus: without retries a partition loses messages, with them none", async () => {
  const by_name = (name: string) => GUIDE_VARIANTS.find((v) => v.name === name)!;
  const lossy = await runVariant(by_name("grid partition"), { sim: true, seed: SEED });
  assert.equal(lossy.valid, false, JSON.stringify(lossy));
  assert.ok(lossy.lost_count > 0, JSON.stringify(lossy));
  const retried = await runVariant(by_name("retry tree4 partition"), { sim: true, seed: SEED });
  assert.equal(retried.valid, true, JSON.stringify(retried));
  assert.equal(retried.lost_count, 0);
});
