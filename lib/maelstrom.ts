/**
 * The Maelstrom node runtime: every challenge imports this module.
 *
 * A node reads one JSON message per line on stdin, dispatches it to the
 * handler registered for its body `type`, and writes replies and other
 * messages as one JSON object per line on stdout. Logs go to stderr only.
 *
 * The surface is deliberately small, like Maelstrom's Go library:
 * `Node` (`on`, `reply`, `send`, `rpc`, `run`), `RPCError` with Maelstrom's
 * error codes, and the `KV` / `TSO` clients for the built-in services; plus
 * `parseFlags` and `parseDurationArgs` for a node binary's flags (no `node:util`: see
 * `parseFlags`).
 *
 * A node module exports `setup(node, args)` (a `NodeSetup`) and ends with
 * `if (import.meta.main) await runNode(setup);`: run as a program it is a
 * Maelstrom node process; imported by the simulator (`--sim`), the same setup
 * is built on a `Node` whose `Env` is the simulator's virtual clock.
 *
 * Clock, timers, randomness and output come from an injectable `Env`, so
 * tests drive a node in-process without sleeping (see `lib/sim_env.ts`).
 *
 * @module
 */

/** A message body: `type` plus free-form fields. */
export interface Body {
  type: string;
  msg_id?: number;
  in_reply_to?: number;
  // deno-lint-ignore no-explicit-any
  [field: string]: any;
}

/** A message envelope as it travels on the wire. */
export interface Message<B extends Body = Body> {
  id?: number;
  src: string;
  dest: string;
  body: B;
}

/** What a handler receives: the request message. */
export type Handler = (req: Message) => void | Promise<void>;

/** Maelstrom's error codes (`shared/maelstrom/protocol.md` §6). */
export const ErrorCode = {
  timeout: 0,
  node_not_found: 1,
  not_supported: 10,
  temporarily_unavailable: 11,
  malformed_request: 12,
  crash: 13,
  abort: 14,
  key_does_not_exist: 20,
  key_already_exists: 21,
  precondition_failed: 22,
  txn_conflict: 30,
} as const;

interface ErrorInfo {
  name: string;
  definite: boolean;
}

/** Maelstrom's error registry: code → name and whether the failure is definite. */
export const ERROR_REGISTRY: ReadonlyMap<number, ErrorInfo> = new Map([
  [0, { name: "timeout", definite: false }],
  [1, { name: "node-not-found", definite: true }],
  [10, { name: "not-supported", definite: true }],
  [11, { name: "temporarily-unavailable", definite: true }],
  [12, { name: "malformed-request", definite: true }],
  [13, { name: "crash", definite: false }],
  [14, { name: "abort", definite: true }],
  [20, { name: "key-does-not-exist", definite: true }],
  [21, { name: "key-already-exists", definite: true }],
  [22, { name: "precondition-failed", definite: true }],
  [30, { name: "txn-conflict", definite: true }],
]);

/** An RPC failure: an error body from the peer, or a local timeout (code 0). */
export class RPCError extends Error {
  readonly code: number;
  readonly text: string;

  constructor(code: number, text = "") {
    super(`${errorName(code)} (code ${code})${text ? ": " + text : ""}`);
    this.name = "RPCError";
    this.code = code;
    this.text = text;
  }

  /** True when the operation certainly did not happen. */
  get definite(): boolean {
    return ERROR_REGISTRY.get(this.code)?.definite ?? false;
  }

  /** The Maelstrom error body for this error. */
  toBody(): Body {
    return { type: "error", code: this.code, text: this.text };
  }

  /** Builds the error from an error body received on the wire. */
  static fromBody(body: Body): RPCError {
    const code = typeof body.code === "number" ? body.code : ErrorCode.crash;
    return new RPCError(code, typeof body.text === "string" ? body.text : "");
  }

  /** Code 0: the operation did not finish in time; it may still happen. */
  static timeout(text = "timed out"): RPCError {
    return new RPCError(ErrorCode.timeout, text);
  }
  /** Code 10: the request type is not implemented. */
  static notSupported(text = "not supported"): RPCError {
    return new RPCError(ErrorCode.not_supported, text);
  }
  /** Code 11: cannot serve now; the operation certainly did not happen. */
  static temporarilyUnavailable(text = "temporarily unavailable"): RPCError {
    return new RPCError(ErrorCode.temporarily_unavailable, text);
  }
  /** Code 12: the request could not be understood. */
  static malformedRequest(text = "malformed request"): RPCError {
    return new RPCError(ErrorCode.malformed_request, text);
  }
  /** Code 13: failure of unknown outcome. */
  static crash(text = "crash"): RPCError {
    return new RPCError(ErrorCode.crash, text);
  }
  /** Code 14: failure where the operation certainly did not happen. */
  static abort(text = "abort"): RPCError {
    return new RPCError(ErrorCode.abort, text);
  }
  /** Code 20: the key is missing. */
  static keyDoesNotExist(text = "key does not exist"): RPCError {
    return new RPCError(ErrorCode.key_does_not_exist, text);
  }
  /** Code 21: refused to create a key that exists. */
  static keyAlreadyExists(text = "key already exists"): RPCError {
    return new RPCError(ErrorCode.key_already_exists, text);
  }
  /** Code 22: a precondition (e.g. a cas `from`) did not hold. */
  static preconditionFailed(text = "precondition failed"): RPCError {
    return new RPCError(ErrorCode.precondition_failed, text);
  }
  /** Code 30: the transaction aborted because of a conflict. */
  static txnConflict(text = "txn conflict"): RPCError {
    return new RPCError(ErrorCode.txn_conflict, text);
  }
}

/** The registry name of an error code, or "unknown". */
export function errorName(code: number): string {
  return ERROR_REGISTRY.get(code)?.name ?? "unknown";
}

/** A timer handle from an `Env`. */
export type TimerId = number;

/** Everything a node needs from the outside world; injectable for tests. */
export interface Env {
  /** Milliseconds on a monotonic clock. */
  now_ms(): number;
  /** Runs `fn` once after `delay_ms`. */
  setTimer(fn: () => void, delay_ms: number): TimerId;
  /** Cancels a timer; unknown ids are ignored. */
  clearTimer(id: TimerId): void;
  /** A uniform random number in [0, 1). */
  random(): number;
  /** Writes a batch of complete output lines (each ending in "\n"). */
  writeOut(text: string): void;
  /** Writes one log line to stderr. */
  log(line: string): void;
}

const encoder = new TextEncoder();

function writeAllSync(file: { writeSync(p: Uint8Array): number }, text: string): void {
  let bytes = encoder.encode(text);
  while (bytes.length > 0) {
    const written = file.writeSync(bytes);
    bytes = bytes.subarray(written);
  }
}

/** The real environment: wall-clock timers, Math.random, stdout and stderr. */
export function systemEnv(): Env {
  return {
    now_ms: () => performance.now(),
    setTimer: (fn, delay_ms) => Number(setTimeout(fn, Math.max(0, delay_ms))),
    clearTimer: (id) => clearTimeout(id),
    random: Math.random,
    writeOut: (text) => writeAllSync(Deno.stdout, text),
    log: (line) => writeAllSync(Deno.stderr, line + "\n"),
  };
}

/** Options for `Node.rpc`. */
export interface RpcOptions {
  /** How long to wait for the reply before rejecting with a timeout. */
  timeout_ms?: number;
}

interface PendingRpc {
  resolve: (body: Body) => void;
  reject: (error: RPCError) => void;
  timer: TimerId;
}

/** Default RPC timeout; Maelstrom's own clients wait 5 s, peers should give up sooner. */
export const DEFAULT_RPC_TIMEOUT_MS = 1000;

/** Upper bound on outstanding RPCs, so a node that never hears back cannot grow without limit. */
export const MAX_PENDING_RPCS = 100_000;

/** A Maelstrom node: register handlers with `on`, then call `run`. */
export class Node {
  /** This node's id (e.g. "n0"); empty until `init` arrives. */
  id = "";
  /** Every server node's id, this one included, in the test's order. */
  nodeIds: string[] = [];
  readonly env: Env;

  private readonly handlers = new Map<string, Handler>();
  private readonly initHooks: Handler[] = [];
  private readonly pending = new Map<number, PendingRpc>();
  private nextMsgId = 1;
  private outBuffer: string[] = [];
  private flushScheduled = false;

  constructor(env: Env = systemEnv()) {
    this.env = env;
  }

  /** Registers the handler for messages whose body `type` is `type`.
   * For "init", the handler is a hook that runs (and is awaited) before `init_ok`. */
  on(type: string, handler: Handler): this {
    if (type === "init") {
      this.initHooks.push(handler);
      return this;
    }
    if (this.handlers.has(type)) throw new Error(`handler for "${type}" already registered`);
    this.handlers.set(type, handler);
    return this;
  }

  /** The ids of every node except this one. */
  peers(): string[] {
    return this.nodeIds.filter((id) => id !== this.id);
  }

  /** Writes one log line to stderr. */
  log(...parts: unknown[]): void {
    this.env.log(parts.map((p) => typeof p === "string" ? p : JSON.stringify(p)).join(" "));
  }

  /** Sends a message; fire and forget. */
  send(dest: string, body: Body): void {
    this.emit({ src: this.id, dest, body });
  }

  /** Replies to `req` with `body`, filling in `in_reply_to`. */
  reply(req: Message, body: Body): void {
    const reply: Body = { ...body };
    if (req.body.msg_id !== undefined) reply.in_reply_to = req.body.msg_id;
    this.send(req.src, reply);
  }

  /** Sends `body` to `dest` and resolves with the reply body.
   * Rejects with `RPCError` on an error reply or after `timeout_ms`; a late reply is dropped. */
  rpc(dest: string, body: Body, options: RpcOptions = {}): Promise<Body> {
    const timeout_ms = options.timeout_ms ?? DEFAULT_RPC_TIMEOUT_MS;
    if (this.pending.size >= MAX_PENDING_RPCS) {
      return Promise.reject(RPCError.temporarilyUnavailable("too many outstanding RPCs"));
    }
    const msg_id = this.nextMsgId++;
    return new Promise<Body>((resolve, reject) => {
      const timer = this.env.setTimer(() => {
        this.pending.delete(msg_id);
        reject(RPCError.timeout(`no reply from ${dest} to ${body.type} within ${timeout_ms} ms`));
      }, timeout_ms);
      this.pending.set(msg_id, { resolve, reject, timer });
      this.send(dest, { ...body, msg_id });
    });
  }

  /** Handles one input line: parses it and dispatches the message. Never throws. */
  handleLine(line: string): void {
    if (line.trim() === "") return;
    let msg: Message;
    try {
      msg = JSON.parse(line);
    } catch (e) {
      this.log(`skipping malformed line (${(e as Error).message}): ${truncate(line)}`);
      return;
    }
    if (!isMessage(msg)) {
      this.log(
        `skipping line that is not a message (needs src, dest and body.type): ${truncate(line)}`,
      );
      return;
    }
    this.handleMessage(msg);
  }

  /** Dispatches one parsed message: a reply to an RPC, init, or a request. */
  handleMessage(msg: Message): void {
    const { body } = msg;
    if (body.in_reply_to !== undefined) {
      const call = this.pending.get(body.in_reply_to);
      if (call) {
        this.pending.delete(body.in_reply_to);
        this.env.clearTimer(call.timer);
        if (body.type === "error") call.reject(RPCError.fromBody(body));
        else call.resolve(body);
        return;
      }
      // A late reply (its RPC timed out) or an acknowledgement nobody waits for.
      if (!this.handlers.has(body.type)) return;
    }
    if (body.type === "init") {
      this.runHandler(msg, (req) => this.handleInit(req));
      return;
    }
    const handler = this.handlers.get(body.type);
    if (!handler) {
      this.replyError(msg, RPCError.notSupported(`unknown message type "${body.type}"`));
      return;
    }
    this.runHandler(msg, handler);
  }

  /** Reads stdin (or `input`) line by line until it closes. */
  async run(input?: AsyncIterable<Uint8Array>): Promise<void> {
    if (input === undefined) {
      if (loadedBySimulator()) {
        throw new Error(
          "Node.run() was called while the simulator loaded this module: export setup(node, args) " +
            "and start the process only under `if (import.meta.main)`",
        );
      }
      input = stdinChunks();
    }
    const decoder = new TextDecoder();
    let carry = "";
    for await (const chunk of input) {
      carry += decoder.decode(chunk, { stream: true });
      const lines = carry.split("\n");
      carry = lines.pop() ?? "";
      for (const line of lines) this.handleLine(line);
    }
    carry += decoder.decode();
    if (carry !== "") this.handleLine(carry);
    this.flush();
  }

  /** Writes every buffered output line now. */
  flush(): void {
    this.flushScheduled = false;
    if (this.outBuffer.length === 0) return;
    const text = this.outBuffer.join("");
    this.outBuffer = [];
    this.env.writeOut(text);
  }

  private async handleInit(req: Message): Promise<void> {
    this.id = String(req.body.node_id);
    this.nodeIds = Array.isArray(req.body.node_ids) ? req.body.node_ids.map(String) : [this.id];
    for (const hook of this.initHooks) await hook(req);
    this.reply(req, { type: "init_ok" });
  }

  private runHandler(msg: Message, handler: Handler): void {
    try {
      const result = handler(msg);
      if (result instanceof Promise) result.catch((e) => this.handlerFailed(msg, e));
    } catch (e) {
      this.handlerFailed(msg, e);
    }
  }

  private handlerFailed(msg: Message, error: unknown): void {
    if (error instanceof RPCError) {
      this.replyError(msg, error);
      return;
    }
    const text = error instanceof Error ? error.message : String(error);
    this.log(
      `handler for "${msg.body.type}" crashed:`,
      error instanceof Error ? error.stack ?? text : text,
    );
    this.replyError(msg, RPCError.crash(text));
  }

  private replyError(msg: Message, error: RPCError): void {
    // Only requests get error replies: answering a reply or a one-way message would start ping-pong.
    if (msg.body.msg_id === undefined) {
      this.log(`dropping ${msg.body.type} from ${msg.src}: ${error.message}`);
      return;
    }
    this.reply(msg, error.toBody());
  }

  private emit(msg: Message): void {
    this.outBuffer.push(JSON.stringify(msg) + "\n");
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    // Batch everything produced in this turn of the event loop into one write.
    queueMicrotask(() => this.flush());
  }
}

/** Bytes read from stdin at a time. */
const STDIN_CHUNK_BYTES = 64 * 1024;

/**
 * stdin as chunks, read with `Deno.stdin.read` rather than `Deno.stdin.readable`: the web streams
 * implementation is loaded lazily, and a node has no other use for it, so this keeps it out of
 * every node's start-up. Each chunk is consumed before the next read reuses the buffer.
 */
async function* stdinChunks(): AsyncGenerator<Uint8Array> {
  const buffer = new Uint8Array(STDIN_CHUNK_BYTES);
  for (;;) {
    const count = await Deno.stdin.read(buffer);
    if (count === null) return;
    yield buffer.subarray(0, count);
  }
}

function isMessage(value: unknown): value is Message {
  if (typeof value !== "object" || value === null) return false;
  const msg = value as Record<string, unknown>;
  if (typeof msg.src !== "string" || typeof msg.dest !== "string") return false;
  const body = msg.body as Record<string, unknown> | null;
  return typeof body === "object" && body !== null && typeof body.type === "string";
}

function truncate(line: string, max_chars = 200): string {
  return line.length <= max_chars ? line : line.slice(0, max_chars) + "…";
}

/** The built-in key-value services. */
export type KVService = "lin-kv" | "seq-kv" | "lww-kv";

/** A client for a Maelstrom key-value service (`shared/maelstrom/services.md`). */
export class KV {
  constructor(
    readonly node: Node,
    readonly service: KVService,
    readonly timeout_ms = DEFAULT_RPC_TIMEOUT_MS,
  ) {}

  /** Reads `key`; rejects with code 20 when the key does not exist. */
  async read<T = unknown>(key: unknown): Promise<T> {
    const body = await this.call({ type: "read", key });
    return body.value as T;
  }

  /** Reads `key`, or returns `fallback` when the key does not exist. */
  async readOr<T>(key: unknown, fallback: T): Promise<T> {
    try {
      return await this.read<T>(key);
    } catch (e) {
      if (e instanceof RPCError && e.code === ErrorCode.key_does_not_exist) return fallback;
      throw e;
    }
  }

  /** Writes `value` to `key`. */
  async write(key: unknown, value: unknown): Promise<void> {
    await this.call({ type: "write", key, value });
  }

  /** Sets `key` to `to` if it holds `from`; rejects with code 22 (or 20) otherwise. */
  async cas(
    key: unknown,
    from: unknown,
    to: unknown,
    options: { create_if_not_exists?: boolean } = {},
  ): Promise<void> {
    const body: Body = { type: "cas", key, from, to };
    if (options.create_if_not_exists) body.create_if_not_exists = true;
    await this.call(body);
  }

  private call(body: Body): Promise<Body> {
    return this.node.rpc(this.service, body, { timeout_ms: this.timeout_ms });
  }
}

/** A client for `lin-tso`, Maelstrom's linearizable timestamp oracle. */
export class TSO {
  constructor(readonly node: Node, readonly timeout_ms = DEFAULT_RPC_TIMEOUT_MS) {}

  /** A timestamp greater than every timestamp handed out before this call. */
  async ts(): Promise<number> {
    const body = await this.node.rpc("lin-tso", { type: "ts" }, { timeout_ms: this.timeout_ms });
    return body.ts as number;
  }
}

/** For a node that takes no arguments: throws a one-line error naming the first one given. */
export function parseNoArgs(args: readonly string[]): void {
  if (args.length > 0) throw new Error(`takes no arguments, got ${JSON.stringify(args[0])}`);
}

/**
 * Parses a node binary's string flags, `--name value` or `--name=value`, each at most once;
 * returns the values given by name. An unknown flag, a flag without a value, a repeated flag or a
 * positional argument throws a one-line error naming it.
 *
 * Written here rather than taken from `node:util`'s `parseArgs`: importing `node:util` loads
 * Deno's Node compatibility layer at every node's start, which cost about 30 % of a node's
 * start-up CPU (50 ms of 160 ms measured with perf stat) and 4 MB of memory per process; a test
 * starts up to 25 nodes at once, each with 10 s to answer `init`.
 */
export function parseFlags<N extends string>(
  args: readonly string[],
  names: readonly N[],
): Partial<Record<N, string>> {
  const values: Partial<Record<N, string>> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (!arg.startsWith("--") || arg === "--") {
      throw new Error(`unexpected argument ${JSON.stringify(arg)}`);
    }
    const eq = arg.indexOf("=");
    const name = (eq === -1 ? arg.slice(2) : arg.slice(2, eq)) as N;
    if (!names.includes(name)) {
      throw new Error(
        `unknown option --${name} (known: ${names.map((n) => `--${n}`).join(", ") || "none"})`,
      );
    }
    if (values[name] !== undefined) throw new Error(`--${name} given twice`);
    let value: string | undefined;
    if (eq !== -1) value = arg.slice(eq + 1);
    else if (i + 1 < args.length && !args[i + 1].startsWith("--")) value = args[++i];
    if (value === undefined) throw new Error(`--${name} needs a value`);
    values[name] = value;
  }
  return values;
}

/** Largest value `parseDurationArgs` accepts: one minute. */
export const MAX_DURATION_ARG_MS = 60_000;

/**
 * Parses a node binary's millisecond flags (`--tick-ms 100`): `fields` maps each flag name to
 * the option field it sets. Each value must be an integer in 1..60000; an unknown flag, a
 * positional argument or a bad value throws a one-line error naming it.
 */
export function parseDurationArgs<F extends string>(
  args: string[],
  fields: Readonly<Record<string, F>>,
): Partial<Record<F, number>> {
  const values = parseFlags(args, Object.keys(fields));
  const options: Partial<Record<F, number>> = {};
  for (const [flag, field] of Object.entries(fields)) {
    const text = values[flag];
    if (text === undefined) continue;
    const value = Number(text);
    if (!Number.isInteger(value) || value < 1 || value > MAX_DURATION_ARG_MS) {
      throw new Error(
        `--${flag} must be an integer in 1..${MAX_DURATION_ARG_MS} ms, got "${text}"`,
      );
    }
    options[field] = value;
  }
  return options;
}

/** Builds a node's behaviour on `node` from the binary's arguments (after `--`); throws a
 * one-line Error for a bad argument. Every node module exports one as `setup`. */
export type NodeSetup = (node: Node, args: string[]) => unknown;

/** The global flag the simulator sets while it imports and runs node modules in-process. */
export const SIMULATOR_FLAG = "__maelstrom_simulator__";

function loadedBySimulator(): boolean {
  return (globalThis as Record<string, unknown>)[SIMULATOR_FLAG] === true;
}

/**
 * Runs a node module as a Maelstrom process: builds `setup` on a real `Node` with `Deno.args`,
 * then reads stdin until it closes. A bad argument prints one line naming it and exits 2.
 */
export async function runNode(setup: NodeSetup, name = programName()): Promise<void> {
  const node = new Node();
  try {
    setup(node, [...Deno.args]);
  } catch (e) {
    console.error(`${name}: ${e instanceof Error ? e.message : String(e)}`);
    Deno.exit(2);
  }
  await node.run();
}

function programName(): string {
  const main = Deno.mainModule.split("/").pop() ?? "node";
  return main.replace(/\.[jt]s$/, "");
}
