/**
 * Test fixtures for workload tests: resolved TestOptions (shared with part 1) and a fake
 * client that answers RPCs from a handler.
 *
 * @module
 */

import type { Body, TestOptions, WorkloadClient } from "../../../lib/harness/types.ts";

/** Resolved options with Maelstrom's defaults, overridable per test. */
export function testOptions(overrides: Partial<TestOptions> = {}): TestOptions {
  return {
    workload: "lin-kv",
    bin: "/bin/false",
    bin_args: [],
    nodes: ["n0"],
    time_limit_s: 10,
    rate: 10,
    concurrency: 2,
    latency_ms: 0,
    latency_dist: "constant",
    nemesis: [],
    nemesis_interval_s: 10,
    topology: "grid",
    availability: undefined,
    consistency_models: ["strict-serializable"],
    key_count: undefined,
    max_txn_length: 4,
    max_writes_per_key: 16,
    test_count: 1,
    log_stderr: false,
    log_net_send: false,
    log_net_recv: false,
    seed: 1,
    final_reads: true,
    store_dir: ".",
    ...overrides,
  };
}

/** A client whose replies come from `handler`; records every request body. */
export class FakeClient implements WorkloadClient {
  readonly sent: Body[] = [];
  private msg_id = 0;

  constructor(
    private readonly handler: (body: Body) => Body | Promise<Body>,
    readonly id = "c1",
    readonly node = "n0",
  ) {}

  async rpc(body: Body): Promise<Body> {
    const request = { ...body, msg_id: ++this.msg_id };
    this.sent.push(request);
    const reply = await this.handler(request);
    return { in_reply_to: request.msg_id, ...reply };
  }
}
