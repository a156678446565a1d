/**
 * The `g-set` workload (Maelstrom `workload/g_set.clj`): a grow-only set.
 * The main phase mixes, 50/50 at random, `add` of the next integer element
 * (0, 1, 2, … shared by all threads) and `read` (reply field `value`, an
 * array); after the heal and recovery wait each thread does one read.
 * Judged by set-full.
 *
 * Maelstrom's g-set client does not use `with-errors`: any error reply
 * (definite or not), timeout or malformed reply escapes as an exception, so
 * the op is `info`. The client is not reusable. As in Maelstrom the final
 * reads carry no `final` flag.
 *
 * Deviations from Maelstrom: an element listed twice in one read is reported
 * and invalid (see checkers/set_full.ts).
 *
 * @module
 */

import type { OpSpec, Workload, WorkloadClient, WorkloadFactory } from "../types.ts";
import { checkReply, type ReplySchema } from "../reply_schema.ts";
import { checkSetFull } from "../checkers/set_full.ts";
import { onEachThread, withoutErrorMapping } from "../workload_helpers.ts";

const ADD_OK: ReplySchema = { type: "add_ok", fields: {} };
const READ_OK: ReplySchema = { type: "read_ok", fields: { value: "array" } };

/** Builds the g-set workload. */
export const createWorkload: WorkloadFactory = ({ rng }): Workload => {
  const mix_rng = rng.fork("g-set-mix");
  let next_element = 0;
  return {
    name: "g-set",
    idempotent: new Set<string>(),
    reusable_client: false,
    rpc_timeout_ms: 5000,
    generator: () => ({
      next(): OpSpec {
        if (mix_rng.chance(0.5)) return { f: "read", value: null };
        return { f: "add", value: next_element++ };
      },
    }),
    invoke: (client: WorkloadClient, spec: OpSpec) =>
      withoutErrorMapping(async () => {
        switch (spec.f) {
          case "add":
            checkReply(await client.rpc({ type: "add", element: spec.value }), ADD_OK);
            return { value: spec.value };
          case "read": {
            const reply = checkReply(await client.rpc({ type: "read" }), READ_OK);
            return { value: reply.value };
          }
          default:
            throw new Error(`g-set workload cannot run f=${spec.f}`);
        }
      }),
    final: (phase) => onEachThread(phase, { f: "read", value: null }),
    check: (history) => checkSetFull(history),
  };
};
