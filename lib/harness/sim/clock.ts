/**
 * The simulator's virtual clock and its driver loop (`--sim`).
 *
 * Every timer of a simulated test — the network's deliveries, client
 * timeouts, the op scheduler, the nemesis, and every node's own timers — lives
 * in one heap ordered by (due time, creation order). `run` drives a test to
 * completion: it lets every pending microtask finish (one macrotask turn, via
 * `setImmediate`, which unlike `setTimeout(0)` is not clamped), then jumps the
 * clock to the earliest timer and fires it, and so on. Time never moves while
 * there is work at the current instant, so what a node does in response to a
 * message happens at the message's delivery time: node processing is free
 * unless a host charges for it (`--sim-cpu-us`).
 *
 * The only real asynchronous work allowed while the loop runs is work handed
 * to `awaitReal` (e.g. importing a fresh module for a restarted node): the
 * loop waits for it before it moves the clock, so the order of events never
 * depends on how long real I/O takes.
 *
 * @module
 */

import { setImmediate } from "node:timers";
import type { Clock } from "../network.ts";

interface SimTimer {
  id: number;
  due_ms: number;
  fn: () => void;
  cancelled: boolean;
}

/** Fires at most this many timers per `run` (a bound; a real test needs far fewer). */
export const MAX_SIM_STEPS = 2_000_000_000;

/** Thrown when the test waits for something that no timer will ever bring. */
export class SimDeadlock extends Error {
  constructor(now_ms: number) {
    super(
      `simulation deadlock at ${now_ms.toFixed(3)} ms: the test is waiting, but no timer is ` +
        `pending and no real work is outstanding`,
    );
    this.name = "SimDeadlock";
  }
}

/** One macrotask turn: every queued microtask has run when it resolves. */
export function macrotask(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** A virtual clock with a timer heap and a driver loop. */
export class SimClock implements Clock {
  /** Timers fired so far (a progress counter for watchdogs and benchmarks). */
  steps = 0;
  private clock_ms = 0;
  private heap: SimTimer[] = [];
  /** Timers not yet fired or cancelled, by id (cancelled ones stay in the heap, marked). */
  private readonly live = new Map<number, SimTimer>();
  private next_id = 1;
  private readonly real_work = new Set<Promise<unknown>>();
  private on_step: (() => void) | undefined;

  /** Virtual milliseconds since the simulation began. */
  now_ms(): number {
    return this.clock_ms;
  }

  /** Runs `fn` once, `delay_ms` virtual milliseconds from now. */
  setTimer(fn: () => void, delay_ms: number): number {
    const id = this.next_id++;
    const timer = {
      id,
      due_ms: this.clock_ms + (delay_ms > 0 ? delay_ms : 0),
      fn,
      cancelled: false,
    };
    this.live.set(id, timer);
    this.push(timer);
    return id;
  }

  /** Cancels a timer; unknown or fired ids are ignored. */
  clearTimer(id: number): void {
    const timer = this.live.get(id);
    if (timer === undefined) return;
    timer.cancelled = true;
    this.live.delete(id);
  }

  /** Timers scheduled and not yet fired or cancelled. */
  get pending(): number {
    return this.live.size;
  }

  /** Makes the loop wait for `work` (real I/O) before it moves the clock again. */
  awaitReal<T>(work: Promise<T>): Promise<T> {
    this.real_work.add(work);
    const done = () => this.real_work.delete(work);
    work.then(done, done);
    return work;
  }

  /** Called after every fired timer (the watchdog's heartbeat). */
  onStep(callback: () => void): void {
    this.on_step = callback;
  }

  /** Drives the clock until `task` settles; returns its result or rethrows its error. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    let settled = false;
    const result = task();
    result.then(() => settled = true, () => settled = true);
    for (;;) {
      await macrotask();
      while (this.real_work.size > 0) {
        await Promise.allSettled([...this.real_work]);
        await macrotask();
      }
      if (settled) return await result;
      const timer = this.popDue();
      if (timer === undefined) throw new SimDeadlock(this.clock_ms);
      if (this.steps >= MAX_SIM_STEPS) {
        throw new Error(`simulation exceeded ${MAX_SIM_STEPS} steps`);
      }
      this.steps++;
      this.clock_ms = timer.due_ms;
      timer.fn();
      this.on_step?.();
    }
  }

  private popDue(): SimTimer | undefined {
    for (;;) {
      const top = this.pop();
      if (top === undefined) return undefined;
      if (top.cancelled) continue;
      this.live.delete(top.id);
      return top;
    }
  }

  private push(timer: SimTimer): void {
    const heap = this.heap;
    heap.push(timer);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!earlier(heap[i], heap[parent])) break;
      [heap[i], heap[parent]] = [heap[parent], heap[i]];
      i = parent;
    }
  }

  private pop(): SimTimer | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (heap.length > 0 && last !== undefined) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && earlier(heap[l], heap[m])) m = l;
        if (r < heap.length && earlier(heap[r], heap[m])) m = r;
        if (m === i) break;
        [heap[i], heap[m]] = [heap[m], heap[i]];
        i = m;
      }
    }
    return top;
  }
}

function earlier(a: SimTimer, b: SimTimer): boolean {
  return a.due_ms < b.due_ms || (a.due_ms === b.due_ms && a.id < b.id);
}
