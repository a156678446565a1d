/**
 * The `unique-ids` workload (Maelstrom `workload/unique_ids.clj`): every op
 * is `{"type": "generate"}`; the reply `generate_ok` carries an `id` of any
 * JSON type, which becomes the op's value. No id may be acknowledged twice.
 *
 * Errors follow `with-errors` with no idempotent ops; the client is reusable
 * (it keeps its client id after an info op). No final phase.
 *
 * Deviations from Maelstrom: ids that Clojure could not order (different
 * kinds, or objects) give `valid? unknown` with an explanation (see
 * checkers/unique_ids.ts).
 *
 * @module
 */

import type { OpSpec, WorkloadClient, WorkloadFactory } from "../types.ts";
import { checkReply, type ReplySchema } from "../reply_schema.ts";
import { checkUniqueIds } from "../checkers/unique_ids.ts";

const GENERATE_OK: ReplySchema = { type: "generate_ok", fields: { id: "any" } };

/** Builds the unique-ids workload. */
export const createWorkload: WorkloadFactory = () => ({
  name: "unique-ids",
  idempotent: new Set<string>(),
  reusable_client: true,
  rpc_timeout_ms: 5000,
  generator: () => ({ next: (): OpSpec => ({ f: "generate", value: null }) }),
  async invoke(client: WorkloadClient, spec: OpSpec) {
    if (spec.f !== "generate") throw new Error(`unique-ids workload cannot run f=${spec.f}`);
    const reply = checkReply(await client.rpc({ type: "generate" }), GENERATE_OK);
    return { value: reply.id };
  },
  check: (history) => checkUniqueIds(history),
});
