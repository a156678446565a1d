/**
 * One node's process (`shared/maelstrom/protocol.md` §1, §7–§9).
 *
 * Spawns `--bin`, writes delivered messages to its stdin in batches, reads its
 * stdout line by line and hands each valid envelope to the network. Stricter
 * than Maelstrom: a bad line is reported as a node issue (which makes the test
 * invalid) and reading goes on. stderr goes to `node-logs/<id>.log`. The last
 * 32 lines of stdout and stderr are kept for crash reports. An early exit is
 * reported as a crash. Teardown is SIGKILL with a bounded wait.
 *
 * @module
 */

import type { Body } from "./types.ts";
import { type NetMessage, NetworkError } from "./network.ts";
import { parseJsonLossless, stringifyJson } from "./json.ts";

/** Kinds of node misbehaviour the harness reports. */
export type NodeIssueKind =
  | "line-not-valid-json"
  | "malformed-message"
  | "invalid-src"
  | "invalid-dest"
  | "closed-client"
  | "line-too-long"
  | "stdin-backlog-overflow"
  | "crashed";

/** One reported node problem. */
export interface NodeIssue {
  node: string;
  kind: NodeIssueKind;
  message: string;
  /** The offending stdout line, cut to `MAX_REPORTED_LINE_CHARS`. */
  line?: string;
  exit_code?: number;
  signal?: string | null;
  stdout_tail?: string[];
  stderr_tail?: string[];
  log_path?: string;
}

/** Lines kept for crash reports, per stream (Maelstrom keeps 32). */
export const TAIL_LINES = 32;
/** Longest stdout line accepted; a longer one is reported and dropped. */
export const MAX_LINE_CHARS = 64 * 1024 * 1024;
/** Characters of a bad line kept in a report. */
export const MAX_REPORTED_LINE_CHARS = 500;
/** Messages waiting for a node's stdin beyond this are dropped and reported. */
export const MAX_STDIN_BACKLOG = 250_000;
/** How long teardown waits for a killed process (Maelstrom: 5 s). */
export const KILL_WAIT_MS = 5000;

/** What a node process needs from the harness. */
export interface NodeProcessOptions {
  id: string;
  bin: string;
  args: string[];
  /** The working directory of the process. */
  cwd: string;
  /** Where stderr lines go (`node-logs/<id>.log`). */
  log_path: string;
  /** Also echo stderr lines through `log`. */
  log_stderr: boolean;
  /** The harness log. */
  log: (line: string) => void;
  /** Hands a node's message to the network; may throw NetworkError. */
  send: (src: string, dest: string, body: Body) => void;
  /** Receives every issue (bad line, crash). */
  report: (issue: NodeIssue) => void;
}

class Ring {
  private lines: string[] = [];
  push(line: string): void {
    this.lines.push(line);
    if (this.lines.length > TAIL_LINES) this.lines.shift();
  }
  snapshot(): string[] {
    return [...this.lines];
  }
}

const ENVELOPE_KEYS = new Set(["src", "dest", "body", "id"]);

/** Validates a parsed stdout line as an envelope; returns an error text or the message. */
export function validateEnvelope(
  value: unknown,
): { src: string; dest: string; body: Body } | string {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return "message is not a JSON object";
  }
  const record = value as Record<string, unknown>;
  const problems: string[] = [];
  for (const key of Object.keys(record)) {
    if (!ENVELOPE_KEYS.has(key)) problems.push(`unexpected key ${JSON.stringify(key)}`);
  }
  if (typeof record.src !== "string") problems.push("src must be a string");
  if (typeof record.dest !== "string") problems.push("dest must be a string");
  if (
    "id" in record && !(Number.isInteger(record.id) || typeof record.id === "bigint")
  ) problems.push("id must be an integer");
  let body = record.body;
  // Maelstrom converts a missing or null body to {}.
  if (body === undefined || body === null) body = {};
  if (typeof body !== "object" || Array.isArray(body)) problems.push("body must be an object");
  if (problems.length > 0) return problems.join("; ");
  return { src: record.src as string, dest: record.dest as string, body: body as Body };
}

const encoder = new TextEncoder();

/** Every node process not yet stopped, so an interrupted harness can kill them all. */
const live_processes = new Set<NodeProcess>();

/** SIGKILLs every live node process (for SIGINT/SIGTERM handlers). */
export function killAllNodes(): void {
  for (const proc of live_processes) proc.kill();
}

/** A running node process. */
export class NodeProcess {
  /** Set once the process has exited. */
  exit_status: Deno.CommandStatus | undefined;
  private stopping = false;
  private readonly stdout_tail = new Ring();
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

  /** Sends SIGKILL without waiting (teardown uses `stop`). */
  kill(): void {
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
  get exited(): Promise<Deno.CommandStatus> {
    return this.status;
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
    this.stdin_queue.push(stringifyJson(message) + "\n");
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
    let value: unknown;
    try {
      value = parseJsonLossless(line);
    } catch {
      this.issue(
        "line-not-valid-json",
        "stdout line is not valid JSON (did you mean to log it to stderr?)",
        line,
      );
      return;
    }
    const envelope = validateEnvelope(value);
    if (typeof envelope === "string") {
      this.issue("malformed-message", envelope, line);
      return;
    }
    this.stdout_tail.push(line);
    try {
      this.opts.send(envelope.src, envelope.dest, envelope.body);
    } catch (e) {
      if (!(e instanceof NetworkError)) throw e;
      this.issue(e.kind, e.message, line);
    }
  }

  private issue(kind: NodeIssueKind, message: string, line: string): void {
    this.opts.report({
      node: this.id,
      kind,
      message,
      line: line.length > MAX_REPORTED_LINE_CHARS
        ? line.slice(0, MAX_REPORTED_LINE_CHARS) + "…"
        : line,
    });
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
      stdout_tail: this.stdout_tail.snapshot(),
      stderr_tail: this.stderr_tail.snapshot(),
      log_path: this.opts.log_path,
    });
  }

  /** The last stdout lines accepted and the last stderr lines. */
  tails(): { stdout: string[]; stderr: string[] } {
    return { stdout: this.stdout_tail.snapshot(), stderr: this.stderr_tail.snapshot() };
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
