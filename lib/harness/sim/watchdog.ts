/**
 * A bound on a simulated test's real time without progress. Simulated nodes
 * run on the harness's own thread, so a node stuck in an endless loop would
 * hang the harness; a worker thread watches a progress counter in shared
 * memory and, after `stall_ms` without a fired timer, prints one line naming
 * the node that was running and kills the process (watchdog_worker.js).
 *
 * @module
 */

/** Default real time a simulation may stand still before it is killed. */
export const DEFAULT_STALL_MS = 60_000;
const POLL_MS = 500;

/** The progress counter and its watching worker. */
export class Watchdog {
  private readonly state: Int32Array;
  private readonly worker: Worker;
  private readonly index = new Map<string, number>();

  constructor(nodes: readonly string[], stall_ms = DEFAULT_STALL_MS) {
    const shared = new SharedArrayBuffer(3 * Int32Array.BYTES_PER_ELEMENT);
    this.state = new Int32Array(shared);
    this.state[1] = -1;
    nodes.forEach((node, i) => this.index.set(node, i));
    this.worker = new Worker(new URL("./watchdog_worker.js", import.meta.url).href, {
      type: "module",
    });
    this.worker.postMessage({ shared, nodes: [...nodes], stall_ms, poll_ms: POLL_MS });
  }

  /** Starts watching (the simulation loop is running). */
  arm(): void {
    Atomics.store(this.state, 2, 1);
  }

  /** Stops watching (analysis and teardown are bounded by other means). */
  disarm(): void {
    Atomics.store(this.state, 2, 0);
  }

  /** Counts one step of progress. */
  step(): void {
    this.state[0]++;
  }

  /** Notes which node's code is running (undefined: the harness's own). */
  running(node: string | undefined): void {
    this.state[1] = node === undefined ? -1 : this.index.get(node) ?? -1;
  }

  /** Ends the worker. */
  close(): void {
    this.worker.terminate();
  }
}
