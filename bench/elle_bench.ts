// Elle-style checker benchmarks: txn-rw-register and txn-list-append histories of 20 s at
// 1000 txns/s on 2 nodes with 4 threads (--concurrency 2n), produced in-process by a simulated
// strict-serializable store with overlapping txns, some aborts and timeouts. The rw-register
// history ends with one final read of every written key per node. Run: deno task bench.

import { checkElle, rwRegisterVerdict } from "../lib/harness/checkers/elle/check.ts";
import { simulateHistory } from "../lib/harness/checkers/elle/simulate.ts";

const common = { seed: 42, duration_s: 20, rate: 1000, concurrency: 4, node_count: 2 };
const rw_history = simulateHistory({ ...common, workload: "rw-register", final_reads: true });
const append_history = simulateHistory({ ...common, workload: "list-append" });

Deno.bench(`elle rw-register, strict-serializable, ${rw_history.length} ops`, () => {
  const result = rwRegisterVerdict(checkElle(rw_history, {
    workload: "rw-register",
    consistency_models: ["strict-serializable"],
    final_reads: true,
  }));
  if (result["valid?"] !== true) throw new Error(`unexpected: ${JSON.stringify(result)}`);
});

Deno.bench(`elle list-append, strict-serializable, ${append_history.length} ops`, () => {
  const result = checkElle(append_history, {
    workload: "list-append",
    consistency_models: ["strict-serializable"],
  });
  if (result["valid?"] !== true) throw new Error(`unexpected: ${JSON.stringify(result)}`);
});
