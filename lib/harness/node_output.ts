/**
 * What the harness does with each line a node writes to stdout, for node
 * processes and simulated nodes alike (`shared/maelstrom/protocol.md` §1, §7).
 *
 * A valid envelope goes into the network. A *protocol error* — a line that is
 * not JSON, a malformed envelope, an unknown source or destination, a reply to
 * a client that has closed — is reported as a node issue. What happens next
 * follows Maelstrom unless the test is `--strict`:
 * - Maelstrom (default): the node's stdout reader stops at its first protocol
 *   error (Maelstrom's `io-thread` catches the exception and its loop ends;
 *   maelstrom/process.clj `stdout-thread`), so everything the node writes
 *   afterwards is ignored, and the checkers judge what reached the network.
 *   The issue is still reported loudly, with what it means.
 * - `--strict`: every protocol error makes the test invalid, and reading goes
 *   on, so every bad line is reported.
 *
 * @module
 */

import type { Body } from "./types.ts";
import { NetworkError } from "./network.ts";
import { parseJsonLossless } from "./json.ts";

/** Every kind of node misbehaviour the harness reports (the report explains each). */
export const NODE_ISSUE_KINDS = [
  "line-not-valid-json",
  "malformed-message",
  "invalid-src",
  "invalid-dest",
  "closed-client",
  "line-too-long",
  "stdin-backlog-overflow",
  "crashed",
  "restart-failed",
] as const;

/** Kinds of node misbehaviour the harness reports. */
export type NodeIssueKind = typeof NODE_ISSUE_KINDS[number];

/** Issue kinds that are protocol errors: Maelstrom stops reading the node's stdout after one. */
export const PROTOCOL_ERROR_KINDS: ReadonlySet<NodeIssueKind> = new Set([
  "line-not-valid-json",
  "malformed-message",
  "invalid-src",
  "invalid-dest",
  "closed-client",
  "line-too-long",
]);

/** One reported node problem. */
export interface NodeIssue {
  node: string;
  kind: NodeIssueKind;
  message: string;
  /** The offending stdout line, cut to `MAX_REPORTED_LINE_CHARS`. */
  line?: string;
  /** Maelstrom semantics: the harness ignored the node's stdout from this line on. */
  silenced?: boolean;
  exit_code?: number;
  signal?: string | null;
  stdout_tail?: string[];
  stderr_tail?: string[];
  log_path?: string;
}

/** Lines kept for crash reports, per stream (Maelstrom keeps 32). */
export const TAIL_LINES = 32;
/** Characters of a bad line kept in a report. */
export const MAX_REPORTED_LINE_CHARS = 500;

/** The last `TAIL_LINES` lines of a stream. */
export class Ring {
  private lines: string[] = [];

  /** Appends a line, dropping the oldest beyond `TAIL_LINES`. */
  push(line: string): void {
    this.lines.push(line);
    if (this.lines.length > TAIL_LINES) this.lines.shift();
  }

  /** A copy of the kept lines, oldest first. */
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

/** What a node's output reader needs from the harness. */
export interface NodeOutputOptions {
  id: string;
  /** `--strict`: protocol errors invalidate the test and reading goes on. */
  strict: boolean;
  /** Hands a node's message to the network; may throw NetworkError. */
  send: (src: string, dest: string, body: Body) => void;
  /** Receives every issue. */
  report: (issue: NodeIssue) => void;
}

/** Turns a node's stdout lines into network messages (see the module header). */
export class NodeOutput {
  /** The last accepted lines, for crash reports. */
  readonly tail = new Ring();
  /** Set at the first protocol error unless strict: later lines are ignored. */
  silenced = false;
  /** Lines ignored because the reader stopped. */
  ignored_lines = 0;

  constructor(private readonly opts: NodeOutputOptions) {}

  /** Handles one complete stdout line (without its newline). */
  line(text: string): void {
    if (this.silenced) {
      this.ignored_lines++;
      return;
    }
    let value: unknown;
    try {
      value = parseJsonLossless(text);
    } catch {
      this.protocolError(
        "line-not-valid-json",
        "stdout line is not valid JSON (did you mean to log it to stderr?)",
        text,
      );
      return;
    }
    const envelope = validateEnvelope(value);
    if (typeof envelope === "string") {
      this.protocolError("malformed-message", envelope, text);
      return;
    }
    this.tail.push(text);
    try {
      this.opts.send(envelope.src, envelope.dest, envelope.body);
    } catch (e) {
      if (!(e instanceof NetworkError)) throw e;
      this.protocolError(e.kind, e.message, text);
    }
  }

  /** Reports a protocol error about `text` and, unless strict, stops reading. */
  protocolError(kind: NodeIssueKind, message: string, text: string): void {
    const silenced = !this.opts.strict;
    this.silenced = silenced;
    this.opts.report({
      node: this.opts.id,
      kind,
      message,
      line: text.length > MAX_REPORTED_LINE_CHARS
        ? text.slice(0, MAX_REPORTED_LINE_CHARS) + "…"
        : text,
      ...(silenced ? { silenced } : {}),
    });
  }
}
