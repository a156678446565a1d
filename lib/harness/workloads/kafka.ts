/**
 * Workload `kafka`: append-only logs with per-key offsets and committed
 * consumer positions (`shared/maelstrom/workloads/kafka.md`).
 *
 * Ops: `send` (one message to one key), `poll` (from the client's own
 * positions, then `commit_offsets` of what it got), `assign` (asks
 * `list_committed_offsets` but, as Maelstrom's client does, keeps only the
 * positions it already holds and starts every other key at 0) and
 * `crash` (the client is dropped; a fresh one starts with no positions).
 * The generator is Jepsen's (v0.3.7): single-op list-append transactions over
 * exponentially distributed keys, interleaved assigns (1/64), assigns widened
 * to unread keys (1/3 of them), and a crash about every 30 s per thread. The
 * final phase has each thread crash, assign every key from 0 and poll until
 * it has caught up, for at most 10 s. The checker is `../checkers/kafka.ts`.
 *
 * @module
 */

import { setTimeout as sleepMs } from "node:timers/promises";
import type { Clock } from "../network.ts";
import { checkKafka } from "../checkers/kafka.ts";
import { UsageError } from "../cli.ts";
import { checkReply, type ReplySchema } from "../reply_schema.ts";
import type { Rng } from "../rng.ts";
import {
  type Body,
  type Completion,
  type FinalPhase,
  MalformedResponse,
  type Op,
  type OpGenerator,
  type OpSpec,
  type Workload,
  type WorkloadClient,
  type WorkloadContext,
  type WorkloadFactory,
} from "../types.ts";
import { opMaxOffsets } from "../checkers/kafka_ops.ts";

/** Probability that an op is preceded by an assign of its keys (Jepsen's `sub-p`). */
export const ASSIGN_PROBABILITY = 1 / 64;
/** Probability that an assign is widened with every key that has unread messages. */
export const WIDEN_PROBABILITY = 1 / 3;
/** Each thread is crashed about this often (Jepsen's `crash-client-interval`). */
export const CRASH_INTERVAL_S = 30;
/** The final phase stops after this long, caught up or not. */
export const FINAL_PHASE_MS = 10_000;
/** Final polls are spaced by uniform gaps in [0, 2 × this) ms (`gen/stagger 1/5`). */
export const FINAL_POLL_MEAN_GAP_MS = 200;
/** Base of the exponential key distribution. */
const KEY_DIST_BASE = 2;

/** An assign spec may ask to start every key at offset 0. */
export interface AssignSpec extends OpSpec {
  seek_to_beginning?: boolean;
}

/** Injectable time for tests. */
export interface KafkaTime {
  now_ms(): number;
  sleep(ms: number): Promise<void>;
}

const REAL_TIME: KafkaTime = {
  now_ms: () => performance.now(),
  sleep: (ms) => sleepMs(ms),
};

/** Time on the test's clock (virtual in the simulator). */
function clockTime(clock: Clock): KafkaTime {
  return {
    now_ms: () => clock.now_ms(),
    sleep: (ms) => new Promise((resolve) => clock.setTimer(resolve, Math.max(0, ms))),
  };
}

/** Key → highest offset, merged by max. */
type Offsets = Map<string, number>;

function mergeMax(into: Offsets, from: Offsets): void {
  for (const [key, offset] of from) into.set(key, Math.max(into.get(key) ?? -Infinity, offset));
}

/** Elle's `wr-txns` with one micro-op per transaction: sends and polls over rotating keys. */
export class KeyedOps {
  private readonly active: number[];
  private readonly next_value = new Map<number, number>();
  private readonly scale: number;

  constructor(
    private readonly rng: Rng,
    key_count: number,
    private readonly max_writes_per_key: number,
  ) {
    if (!(Number.isInteger(key_count) && key_count > 0)) {
      throw new UsageError(`kafka needs a positive integer --key-count, got ${key_count}`);
    }
    if (!(Number.isInteger(max_writes_per_key) && max_writes_per_key > 0)) {
      throw new UsageError(
        `kafka needs a positive integer --max-writes-per-key, got ${max_writes_per_key}`,
      );
    }
    this.active = Array.from({ length: key_count }, (_, k) => k);
    this.scale = ((KEY_DIST_BASE ** key_count - 1) * KEY_DIST_BASE) / (KEY_DIST_BASE - 1);
  }

  /** Key i of the pool is base^i times as likely as key 0. */
  private randomKey(): number {
    const x = this.rng.float() * this.scale + KEY_DIST_BASE;
    const i = Math.floor(Math.log(x) / Math.log(KEY_DIST_BASE) - 1);
    return this.active[Math.min(this.active.length - 1, Math.max(0, i))];
  }

  /** The next op and the key it is about. */
  next(): { spec: OpSpec; key: string } {
    for (;;) {
      const read = this.rng.chance(0.5);
      const key = this.randomKey();
      if (read) return { spec: { f: "poll", value: [["poll"]] }, key: String(key) };
      const value = this.next_value.get(key) ?? 1;
      if (value > this.max_writes_per_key) {
        // The key is full: replace it in the pool with a fresh one and draw the whole micro-op
        // again, read-or-write included (Elle's `elle.txn/wr-txns` recurs to its `rand-nth
        // [:r :w]` after `fresh-key`), so reads are slightly more than half of all ops.
        this.active[this.active.indexOf(key)] = Math.max(...this.active) + 1;
        continue;
      }
      this.next_value.set(key, value + 1);
      return { spec: { f: "send", value: [["send", String(key), value]] }, key: String(key) };
    }
  }
}

/** The kafka main-phase generator; also tracks the offsets the final phase waits for. */
export class KafkaGenerator implements OpGenerator {
  /** Highest offset seen per key in any ok send or poll (Jepsen's `track-key-offsets`). */
  readonly tracked: Offsets = new Map();
  private readonly sent: Offsets = new Map();
  private readonly polled: Offsets = new Map();
  private pending: { spec: OpSpec; key: string } | undefined;
  private next_crash_ms: number | undefined;
  private readonly crash_gap_ms: number;

  constructor(
    private readonly rng: Rng,
    private readonly ops: KeyedOps,
    concurrency: number,
    private readonly time: KafkaTime,
  ) {
    this.crash_gap_ms = (CRASH_INTERVAL_S * 1000) / concurrency;
  }

  next(_thread: number, _process: number): OpSpec | undefined {
    const now_ms = this.time.now_ms();
    this.next_crash_ms ??= now_ms;
    if (now_ms >= this.next_crash_ms) {
      this.next_crash_ms = now_ms + this.rng.float() * 2 * this.crash_gap_ms;
      return { f: "crash", value: null };
    }
    const op = this.pending ?? this.ops.next();
    this.pending = op;
    if (this.rng.float() < ASSIGN_PROBABILITY) {
      const keys = [op.key];
      if (this.rng.float() < WIDEN_PROBABILITY) {
        for (const key of this.sent.keys()) if (!keys.includes(key)) keys.push(key);
      }
      return { f: "assign", value: keys };
    }
    this.pending = undefined;
    return op.spec;
  }

  update(_invoke: Op, completion: Op): void {
    if (completion.type !== "ok") return;
    const offsets = opMaxOffsets(completion);
    mergeMax(this.tracked, offsets);
    if (completion.f === "send") mergeMax(this.sent, offsets);
    if (completion.f === "poll") mergeMax(this.polled, offsets);
    for (const [key, sent] of [...this.sent]) {
      if ((this.polled.get(key) ?? -1) >= sent) {
        this.sent.delete(key);
        this.polled.delete(key);
      }
    }
  }
}

const SEND_OK: ReplySchema = { type: "send_ok", fields: { offset: "integer" } };
const POLL_OK: ReplySchema = { type: "poll_ok", fields: { msgs: "any" } };
const COMMIT_OK: ReplySchema = { type: "commit_offsets_ok", fields: {} };
const LIST_OK: ReplySchema = { type: "list_committed_offsets_ok", fields: { offsets: "any" } };

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Validates `{Key: Offset}`. */
function offsetMap(value: unknown, what: string): Record<string, number> {
  if (!isObject(value)) throw new MalformedResponse(`${what} must be an object of key → offset`);
  for (const [key, offset] of Object.entries(value)) {
    if (!Number.isSafeInteger(offset)) {
      throw new MalformedResponse(`${what}[${JSON.stringify(key)}] must be an integer offset`);
    }
  }
  return value as Record<string, number>;
}

/** Validates `{Key: [[Offset, Msg], ...]}`. */
function msgsMap(value: unknown): Record<string, [number, unknown][]> {
  if (!isObject(value)) throw new MalformedResponse("poll_ok msgs must be an object");
  for (const [key, pairs] of Object.entries(value)) {
    if (!Array.isArray(pairs)) {
      throw new MalformedResponse(`poll_ok msgs[${JSON.stringify(key)}] must be an array`);
    }
    for (const pair of pairs) {
      if (!Array.isArray(pair) || pair.length !== 2 || !Number.isSafeInteger(pair[0])) {
        throw new MalformedResponse(
          `poll_ok msgs[${JSON.stringify(key)}] holds ${JSON.stringify(pair)}, not [offset, msg]`,
        );
      }
    }
  }
  return value as Record<string, [number, unknown][]>;
}

/** The kafka client side: per-client poll positions and the op → RPC mapping. */
export class KafkaClients {
  /** Client id → key → next offset to poll. Dropped when the client crashes. */
  private readonly positions = new Map<string, Map<string, number>>();

  private positionsOf(client: WorkloadClient): Map<string, number> {
    let positions = this.positions.get(client.id);
    if (positions === undefined) this.positions.set(client.id, positions = new Map());
    return positions;
  }

  /** Runs one op on `client`. */
  async invoke(client: WorkloadClient, spec: OpSpec): Promise<Completion> {
    switch (spec.f) {
      case "crash":
        this.positions.delete(client.id);
        return { type: "info", value: spec.value ?? null };
      case "assign":
        return await this.assign(client, spec as AssignSpec);
      case "send":
        return await this.send(client, spec);
      case "poll":
        return await this.poll(client);
      default:
        throw new Error(`kafka has no op ${JSON.stringify(spec.f)}`);
    }
  }

  private async assign(client: WorkloadClient, spec: AssignSpec): Promise<Completion> {
    if (!Array.isArray(spec.value)) throw new Error("kafka assign needs a list of keys");
    const keys = spec.value.map(String);
    const old = this.positionsOf(client);
    if (!spec.seek_to_beginning) {
      // Maelstrom asks for the committed offsets and validates the reply, but then looks each
      // key up in the whole reply body (`(committed k)` where `committed` is the body returned
      // by `list_committed_offsets`, in `maelstrom.workload.kafka/Client` `invoke!` :assign), so
      // the lookup never finds one: a key this client holds no position for starts at 0, and
      // the committed offset is never used. We do the same, so that op mix, message counts
      // and verdicts match real Maelstrom (README, "Deviations from Maelstrom").
      const reply = checkReply(await client.rpc({ type: "list_committed_offsets", keys }), LIST_OK);
      offsetMap(reply.offsets, "list_committed_offsets_ok offsets");
    }
    const positions = new Map<string, number>();
    for (const key of keys) {
      positions.set(key, spec.seek_to_beginning ? 0 : old.get(key) ?? 0);
    }
    this.positions.set(client.id, positions);
    return { value: spec.value };
  }

  private async send(client: WorkloadClient, spec: OpSpec): Promise<Completion> {
    const [mop] = spec.value as [unknown[]];
    const [, key, msg] = mop;
    const reply = checkReply(await client.rpc({ type: "send", key, msg }), SEND_OK);
    return { value: [["send", key, [reply.offset, msg]]] };
  }

  private async poll(client: WorkloadClient): Promise<Completion> {
    const positions = this.positionsOf(client);
    const reply: Body = checkReply(
      await client.rpc({ type: "poll", offsets: Object.fromEntries(positions) }),
      POLL_OK,
    );
    const msgs = msgsMap(reply.msgs);
    const highest: Record<string, number> = {};
    for (const [key, pairs] of Object.entries(msgs)) {
      let top = -1;
      for (const [offset] of pairs) top = Math.max(top, offset);
      positions.set(key, Math.max(positions.get(key) ?? -Infinity, top + 1));
      if (pairs.length > 0) highest[key] = Math.max(0, top);
    }
    // Positions moved already: a failing commit loses this poll's data (as in Maelstrom).
    if (Object.keys(highest).length > 0) {
      checkReply(await client.rpc({ type: "commit_offsets", offsets: highest }), COMMIT_OK);
    }
    return { value: [["poll", msgs]] };
  }
}

/** One thread's final phase: crash, assign every key from 0, poll until caught up. */
async function finalThread(
  phase: FinalPhase,
  thread: number,
  targets: Offsets,
  rng: Rng,
  time: KafkaTime,
): Promise<void> {
  const waiting = new Map(targets);
  const in_time = () => phase.elapsed_ms() < FINAL_PHASE_MS;
  await phase.invoke(thread, { f: "crash", value: null, final: true });
  if (!in_time()) return;
  const assign: AssignSpec = {
    f: "assign",
    value: [...targets.keys()],
    seek_to_beginning: true,
    final: true,
  };
  await phase.invoke(thread, assign);
  while (waiting.size > 0 && in_time()) {
    const done = await phase.invoke(thread, { f: "poll", value: [["poll"]], final: true });
    if (done.type === "ok") {
      for (const [key, seen] of opMaxOffsets(done)) {
        if ((waiting.get(key) ?? Infinity) <= seen) waiting.delete(key);
      }
    }
    if (waiting.size === 0) return;
    const gap_ms = rng.float() * 2 * FINAL_POLL_MEAN_GAP_MS;
    await time.sleep(Math.min(gap_ms, Math.max(0, FINAL_PHASE_MS - phase.elapsed_ms())));
  }
}

/** Builds the kafka workload; `time` is injectable for tests. */
export function createKafkaWorkload(
  ctx: WorkloadContext,
  time: KafkaTime = ctx.clock ? clockTime(ctx.clock) : REAL_TIME,
): Workload {
  const { opts, rng } = ctx;
  const ops = new KeyedOps(rng.fork("kafka-keys"), opts.key_count ?? 10, opts.max_writes_per_key);
  const generator = new KafkaGenerator(rng.fork("kafka-gen"), ops, opts.concurrency, time);
  const clients = new KafkaClients();
  const final_rng = rng.fork("kafka-final");
  return {
    name: "kafka",
    idempotent: new Set(["assign"]),
    reusable_client: false,
    rpc_timeout_ms: 5000,
    generator: () => generator,
    invoke: (client, spec) => clients.invoke(client, spec),
    final: async (phase) => {
      if (generator.tracked.size === 0) return;
      const runs = [];
      for (let thread = 0; thread < phase.threads; thread++) {
        runs.push(
          finalThread(phase, thread, generator.tracked, final_rng.fork(`t${thread}`), time),
        );
      }
      await Promise.all(runs);
    },
    check: (history) => checkKafka(history),
  };
}

/** Builds the kafka workload. */
export const createWorkload: WorkloadFactory = (ctx) => createKafkaWorkload(ctx);
