/**
 * Runs one test end to end, in `harness.md` §4's order: services, nodes
 * started and initialised in parallel, workload set-up, the generator with
 * the nemesis, the final phase; then, as Jepsen does (jepsen/core.clj
 * `run!`: `run-case!`, "Run complete, writing", `save-1!`, then the db
 * teardown), clients close and the history is written while the nodes still
 * run and their traffic is still journaled; then the nodes stop, and the
 * checkers write the results.
 *
 * Nodes run as processes in real time, or in-process on a virtual clock with
 * `--sim` (lib/harness/sim/): the same runner drives both through `NodeHost`.
 *
 * Node problems are reported under `node-errors`. A crash makes the test
 * invalid (Maelstrom would abort at teardown); a protocol error follows
 * Maelstrom (the node's stdout is ignored from then on) unless `--strict`
 * makes it invalid. Init failures abort with exit 255 and name the node.
 *
 * @module
 */

import type {
  CheckResult,
  Op,
  TestOptions,
  Validity,
  Workload,
  WorkloadClient,
  WorkloadFactory,
} from "./types.ts";
import { Rng } from "./rng.ts";
import { type Clock, journalLine, Network } from "./network.ts";
import { HarnessClient, INIT_TIMEOUT_MS, initNode } from "./client.ts";
import type { NodeHost, NodeHostOptions } from "./node_host.ts";
import { type NodeIssue, PROTOCOL_ERROR_KINDS } from "./node_output.ts";
import { type NodeLauncher, ProcessLauncher } from "./node_launcher.ts";
import { SimLauncher } from "./sim/launcher.ts";
import { startServices } from "./services.ts";
import { History } from "./history.ts";
import { Scheduler, sleep } from "./scheduler.ts";
import { PartitionNemesis } from "./nemesis.ts";
import { FaultNemesis } from "./faults.ts";
import { RunStore } from "./store.ts";
import { loadWorkloadFactory } from "./workloads.ts";
import { compose, type NamedCheck } from "./checkers/compose.ts";
import { checkExceptions } from "./checkers/exceptions.ts";
import { checkStats } from "./checkers/stats.ts";
import { checkAvailability } from "./checkers/availability.ts";
import { clientOpCount, harnessOnlyOpCount, NetStats } from "./checkers/net.ts";
import { checkPerf } from "./checkers/perf.ts";
import { checkTimeline } from "./checkers/timeline.ts";
import { MessagesDiagram } from "./viz/messages_svg.ts";
import { join } from "node:path";
import { writeReport } from "./report/write.ts";

/** Default recovery sleep before the final phase (Maelstrom: 10 s). */
export const DEFAULT_RECOVERY_MS = 10_000;
/** Node issues kept in full in the results; the rest are only counted. */
export const MAX_REPORTED_ISSUES = 50;

/** Knobs that are not Maelstrom options (tests use them). */
export interface RunnerOptions {
  /** Sleep between heal and the final client ops. */
  recovery_ms?: number;
  init_timeout_ms?: number;
  /** Use this workload instead of loading `lib/harness/workloads/<name>.ts`. */
  workload_factory?: WorkloadFactory;
  /** Console sink for important lines (default: stderr). */
  console?: (line: string) => void;
  /** Live progress sink (one line, at most once per second). */
  progress?: (line: string) => void;
}

/** The outcome of one run. */
export interface TestOutcome {
  /** The results map, or undefined if the run aborted before analysis. */
  results: CheckResult | undefined;
  valid: Validity;
  /** 0 valid, 1 invalid, 2 unknown, 255 aborted. */
  exit_code: number;
  store_path: string;
  seed: number;
  /** Why the run aborted (exit 255). */
  error?: string;
}

/** The process exit code for a verdict. */
export function exitCodeFor(valid: Validity): number {
  return valid === true ? 0 : valid === false ? 1 : 2;
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** What a protocol error means for the run, by mode (for the results and the console). */
const SILENCED_NOTE = "Maelstrom stops reading a node's stdout at its first protocol error, " +
  "so everything the node wrote afterwards was ignored, as real Maelstrom would; the checkers " +
  "judged what reached the network. Run with --strict to make protocol errors invalidate the test.";
const STRICT_NOTE = "--strict: protocol errors make the test invalid; reading went on.";

/** Collects node issues with a bound on how many are kept. */
export class IssueLog {
  readonly kept: NodeIssue[] = [];
  readonly counts = new Map<string, number>();
  total = 0;

  constructor(private readonly strict: boolean) {}

  add(issue: NodeIssue): void {
    this.total++;
    this.counts.set(issue.kind, (this.counts.get(issue.kind) ?? 0) + 1);
    if (this.kept.length < MAX_REPORTED_ISSUES || issue.kind === "crashed") this.kept.push(issue);
  }

  /** Issues that invalidate the test: crashes and overflows always, protocol errors if strict. */
  get fatal(): number {
    let count = 0;
    for (const [kind, n] of this.counts) {
      if (this.strict || !PROTOCOL_ERROR_KINDS.has(kind as NodeIssue["kind"])) count += n;
    }
    return count;
  }

  /** Nodes whose stdout the harness stopped reading (Maelstrom semantics). */
  get silenced(): string[] {
    return [...new Set(this.kept.filter((i) => i.silenced).map((i) => i.node))].sort();
  }

  result(): CheckResult {
    const protocol_errors = [...this.counts.keys()].some((kind) =>
      PROTOCOL_ERROR_KINDS.has(kind as NodeIssue["kind"])
    );
    return {
      "valid?": this.fatal === 0,
      count: this.total,
      "by-kind": Object.fromEntries([...this.counts].sort()),
      ...(protocol_errors
        ? { "silenced-nodes": this.silenced, note: this.strict ? STRICT_NOTE : SILENCED_NOTE }
        : {}),
      issues: this.kept,
    };
  }
}

/** Runs `opts.test_count` tests, stopping at the first that is not valid. */
export async function runTests(opts: TestOptions, ro: RunnerOptions = {}): Promise<TestOutcome[]> {
  const outcomes: TestOutcome[] = [];
  for (let i = 0; i < opts.test_count; i++) {
    // Each repeat gets its own seed derived from the first, so repeats differ but replay.
    const seed = i === 0 ? opts.seed : new Rng(opts.seed).fork(`repeat-${i}`).nextU32();
    const outcome = await runTest({ ...opts, seed }, ro);
    outcomes.push(outcome);
    if (outcome.valid !== true) break;
  }
  return outcomes;
}

/**
 * Runs one test. Throws WorkloadUnavailable before doing anything if the workload is missing,
 * and SimUnsupported (with `--sim`) if the binary cannot run in the simulator.
 */
export async function runTest(opts: TestOptions, ro: RunnerOptions = {}): Promise<TestOutcome> {
  const factory = ro.workload_factory ?? await loadWorkloadFactory(opts.workload);
  const rng = new Rng(opts.seed);
  const launcher: NodeLauncher = opts.sim
    ? await SimLauncher.create(opts, rng.fork("nodes"))
    : new ProcessLauncher(opts);
  let workload: Workload;
  try {
    workload = factory({ opts, rng: rng.fork("workload"), clock: launcher.clock });
  } catch (e) {
    await launcher.close();
    throw e;
  }
  const store = RunStore.create(opts.store_dir, opts.workload);
  const run = new TestRun(opts, ro, rng, workload, store, launcher);
  let outcome: TestOutcome;
  try {
    outcome = await run.execute();
  } finally {
    store.close();
    await launcher.close();
  }
  // After close: report.html reads the flushed journal (lib/harness/report/write.ts).
  if (opts.outputs !== "failures" || outcome.valid !== true) {
    writeReportOrWarn(store.path, outcome.error, ro.console ?? ((line) => console.error(line)));
  }
  return outcome;
}

/** Writes report.html; a report that cannot be built is a warning, never a failed run. */
export function writeReportOrWarn(
  path: string,
  aborted: string | undefined,
  warn: (line: string) => void,
): void {
  try {
    writeReport(path, aborted);
  } catch (e) {
    warn(`WARN report.html not written: ${errorText(e)}`);
  }
}

class TestRun {
  private readonly net: Network;
  private readonly net_stats = new NetStats();
  private readonly messages: MessagesDiagram;
  private readonly issues: IssueLog;
  private readonly history: History;
  private readonly hosts = new Map<string, NodeHost>();
  private readonly setup_clients: HarnessClient[] = [];
  private stop_services: () => void = () => {};
  private scheduler: Scheduler | undefined;
  private nemesis: PartitionNemesis | undefined;
  /** Pause and kill (faults.ts). */
  private faults: FaultNemesis | undefined;
  private readonly clock: Clock;
  private readonly console: (line: string) => void;

  constructor(
    private readonly opts: TestOptions,
    private readonly ro: RunnerOptions,
    private readonly rng: Rng,
    private readonly workload: Workload,
    private readonly store: RunStore,
    private readonly launcher: NodeLauncher,
  ) {
    this.clock = launcher.clock;
    this.issues = new IssueLog(opts.strict ?? false);
    this.console = ro.console ?? ((line) => console.error(line));
    this.messages = new MessagesDiagram(opts.nodes.length);
    const net_log = (line: string) => this.log(line, true);
    this.net = new Network({
      latency_ms: opts.latency_ms,
      latency_dist: opts.latency_dist,
      rng: rng.fork("network"),
      clock: this.clock,
      journal: (event) => {
        this.net_stats.add(event);
        this.messages.add(event);
        store.journal.line(journalLine(event));
      },
      log: net_log,
      log_send: opts.log_net_send,
      log_recv: opts.log_net_recv,
      drop_to_closed_clients: opts.nemesis.some((f) => f === "pause" || f === "kill"),
    });
    this.history = new History(this.clock, (line) => this.log(line));
  }

  private log(line: string, to_console = false): void {
    this.store.harness_log.line(`${new Date().toISOString()} ${line}`);
    if (to_console) this.console(line);
  }

  async execute(): Promise<TestOutcome> {
    const opts = this.opts;
    this.store.writeTest({ ...opts, store_path: this.store.path });
    this.log(
      `Running ${opts.workload} test with seed ${opts.seed}${
        opts.sim ? " in the simulator" : ""
      }; ` +
        `store ${this.store.path}`,
      true,
    );
    let aborted: string | undefined;
    let history_written = false;
    try {
      await this.launcher.drive(async () => {
        try {
          await this.setUp();
          await this.runPhases();
        } catch (e) {
          aborted = errorText(e);
          this.log(`Test aborted: ${aborted}`, true);
        } finally {
          this.closeClients();
        }
        // Jepsen writes the history before it tears the nodes down (see the module header).
        this.log("Run complete, writing");
        this.store.writeHistory(this.history.ops);
        history_written = true;
        await this.stopNodes();
      }, (line) => this.log(line, true));
    } catch (e) {
      aborted ??= errorText(e);
      this.log(`Test aborted: ${aborted}`, true);
      this.closeClients();
      if (!history_written) this.store.writeHistory(this.history.ops);
      await this.stopNodes();
    }
    if (aborted !== undefined) {
      if (this.issues.total > 0) this.store.writeNodeErrors(this.issues.result());
      this.store.updateLatest();
      return {
        results: undefined,
        valid: "unknown",
        exit_code: 255,
        store_path: this.store.path,
        seed: opts.seed,
        error: aborted,
      };
    }
    this.log("Analyzing...");
    const results = await this.analyze();
    this.store.writeResults(results);
    if (this.issues.total > 0) this.store.writeNodeErrors(this.issues.result());
    this.store.updateLatest();
    this.log("Analysis complete");
    const valid = results["valid?"];
    return {
      results,
      valid,
      exit_code: exitCodeFor(valid),
      store_path: this.store.path,
      seed: opts.seed,
    };
  }

  private async setUp(): Promise<void> {
    this.log("Starting Maelstrom network");
    this.stop_services = startServices(this.net, this.rng.fork("services"), (l) => this.log(l));
    const init_timeout_ms = this.ro.init_timeout_ms ?? INIT_TIMEOUT_MS;
    // As Jepsen's db setup! on every node at once: each node is started, then sent init.
    const results = await Promise.allSettled(
      this.opts.nodes.map((id) => this.startNode(id, init_timeout_ms)),
    );
    const failures = results.flatMap((r) => r.status === "rejected" ? [errorText(r.reason)] : []);
    if (failures.length > 0) throw new Error(`init failed: ${failures.join("; ")}`);
    this.history.begin();
    this.log("Relative time begins now");
    await Promise.all(this.opts.nodes.map(async (node) => {
      const client = new HarnessClient(this.net, node, this.workload.rpc_timeout_ms);
      this.setup_clients.push(client);
      try {
        await this.workload.setup?.(client as WorkloadClient);
      } catch (e) {
        throw new Error(`workload setup on ${node} failed: ${errorText(e)}`);
      }
    }));
  }

  private hostOptions(id: string): NodeHostOptions {
    return {
      id,
      args: this.opts.bin_args,
      log_path: this.store.nodeLogPath(id),
      log_stderr: this.opts.log_stderr,
      strict: this.opts.strict ?? false,
      log: (line) => this.log(line, this.opts.log_stderr),
      send: (src, dest, body) => this.net.send(src, dest, body),
      report: (issue) => this.report(issue),
    };
  }

  private async startNode(id: string, init_timeout_ms: number): Promise<void> {
    this.net.register(id, (message) => this.hosts.get(id)?.deliver(message));
    const host = this.launcher.start(this.hostOptions(id));
    this.hosts.set(id, host);
    const exited = host.exited.then((status) => {
      const tail = host.tails().stderr.slice(-5).join(" | ");
      throw new Error(
        `node ${id} exited during init with code ${status.code}` +
          (tail === "" ? "" : `; last stderr: ${tail}`),
      );
    });
    exited.catch(() => {}); // Only the race below cares about an exit during init.
    await Promise.race([initNode(this.net, id, this.opts.nodes, init_timeout_ms), exited]);
  }

  private report(issue: NodeIssue): void {
    this.issues.add(issue);
    if (this.issues.counts.get(issue.kind)! > 3 && !issue.silenced) return;
    const line = issue.line === undefined ? "" : `: ${issue.line}`;
    this.log(`WARN node ${issue.node} ${issue.kind}: ${issue.message}${line}`, true);
    if (issue.silenced) {
      this.log(
        `WARN node ${issue.node}: as Maelstrom does, its stdout is ignored from here on ` +
          `(--strict makes this an invalid test instead)`,
        true,
      );
    }
    if (issue.kind === "crashed" && issue.stderr_tail?.length) {
      this.log(`last stderr of ${issue.node}:\n  ${issue.stderr_tail.join("\n  ")}`, true);
    }
  }

  private async runPhases(): Promise<void> {
    const opts = this.opts;
    this.net.heal();
    if (opts.nemesis.includes("partition")) {
      this.nemesis = new PartitionNemesis(
        this.net,
        opts.nodes,
        this.rng.fork("nemesis"),
        this.history,
        this.clock,
        opts.nemesis_interval_s,
      );
    }
    const faults = opts.nemesis.filter((f) => f === "pause" || f === "kill");
    if (faults.length > 0) {
      this.faults = new FaultNemesis({
        faults,
        nodes: opts.nodes,
        rng: this.rng.fork("faults"),
        history: this.history,
        clock: this.clock,
        net: this.net,
        interval_s: opts.nemesis_interval_s,
        launcher: this.launcher,
        hosts: this.hosts,
        hostOptions: (id) => this.hostOptions(id),
        init_timeout_ms: this.ro.init_timeout_ms ?? INIT_TIMEOUT_MS,
        report: (issue) => this.report(issue),
        log: (line) => this.log(line),
      });
    }
    const partitions = this.nemesis;
    const fault_nemesis = this.faults;
    // Jepsen composes the packages' generators with gen/any: the schedules run side by side.
    const nemesis = partitions === undefined && fault_nemesis === undefined
      ? undefined
      : async (cutoff_ms: number) => {
        await Promise.all([partitions?.run(cutoff_ms), fault_nemesis?.run(cutoff_ms)]);
      };
    this.scheduler = new Scheduler({
      workload: this.workload,
      nodes: opts.nodes,
      concurrency: opts.concurrency,
      rate: opts.rate,
      time_limit_s: opts.time_limit_s,
      clock: this.clock,
      rng: this.rng.fork("scheduler"),
      history: this.history,
      max_ops: opts.max_ops,
      openClient: (node) => new HarnessClient(this.net, node, this.workload.rpc_timeout_ms),
      nemesis,
      progress: this.ro.progress,
      log: (line) => this.log(line, true),
    });
    await this.scheduler.runMain();
    if (this.workload.final === undefined) return;
    // Maelstrom would stop here for a workload without a final phase: count what follows apart.
    if (this.workload.final_harness_only) this.net_stats.startHarnessOnlyPhase();
    if (partitions !== undefined) partitions.stopPartition();
    else this.net.heal();
    // The packages' final generators run in order: heal, then resume and start (combined.clj).
    await fault_nemesis?.healAll();
    this.log("Waiting for recovery...", true);
    await sleep(this.clock, this.ro.recovery_ms ?? DEFAULT_RECOVERY_MS);
    await this.workload.final(this.scheduler.finalPhase());
    await this.scheduler.drain();
  }

  /** Ends the nemesis and heals the network; closes every client. */
  private closeClients(): void {
    this.nemesis?.stop();
    this.faults?.stop();
    this.net.heal();
    this.scheduler?.closeClients();
    for (const client of this.setup_clients) client.close();
  }

  /** Stops every node, the services and the network. */
  private async stopNodes(): Promise<void> {
    await Promise.all([...this.hosts.values()].map((host) => host.stop()));
    for (const id of this.hosts.keys()) this.net.unregister(id);
    this.stop_services();
    this.net.close();
  }

  private async analyze(): Promise<CheckResult> {
    return await analyzeHistory({
      opts: this.opts,
      workload: this.workload,
      history: this.history.ops,
      store_path: this.store.path,
      net_stats: this.net_stats,
      messages: this.messages,
      node_errors: this.issues.total > 0 ? this.issues.result() : undefined,
      simulation: this.launcher.results?.(),
      faults: this.faults?.result(),
    });
  }
}

/** What the checkers read: the history, the journal's statistics and diagram, node errors. */
export interface AnalysisInput {
  opts: TestOptions;
  workload: Workload;
  history: Op[];
  store_path: string;
  net_stats: NetStats;
  messages: MessagesDiagram;
  node_errors: CheckResult | undefined;
  /** `--sim`: what the simulator saw (e.g. nodes reading the real clock). */
  simulation?: CheckResult;
  /** `--nemesis pause/kill`: what the fault nemesis did (faults.ts). */
  faults?: CheckResult;
}

/** Runs every checker in Maelstrom's order (§10.1) and composes the results map. */
export async function analyzeHistory(input: AnalysisInput): Promise<CheckResult> {
  const { opts, history, store_path } = input;
  // `--outputs failures` (sweeps): draw nothing now, and everything below only if the run failed.
  const draw = opts.outputs !== "failures";
  const checks: NamedCheck[] = [
    ["perf", () => checkPerf(history, store_path, draw)],
    ["timeline", () => draw ? checkTimeline(history, store_path) : { "valid?": true }],
    ["exceptions", () => checkExceptions(history)],
    ["stats", () => checkStats(history)],
    ["availability", () => checkAvailability(history, opts.availability)],
    ["net", () => {
      // Like Maelstrom's net checker: the diagram is drawn here, and a failure makes net unknown.
      if (draw) input.messages.write(join(store_path, "messages.svg"));
      return input.net_stats.result(clientOpCount(history), harnessOnlyOpCount(history));
    }],
  ];
  const node_errors = input.node_errors;
  if (node_errors !== undefined) checks.push(["node-errors", () => node_errors]);
  const simulation = input.simulation;
  if (simulation !== undefined) checks.push(["simulation", () => simulation]);
  const faults = input.faults;
  if (faults !== undefined) checks.push(["faults", () => faults]);
  checks.push(["workload", () => input.workload.check(history, { opts, store_path })]);
  const results = await compose(checks);
  if (!draw && results["valid?"] !== true) drawOutputs(input);
  return results;
}

/** The plots, timeline and message diagram of a run analysed without them (a failing sweep run). */
function drawOutputs(input: AnalysisInput): void {
  const { history, store_path } = input;
  try {
    checkPerf(history, store_path);
    checkTimeline(history, store_path);
    input.messages.write(join(store_path, "messages.svg"));
  } catch { /* Outputs only: the verdict stands without them. */ }
}
