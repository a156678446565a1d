/**
 * The `g-counter` workload (Maelstrom `workload/g_counter.clj`): the
 * pn-counter workload with negative-delta adds filtered out. The filter
 * redraws until it gets an acceptable op, so about 2/3 of ops are reads and
 * 1/3 are adds with delta uniform in 0..4. Same RPCs, final reads and
 * checker as pn-counter.
 *
 * Deviations from Maelstrom: as pn-counter.
 *
 * @module
 */

import type { OpSpec, WorkloadFactory } from "../types.ts";
import type { Rng } from "../rng.ts";
import { counterWorkload, drawCounterOp } from "./pn-counter.ts";

/** Bound on redraws; a non-negative op has probability 3/4 per draw, so this is never reached. */
const MAX_REDRAWS = 1000;

/** g-counter's op draw: pn-counter's draw, redrawn while the delta is negative. */
export function drawGrowOnlyOp(rng: Rng): OpSpec {
  for (let attempt = 0; attempt < MAX_REDRAWS; attempt++) {
    const spec = drawCounterOp(rng);
    if (spec.f !== "add" || (spec.value as number) >= 0) return spec;
  }
  return { f: "read", value: null };
}

/** Builds the g-counter workload. */
export const createWorkload: WorkloadFactory = (ctx) =>
  counterWorkload(ctx, "g-counter", drawGrowOnlyOp);
