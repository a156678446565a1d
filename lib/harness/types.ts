/**
 * The contracts between the harness's parts: test options, history ops,
 * the client a workload talks through, workloads and checker results.
 *
 * The runner (lib/harness/runner.ts) owns processes, network, nemesis and
 * scheduling; a workload (lib/harness/workloads/<name>.ts) owns what ops look
 * like on the wire and how the history is judged.
 *
 * @module
 */

import type { Rng } from "./rng.ts";
import type { Clock } from "./network.ts";

/** Workload names Maelstrom accepts for `-w/--workload`. */
export const WORKLOAD_NAMES = [
  "broadcast",
  "echo",
  "g-counter",
  "g-set",
  "kafka",
  "lin-kv",
  "pn-counter",
  "txn-list-append",
  "txn-rw-register",
  "unique-ids",
] as const;
export type WorkloadName = typeof WORKLOAD_NAMES[number];

/** `--topology` values (broadcast only). */
export const TOPOLOGIES = ["line", "grid", "tree", "tree2", "tree3", "tree4", "total"] as const;
export type Topology = typeof TOPOLOGIES[number];

/** `--latency-dist` values. */
export const LATENCY_DISTS = ["constant", "uniform", "exponential"] as const;
export type LatencyDist = typeof LATENCY_DISTS[number];

/** The parsed, resolved options of one `test` run (`shared/maelstrom/harness.md` §2). */
export interface TestOptions {
  workload: WorkloadName;
  /** Absolute path of the node executable. */
  bin: string;
  /** Arguments after `--`, passed to the binary. */
  bin_args: string[];
  /** Server node ids, e.g. ["n0", "n1", "n2"]. */
  nodes: string[];
  time_limit_s: number;
  /** Client requests per second over all threads; 0 means no client ops. */
  rate: number;
  /** Resolved number of client threads (`Kn` already multiplied out). */
  concurrency: number;
  latency_ms: number;
  latency_dist: LatencyDist;
  /** Enabled faults; only "partition" exists. */
  nemesis: Fault[];
  nemesis_interval_s: number;
  topology: Topology;
  /** undefined: not checked; "total": every op ok; a number: minimum ok fraction. */
  availability: "total" | number | undefined;
  consistency_models: string[];
  /** undefined: the workload's own default. */
  key_count: number | undefined;
  max_txn_length: number;
  max_writes_per_key: number;
  test_count: number;
  log_stderr: boolean;
  log_net_send: boolean;
  log_net_recv: boolean;
  /** The seed that drives every random choice of the test. */
  seed: number;
  /** txn-rw-register: read every key on every node after healing (default true). */
  final_reads: boolean;
  /** Directory under which `store/` is written (default: the working directory). */
  store_dir: string;
  /** `--sim`: run the nodes in-process on a virtual clock (default false: real processes). */
  sim?: boolean;
  /** `--sim-cpu-us`: virtual cost of each message a simulated node handles (default 0). */
  sim_cpu_us?: number;
  /** `--strict`: node protocol errors make the test invalid (default: Maelstrom's semantics). */
  strict?: boolean;
  /** `--max-ops`: the main phase invokes at most this many client ops (default: no limit). */
  max_ops?: number;
  /** `--check-determinism`: run the test twice in the simulator and compare hashes. */
  check_determinism?: boolean;
  /** `--shrink`: search the shortest failing prefix of an invalid simulated run. */
  shrink?: boolean;
  /** `--outputs failures`: draw plots, timeline, diagram and report only for a run that failed. */
  outputs?: "all" | "failures";
}

export type OpType = "invoke" | "ok" | "fail" | "info";
export type Process = number | "nemesis";

/** The faults `--nemesis` accepts: Maelstrom's partition, and Jepsen's pause and kill. */
export const FAULTS = ["partition", "pause", "kill"] as const;
export type Fault = typeof FAULTS[number];

/** One history entry (`harness.md` §9). Extra workload keys may be added. */
export interface Op {
  /** Dense position in the history, from 0. */
  index: number;
  /** Nanoseconds since relative time began. */
  time: number;
  type: OpType;
  process: Process;
  f: string;
  value: unknown;
  /** E.g. ["key-does-not-exist", "text"], "net-timeout", or "indeterminate: …". */
  error?: unknown;
  /** Exception text for ops that crashed the client (malformed response). */
  exception?: string;
  /** Final-phase ops carry `final: true`. */
  final?: boolean;
  /**
   * Ops of a final phase Maelstrom does not have (txn-rw-register's final reads) also carry
   * `harness_only: true`; the figures people compare with Maelstrom's leave them out.
   */
  harness_only?: boolean;
  /** The node the op was sent to (not in Maelstrom's history; helps reading). */
  node?: string;
}

/** A Maelstrom message body as seen by the harness. */
export interface Body {
  type: string;
  msg_id?: number;
  in_reply_to?: number;
  // deno-lint-ignore no-explicit-any
  [field: string]: any;
}

/** Thrown by `WorkloadClient.rpc` when the node answers with an error body. */
export class RpcErrorReply extends Error {
  constructor(readonly code: number, readonly text: string, readonly body: Body) {
    super(`error ${code}: ${text}`);
    this.name = "RpcErrorReply";
  }
}

/** Thrown by `WorkloadClient.rpc` when no reply arrives in time. */
export class RpcTimeout extends Error {
  constructor(readonly timeout_ms: number) {
    super(`no reply within ${timeout_ms} ms`);
    this.name = "RpcTimeout";
  }
}

/** Thrown by a workload when a reply does not match the response schema; the op becomes info. */
export class MalformedResponse extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MalformedResponse";
  }
}

/** A Maelstrom client (`cN`) bound to one node; at most one request outstanding. */
export interface WorkloadClient {
  /** The client's own id, e.g. "c7". */
  readonly id: string;
  /** The server node this client talks to. */
  readonly node: string;
  /** Sends `body` (msg_id is stamped) and resolves with the matching reply body.
   * Rejects with RpcErrorReply for an error body and RpcTimeout after the timeout. */
  rpc(body: Body, timeout_ms?: number): Promise<Body>;
}

/** What a generator asks a thread to do. */
export interface OpSpec {
  f: string;
  value: unknown;
  final?: boolean;
  /** See `Op.harness_only`. */
  harness_only?: boolean;
}

/** A workload's answer to one op: an ok (or explicit fail/info) completion value. */
export interface Completion {
  type?: "ok" | "fail" | "info";
  value: unknown;
  error?: unknown;
}

/** Everything a workload may read when it builds generators and checkers. */
export interface WorkloadContext {
  opts: TestOptions;
  /** The workload's own random stream. */
  rng: Rng;
  /** The test's clock: virtual under `--sim`, so a generator that reads time stays replayable. */
  clock?: Clock;
}

/** The main-phase op source. Called whenever a thread is free and the rate allows an op. */
export interface OpGenerator {
  /** The next op for `thread` (currently process `process`), or undefined if it has none now. */
  next(thread: number, process: number): OpSpec | undefined;
  /** Told about every completed op (for generators that react, e.g. lin-kv keys, kafka). */
  update?(invoke: Op, completion: Op): void;
  /**
   * Narrows the free threads (given in Jepsen's rotation order) to the ones a composed Jepsen
   * generator would choose among for the next op, keeping their order; absent: all of them.
   */
  restrict?(free: readonly number[]): number[];
}

/** Runs final-phase ops: each call records an invoke and its completion in the history. */
export interface FinalPhase {
  /** Number of client threads. */
  threads: number;
  /** Runs one op on `thread` and returns its completion. */
  invoke(thread: number, spec: OpSpec): Promise<Op>;
  /** Milliseconds since the final client phase began. */
  elapsed_ms(): number;
}

/** A checker's result map; keys follow Maelstrom's results without the colon. */
export type Validity = true | false | "unknown";
export interface CheckResult {
  "valid?": Validity;
  [key: string]: unknown;
}

/** What a checker may read besides the history. */
export interface CheckContext {
  opts: TestOptions;
  /** The run's store directory, for workload-specific files. */
  store_path?: string;
}

/** One workload: its wire format, generators and checker. */
export interface Workload {
  name: WorkloadName;
  /** `:f`s whose timeouts and indefinite errors complete as fail rather than info. */
  idempotent: ReadonlySet<string>;
  /** Whether a thread keeps its client after an info completion. */
  reusable_client: boolean;
  /** Client RPC timeout for this workload (default 5000 ms). */
  rpc_timeout_ms: number;
  /** Runs once per node before the generator starts (broadcast sends `topology`). */
  setup?(client: WorkloadClient): Promise<void>;
  /** The main-phase generator. */
  generator(): OpGenerator;
  /** Turns an op into RPCs and returns its completion; throws RpcErrorReply/RpcTimeout/MalformedResponse. */
  invoke(client: WorkloadClient, spec: OpSpec): Promise<Completion>;
  /** The final phase after heal and 10 s recovery, for workloads that have one. */
  final?(phase: FinalPhase): Promise<void>;
  /**
   * The final phase (and the recovery wait before it) is the harness's own: Maelstrom runs
   * none for this workload. Its ops are `harness_only`, and its traffic is counted apart.
   */
  final_harness_only?: boolean;
  /** Judges the history (client ops and nemesis ops; nemesis ops have process "nemesis"). */
  check(history: Op[], ctx: CheckContext): CheckResult | Promise<CheckResult>;
}

/** Builds a workload for one test run. */
export type WorkloadFactory = (ctx: WorkloadContext) => Workload;
