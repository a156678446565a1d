/**
 * Watches simulated nodes for what the simulator cannot replay, while a
 * `--sim` test runs.
 *
 * A node that reads the real clock (`Date.now`, `performance.now`), starts real
 * timers (`setTimeout`, `setInterval`) or draws `Math.random` / `crypto`
 * randomness behind the runtime's `Env` makes runs with the same seed differ.
 * The guard wraps those globals: each call is attributed, from its stack, to
 * the simulated node whose module instance (`?sim-node=…`) made it, recorded
 * with its source location, and then performed as usual — the guard names the
 * culprit, it does not hide the behaviour. Calls from the harness itself pass
 * through untouched.
 *
 * It also gives nodes what a process has: `console.log` and
 * `Deno.stdout.writeSync` go to the node's stdout (the harness's message
 * reader), `console.error` and `Deno.stderr.writeSync` to its stderr log, and
 * `Deno.exit` ends that node instead of the harness. A rejected promise
 * nobody handles, which kills a Deno process, kills the node it came from.
 *
 * @module
 */

/** Characters of an unfinished line a node's raw stdout/stderr writes may hold. */
const MAX_RAW_LINE_CHARS = 64 * 1024 * 1024;

/** Findings kept per run; further calls are only counted. */
export const MAX_FINDINGS = 100;

/** One source of nondeterminism a node used. */
export interface Finding {
  node: string;
  /** What it called, e.g. "Math.random". */
  call: string;
  /** The first stack frame inside the node's code (file:line:column). */
  at: string;
  count: number;
}

/**
 * What the guard needs from the simulation. A `tag` names one instance of the node module:
 * one node in one incarnation (a node restarted after a kill gets a new instance).
 */
export interface GuardHooks {
  /** The node whose module instance carries `tag`, if the simulation made it. */
  nodeForTag(tag: string): string | undefined;
  /** A line the instance wrote to stdout. */
  stdout(tag: string, line: string): void;
  /** A line the instance wrote to stderr. */
  stderr(tag: string, line: string): void;
  /** The instance called Deno.exit(code). */
  exit(tag: string, code: number): void;
  /** The instance left a rejected promise unhandled. */
  crash(tag: string, error: unknown): void;
  /** A warning for the harness log and console. */
  warn(line: string): void;
}

/** Thrown into node code that called `Deno.exit`, so it stops where a process would. */
export class NodeExited extends Error {
  constructor(readonly node: string, readonly code: number) {
    super(`node ${node} called Deno.exit(${code})`);
    this.name = "NodeExited";
  }
}

const TAG_PATTERN = /[?&]sim-node=([^&:\s)]+)/;

// deno-lint-ignore no-explicit-any
type AnyFunction = (...args: any[]) => any;

interface Patch {
  target: Record<string, unknown>;
  key: string;
  original: unknown;
}

/** Installs and removes the wrappers (see the module header). */
export class SimGuard {
  private readonly findings = new Map<string, Finding>();
  private dropped_findings = 0;
  private patches: Patch[] = [];
  /** Per node instance and stream, the decoder and unfinished line of its raw writes. */
  private readonly raw_writes = new Map<string, { decoder: TextDecoder; carry: string }>();
  private readonly on_rejection = (event: PromiseRejectionEvent) => this.rejection(event);

  constructor(private readonly hooks: GuardHooks) {}

  /** Wraps the globals; `uninstall` must follow. */
  install(): void {
    const record = (call: string) => (original: AnyFunction): AnyFunction => {
      // The wrapper is a plain function (it must forward the caller's own `this`).
      // deno-lint-ignore no-this-alias
      const guard = this;
      return function (this: unknown, ...args: unknown[]) {
        guard.noteCall(call);
        return original.apply(this, args);
      };
    };
    this.wrap(Math as unknown as Record<string, unknown>, "random", record("Math.random"));
    this.wrap(Date as unknown as Record<string, unknown>, "now", record("Date.now"));
    this.wrap(
      performance as unknown as Record<string, unknown>,
      "now",
      record("performance.now"),
    );
    const global = globalThis as unknown as Record<string, unknown>;
    this.wrap(global, "setTimeout", record("setTimeout"));
    this.wrap(global, "setInterval", record("setInterval"));
    this.wrap(
      crypto as unknown as Record<string, unknown>,
      "getRandomValues",
      record("crypto.getRandomValues"),
    );
    this.wrap(
      crypto as unknown as Record<string, unknown>,
      "randomUUID",
      record("crypto.randomUUID"),
    );
    const console_record = console as unknown as Record<string, unknown>;
    // The streams a Deno process writes them to: console.debug is stdout, like console.log.
    for (const key of ["log", "info", "debug"]) this.wrapConsole(console_record, key, "stdout");
    for (const key of ["error", "warn"]) this.wrapConsole(console_record, key, "stderr");
    for (const stream of ["stdout", "stderr"] as const) {
      const file = Deno[stream] as unknown as Record<string, unknown>;
      this.wrap(file, "writeSync", (original) => this.rawWriter(original, stream, false));
      this.wrap(file, "write", (original) => this.rawWriter(original, stream, true));
    }
    this.wrap(Deno as unknown as Record<string, unknown>, "exit", (original) => {
      // The wrapper is a plain function (it must forward the caller's own `this`).
      // deno-lint-ignore no-this-alias
      const guard = this;
      return function (this: unknown, code?: number) {
        const caller = guard.caller();
        if (caller === undefined) return original.call(this, code);
        const exit_code = code ?? 0;
        guard.hooks.exit(caller.tag, exit_code);
        throw new NodeExited(caller.node, exit_code);
      };
    });
    globalThis.addEventListener("unhandledrejection", this.on_rejection);
  }

  /** Restores every wrapped global. */
  uninstall(): void {
    for (const patch of this.patches.reverse()) patch.target[patch.key] = patch.original;
    this.patches = [];
    globalThis.removeEventListener("unhandledrejection", this.on_rejection);
  }

  /** What the nodes called behind the runtime's back, most frequent first. */
  report(): { findings: Finding[]; dropped: number } {
    const findings = [...this.findings.values()].sort((a, b) =>
      b.count - a.count || a.node.localeCompare(b.node) || a.at.localeCompare(b.at)
    );
    return { findings, dropped: this.dropped_findings };
  }

  private wrap(
    target: Record<string, unknown>,
    key: string,
    make: (original: AnyFunction) => AnyFunction,
  ): void {
    const original = target[key];
    if (typeof original !== "function") return;
    this.patches.push({ target, key, original });
    target[key] = make(original as AnyFunction);
  }

  private wrapConsole(
    target: Record<string, unknown>,
    key: string,
    stream: "stdout" | "stderr",
  ): void {
    this.wrap(target, key, (original) => {
      // The wrapper is a plain function (it must forward the caller's own `this`).
      // deno-lint-ignore no-this-alias
      const guard = this;
      return function (this: unknown, ...args: unknown[]) {
        const caller = guard.caller();
        if (caller === undefined) return original.apply(this, args);
        const text = args.map((a) => typeof a === "string" ? a : Deno.inspect(a)).join(" ");
        for (const line of text.split("\n")) {
          if (stream === "stdout") guard.hooks.stdout(caller.tag, line);
          else guard.hooks.stderr(caller.tag, line);
        }
      };
    });
  }

  /** `Deno.stdout`/`Deno.stderr` writes: a node's bytes become lines of its own streams. */
  private rawWriter(
    original: AnyFunction,
    stream: "stdout" | "stderr",
    async: boolean,
  ): AnyFunction {
    // The wrapper is a plain function (it must forward the caller's own `this`).
    // deno-lint-ignore no-this-alias
    const guard = this;
    return function (this: unknown, bytes: Uint8Array) {
      const caller = guard.caller();
      if (caller === undefined) return original.call(this, bytes);
      const key = `${stream}\0${caller.tag}`;
      let state = guard.raw_writes.get(key);
      if (state === undefined) {
        state = { decoder: new TextDecoder(), carry: "" };
        guard.raw_writes.set(key, state);
      }
      const lines = (state.carry + state.decoder.decode(bytes, { stream: true })).split("\n");
      // Bounded like a process's partial line (node_process.ts MAX_LINE_CHARS).
      state.carry = lines.pop()!.slice(-MAX_RAW_LINE_CHARS);
      for (const line of lines) {
        if (stream === "stdout") guard.hooks.stdout(caller.tag, line);
        else guard.hooks.stderr(caller.tag, line);
      }
      return async ? Promise.resolve(bytes.length) : bytes.length;
    };
  }

  private noteCall(call: string): void {
    const stack = captureStack();
    const found = nodeFrame(stack, this.hooks);
    if (found === undefined) return;
    const key = `${found.node}\0${call}\0${found.at}`;
    const finding = this.findings.get(key);
    if (finding !== undefined) {
      finding.count++;
      return;
    }
    if (this.findings.size >= MAX_FINDINGS) {
      this.dropped_findings++;
      return;
    }
    this.findings.set(key, { node: found.node, call, at: found.at, count: 1 });
    this.hooks.warn(
      `WARN node ${found.node} called ${call} at ${found.at}: the simulator cannot replay it ` +
        `(use the runtime's node.env: now_ms, setTimer, random)`,
    );
  }

  private caller(): { tag: string; node: string } | undefined {
    return nodeFrame(captureStack(), this.hooks);
  }

  private rejection(event: PromiseRejectionEvent): void {
    const reason = event.reason;
    const stack = reason instanceof Error ? stackOf(reason) : "";
    const found = nodeFrame(stack, this.hooks);
    if (found === undefined && !(reason instanceof NodeExited)) return;
    event.preventDefault();
    if (reason instanceof NodeExited) return; // Already ended by the exit hook.
    this.hooks.crash(found!.tag, reason);
  }
}

interface CallSite {
  getScriptNameOrSourceURL(): string | null;
  getFunctionName(): string | null;
  getLineNumber(): number | null;
  getColumnNumber(): number | null;
}

type StackFormatter = (error: Error, sites: CallSite[]) => string;

/**
 * A stack text naming each frame by its script's own URL. Deno's stack text maps a TypeScript
 * frame through its module's source map, and the instances of one module (same source, only the
 * `?sim-node=` query differs) share one cached emit and source map, so every instance's frames
 * would name the first instance's URL: another node, or one of an earlier run. The V8 call sites
 * keep each instance's URL (their line and column are already mapped to the source).
 */
function frameLines(error: Error, sites: CallSite[]): string {
  return [String(error)].concat(
    sites.map((site) =>
      `    at ${site.getFunctionName() ?? "<anonymous>"} (${site.getScriptNameOrSourceURL()}:` +
      `${site.getLineNumber()}:${site.getColumnNumber()})`
    ),
  ).join("\n");
}

/** Reads `error.stack` with `frameLines` as the formatter (if it was not formatted already). */
function stackOf(error: Error): string {
  const E = Error as unknown as { prepareStackTrace?: StackFormatter; stackTraceLimit: number };
  const prepare = E.prepareStackTrace;
  E.prepareStackTrace = frameLines;
  try {
    return error.stack ?? "";
  } finally {
    E.prepareStackTrace = prepare;
  }
}

function captureStack(): string {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 40;
  const error = new Error();
  Error.stackTraceLimit = limit;
  return stackOf(error);
}

/** The node and source location of the first stack frame in a simulated node's module. */
function nodeFrame(
  stack: string,
  hooks: Pick<GuardHooks, "nodeForTag">,
): { tag: string; node: string; at: string } | undefined {
  for (const line of stack.split("\n")) {
    const match = TAG_PATTERN.exec(line);
    if (match === null) continue;
    const tag = decodeURIComponent(match[1]);
    const node = hooks.nodeForTag(tag);
    if (node === undefined) continue;
    const location = /(file:\/\/[^?\s)]+)\?[^:\s)]*(:\d+:\d+)/.exec(line);
    const at = location === null
      ? line.trim()
      : `${location[1].replace("file://", "")}${location[2]}`;
    return { tag, node, at };
  }
  return undefined;
}
