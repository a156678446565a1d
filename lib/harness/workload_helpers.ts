/**
 * Small pieces shared by the part-1 workloads: the per-thread final reads,
 * and the error mapping of workloads whose Maelstrom client does not use
 * `with-errors` (g-set, g-counter, pn-counter), where every error reply or
 * timeout escapes as an exception and the op is recorded as `info`.
 *
 * @module
 */

import { type FinalPhase, type OpSpec, RpcErrorReply, RpcTimeout } from "./types.ts";

/**
 * An RPC failure that Maelstrom's client lets escape as an exception: the
 * runner records the op as `info` with this exception, whatever the error
 * code (a definite error still counts as "may have happened").
 */
export class UnhandledRpcError extends Error {
  constructor(readonly cause_error: RpcErrorReply | RpcTimeout) {
    super(
      cause_error instanceof RpcTimeout
        ? `RPC timed out: ${cause_error.message}`
        : `RPC error reply, code ${cause_error.code}: ${cause_error.text}`,
    );
    this.name = "UnhandledRpcError";
  }
}

/** Runs `rpc`, turning error replies and timeouts into `UnhandledRpcError`. */
export async function withoutErrorMapping<T>(rpc: () => Promise<T>): Promise<T> {
  try {
    return await rpc();
  } catch (error) {
    if (error instanceof RpcErrorReply || error instanceof RpcTimeout) {
      throw new UnhandledRpcError(error);
    }
    throw error;
  }
}

/** Jepsen `gen/each-thread`: runs `spec` once on every client thread, all at once. */
export async function onEachThread(phase: FinalPhase, spec: OpSpec): Promise<void> {
  const runs = [];
  for (let thread = 0; thread < phase.threads; thread++) {
    runs.push(phase.invoke(thread, { ...spec }));
  }
  await Promise.all(runs);
}
