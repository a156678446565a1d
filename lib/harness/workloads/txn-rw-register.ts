/**
 * The txn-rw-register workload: transactions of register reads and writes
 * (`[["r", k, null], ["w", k, v]]`), checked for transactional consistency by
 * the Elle-style checker under `--consistency-models` (default
 * strict-serializable), wrapped like Maelstrom's (cycle-search timeouts
 * ignored, an empty graph invalid).
 *
 * Stricter than Maelstrom: unless `--no-final-reads`, a final phase (after the
 * runner heals and waits for recovery) reads every written key on every node,
 * and the checker uses converged final values as evidence of each key's last
 * version, which exposes write-write cycles Maelstrom cannot see
 * (see `checkers/elle/rw_register.ts` for why this is sound). Those reads are
 * marked `harness_only`: msgs/op, availability and stats leave them (and the
 * traffic from the end of the main phase on) out, and report them apart, so
 * the figures compare with Maelstrom's. A `txn_ok` that
 * does not match its request is a MalformedResponse and a `malformed-txn-ok`
 * anomaly.
 *
 * @module
 */

import type { FinalPhase, Workload, WorkloadFactory } from "../types.ts";
import { checkElle, rwRegisterVerdict } from "../checkers/elle/check.ts";
import { validateModels } from "../checkers/elle/models.ts";
import type { Mop } from "../checkers/elle/history.ts";
import { invokeTxn, TXN_RPC_TIMEOUT_MS, TxnGenerator, txnGenOptions } from "./txn_common.ts";

/** Keys read per final-phase txn. */
export const FINAL_READ_BATCH = 32;
/** Attempts per final-read batch before giving up on those keys. */
export const FINAL_READ_ATTEMPTS = 3;
/** The final phase stops issuing reads after this long. */
export const FINAL_PHASE_LIMIT_MS = 60_000;

/** Builds the txn-rw-register workload for one test. */
export const createWorkload: WorkloadFactory = ({ opts, rng }) => {
  validateModels(opts.consistency_models);
  const gen_opts = txnGenOptions(opts, "w");
  let generator = new TxnGenerator(gen_opts, rng.fork("txn-rw-register"));
  const final_reads = opts.final_reads !== false;

  const workload: Workload = {
    name: "txn-rw-register",
    idempotent: new Set(),
    reusable_client: true,
    rpc_timeout_ms: TXN_RPC_TIMEOUT_MS,
    generator() {
      generator = new TxnGenerator(gen_opts, rng.fork("txn-rw-register-gen"));
      return generator;
    },
    async invoke(client, spec) {
      return { value: await invokeTxn(client, spec.value as Mop[], "w") };
    },
    check(history) {
      return rwRegisterVerdict(checkElle(history, {
        workload: "rw-register",
        consistency_models: opts.consistency_models,
        final_reads,
      }));
    },
  };
  if (final_reads) {
    workload.final = (phase) => readEveryKey(phase, generator.writtenKeys(), opts.nodes.length);
    // Maelstrom has no final phase for txn-rw-register: these reads, and the traffic from the end
    // of the main phase on, stay out of msgs/op, availability and stats (reported apart).
    workload.final_harness_only = true;
  }
  return workload;
};

/** Reads `keys` on one thread per node (thread t talks to node t mod N), in batches. */
export async function readEveryKey(
  phase: FinalPhase,
  keys: readonly number[],
  node_count: number,
): Promise<void> {
  const threads = Math.min(phase.threads, node_count);
  const batches: Mop[][] = [];
  for (let i = 0; i < keys.length; i += FINAL_READ_BATCH) {
    batches.push(keys.slice(i, i + FINAL_READ_BATCH).map((k): Mop => ["r", k, null]));
  }
  const readAll = async (thread: number) => {
    for (const batch of batches) {
      for (let attempt = 0; attempt < FINAL_READ_ATTEMPTS; attempt++) {
        if (phase.elapsed_ms() > FINAL_PHASE_LIMIT_MS) return;
        const spec = { f: "txn", value: batch, final: true, harness_only: true };
        const op = await phase.invoke(thread, spec);
        if (op.type === "ok") break;
      }
    }
  };
  await Promise.all(Array.from({ length: threads }, (_, t) => readAll(t)));
}
