/**
 * Workload `lin-kv`: a linearizable key-value store of CAS registers
 * (`shared/maelstrom/workloads/lin-kv.md`).
 *
 * Threads form groups of 2n consecutive threads (n = node count); a group
 * works on one key at a time, moving to the next unused key once more than 20
 * processes have belonged to it on that key (Jepsen's `process-limit`).
 * Threads 0..n-1 read; the others write or cas with values 0..4. The checker is
 * the per-key linearizability search in `../checkers/linearizable.ts`.
 *
 * @module
 */

import { checkLinearizable } from "../checkers/linearizable.ts";
import { UsageError } from "../cli.ts";
import { checkReply, type ReplySchema } from "../reply_schema.ts";
import {
  type Completion,
  type OpGenerator,
  type OpSpec,
  type Workload,
  type WorkloadClient,
  type WorkloadContext,
  type WorkloadFactory,
} from "../types.ts";
import type { Rng } from "../rng.ts";

/** A key is abandoned once more than this many processes worked on it. */
export const PROCESSES_PER_KEY = 20;
/** Values written and compared are drawn from 0..VALUE_COUNT-1. */
const VALUE_COUNT = 5;

const READ_OK: ReplySchema = { type: "read_ok", fields: { value: "any" } };
const WRITE_OK: ReplySchema = { type: "write_ok", fields: {} };
const CAS_OK: ReplySchema = { type: "cas_ok", fields: {} };

/** The client RPC timeout: `max(10 × latency, 1000)` ms. */
export function linKvTimeoutMs(latency_ms: number): number {
  return Math.max(10 * latency_ms, 1000);
}

interface Group {
  key: number;
  /** Processes seen on the current key. */
  processes: Set<number>;
  /** The current process of each thread of the group. */
  current: Map<number, number>;
}

/** The lin-kv main-phase generator (Jepsen's `independent/concurrent-generator`). */
export function linKvGenerator(rng: Rng, node_count: number, concurrency: number): OpGenerator {
  const group_size = 2 * node_count;
  if (!(concurrency > 0) || concurrency % group_size !== 0) {
    throw new UsageError(
      `lin-kv needs --concurrency to be a positive multiple of 2 × node count (${group_size}), ` +
        `got ${concurrency}`,
    );
  }
  const groups: Group[] = [];
  for (let g = 0; g < concurrency / group_size; g++) {
    groups.push({ key: g, processes: new Set(), current: new Map() });
  }
  let next_key = groups.length;
  // Which threads reserve's read range holds: absolute ids 0..n-1 (see `next`).
  const bucketOf = (thread: number) =>
    `${Math.floor(thread / group_size)}:${thread < node_count ? "read" : "write"}`;
  const bucket_size = new Map<string, number>();
  for (let t = 0; t < concurrency; t++) {
    bucket_size.set(bucketOf(t), (bucket_size.get(bucketOf(t)) ?? 0) + 1);
  }
  return {
    /**
     * Jepsen asks every key group (`independent/concurrent-generator`) and, in a group, both of
     * `reserve`'s ranges (readers, writers) for an op; all are due at the same instant, so
     * `generator.clj` `soonest-op-map` picks one at random weighted by its thread count. Only
     * then does the rotation pick the thread, inside that range. Without this step the rotation
     * alone would hand readers more than their share (2 of 3 ops on one node with 2 threads).
     */
    restrict(free: readonly number[]): number[] {
      if (free.length === 0) return [];
      const buckets = new Map<string, number[]>();
      for (const t of free) {
        const list = buckets.get(bucketOf(t)) ?? [];
        list.push(t);
        buckets.set(bucketOf(t), list);
      }
      let total = 0;
      for (const key of buckets.keys()) total += bucket_size.get(key)!;
      let draw = rng.int(total);
      for (const [key, threads] of buckets) {
        draw -= bucket_size.get(key)!;
        if (draw < 0) return threads;
      }
      return [...free];
    },
    next(thread: number, process: number): OpSpec | undefined {
      const group = groups[Math.floor(thread / group_size)];
      if (group === undefined) return undefined;
      if (group_size > PROCESSES_PER_KEY) return undefined;
      group.current.set(thread, process);
      for (const p of group.current.values()) group.processes.add(p);
      if (group.processes.size > PROCESSES_PER_KEY) {
        group.key = next_key++;
        group.processes = new Set(group.current.values());
      }
      // Jepsen's `reserve` counts absolute thread ids: only threads 0..n-1 read.
      if (thread < node_count) return { f: "read", value: [group.key, null] };
      if (rng.int(3) === 0) return { f: "write", value: [group.key, rng.int(VALUE_COUNT)] };
      return { f: "cas", value: [group.key, [rng.int(VALUE_COUNT), rng.int(VALUE_COUNT)]] };
    },
  };
}

function tuple(spec: OpSpec): [unknown, unknown] {
  if (!Array.isArray(spec.value) || spec.value.length !== 2) {
    throw new Error(`lin-kv op value must be [key, value], got ${JSON.stringify(spec.value)}`);
  }
  return [spec.value[0], spec.value[1]];
}

/** Turns one lin-kv op into its RPC and the completion value. */
export async function invokeLinKv(client: WorkloadClient, spec: OpSpec): Promise<Completion> {
  const [key, arg] = tuple(spec);
  switch (spec.f) {
    case "read": {
      const reply = checkReply(await client.rpc({ type: "read", key }), READ_OK);
      return { value: [key, reply.value] };
    }
    case "write": {
      checkReply(await client.rpc({ type: "write", key, value: arg }), WRITE_OK);
      return { value: [key, arg] };
    }
    case "cas": {
      const [from, to] = arg as [unknown, unknown];
      checkReply(await client.rpc({ type: "cas", key, from, to }), CAS_OK);
      return { value: [key, arg] };
    }
    default:
      throw new Error(`lin-kv has no op ${JSON.stringify(spec.f)}`);
  }
}

/** Builds the lin-kv workload. */
export const createWorkload: WorkloadFactory = (ctx: WorkloadContext): Workload => {
  const { opts, rng } = ctx;
  // Fail at construction, before any node starts, on a concurrency the generator cannot split.
  linKvGenerator(rng.fork("lin-kv-validate"), opts.nodes.length, opts.concurrency);
  return {
    name: "lin-kv",
    idempotent: new Set(["read"]),
    reusable_client: true,
    rpc_timeout_ms: linKvTimeoutMs(opts.latency_ms),
    generator: () => linKvGenerator(rng.fork("lin-kv"), opts.nodes.length, opts.concurrency),
    invoke: invokeLinKv,
    check: (history) => checkLinearizable(history),
  };
};
