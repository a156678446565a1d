/**
 * Maelstrom's built-in services (`shared/maelstrom/services.md`): lin-kv,
 * seq-kv, lww-kv and lin-tso, as single-threaded network members.
 *
 * Choices, as the spec asks us to state them:
 * - seq-kv reproduces Maelstrom's ring-buffer wrap quirk (§4.1): a requester
 *   more than 31 states behind reads a wrapped, still-retained state.
 * - lww-kv is bug-compatible (§5.2): two independent stores that never merge;
 *   each request goes to one of them at random.
 * - Equality follows Clojure `=` on parsed JSON (strings ≠ numbers, deep
 *   arrays/objects), except that `1` and `1.0` cannot be told apart after
 *   `JSON.parse`.
 *
 * Replies carry `in_reply_to` (the request's msg_id or null) and never a
 * msg_id. A request of unknown or missing type gets no reply at all.
 *
 * @module
 */

import type { Body } from "./types.ts";
import type { NetMessage, Network } from "./network.ts";
import type { Rng } from "./rng.ts";

/** The service ids, in Maelstrom's order. */
export const SERVICE_IDS = ["lin-kv", "lin-tso", "lww-kv", "seq-kv"] as const;

/** seq-kv keeps this many past states. */
export const SEQ_KV_WINDOW = 32;
/** lww-kv's replica count as implemented (the docs say 5). */
export const LWW_KV_REPLICAS = 2;

/** A service-side error reply (code and text). */
class ServiceError extends Error {
  constructor(readonly code: number, readonly text: string) {
    super(text);
  }
}

/** A canonical string for a JSON value: equal values (Clojure `=`) give equal strings. */
export function canonicalKey(value: unknown): string {
  if (value === undefined || value === null) return "null";
  if (typeof value === "bigint") return `${value}n`;
  if (typeof value === "number") return Number.isInteger(value) ? `${value}` : `${value}f`;
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "boolean") return value ? "true" : "false";
  if (Array.isArray(value)) return `[${value.map(canonicalKey).join(",")}]`;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalKey(record[k])}`).join(",")}}`;
}

/** Clojure-style equality on parsed JSON values. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  return canonicalKey(a) === canonicalKey(b);
}

/** Renders a value as EDN, for error texts. */
export function edn(value: unknown): string {
  if (value === undefined || value === null) return "nil";
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number" || typeof value === "bigint" || typeof value === "boolean") {
    return String(value);
  }
  if (Array.isArray(value)) return `[${value.map(edn).join(" ")}]`;
  const record = value as Record<string, unknown>;
  return `{${Object.keys(record).map((k) => `${JSON.stringify(k)} ${edn(record[k])}`).join(", ")}}`;
}

interface Entry {
  key: unknown;
  value: unknown;
}

type KvState = ReadonlyMap<string, Entry>;

/** What applying a request did: a state change (if any) and the reply body. */
interface Applied {
  change: Entry | undefined;
  response: Body;
}

function keyDoesNotExist(): ServiceError {
  return new ServiceError(20, "key does not exist");
}

function truthy(value: unknown): boolean {
  return value !== undefined && value !== null && value !== false;
}

/** The PersistentKV state machine (lin-kv, seq-kv). Throws ServiceError or Error. */
function applyKv(state: KvState, body: Body): Applied {
  const key = body.key ?? null;
  const current = state.get(canonicalKey(key));
  switch (body.type) {
    case "read":
      if (current === undefined) throw keyDoesNotExist();
      return { change: undefined, response: { type: "read_ok", value: current.value } };
    case "write":
      return { change: { key, value: body.value ?? null }, response: { type: "write_ok" } };
    case "cas": {
      if (current === undefined) {
        if (!truthy(body.create_if_not_exists)) throw keyDoesNotExist();
        return { change: { key, value: body.to ?? null }, response: { type: "cas_ok" } };
      }
      if (!jsonEqual(current.value, body.from ?? null)) {
        throw new ServiceError(
          22,
          `current value ${edn(current.value)} is not ${edn(body.from ?? null)}`,
        );
      }
      return { change: { key, value: body.to ?? null }, response: { type: "cas_ok" } };
    }
    default:
      throw new Error(`unknown request type ${JSON.stringify(body.type)}`);
  }
}

/** True if applying `change` to `state` leaves it equal. */
function unchanged(state: KvState, change: Entry | undefined): boolean {
  if (change === undefined) return true;
  const current = state.get(canonicalKey(change.key));
  return current !== undefined && jsonEqual(current.value, change.value);
}

function withChange(state: KvState, change: Entry): KvState {
  const next = new Map(state);
  next.set(canonicalKey(change.key), change);
  return next;
}

/** Answers one request body; throws to mean "no reply". */
export type ServiceHandler = (src: string, body: Body) => Body;

function errorReply(handler: (src: string, body: Body) => Body): ServiceHandler {
  return (src, body) => {
    try {
      return handler(src, body);
    } catch (e) {
      if (e instanceof ServiceError) return { type: "error", code: e.code, text: e.text };
      throw e;
    }
  };
}

/** lin-kv: one state, requests applied atomically in arrival order. */
export function linKv(): ServiceHandler {
  const state = new Map<string, Entry>();
  return errorReply((_src, body) => {
    const applied = applyKv(state, body);
    if (applied.change !== undefined) state.set(canonicalKey(applied.change.key), applied.change);
    return applied.response;
  });
}

/** seq-kv: a 32-state window, per-src stale reads, updates promoted to the newest state. */
export function seqKv(rng: Rng): ServiceHandler {
  const buffer: KvState[] = [new Map()];
  let last_index = 0;
  const clients = new Map<string, number>();
  const stateAt = (index: number): KvState => {
    // Maelstrom reads the ring with a negative offset modulo its length (§4.1 wrap quirk).
    const offset = index - last_index - 1;
    const n = buffer.length;
    return buffer[((offset % n) + n) % n];
  };
  return errorReply((src, body) => {
    const ci = clients.get(src) ?? 0;
    const index = ci + rng.int(last_index - ci + 1);
    const past = stateAt(index);
    let applied: Applied;
    try {
      applied = applyKv(past, body);
    } catch (e) {
      // A definite error against the chosen state leaves everything as it was.
      if (e instanceof ServiceError) clients.set(src, index);
      throw e;
    }
    if (unchanged(past, applied.change)) {
      clients.set(src, index);
      return applied.response;
    }
    // Re-apply to the newest state and append the result, even if it equals the newest
    // (e.g. a cas that held in the past but fails now: its error is the reply).
    const newest = buffer[buffer.length - 1];
    let next = newest;
    let response: Body;
    try {
      const promoted = applyKv(newest, body);
      if (promoted.change !== undefined) next = withChange(newest, promoted.change);
      response = promoted.response;
    } catch (e) {
      if (!(e instanceof ServiceError)) throw e;
      response = { type: "error", code: e.code, text: e.text };
    }
    last_index++;
    buffer.push(next);
    if (buffer.length > SEQ_KV_WINDOW) buffer.shift();
    clients.set(src, last_index);
    return response;
  });
}

/** lww-kv, bug-compatible: two independent stores; each request picks one at random. */
export function lwwKv(rng: Rng): ServiceHandler {
  const replicas = Array.from({ length: LWW_KV_REPLICAS }, () => ({
    clock: 0,
    entries: new Map<string, Entry & { ts: number }>(),
  }));
  return errorReply((_src, body) => {
    const replica = rng.pick(replicas);
    const key = body.key ?? null;
    const k = canonicalKey(key);
    const current = replica.entries.get(k);
    switch (body.type) {
      case "read":
        if (current === undefined) throw keyDoesNotExist();
        return { type: "read_ok", value: current.value };
      case "write":
        replica.entries.set(k, { key, value: body.value ?? null, ts: replica.clock++ });
        return { type: "write_ok" };
      case "cas":
        if (current === undefined) throw keyDoesNotExist();
        if (!jsonEqual(current.value, body.from ?? null)) {
          // lww-kv prints `from` with plain string conversion, not EDN.
          throw new ServiceError(
            22,
            `current value ${edn(current.value)} is not ${String(body.from ?? "")}`,
          );
        }
        replica.entries.set(k, { key, value: body.to ?? null, ts: replica.clock++ });
        return { type: "cas_ok" };
      default:
        throw new Error(`unknown request type ${JSON.stringify(body.type)}`);
    }
  });
}

/** lin-tso: `ts` returns 0, 1, 2, … */
export function linTso(): ServiceHandler {
  let next_ts = 0;
  return (_src, body) => {
    if (body.type !== "ts") throw new Error(`unknown request type ${JSON.stringify(body.type)}`);
    return { type: "ts_ok", ts: next_ts++ };
  };
}

/** Registers the four services on `net`; returns a function that unregisters them. */
export function startServices(net: Network, rng: Rng, log: (line: string) => void): () => void {
  const handlers: Record<string, ServiceHandler> = {
    "lin-kv": linKv(),
    "lin-tso": linTso(),
    "lww-kv": lwwKv(rng.fork("lww-kv")),
    "seq-kv": seqKv(rng.fork("seq-kv")),
  };
  for (const id of SERVICE_IDS) {
    const handler = handlers[id];
    net.register(id, (message: NetMessage) => {
      let response: Body;
      try {
        response = handler(message.src, message.body);
      } catch (e) {
        log(`WARN ${id} ignored a request from ${message.src}: ${(e as Error).message}`);
        return;
      }
      try {
        net.send(id, message.src, {
          ...response,
          // deno-lint-ignore no-explicit-any
          in_reply_to: (message.body.msg_id ?? null) as any,
        });
      } catch (e) {
        log(`WARN ${id} could not reply to ${message.src}: ${(e as Error).message}`);
      }
    });
  }
  return () => {
    for (const id of SERVICE_IDS) net.unregister(id);
  };
}
