/**
 * What txn-rw-register and txn-list-append share: Elle's `wr-txns` generator
 * (random-length txns over a rotating pool of keys, unique written values per
 * key), the `txn` RPC, and the strict check that a `txn_ok` reply is the
 * request with only the read values filled in.
 *
 * @module
 */

import {
  type Body,
  MalformedResponse,
  type OpGenerator,
  type OpSpec,
  type TestOptions,
  type WorkloadClient,
} from "../types.ts";
import type { Rng } from "../rng.ts";
import { keyOf, MALFORMED_MARK, type Mop } from "../checkers/elle/history.ts";

/** Elle's default active key pool size (`--key-count` has no Maelstrom default). */
export const DEFAULT_KEY_COUNT = 10;
/** Elle's fixed minimum transaction length. */
export const MIN_TXN_LENGTH = 1;
/** Client RPC timeout for txn requests (Maelstrom's default). */
export const TXN_RPC_TIMEOUT_MS = 5000;
/** Largest `--key-count` accepted: the exponential key draw needs 2^(n+1) to stay finite. */
export const MAX_KEY_COUNT = 1000;

/** Generator parameters. */
export interface TxnGenOptions {
  key_count: number;
  max_txn_length: number;
  max_writes_per_key: number;
  /** The write micro-op: "w" for registers, "append" for lists. */
  write_f: "w" | "append";
}

/** A txn workload's generator parameters from the test's options (`--key-count` defaults to 10). */
export function txnGenOptions(opts: TestOptions, write_f: "w" | "append"): TxnGenOptions {
  return {
    key_count: opts.key_count ?? DEFAULT_KEY_COUNT,
    max_txn_length: opts.max_txn_length,
    max_writes_per_key: opts.max_writes_per_key,
    write_f,
  };
}

/** Throws a one-line error for a bad generator option. */
export function validateTxnOptions(opts: TxnGenOptions): void {
  const check = (name: string, value: number, max = Number.MAX_SAFE_INTEGER) => {
    if (!Number.isInteger(value) || value < 1 || value > max) {
      throw new Error(`--${name} must be an integer in 1..${max}, got ${value}`);
    }
  };
  check("key-count", opts.key_count, MAX_KEY_COUNT);
  check("max-txn-length", opts.max_txn_length);
  check("max-writes-per-key", opts.max_writes_per_key);
}

/**
 * Elle's `wr-txns`: each txn has 1..max_txn_length micro-ops, each a read or a
 * write (1/2 each) of a key drawn exponentially (base 2) from the active pool,
 * favouring the last slots. Written values count up from 1 per key; a key that
 * has had max_writes_per_key writes is replaced by a fresh key and the
 * micro-op is drawn again. One stream shared by all threads.
 */
export class TxnGenerator implements OpGenerator {
  private readonly pool: number[];
  private readonly next_value = new Map<number, number>();
  private readonly written = new Set<number>();
  private readonly scale: number;

  constructor(private readonly opts: TxnGenOptions, private readonly rng: Rng) {
    validateTxnOptions(opts);
    this.pool = Array.from({ length: opts.key_count }, (_, i) => i);
    this.scale = 2 ** (opts.key_count + 1) - 2;
  }

  /** The next transaction (the same stream whatever the thread). */
  next(): OpSpec {
    const length = this.rng.intBetween(MIN_TXN_LENGTH, this.opts.max_txn_length);
    const txn: Mop[] = [];
    while (txn.length < length) txn.push(this.mop());
    return { f: "txn", value: txn };
  }

  /** Every key a generated txn wrote, ascending. */
  writtenKeys(): number[] {
    return [...this.written].sort((a, b) => a - b);
  }

  private mop(): Mop {
    // Each retirement replaces a slot, so this terminates within a few draws.
    for (;;) {
      const write = this.rng.chance(0.5);
      const key = this.pool[this.slot()];
      if (!write) return ["r", key, null];
      const value = this.next_value.get(key) ?? 1;
      if (value > this.opts.max_writes_per_key) {
        this.retire(key);
        continue;
      }
      this.next_value.set(key, value + 1);
      this.written.add(key);
      return [this.opts.write_f, key, value];
    }
  }

  private slot(): number {
    const n = this.pool.length;
    const i = Math.floor(Math.log2(this.rng.float() * this.scale + 2) - 1);
    return Math.min(n - 1, Math.max(0, i));
  }

  private retire(key: number): void {
    const at = this.pool.indexOf(key);
    this.pool[at] = Math.max(...this.pool) + 1;
  }
}

/** Sends a txn and returns the reply's micro-ops, or throws MalformedResponse. */
export async function invokeTxn(
  client: WorkloadClient,
  request: Mop[],
  write_f: "w" | "append",
): Promise<Mop[]> {
  const reply = await client.rpc({ type: "txn", txn: request }, TXN_RPC_TIMEOUT_MS);
  return checkTxnOk(request, reply, write_f);
}

const REPLY_KEYS = new Set(["type", "txn", "in_reply_to", "msg_id"]);

function malformed(detail: string): MalformedResponse {
  return new MalformedResponse(`${MALFORMED_MARK}: ${detail}`);
}

/**
 * The reply's micro-ops if `reply` is a well-formed `txn_ok` for `request`:
 * same length, same f and key at each position, writes unchanged, reads
 * filled in (any value for registers, a list or null for lists). Otherwise
 * throws MalformedResponse naming the first difference.
 */
export function checkTxnOk(request: readonly Mop[], reply: Body, write_f: "w" | "append"): Mop[] {
  if (reply.type !== "txn_ok") throw malformed(`reply type ${keyOf(reply.type)}, expected txn_ok`);
  for (const key of Object.keys(reply)) {
    if (!REPLY_KEYS.has(key)) throw malformed(`unexpected field ${keyOf(key)}`);
  }
  if (!Number.isInteger(reply.in_reply_to)) throw malformed("in_reply_to is not an integer");
  if (reply.msg_id !== undefined && !Number.isInteger(reply.msg_id)) {
    throw malformed("msg_id is not an integer");
  }
  const txn = reply.txn;
  if (!Array.isArray(txn)) throw malformed(`txn is not an array: ${keyOf(txn)}`);
  if (txn.length !== request.length) {
    throw malformed(`txn has ${txn.length} micro-ops, request had ${request.length}`);
  }
  return request.map((want, i): Mop => {
    const got = txn[i];
    const at = `micro-op ${i} ${keyOf(got)} for request ${keyOf(want)}`;
    if (!Array.isArray(got) || got.length !== 3) throw malformed(`${at}: not [f, k, v]`);
    const [f, k, v] = got;
    if (f !== want[0] || keyOf(k) !== keyOf(want[1])) throw malformed(`${at}: wrong f or key`);
    if (f === write_f) {
      if (keyOf(v) !== keyOf(want[2])) throw malformed(`${at}: written value changed`);
      return [f, k, v];
    }
    if (write_f === "append" && v !== null && !Array.isArray(v)) {
      throw malformed(`${at}: a list read must be an array or null`);
    }
    return [f, k, v === undefined ? null : v];
  });
}
