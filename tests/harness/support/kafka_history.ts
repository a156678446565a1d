/**
 * Generates kafka histories in-process: the real kafka workload generator and
 * client drive a simulated, correct single-copy log server, with simulated
 * time and overlapping ops. For checker tests and benchmarks.
 *
 * Each op takes effect on the server at its invocation and completes after a
 * random latency; other clients' ops interleave meanwhile. After the main
 * phase every client runs the final catch-up (crash, assign from 0, poll).
 *
 * @module
 */

import { Rng } from "../../../lib/harness/rng.ts";
import type { Body, Op, OpSpec, WorkloadClient } from "../../../lib/harness/types.ts";
import { createKafkaWorkload, type KafkaTime } from "../../../lib/harness/workloads/kafka.ts";
import { testOptions } from "./part2_options.ts";

/** Shape of a generated history. */
export interface KafkaHistoryOptions {
  seed: number;
  duration_s: number;
  /** Mean ops per second over all clients. */
  rate: number;
  clients: number;
  /** Most messages one poll returns per key. */
  poll_batch: number;
}

/** A correct in-memory kafka server: dense offsets, committed offsets. */
export function kafkaServer(poll_batch: number): (body: Body) => Body {
  const logs = new Map<string, unknown[]>();
  const committed = new Map<string, number>();
  return (body) => {
    switch (body.type) {
      case "send": {
        const log = logs.get(body.key) ?? [];
        log.push(body.msg);
        logs.set(body.key, log);
        return { type: "send_ok", offset: log.length - 1 };
      }
      case "poll": {
        const msgs: Record<string, [number, unknown][]> = {};
        for (const [key, from] of Object.entries(body.offsets as Record<string, number>)) {
          const log = logs.get(key) ?? [];
          msgs[key] = log.slice(from, from + poll_batch).map((m, i) => [from + i, m]);
        }
        return { type: "poll_ok", msgs };
      }
      case "commit_offsets":
        for (const [key, offset] of Object.entries(body.offsets as Record<string, number>)) {
          committed.set(key, Math.max(committed.get(key) ?? -1, offset));
        }
        return { type: "commit_offsets_ok" };
      case "list_committed_offsets": {
        const keys = (body.keys as string[]).filter((key) => committed.has(key));
        return {
          type: "list_committed_offsets_ok",
          offsets: Object.fromEntries(keys.map((key) => [key, committed.get(key)! + 1])),
        };
      }
    }
    throw new Error(`unexpected request ${body.type}`);
  };
}

class SimClient implements WorkloadClient {
  private msg_id = 0;
  constructor(readonly id: string, readonly node: string, private server: (b: Body) => Body) {}
  rpc(body: Body): Promise<Body> {
    const msg_id = ++this.msg_id;
    return Promise.resolve({ ...this.server({ ...body, msg_id }), in_reply_to: msg_id });
  }
}

interface Record_ {
  at_ms: number;
  seq: number;
  op: Omit<Op, "index">;
}

/** Builds a valid kafka history (values shaped like the kafka workload's). */
export async function generateKafkaHistory(options: KafkaHistoryOptions): Promise<Op[]> {
  const rng = new Rng(options.seed);
  let now_ms = 0;
  const time: KafkaTime = { now_ms: () => now_ms, sleep: () => Promise.resolve() };
  const opts = testOptions({ workload: "kafka", concurrency: options.clients, seed: options.seed });
  const workload = createKafkaWorkload({ opts, rng: rng.fork("workload") }, time);
  const generator = workload.generator();
  const server = kafkaServer(options.poll_batch);
  const records: Record_[] = [];
  let seq = 0;
  let client_count = 0;
  const threads = Array.from({ length: options.clients }, (_, t) => ({
    process: t,
    client: new SimClient(`c${++client_count}`, "n0", server),
    free_ms: rng.float() * 10,
  }));
  const latency_ms = () => 0.5 + rng.exponential((2 * options.clients * 1000) / options.rate / 3);

  const run = async (t: number, spec: OpSpec, at_ms: number): Promise<Op> => {
    const thread = threads[t];
    const final = spec.final ? { final: true } : {};
    const invoke: Omit<Op, "index"> = {
      time: Math.round(at_ms * 1e6),
      type: "invoke",
      process: thread.process,
      f: spec.f,
      value: spec.value,
      ...final,
    };
    records.push({ at_ms, seq: seq++, op: invoke });
    const done = await workload.invoke(thread.client, spec);
    const end_ms = at_ms + latency_ms();
    const completion: Omit<Op, "index"> = {
      ...invoke,
      time: Math.round(end_ms * 1e6),
      type: done.type ?? "ok",
      value: done.value,
    };
    records.push({ at_ms: end_ms, seq: seq++, op: completion });
    thread.free_ms = end_ms;
    if (completion.type === "info") {
      thread.process += options.clients;
      thread.client = new SimClient(`c${++client_count}`, "n0", server);
    }
    return { index: -1, ...completion };
  };

  // Main phase: the global stagger hands each op to the earliest free thread.
  let due_ms = 0;
  while (due_ms < options.duration_s * 1000) {
    const t = threads.reduce((best, th, i) => (th.free_ms < threads[best].free_ms ? i : best), 0);
    now_ms = Math.max(due_ms, threads[t].free_ms);
    const spec = generator.next(t, threads[t].process);
    if (spec === undefined) break;
    const invoke_time = now_ms;
    const completion = await run(t, spec, invoke_time);
    generator.update?.({ index: -1, ...records[records.length - 2].op }, completion);
    due_ms = now_ms + rng.float() * 2 * (1000 / options.rate);
  }
  // Final phase, a little later, thread by thread in simulated time.
  const final_start_ms = Math.max(...threads.map((th) => th.free_ms)) + 10_000;
  for (const thread of threads) thread.free_ms = final_start_ms;
  await workload.final!({
    threads: options.clients,
    elapsed_ms: () => 0,
    invoke: (t, spec) => run(t, spec, threads[t].free_ms + 1),
  });
  records.sort((a, b) => a.at_ms - b.at_ms || a.seq - b.seq);
  return records.map((r, index) => ({ index, ...r.op }));
}
