/**
 * The simulated network (`shared/maelstrom/harness.md` §5).
 *
 * Every member (node, client, service) has a priority queue of messages
 * ordered by delivery deadline. Each receiver holds at most ONE timer, for
 * its earliest deadline; messages already due are drained in a microtask, so
 * routing costs a heap push and pop per message. Delivery to one receiver is
 * serial in deadline order. Partitions drop at the receiver, when a message
 * falls due, without a `recv` event; so does a dead node (the kill nemesis),
 * whose drops are counted. Every send and delivery is journaled.
 *
 * @module
 */

import type { Body, LatencyDist } from "./types.ts";
import type { Rng } from "./rng.ts";
import { stringifyJson } from "./json.ts";

/** A message as the network carries it: network id, source, destination, body. */
export interface NetMessage {
  id: number;
  src: string;
  dest: string;
  body: Body;
}

/** One journal entry (`harness.md` §11.1). `time` is monotonic nanoseconds. */
export interface JournalEvent {
  id: number;
  time: number;
  type: "send" | "recv";
  message: NetMessage;
}

/** JSON text of messages already serialised: a message is written to its journal twice and
 * handed to its receiver as text, and it never changes once sent. */
const message_text = new WeakMap<NetMessage, string>();

/** The JSON text of `message`, serialised once. */
export function messageJson(message: NetMessage): string {
  let text = message_text.get(message);
  if (text === undefined) {
    text = stringifyJson(message);
    message_text.set(message, text);
  }
  return text;
}

/** A journal event as one JSON line, the same bytes `stringifyJson(event)` would give. */
export function journalLine(event: JournalEvent): string {
  return `{"id":${event.id},"time":${event.time},"type":"${event.type}","message":${
    messageJson(event.message)
  }}`;
}

/** The clock the network and scheduler run on; `lib/sim_env.ts`'s SimEnv fits it. */
export interface Clock {
  now_ms(): number;
  setTimer(fn: () => void, delay_ms: number): number;
  clearTimer(id: number): void;
}

/** The wall clock. */
export function systemClock(): Clock {
  return {
    now_ms: () => performance.now(),
    setTimer: (fn, delay_ms) => Number(setTimeout(fn, Math.max(0, delay_ms))),
    clearTimer: (id) => clearTimeout(id),
  };
}

/** Why the network refused a message. */
export type NetworkErrorKind = "invalid-src" | "invalid-dest" | "closed-client";

/** A message the network refused: unregistered source or destination. */
export class NetworkError extends Error {
  constructor(readonly kind: NetworkErrorKind, message: string) {
    super(message);
    this.name = "NetworkError";
  }
}

/** True for client ids: Maelstrom treats any id starting with "c" as a client. */
export function isClient(id: string): boolean {
  return id.charCodeAt(0) === 99; // "c"
}

/** Delivers one message to a member; called at the message's deadline. */
export type Deliver = (message: NetMessage) => void;

interface Entry {
  deadline_ms: number;
  seq: number;
  message: NetMessage;
}

/** A binary min-heap on (deadline, arrival order). */
class DeadlineHeap {
  private items: Entry[] = [];

  get size(): number {
    return this.items.length;
  }

  peek(): Entry | undefined {
    return this.items[0];
  }

  push(entry: Entry): void {
    const items = this.items;
    items.push(entry);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(items[i], items[parent])) break;
      [items[i], items[parent]] = [items[parent], items[i]];
      i = parent;
    }
  }

  pop(): Entry | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last !== undefined) {
      items[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < items.length && before(items[l], items[m])) m = l;
        if (r < items.length && before(items[r], items[m])) m = r;
        if (m === i) break;
        [items[i], items[m]] = [items[m], items[i]];
        i = m;
      }
    }
    return top;
  }
}

function before(a: Entry, b: Entry): boolean {
  return a.deadline_ms < b.deadline_ms || (a.deadline_ms === b.deadline_ms && a.seq < b.seq);
}

interface Receiver {
  id: string;
  deliver: Deliver;
  queue: DeadlineHeap;
  timer: number | undefined;
  timer_deadline_ms: number;
  drain_scheduled: boolean;
}

/** Network settings. */
export interface NetworkOptions {
  latency_ms: number;
  latency_dist: LatencyDist;
  /** Draws latencies. */
  rng: Rng;
  clock?: Clock;
  /** Receives every journal event, in id order. */
  journal?: (event: JournalEvent) => void;
  /** Log sink for --log-net-send / --log-net-recv. */
  log?: (line: string) => void;
  log_send?: boolean;
  log_recv?: boolean;
  /**
   * Drop (and count) messages to closed clients instead of refusing them. Maelstrom refuses them,
   * which silences the sender (protocol.md §7.2); under pause/kill a late reply after a client's
   * timeout is expected of every node, so the runner turns this on when those faults are enabled.
   */
  drop_to_closed_clients?: boolean;
}

/** The simulated network shared by nodes, clients and services. */
export class Network {
  readonly clock: Clock;
  private readonly receivers = new Map<string, Receiver>();
  /** receiver id → the sender ids it ignores. */
  private partitions = new Map<string, Set<string>>();
  /**
   * Dead nodes (the kill nemesis) → the one sender still let through: a restarting node's init
   * client. Once that sender's message is delivered the node is up again.
   */
  private readonly down = new Map<string, string | undefined>();
  /** Messages dropped because their receiver was dead, per receiver. */
  private readonly down_drops = new Map<string, number>();
  private late_replies = 0;
  private next_message_id = 0;
  private next_event_id = 0;
  private next_client_id = 0;
  private next_seq = 0;
  private readonly draw_latency: () => number;
  private readonly time_origin_ms: number;

  constructor(private readonly opts: NetworkOptions) {
    this.clock = opts.clock ?? systemClock();
    this.draw_latency = latencySampler(opts.latency_ms, opts.latency_dist, opts.rng);
    this.time_origin_ms = this.clock.now_ms();
  }

  /** Adds a member; messages to `id` are handed to `deliver`. */
  register(id: string, deliver: Deliver): void {
    if (this.receivers.has(id)) throw new Error(`network id ${id} is already registered`);
    this.receivers.set(id, {
      id,
      deliver,
      queue: new DeadlineHeap(),
      timer: undefined,
      timer_deadline_ms: Infinity,
      drain_scheduled: false,
    });
  }

  /** Removes a member and throws away its queue. */
  unregister(id: string): void {
    const receiver = this.receivers.get(id);
    if (receiver === undefined) return;
    if (receiver.timer !== undefined) this.clock.clearTimer(receiver.timer);
    this.receivers.delete(id);
  }

  /** Whether `id` is currently registered. */
  has(id: string): boolean {
    return this.receivers.has(id);
  }

  /** A fresh client id, "c0", "c1", … from one counter per test. */
  nextClientId(): string {
    return `c${this.next_client_id++}`;
  }

  /** Sends a message; returns it with its network id. Throws NetworkError for unknown ids. */
  send(src: string, dest: string, body: Body): NetMessage {
    const message: NetMessage = { id: this.next_message_id++, src, dest, body };
    if (!this.receivers.has(src)) {
      throw new NetworkError("invalid-src", `invalid source ${JSON.stringify(src)}`);
    }
    const receiver = this.receivers.get(dest);
    if (receiver === undefined) {
      if (this.isClosedClient(dest)) {
        if (this.opts.drop_to_closed_clients) {
          this.late_replies++;
          return message;
        }
        throw new NetworkError("closed-client", `destination ${dest} is a closed client`);
      }
      throw new NetworkError("invalid-dest", `invalid destination ${JSON.stringify(dest)}`);
    }
    const now_ms = this.clock.now_ms();
    const latency_ms = isClient(src) || isClient(dest) ? 0 : this.draw_latency();
    this.record("send", message, now_ms);
    if (this.opts.log_send) this.opts.log?.(`:send ${messageJson(message)}`);
    receiver.queue.push({ deadline_ms: now_ms + latency_ms, seq: this.next_seq++, message });
    this.schedule(receiver, now_ms);
    return message;
  }

  /** Makes `dest` ignore messages from `src`. */
  drop(src: string, dest: string): void {
    let ignored = this.partitions.get(dest);
    if (ignored === undefined) this.partitions.set(dest, ignored = new Set());
    ignored.add(src);
  }

  /** Replaces the partition map: receiver → senders it ignores. */
  partition(grudge: ReadonlyMap<string, Iterable<string>>): void {
    this.heal();
    for (const [dest, srcs] of grudge) for (const src of srcs) this.drop(src, dest);
  }

  /** Removes every partition. */
  heal(): void {
    this.partitions = new Map();
  }

  /**
   * Marks a node dead: what falls due for it is dropped and counted. With `allow`, the node is
   * starting: a message from `allow` (its `init`) gets through and brings it up.
   */
  markDown(id: string, allow?: string): void {
    this.down.set(id, allow);
  }

  /** Marks a node alive again. */
  markUp(id: string): void {
    this.down.delete(id);
  }

  /** Messages dropped at dead nodes so far, per node (sorted). */
  downDrops(): Record<string, number> {
    return Object.fromEntries([...this.down_drops].sort(([a], [b]) => a < b ? -1 : 1));
  }

  /** Messages to closed clients dropped under `drop_to_closed_clients`. */
  lateReplies(): number {
    return this.late_replies;
  }

  /** The current partition map (receiver → ignored senders). */
  currentPartitions(): ReadonlyMap<string, ReadonlySet<string>> {
    return this.partitions;
  }

  /** Cancels every timer; the network delivers nothing afterwards. */
  close(): void {
    for (const id of [...this.receivers.keys()]) this.unregister(id);
  }

  private isClosedClient(id: string): boolean {
    if (!/^c\d+$/.test(id)) return false;
    return Number(id.slice(1)) < this.next_client_id;
  }

  private record(type: "send" | "recv", message: NetMessage, now_ms: number): void {
    const journal = this.opts.journal;
    if (journal === undefined) return;
    journal({
      id: this.next_event_id++,
      time: Math.round((now_ms - this.time_origin_ms) * 1e6),
      type,
      message,
    });
  }

  private schedule(receiver: Receiver, now_ms: number): void {
    const head = receiver.queue.peek();
    if (head === undefined || receiver.drain_scheduled) return;
    if (head.deadline_ms <= now_ms) {
      receiver.drain_scheduled = true;
      queueMicrotask(() => this.drain(receiver));
      return;
    }
    if (receiver.timer !== undefined) {
      if (receiver.timer_deadline_ms <= head.deadline_ms) return;
      this.clock.clearTimer(receiver.timer);
    }
    receiver.timer_deadline_ms = head.deadline_ms;
    receiver.timer = this.clock.setTimer(() => {
      receiver.timer = undefined;
      const due_ms = receiver.timer_deadline_ms;
      receiver.timer_deadline_ms = Infinity;
      this.drain(receiver, due_ms);
    }, head.deadline_ms - now_ms);
  }

  /** Delivers every message that is due; `due_ms` covers timers that fire a hair early. */
  private drain(receiver: Receiver, due_ms = -Infinity): void {
    receiver.drain_scheduled = false;
    if (this.receivers.get(receiver.id) !== receiver) return;
    const now_ms = this.clock.now_ms();
    const limit_ms = Math.max(now_ms, due_ms);
    for (;;) {
      const head = receiver.queue.peek();
      if (head === undefined || head.deadline_ms > limit_ms) break;
      receiver.queue.pop();
      const message = head.message;
      if (this.partitions.get(message.dest)?.has(message.src)) continue;
      if (this.down.has(message.dest) && this.down.get(message.dest) !== message.src) {
        this.down_drops.set(message.dest, (this.down_drops.get(message.dest) ?? 0) + 1);
        continue;
      }
      if (this.down.has(message.dest)) this.down.delete(message.dest); // Its init: it is up.
      if (this.opts.log_recv) this.opts.log?.(`:recv ${messageJson(message)}`);
      this.record("recv", message, now_ms);
      receiver.deliver(message);
      // A delivery may unregister the receiver (a client closing itself).
      if (this.receivers.get(receiver.id) !== receiver) return;
    }
    this.schedule(receiver, now_ms);
  }
}

/** A latency sampler in whole ms (`harness.md` §5.2). */
export function latencySampler(latency_ms: number, dist: LatencyDist, rng: Rng): () => number {
  if (dist === "constant") return () => latency_ms;
  if (!(latency_ms > 0)) {
    throw new RangeError(`--latency-dist ${dist} needs a latency > 0, got ${latency_ms}`);
  }
  if (dist === "uniform") return () => rng.int(2 * latency_ms);
  return () => Math.floor(rng.exponential(latency_ms));
}
