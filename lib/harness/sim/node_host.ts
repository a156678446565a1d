/**
 * A simulated node: a node module's `setup` built on a runtime `Node` whose
 * `Env` is the simulator's — virtual clock and timers, a seeded random
 * stream, output handed straight to the harness's stdout reader.
 *
 * Messages still cross as JSON text: a delivered message is serialised and
 * given to `Node.handleLine`, and what the node writes is parsed back by the
 * same `NodeOutput` a process's stdout goes through, so two nodes never share
 * an object and the journal is the one real time would write.
 *
 * Processing is instantaneous unless `cpu_us` gives every delivered message a
 * cost: then the node handles one message at a time, each `cpu_us` after the
 * later of its arrival and the end of the previous one; a timer that comes due
 * meanwhile runs after the message in progress.
 *
 * Like a process, a node dies when one of its timer callbacks throws (an
 * uncaught exception) or when it calls `Deno.exit`; it is reported as crashed
 * with its last stderr lines. Pause freezes it (input and due timers wait, in
 * the order they came); kill drops it, its timers and its queue.
 *
 * @module
 */

import { Node, type NodeSetup } from "../../maelstrom.ts";
import { messageJson, type NetMessage } from "../network.ts";
import type { Rng } from "../rng.ts";
import type { NodeExit, NodeHost, NodeHostOptions } from "../node_host.ts";
import { NodeOutput, Ring } from "../node_output.ts";
import { BufferedWriter } from "../store.ts";
import type { SimClock } from "./clock.ts";

/** Messages a paused or busy node may have queued before more are dropped and reported. */
export const MAX_SIM_BACKLOG = 250_000;

/** Exit code of a node that threw an uncaught exception (as Deno exits). */
const UNCAUGHT_EXIT_CODE = 1;

/** What a simulated node needs besides the common host options. */
export interface SimNodeOptions extends NodeHostOptions {
  clock: SimClock;
  /** The `setup` of this node's own instance of the node module. */
  setup: NodeSetup;
  /** The node's random stream (its `Env.random`). */
  rng: Rng;
  /** Virtual cost of handling one delivered message, in microseconds (0: free). */
  cpu_us: number;
  /** Reports work that runs node code, for the watchdog (undefined: harness code). */
  running?: (node: string | undefined) => void;
}

type Deferred =
  | { kind: "message"; message: NetMessage }
  /** A message whose cost was paid before a pause froze the node: it runs first, at no cost. */
  | { kind: "paid"; message: NetMessage }
  | { kind: "timer"; id: number; fn: () => void };

/** One node on the virtual clock (see the module header). */
export class SimNodeHost implements NodeHost {
  readonly node: Node;
  private readonly output: NodeOutput;
  private readonly stderr_tail = new Ring();
  private readonly log_file: BufferedWriter;
  private readonly timers = new Map<number, () => void>();
  /** Input waiting while the node is paused or busy, in arrival order. */
  private backlog: Deferred[] = [];
  private backlog_reported = false;
  private paused = false;
  /** Output written in the same turn the node was paused in; it leaves on resume (as a pipe holds it). */
  private held_output: string[] = [];
  private busy = false;
  private dead = false;
  private resolve_exit!: (exit: NodeExit) => void;
  readonly exited: Promise<NodeExit>;

  constructor(private readonly opts: SimNodeOptions) {
    this.exited = new Promise((resolve) => this.resolve_exit = resolve);
    this.output = new NodeOutput(opts);
    this.log_file = new BufferedWriter(opts.log_path);
    this.node = new Node({
      now_ms: () => opts.clock.now_ms(),
      setTimer: (fn, delay_ms) => this.setTimer(fn, delay_ms),
      clearTimer: (id) => this.clearTimer(id),
      random: () => opts.rng.float(),
      writeOut: (text) => this.writeOut(text),
      log: (line) => this.stderr(line),
    });
    this.guarded(() => {
      try {
        opts.setup(this.node, [...opts.args]);
      } catch (e) {
        // As runNode does for a process: one line, exit 2.
        this.stderr(`${opts.id}: ${e instanceof Error ? e.message : String(e)}`);
        this.die({ code: 2, signal: null }, true);
      }
    });
  }

  /** The node id. */
  get id(): string {
    return this.opts.id;
  }

  /** Whether the node has died (crash, kill or teardown). */
  get alive(): boolean {
    return !this.dead;
  }

  /** Hands a delivered message to the node, or queues it while paused or busy. */
  deliver(message: NetMessage): void {
    if (this.dead) return;
    if (this.paused || this.busy) {
      this.defer({ kind: "message", message });
      return;
    }
    this.handle(message);
  }

  /** The last accepted stdout lines and the last stderr lines. */
  tails(): { stdout: string[]; stderr: string[] } {
    return { stdout: this.output.tail.snapshot(), stderr: this.stderr_tail.snapshot() };
  }

  /** Freezes the node. */
  pause(): void {
    if (!this.dead) this.paused = true;
  }

  /** Unfreezes the node: what queued up runs in arrival order. */
  resume(): void {
    if (this.dead || !this.paused) return;
    this.paused = false;
    const held = this.held_output;
    this.held_output = [];
    for (const line of held) this.output.line(line);
    this.drainBacklog();
  }

  /** Kills the node and its memory (a fault, not a crash). */
  kill(): Promise<void> {
    this.die({ code: 137, signal: "SIGKILL" }, false);
    return Promise.resolve();
  }

  /** Teardown. */
  stop(): Promise<void> {
    this.die({ code: 137, signal: "SIGKILL" }, false);
    return Promise.resolve();
  }

  /** Ends the node as if its process died of an uncaught `error`. */
  crash(error: unknown): void {
    if (this.dead) return;
    const text = error instanceof Error ? error.stack ?? error.message : String(error);
    for (const line of `error: Uncaught ${text}`.split("\n")) this.stderr(line);
    this.die({ code: UNCAUGHT_EXIT_CODE, signal: null }, true);
  }

  /** Ends the node as if it called `Deno.exit(code)`. */
  exit(code: number): void {
    this.die({ code, signal: null }, true);
  }

  private handle(message: NetMessage): void {
    if (this.opts.cpu_us <= 0) {
      this.run(message);
      return;
    }
    this.busy = true;
    this.opts.clock.setTimer(() => {
      this.busy = false;
      if (this.dead) return;
      if (this.paused) {
        // Frozen mid-work, as a SIGSTOPped process is: it finishes after resume instead of
        // running now with its output dropped (a paused node writes nothing).
        this.backlog.unshift({ kind: "paid", message });
        return;
      }
      this.run(message);
      if (!this.paused) this.drainBacklog();
    }, this.opts.cpu_us / 1000);
  }

  private run(message: NetMessage): void {
    const line = messageJson(message);
    this.guarded(() => this.node.handleLine(line));
  }

  private drainBacklog(): void {
    while (this.backlog.length > 0 && !this.paused && !this.busy && !this.dead) {
      const item = this.backlog.shift()!;
      if (item.kind === "message") this.handle(item.message);
      else if (item.kind === "paid") this.run(item.message);
      else this.fire(item.id, item.fn);
    }
  }

  private defer(item: Deferred): void {
    if (this.backlog.length >= MAX_SIM_BACKLOG) {
      if (!this.backlog_reported) {
        this.backlog_reported = true;
        this.opts.report({
          node: this.id,
          kind: "stdin-backlog-overflow",
          message: `${MAX_SIM_BACKLOG} messages wait for ${this.id}; dropping more`,
        });
      }
      return;
    }
    this.backlog.push(item);
  }

  private setTimer(fn: () => void, delay_ms: number): number {
    const id: number = this.opts.clock.setTimer(() => this.due(id), delay_ms);
    this.timers.set(id, fn);
    return id;
  }

  private clearTimer(id: number): void {
    if (!this.timers.delete(id)) return;
    this.opts.clock.clearTimer(id);
  }

  private due(id: number): void {
    const fn = this.timers.get(id);
    if (fn === undefined || this.dead) return;
    if (this.paused || this.busy) {
      // One thread: a timer due while a message is processed runs after it, as in a process.
      // Still cancellable until it runs: the entry stays in `timers`.
      this.defer({ kind: "timer", id, fn });
      return;
    }
    this.fire(id, fn);
  }

  private fire(id: number, fn: () => void): void {
    if (!this.timers.delete(id)) return; // Cleared while it waited.
    this.guarded(() => {
      try {
        fn();
      } catch (e) {
        this.crash(e);
      }
    });
  }

  private guarded(work: () => void): void {
    this.opts.running?.(this.id);
    try {
      work();
    } finally {
      this.opts.running?.(undefined);
    }
  }

  /** One line the node wrote to stdout outside the runtime (`console.log`). */
  writeLine(line: string): void {
    if (this.dead) return;
    this.emit(line);
  }

  private emit(line: string): void {
    if (this.paused) this.held_output.push(line);
    else this.output.line(line);
  }

  private writeOut(text: string): void {
    if (this.dead) return;
    let start = 0;
    for (;;) {
      const newline = text.indexOf("\n", start);
      if (newline < 0) break;
      if (newline > start) this.emit(text.slice(start, newline));
      start = newline + 1;
    }
    if (start < text.length) this.emit(text.slice(start));
  }

  /** One line the node wrote to stderr. */
  stderr(line: string): void {
    this.stderr_tail.push(line);
    this.log_file.line(line);
    if (this.opts.log_stderr) this.opts.log(`${this.id} stderr: ${line}`);
  }

  private die(exit: NodeExit, crashed: boolean): void {
    if (this.dead) return;
    this.dead = true;
    for (const id of this.timers.keys()) this.opts.clock.clearTimer(id);
    this.timers.clear();
    this.backlog = [];
    this.held_output = [];
    if (crashed) this.reportCrash(exit);
    this.log_file.close();
    this.resolve_exit(exit);
  }

  private reportCrash(exit: NodeExit): void {
    const how = `exit code ${exit.code}`;
    this.opts.log(`node ${this.id} exited early with ${how}`);
    this.opts.report({
      node: this.id,
      kind: "crashed",
      message: `node ${this.id} exited before teardown with ${how}`,
      exit_code: exit.code,
      signal: exit.signal,
      stdout_tail: this.output.tail.snapshot(),
      stderr_tail: this.stderr_tail.snapshot(),
      log_path: this.opts.log_path,
    });
  }
}
