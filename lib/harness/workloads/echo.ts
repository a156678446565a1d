/**
 * The `echo` workload (Maelstrom `workload/echo.clj`): each client thread
 * sends `{"type": "echo", "echo": "Please echo N"}` with N uniform in 0..127
 * and expects the same payload back in `echo_ok`.
 *
 * The completion value is the whole reply body. Errors follow `with-errors`
 * with no idempotent ops; the client is not reusable. No final phase.
 *
 * Deviations from Maelstrom: the checker's `errors` list is capped (see
 * checkers/echo.ts). Each thread draws its payloads from its own seeded stream,
 * so a thread's payload sequence does not depend on the other threads' timing.
 *
 * @module
 */

import type { Body, OpSpec, WorkloadClient, WorkloadFactory } from "../types.ts";
import { checkReply, type ReplySchema } from "../reply_schema.ts";
import { checkEcho } from "../checkers/echo.ts";
import type { Rng } from "../rng.ts";

/** Payload numbers are uniform in [0, PAYLOAD_RANGE). */
const PAYLOAD_RANGE = 128;

const ECHO_OK: ReplySchema = { type: "echo_ok", fields: { echo: "any" } };

/** Builds the echo workload. */
export const createWorkload: WorkloadFactory = ({ opts, rng }) => {
  const thread_rngs: Rng[] = [];
  for (let thread = 0; thread < opts.concurrency; thread++) {
    thread_rngs.push(rng.fork(`echo-thread-${thread}`));
  }
  return {
    name: "echo",
    idempotent: new Set<string>(),
    reusable_client: false,
    rpc_timeout_ms: 5000,
    generator: () => ({
      next(thread: number): OpSpec {
        const thread_rng = thread_rngs[thread] ?? rng;
        return { f: "echo", value: `Please echo ${thread_rng.int(PAYLOAD_RANGE)}` };
      },
    }),
    async invoke(client: WorkloadClient, spec: OpSpec) {
      if (spec.f !== "echo") throw new Error(`echo workload cannot run f=${spec.f}`);
      const reply: Body = await client.rpc({ type: "echo", echo: spec.value });
      return { value: checkReply(reply, ECHO_OK) };
    },
    check: (history) => checkEcho(history),
  };
};
