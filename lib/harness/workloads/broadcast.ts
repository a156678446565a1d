/**
 * The `broadcast` workload (Maelstrom `workload/broadcast.clj`): setup sends
 * every node the whole `--topology` map; the main phase mixes, 50/50 at
 * random, `broadcast` of the next integer (0, 1, 2, … shared by all threads)
 * and `read`; after the heal and recovery wait each thread does one final
 * read. Judged by set-full with `broadcast` as the add.
 *
 * Errors follow `with-errors` with `read` idempotent (a failed read is a
 * fail, never info); the client is not reusable. `topology` is a plain RPC:
 * an error, timeout or malformed reply aborts the test.
 *
 * Deviations from Maelstrom: an element listed twice in one read is reported
 * and invalid (see checkers/set_full.ts).
 *
 * @module
 */

import type { OpSpec, Workload, WorkloadClient, WorkloadFactory } from "../types.ts";
import { checkReply, type ReplySchema } from "../reply_schema.ts";
import { checkSetFull } from "../checkers/set_full.ts";
import { buildTopology } from "../topology.ts";
import { onEachThread } from "../workload_helpers.ts";

const TOPOLOGY_OK: ReplySchema = { type: "topology_ok", fields: {} };
const BROADCAST_OK: ReplySchema = { type: "broadcast_ok", fields: {} };
const READ_OK: ReplySchema = { type: "read_ok", fields: { messages: "array" } };

/** Builds the broadcast workload. */
export const createWorkload: WorkloadFactory = ({ opts, rng }): Workload => {
  const topology = buildTopology(opts.topology, opts.nodes);
  const mix_rng = rng.fork("broadcast-mix");
  let next_message = 0;
  return {
    name: "broadcast",
    idempotent: new Set(["read"]),
    reusable_client: false,
    rpc_timeout_ms: 5000,
    async setup(client: WorkloadClient) {
      checkReply(await client.rpc({ type: "topology", topology }), TOPOLOGY_OK);
    },
    generator: () => ({
      next(): OpSpec {
        if (mix_rng.chance(0.5)) return { f: "read", value: null };
        return { f: "broadcast", value: next_message++ };
      },
    }),
    async invoke(client: WorkloadClient, spec: OpSpec) {
      switch (spec.f) {
        case "broadcast":
          checkReply(await client.rpc({ type: "broadcast", message: spec.value }), BROADCAST_OK);
          return { value: spec.value };
        case "read": {
          const reply = checkReply(await client.rpc({ type: "read" }), READ_OK);
          return { value: reply.messages };
        }
        default:
          throw new Error(`broadcast workload cannot run f=${spec.f}`);
      }
    },
    final: (phase) => onEachThread(phase, { f: "read", value: null, final: true }),
    check: (history) => checkSetFull(history, { add_f: "broadcast" }),
  };
};
