/**
 * The `pn-counter` workload (Maelstrom `workload/pn_counter.clj`): a counter
 * with increments and decrements. The main phase mixes, 50/50 at random,
 * `add` with delta uniform in −5..4 and `read` (reply `value`, an integer);
 * after the heal and recovery wait each thread does one read marked `final`.
 * Every final ok read must be the sum of the ok deltas plus some subset of
 * the info deltas (checkers/counter.ts).
 *
 * Maelstrom's counter client does not use `with-errors`: any error reply
 * (definite or not), timeout or malformed reply escapes as an exception, so
 * the op is `info`. The client is not reusable.
 *
 * Deviations from Maelstrom: the acceptable set is bounded (see
 * checkers/counter.ts).
 *
 * @module
 */

import type {
  OpSpec,
  Workload,
  WorkloadClient,
  WorkloadContext,
  WorkloadFactory,
} from "../types.ts";
import { checkReply, type ReplySchema } from "../reply_schema.ts";
import { checkCounter } from "../checkers/counter.ts";
import { onEachThread, withoutErrorMapping } from "../workload_helpers.ts";
import type { Rng } from "../rng.ts";

const ADD_OK: ReplySchema = { type: "add_ok", fields: {} };
const READ_OK: ReplySchema = { type: "read_ok", fields: { value: "integer" } };

/** pn-counter's op draw: 50 % add with delta in −5..4, 50 % read. */
export function drawCounterOp(rng: Rng): OpSpec {
  if (rng.chance(0.5)) return { f: "add", value: rng.int(10) - 5 };
  return { f: "read", value: null };
}

/** The counter workload shared by pn-counter and g-counter; `draw` picks each op. */
export function counterWorkload(
  { rng }: WorkloadContext,
  name: "pn-counter" | "g-counter",
  draw: (rng: Rng) => OpSpec,
): Workload {
  const op_rng = rng.fork(`${name}-ops`);
  return {
    name,
    idempotent: new Set<string>(),
    reusable_client: false,
    rpc_timeout_ms: 5000,
    generator: () => ({ next: () => draw(op_rng) }),
    invoke: (client: WorkloadClient, spec: OpSpec) =>
      withoutErrorMapping(async () => {
        switch (spec.f) {
          case "add":
            checkReply(await client.rpc({ type: "add", delta: spec.value }), ADD_OK);
            return { value: spec.value };
          case "read": {
            const reply = checkReply(await client.rpc({ type: "read" }), READ_OK);
            return { value: reply.value };
          }
          default:
            throw new Error(`${name} workload cannot run f=${spec.f}`);
        }
      }),
    final: (phase) => onEachThread(phase, { f: "read", value: null, final: true }),
    check: (history) => checkCounter(history),
  };
}

/** Builds the pn-counter workload. */
export const createWorkload: WorkloadFactory = (ctx) =>
  counterWorkload(ctx, "pn-counter", drawCounterOp);
