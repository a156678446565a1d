/**
 * How a failed RPC becomes a history completion (`harness.md` §6,
 * `protocol.md` §6): timeouts and error bodies are fail or info depending on
 * definiteness and the workload's idempotent `:f`s; anything else is an
 * indeterminate info carrying the exception.
 *
 * @module
 */

import { ERROR_REGISTRY } from "../maelstrom.ts";
import { RpcErrorReply, RpcTimeout } from "./types.ts";

/** The completion fields for an op whose invocation threw `error`. */
export interface ErrorOutcome {
  type: "fail" | "info";
  error: unknown;
  exception?: string;
}

/** Maps an exception from `Workload.invoke` to the op's completion type and error. */
export function outcomeForError(
  error: unknown,
  f: string,
  idempotent: ReadonlySet<string>,
): ErrorOutcome {
  if (error instanceof RpcTimeout) {
    return { type: idempotent.has(f) ? "fail" : "info", error: "net-timeout" };
  }
  if (error instanceof RpcErrorReply) {
    const info = ERROR_REGISTRY.get(error.code);
    const definite = info?.definite ?? false;
    return {
      type: definite || idempotent.has(f) ? "fail" : "info",
      error: [info?.name ?? "unknown", error.text],
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  const name = error instanceof Error ? error.name : "Error";
  return { type: "info", error: `indeterminate: ${message}`, exception: `${name}: ${message}` };
}
