/**
 * One node's process (`shared/maelstrom/protocol.md` §1, §7–§9).
 *
 * Spawns `--bin`, writes delivered messages to its stdin in batches, reads its
 * stdout line by line and hands each line to `NodeOutput` (which follows
 * Maelstrom on bad lines, or `--strict`). stderr goes to `node-logs/<id>.log`.
 * The last 32 lines of stdout and stderr are kept for crash reports. An early
 * exit is reported as a crash. Pause and resume are SIGSTOP and SIGCONT;
 * a fault kill and teardown are SIGKILL with a bounded wait.
 *
 * @module
 */

import { messageJson, type NetMessage } from "./network.ts";
import type { NodeExit, NodeHost, NodeHostOptions } from "./node_host.ts";
import {
  type NodeIssue,
  type NodeIssueKind,
  NodeOutput,
  Ring,
  validateEnvelope,
} from "./node_output.ts";

export { type NodeIssue, type NodeIssueKind, validateEnvelope };

/** Longest stdout line accepted; a longer one is reported and dropped. */
export const MAX_LINE_CHARS = 64 * 1024 * 1024;
/** Messages waiting for a node's stdin beyond this are dropped and reported. */
export const MAX_STDIN_BACKLOG = 250_000;
/** How long teardown waits for a killed process (Maelstrom: 5 s). */
export const KILL_WAIT_MS = 5000;

/** What a node process needs besides the common host options. */
export interface NodeProcessOptions extends NodeHostOptions {
  bin: string;
  /** The working directory of the process. */
  cwd: string;
}

const encoder = new TextEncoder();

/** Every node process not yet stopped, so an interrupted harness can kill them all. */
const live_processes = new Set<NodeProcess>();

/** SIGKILLs every live node process (for SIGINT/SIGTERM handlers). */
export function killAllNodes(): void {
  for (const proc of live_processes) proc.killNow();
}

/** A running node process. */
export class NodeProcess implements NodeHost {
  /** Set once the process has exited. */
  exit_status: Deno.CommandStatus | undefined;
  private stopping = false;
  private readonly output: NodeOutput;
  private readonly stderr_tail = new Ring();
  private stdin_queue: string[] = [];
  private stdin_writing = false;
  private stdin_broken = false;
  private backlog_reported = false;
  private readonly stdin: WritableStreamDefaultWriter<Uint8Array>;
  private readonly stdout_reader: ReadableStreamDefaultReader<Uint8Array>;
  private readonly stderr_reader: ReadableStreamDefaultReader<Uint8Array>;
  private readonly log_file: Deno.FsFile;
  private readonly status: Promise<Deno.CommandStatus>;
  private readonly readers_done: Promise<unknown>;

  private constructor(private readonly opts: NodeProcessOptions, child: Deno.ChildProcess) {
    this.child = child;
    this.output = new NodeOutput(opts);
    this.log_file = Deno.openSync(opts.log_path, { create: true, append: true });
    this.stdin = child.stdin.getWriter();
    this.stdout_reader = child.stdout.getReader();
    this.stderr_reader = child.stderr.getReader();
    this.status = child.status.then((status) => {
      this.exit_status = status;
      if (!this.stopping) this.reportCrash(status);
      return status;
    });
    this.readers_done = Promise.allSettled([this.readStdout(), this.readStderr()]);
    live_processes.add(this);
  }

  /** Sends SIGKILL without waiting (interrupts; teardown uses `stop`). */
  killNow(): void {
    this.stopping = true;
    try {
      this.child.kill("SIGKILL");
    } catch {
      // Already gone.
    }
  }

  private readonly child: Deno.ChildProcess;

  /** Spawns the node; throws with a clear message if the binary cannot start. */
  static start(opts: NodeProcessOptions): NodeProcess {
    opts.log(`launching ${opts.bin} ${JSON.stringify(opts.args)} as ${opts.id}`);
    let child: Deno.ChildProcess;
    try {
      child = new Deno.Command(opts.bin, {
        args: opts.args,
        cwd: opts.cwd,
        stdin: "piped",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
    } catch (e) {
      throw new Error(`cannot spawn ${opts.bin} for node ${opts.id}: ${(e as Error).message}`);
    }
    return new NodeProcess(opts, child);
  }

  /** The node id. */
  get id(): string {
    return this.opts.id;
  }

  /** The OS process id. */
  get pid(): number {
    return this.child.pid;
  }

  /** Resolves when the process exits, however it ends. */
  get exited(): Promise<NodeExit> {
    return this.status.then((status) => ({ code: status.code, signal: status.signal }));
  }

  /** True if the process exited on its own. */
  get crashed(): boolean {
    return this.exit_status !== undefined && !this.stopping;
  }

  /** Queues one message for the node's stdin; lines are written in batches. */
  deliver(message: NetMessage): void {
    if (this.stdin_broken) return;
    if (this.stdin_queue.length >= MAX_STDIN_BACKLOG) {
      if (!this.backlog_reported) {
        this.backlog_reported = true;
        this.opts.report({
          node: this.id,
          kind: "stdin-backlog-overflow",
          message: `${MAX_STDIN_BACKLOG} messages wait for ${this.id}'s stdin; dropping more`,
        });
      }
      return;
    }
    this.stdin_queue.push(messageJson(message) + "\n");
    if (!this.stdin_writing) void this.flushStdin();
  }

  private async flushStdin(): Promise<void> {
    this.stdin_writing = true;
    try {
      while (this.stdin_queue.length > 0 && !this.stdin_broken) {
        const text = this.stdin_queue.join("");
        this.stdin_queue = [];
        await this.stdin.write(encoder.encode(text));
      }
    } catch {
      // The process is gone; its exit is reported by the status watcher.
      this.stdin_broken = true;
      this.stdin_queue = [];
    } finally {
      this.stdin_writing = false;
    }
  }

  private async readStdout(): Promise<void> {
    const decoder = new TextDecoder();
    let partial = "";
    let skipping = false;
    for (;;) {
      const { value, done } = await this.stdout_reader.read();
      if (done) break;
      const text = partial + decoder.decode(value, { stream: true });
      let start = 0;
      for (;;) {
        const newline = text.indexOf("\n", start);
        if (newline < 0) break;
        if (skipping) skipping = false;
        else this.handleLine(text.slice(start, newline));
        start = newline + 1;
      }
      partial = text.slice(start);
      if (partial.length > MAX_LINE_CHARS) {
        this.issue("line-too-long", `stdout line longer than ${MAX_LINE_CHARS} chars`, partial);
        partial = "";
        skipping = true;
      }
    }
    partial += decoder.decode();
    if (partial !== "" && !skipping) this.handleLine(partial);
  }

  private handleLine(line: string): void {
    this.output.line(line);
  }

  private issue(kind: NodeIssueKind, message: string, line: string): void {
    this.output.protocolError(kind, message, line);
  }

  private async readStderr(): Promise<void> {
    const decoder = new TextDecoder();
    let partial = "";
    for (;;) {
      const { value, done } = await this.stderr_reader.read();
      if (done) break;
      this.writeLog(value);
      const text = partial + decoder.decode(value, { stream: true });
      const lines = text.split("\n");
      partial = lines.pop() ?? "";
      if (partial.length > 64 * 1024) partial = partial.slice(-64 * 1024);
      for (const line of lines) this.stderrLine(line);
    }
    if (partial !== "") {
      this.writeLog(encoder.encode("\n"));
      this.stderrLine(partial);
    }
  }

  private stderrLine(line: string): void {
    this.stderr_tail.push(line);
    if (this.opts.log_stderr) this.opts.log(`${this.id} stderr: ${line}`);
  }

  private writeLog(bytes: Uint8Array): void {
    try {
      let rest = bytes;
      while (rest.length > 0) rest = rest.subarray(this.log_file.writeSync(rest));
    } catch {
      // A full disk must not stop the node's stderr from draining.
    }
  }

  private reportCrash(status: Deno.CommandStatus): void {
    const how = status.signal === null
      ? `exit code ${status.code}`
      : `signal ${status.signal} (code ${status.code})`;
    this.opts.log(`node ${this.id} exited early with ${how}`);
    this.opts.report({
      node: this.id,
      kind: "crashed",
      message: `node ${this.id} exited before teardown with ${how}`,
      exit_code: status.code,
      signal: status.signal,
      stdout_tail: this.output.tail.snapshot(),
      stderr_tail: this.stderr_tail.snapshot(),
      log_path: this.opts.log_path,
    });
  }

  /** The last stdout lines accepted and the last stderr lines. */
  tails(): { stdout: string[]; stderr: string[] } {
    return { stdout: this.output.tail.snapshot(), stderr: this.stderr_tail.snapshot() };
  }

  /** Stops the process (SIGSTOP); the kernel holds its stdin until `resume`. */
  pause(): void {
    this.signal("SIGSTOP");
  }

  /** Continues a paused process (SIGCONT). */
  resume(): void {
    this.signal("SIGCONT");
  }

  /** Kills the process as a fault (SIGKILL, not reported as a crash) and waits for it. */
  async kill(): Promise<void> {
    await this.stop();
  }

  private signal(name: Deno.Signal): void {
    if (this.exit_status !== undefined) return;
    try {
      this.child.kill(name);
    } catch {
      // Exited between the check and the signal.
    }
  }

  /** Kills the process (SIGKILL), waits at most `KILL_WAIT_MS`, closes the log. */
  async stop(): Promise<void> {
    live_processes.delete(this);
    const already_exited = this.exit_status !== undefined;
    if (!already_exited) {
      this.stopping = true;
      try {
        this.child.kill("SIGKILL");
      } catch {
        // Exited between the check and the kill.
      }
    }
    let timer: number | undefined;
    const waited = await Promise.race([
      this.status.then(() => true),
      new Promise<boolean>((resolve) =>
        timer = Number(setTimeout(() => resolve(false), KILL_WAIT_MS))
      ),
    ]);
    clearTimeout(timer);
    if (!waited) this.opts.log(`node ${this.id} (pid ${this.pid}) did not die within 5 s`);
    this.stdin_broken = true;
    await Promise.allSettled([
      this.stdout_reader.cancel(),
      this.stderr_reader.cancel(),
      this.stdin.abort(),
    ]);
    await Promise.race([
      this.readers_done,
      new Promise((resolve) => timer = Number(setTimeout(resolve, 1000))),
    ]);
    clearTimeout(timer);
    try {
      this.log_file.close();
    } catch {
      // Already closed.
    }
  }
}
