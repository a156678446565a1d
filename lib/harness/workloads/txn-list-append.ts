/**
 * The txn-list-append workload: transactions of list reads and appends
 * (`[["r", k, null], ["append", k, v]]`), checked by the Elle-style checker
 * under `--consistency-models` (default strict-serializable), unwrapped as in
 * Maelstrom (cycle-search timeouts and an empty graph give unknown). A
 * `txn_ok` that does not match its request is a MalformedResponse and a
 * `malformed-txn-ok` anomaly. No final phase.
 *
 * @module
 */

import type { WorkloadFactory } from "../types.ts";
import { checkElle } from "../checkers/elle/check.ts";
import { validateModels } from "../checkers/elle/models.ts";
import type { Mop } from "../checkers/elle/history.ts";
import { invokeTxn, TXN_RPC_TIMEOUT_MS, TxnGenerator, txnGenOptions } from "./txn_common.ts";

/** Builds the txn-list-append workload for one test. */
export const createWorkload: WorkloadFactory = ({ opts, rng }) => {
  validateModels(opts.consistency_models);
  const gen_opts = txnGenOptions(opts, "append");
  // Validate options now, so a bad flag fails before any node starts.
  new TxnGenerator(gen_opts, rng.fork("txn-list-append-validate"));
  return {
    name: "txn-list-append",
    idempotent: new Set(),
    reusable_client: true,
    rpc_timeout_ms: TXN_RPC_TIMEOUT_MS,
    generator: () => new TxnGenerator(gen_opts, rng.fork("txn-list-append-gen")),
    async invoke(client, spec) {
      return { value: await invokeTxn(client, spec.value as Mop[], "append") };
    },
    check(history) {
      return checkElle(history, {
        workload: "list-append",
        consistency_models: opts.consistency_models,
      });
    },
  };
};
