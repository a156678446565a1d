/**
 * The partition nemesis (`harness.md` §8): grudge shapes and the flip-flop
 * schedule of start-partition / stop-partition ops, staggered by gaps uniform
 * in [0, 2·interval). Grudges name server nodes only, so clients and services
 * are never partitioned.
 *
 * @module
 */

import type { Rng } from "./rng.ts";
import type { Clock, Network } from "./network.ts";
import type { History } from "./history.ts";

/** The partition specs the nemesis picks from, uniformly. */
export const PARTITION_SPECS = ["one", "minority-third", "majority", "majorities-ring"] as const;
export type PartitionSpec = typeof PARTITION_SPECS[number];

/** node → the nodes it ignores. */
export type Grudge = Map<string, Set<string>>;

/** Every node ignores every node outside its own component. */
export function completeGrudge(components: string[][]): Grudge {
  const all = components.flat();
  const grudge: Grudge = new Map();
  for (const component of components) {
    const inside = new Set(component);
    for (const node of component) {
      grudge.set(node, new Set(all.filter((other) => !inside.has(other))));
    }
  }
  return grudge;
}

/** ⌊n/2⌋ + 1. */
export function majority(n: number): number {
  return Math.floor(n / 2) + 1;
}

/** ⌊(n−1)/3⌋: the largest minority a Byzantine-style third allows. */
export function minorityThird(n: number): number {
  return Math.floor((n - 1) / 3);
}

/** n ≤ 5: in a shuffled ring, each window's middle node ignores nodes outside the window. */
export function majoritiesRingPerfect(nodes: string[], rng: Rng): Grudge {
  const n = nodes.length;
  const m = majority(n);
  const ring = rng.shuffle(nodes);
  const grudge: Grudge = new Map();
  for (let i = 0; i < n; i++) {
    const window = Array.from({ length: m }, (_, j) => ring[(i + j) % n]);
    const inside = new Set(window);
    const middle = window[Math.floor(m / 2)];
    grudge.set(middle, new Set(nodes.filter((node) => !inside.has(node))));
  }
  return grudge;
}

/** n > 5: link least-connected nodes at random until each sees a majority (itself included). */
export function majoritiesRingStochastic(nodes: string[], rng: Rng): Grudge {
  const m = majority(nodes.length);
  const links = new Map(nodes.map((node) => [node, new Set([node])]));
  const count = (node: string) => links.get(node)!.size;
  for (;;) {
    const lacking = rng.shuffle(nodes).filter((node) => count(node) < m);
    if (lacking.length === 0) break;
    const a = lacking.reduce((best, node) => count(node) < count(best) ? node : best);
    const candidates = rng.shuffle(nodes).filter((node) => !links.get(a)!.has(node));
    const b = candidates.reduce((best, node) => count(node) < count(best) ? node : best);
    links.get(a)!.add(b);
    links.get(b)!.add(a);
  }
  const grudge: Grudge = new Map();
  for (const node of nodes) {
    grudge.set(node, new Set(nodes.filter((other) => !links.get(node)!.has(other))));
  }
  return grudge;
}

/** The grudge for `spec` over `nodes`. */
export function grudgeFor(spec: PartitionSpec, nodes: string[], rng: Rng): Grudge {
  if (spec === "majorities-ring") {
    return nodes.length <= 5
      ? majoritiesRingPerfect(nodes, rng)
      : majoritiesRingStochastic(nodes, rng);
  }
  const shuffled = rng.shuffle(nodes);
  const cut = spec === "one"
    ? Math.min(1, shuffled.length)
    : spec === "majority"
    ? Math.floor(shuffled.length / 2)
    : minorityThird(shuffled.length);
  return completeGrudge([shuffled.slice(0, cut), shuffled.slice(cut)]);
}

/** A grudge as a JSON object with sorted ignore lists, dropping empty entries. */
export function grudgeToJson(grudge: Grudge): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const node of [...grudge.keys()].sort()) {
    const ignored = [...grudge.get(node)!].sort();
    if (ignored.length > 0) out[node] = ignored;
  }
  return out;
}

/** The partition nemesis: owns the network's partition map during a test. */
export class PartitionNemesis {
  private stopped = false;
  private wake: (() => void) | undefined;

  constructor(
    private readonly net: Network,
    private readonly nodes: string[],
    private readonly rng: Rng,
    private readonly history: History,
    private readonly clock: Clock,
    private readonly interval_s: number,
  ) {}

  /** Flip-flops start/stop until `cutoff_ms` (clock ms); the first start goes at once. */
  async run(cutoff_ms: number): Promise<void> {
    const mean_gap_ms = this.interval_s * 1000;
    let start_next = true;
    while (!this.stopped && this.clock.now_ms() < cutoff_ms) {
      if (start_next) this.startPartition();
      else this.stopPartition();
      start_next = !start_next;
      const due_ms = this.clock.now_ms() + this.rng.float() * 2 * mean_gap_ms;
      if (due_ms >= cutoff_ms) {
        await this.sleepUntil(cutoff_ms);
        return;
      }
      await this.sleepUntil(due_ms);
    }
  }

  private async sleepUntil(at_ms: number): Promise<void> {
    const delay_ms = at_ms - this.clock.now_ms();
    if (delay_ms <= 0) return;
    await new Promise<void>((resolve) => {
      const timer = this.clock.setTimer(() => {
        this.wake = undefined;
        resolve();
      }, delay_ms);
      this.wake = () => {
        this.clock.clearTimer(timer);
        resolve();
      };
    });
  }

  /** Records and applies one start-partition op with a random spec. */
  startPartition(): void {
    const spec = this.rng.pick(PARTITION_SPECS);
    this.history.record({ type: "info", process: "nemesis", f: "start-partition", value: spec });
    const grudge = grudgeFor(spec, this.nodes, this.rng);
    this.net.partition(grudge);
    this.history.record({
      type: "info",
      process: "nemesis",
      f: "start-partition",
      value: ["isolated", grudgeToJson(grudge)],
    });
  }

  /** Records and applies one stop-partition op. */
  stopPartition(): void {
    this.history.record({ type: "info", process: "nemesis", f: "stop-partition", value: null });
    this.net.heal();
    this.history.record({
      type: "info",
      process: "nemesis",
      f: "stop-partition",
      value: "network-healed",
    });
  }

  /** Ends the schedule early (teardown). */
  stop(): void {
    this.stopped = true;
    this.wake?.();
  }
}
