/**
 * Which free client thread gets the next op, exactly as Jepsen's generator
 * context chooses it (Jepsen v0.3.7, `jepsen/src/jepsen/generator/context.clj`).
 *
 * - The context numbers its threads 0 … concurrency − 1 and then the named
 *   thread `:nemesis` (index `concurrency`; `translation-table` always adds
 *   it, nemesis or not), and holds a `next-thread-index`, initially 0.
 * - `some-free-process` (called by `generator/fill-in-op` for every op) takes
 *   the first free thread whose index is ≥ `next-thread-index`, and otherwise
 *   wraps round to the first free thread from 0.
 * - `busy-thread` (called by `generator/interpreter.clj` `run!` for every op it
 *   dispatches, client or nemesis) advances `next-thread-index` by one, modulo
 *   the thread count including the nemesis slot — by one, whichever thread was
 *   taken.
 *
 * So consecutive ops rotate through the threads in order (and so over the
 * nodes, thread t talking to node t mod N); when the index points at the
 * nemesis slot, the next client op wraps to thread 0.
 *
 * @module
 */

/** Jepsen's `next-thread-index` over `concurrency` client threads plus the nemesis slot. */
export class ThreadRotation {
  private next_index = 0;
  private readonly slots: number;

  constructor(private readonly concurrency: number) {
    this.slots = concurrency + 1;
  }

  /** The thread index Jepsen's `some-free-process` would search from next. */
  get next_thread_index(): number {
    return this.next_index;
  }

  /**
   * The free client threads in the order `some-free-process` would take them: from
   * `next-thread-index` up, then from 0. (Jepsen takes the first; we hand the rest on only
   * when the generator has no op for that thread.)
   */
  order(is_free: (thread: number) => boolean): number[] {
    const order: number[] = [];
    for (let t = this.next_index; t < this.concurrency; t++) if (is_free(t)) order.push(t);
    for (let t = 0; t < Math.min(this.next_index, this.concurrency); t++) {
      if (is_free(t)) order.push(t);
    }
    return order;
  }

  /** `busy-thread`: an op (client or nemesis) was dispatched. */
  dispatched(): void {
    this.next_index = (this.next_index + 1) % this.slots;
  }
}
