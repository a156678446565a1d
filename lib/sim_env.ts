/**
 * A simulated `Env` for driving nodes in-process: a manual clock with timers,
 * a seeded random source, and captured output and logs.
 *
 * Tests feed a node messages with `node.handleMessage`, advance time with
 * `env.advance(ms)`, and read what the node sent with `env.takeSent()`.
 *
 * @module
 */

import type { Env, Message, TimerId } from "./maelstrom.ts";

interface Timer {
  id: TimerId;
  due_ms: number;
  fn: () => void;
}

/** A deterministic pseudo-random generator (mulberry32) for a 32-bit seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An `Env` whose clock only moves when the test says so. */
export class SimEnv implements Env {
  /** Output lines written by the node, not yet taken. */
  out: string[] = [];
  /** Log lines written to "stderr". */
  logs: string[] = [];
  /** How many times the node flushed output (one per batch). */
  writes = 0;

  private clock_ms = 0;
  private timers: Timer[] = [];
  private nextTimerId = 1;
  readonly random: () => number;

  constructor(seed = 1) {
    this.random = seededRandom(seed);
  }

  now_ms(): number {
    return this.clock_ms;
  }

  setTimer(fn: () => void, delay_ms: number): TimerId {
    const id = this.nextTimerId++;
    this.timers.push({ id, due_ms: this.clock_ms + Math.max(0, delay_ms), fn });
    return id;
  }

  clearTimer(id: TimerId): void {
    this.timers = this.timers.filter((t) => t.id !== id);
  }

  writeOut(text: string): void {
    this.writes++;
    for (const line of text.split("\n")) if (line !== "") this.out.push(line);
  }

  log(line: string): void {
    this.logs.push(line);
  }

  /** Moves the clock forward by `ms`, firing due timers in order (and letting promises settle). */
  async advance(ms: number): Promise<void> {
    const target_ms = this.clock_ms + ms;
    await settle();
    for (;;) {
      const next = this.nextDue(target_ms);
      if (!next) break;
      this.timers = this.timers.filter((t) => t !== next);
      this.clock_ms = next.due_ms;
      next.fn();
      await settle();
    }
    this.clock_ms = target_ms;
  }

  /** Returns and clears the messages the node has sent so far. */
  async takeSent(): Promise<Message[]> {
    await settle();
    const msgs = this.out.map((line) => JSON.parse(line) as Message);
    this.out = [];
    return msgs;
  }

  /** Number of timers still scheduled. */
  pendingTimers(): number {
    return this.timers.length;
  }

  private nextDue(target_ms: number): Timer | undefined {
    let best: Timer | undefined;
    for (const t of this.timers) {
      if (t.due_ms > target_ms) continue;
      if (!best || t.due_ms < best.due_ms) best = t;
    }
    return best;
  }
}

/** Lets queued microtasks and promise chains run to completion. */
export async function settle(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) await Promise.resolve();
}
