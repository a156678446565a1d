/**
 * The simulator watchdog's worker thread (see watchdog.ts). The main thread
 * counts fired timers in shared memory; when the count stands still for the
 * stall limit, the main thread is stuck in node code (an endless loop, or
 * promises that never yield), so this thread prints one line naming the node
 * it was running and kills the process: a hang must never outlive its bound.
 *
 * Plain JavaScript on purpose: a TypeScript worker is type-checked each time
 * `deno test` starts it, which costs more than the worker does.
 *
 * @module
 */

globalThis.addEventListener("message", (event) => {
  /** @type {{ shared: SharedArrayBuffer, nodes: string[], stall_ms: number, poll_ms: number }} */
  const { shared, nodes, stall_ms, poll_ms } = event.data;
  const state = new Int32Array(shared);
  let last_steps = Atomics.load(state, 0);
  let still_ms = 0;
  setInterval(() => {
    const steps = Atomics.load(state, 0);
    if (steps !== last_steps || Atomics.load(state, 2) === 0) {
      last_steps = steps;
      still_ms = 0;
      return;
    }
    still_ms += poll_ms;
    if (still_ms < stall_ms) return;
    const running = Atomics.load(state, 1);
    const who = running >= 0 && running < nodes.length ? `node ${nodes[running]}` : "a node";
    const line = `maelstrom --sim: the simulation made no progress for ${stall_ms / 1000} s; ` +
      `${who} is stuck (an endless loop, or promises that never yield to timers)\n`;
    Deno.stderr.writeSync(new TextEncoder().encode(line));
    Deno.kill(Deno.pid, "SIGKILL");
  }, poll_ms);
});
