/**
 * `--sim`: the launcher that runs a test's nodes in-process on one virtual
 * clock (see clock.ts, node_host.ts). It loads a fresh instance of the node
 * module per node before the clock starts (and per restart, while the clock
 * waits), wraps the globals a node must not use behind the runtime's back
 * (guard.ts), and bounds real time without progress (watchdog.ts).
 *
 * @module
 */

import { type NodeSetup, SIMULATOR_FLAG } from "../../maelstrom.ts";
import type { CheckResult, TestOptions } from "../types.ts";
import type { NodeLauncher } from "../node_launcher.ts";
import type { NodeHost, NodeHostOptions } from "../node_host.ts";
import type { Rng } from "../rng.ts";
import { SimClock } from "./clock.ts";
import { SimNodeHost } from "./node_host.ts";
import { loadNodeSetup, resolveSimModule, type SimModule } from "./loader.ts";
import { SimGuard } from "./guard.ts";
import { Watchdog } from "./watchdog.ts";

/** Distinguishes the module instances of successive tests in one harness process. */
let next_run = 0;

interface Instance {
  tag: string;
  node: string;
  setup: NodeSetup;
  host?: SimNodeHost;
}

/** Runs nodes in-process on a virtual clock. */
export class SimLauncher implements NodeLauncher {
  readonly clock = new SimClock();
  private readonly instances = new Map<string, Instance>();
  private readonly incarnations = new Map<string, number>();
  private readonly guard: SimGuard;
  private watchdog: Watchdog | undefined;
  private readonly run_tag = `r${next_run++}`;
  private warn: (line: string) => void = () => {};

  private constructor(
    private readonly opts: TestOptions,
    private readonly module: SimModule,
    private readonly rng: Rng,
  ) {
    this.guard = new SimGuard({
      nodeForTag: (tag) => this.instances.get(tag)?.node,
      stdout: (tag, line) => this.instances.get(tag)?.host?.writeLine(line),
      stderr: (tag, line) => this.instances.get(tag)?.host?.stderr(line),
      exit: (tag, code) => this.instances.get(tag)?.host?.exit(code),
      crash: (tag, error) => this.instances.get(tag)?.host?.crash(error),
      warn: (line) => this.warn(line),
    });
  }

  /** Resolves `--bin` to a node module and loads one instance per node; throws SimUnsupported. */
  static async create(opts: TestOptions, rng: Rng): Promise<SimLauncher> {
    const launcher = new SimLauncher(opts, resolveSimModule(opts.bin), rng);
    for (const node of opts.nodes) await launcher.load(node);
    return launcher;
  }

  /** Starts `host.id` on the instance loaded for its current incarnation. */
  start(host: NodeHostOptions): NodeHost {
    const instance = this.instances.get(this.tagOf(host.id));
    if (instance === undefined) throw new Error(`no module instance loaded for ${host.id}`);
    const incarnation = this.incarnations.get(host.id) ?? 0;
    instance.host = new SimNodeHost({
      ...host,
      clock: this.clock,
      setup: instance.setup,
      rng: this.rng.fork(`${host.id}#${incarnation}`),
      cpu_us: this.opts.sim_cpu_us ?? 0,
      running: (node) => this.watchdog?.running(node),
    });
    return instance.host;
  }

  /** A fresh module instance and host for a node restarted after a kill. */
  async restart(host: NodeHostOptions): Promise<NodeHost> {
    this.incarnations.set(host.id, (this.incarnations.get(host.id) ?? 0) + 1);
    await this.clock.awaitReal(this.load(host.id));
    return this.start(host);
  }

  /** Runs the test on the virtual clock with the guard and the watchdog on. */
  async drive(task: () => Promise<void>, warn: (line: string) => void): Promise<void> {
    this.warn = warn;
    this.watchdog ??= new Watchdog(this.opts.nodes);
    const watchdog = this.watchdog;
    this.clock.onStep(() => watchdog.step());
    const global = globalThis as Record<string, unknown>;
    global[SIMULATOR_FLAG] = true;
    this.guard.install();
    watchdog.arm();
    try {
      await this.clock.run(task);
    } finally {
      watchdog.disarm();
      this.guard.uninstall();
      global[SIMULATOR_FLAG] = false;
    }
  }

  /** The simulation's own section of the results. */
  results(): CheckResult {
    const { findings, dropped } = this.guard.report();
    return {
      "valid?": true,
      module: this.module.path,
      "virtual-time-ms": Math.round(this.clock.now_ms()),
      "timers-fired": this.clock.steps,
      "cpu-us-per-message": this.opts.sim_cpu_us ?? 0,
      "nondeterministic-calls": findings,
      ...(dropped > 0 ? { "nondeterministic-calls-not-kept": dropped } : {}),
      ...(findings.length > 0
        ? {
          note: "these calls bypass the runtime's Env, so the same seed may not replay the " +
            "same run; check with --check-determinism",
        }
        : {}),
    };
  }

  close(): Promise<void> {
    this.watchdog?.close();
    this.watchdog = undefined;
    return Promise.resolve();
  }

  private tagOf(node: string): string {
    return `${this.run_tag}-${node}-${this.incarnations.get(node) ?? 0}`;
  }

  private async load(node: string): Promise<void> {
    const tag = this.tagOf(node);
    // Flagged while importing too: a module that starts a process at top level (Node.run)
    // then fails at once with the runtime's one-line hint instead of reading the harness's
    // own stdin until the import times out.
    const global = globalThis as Record<string, unknown>;
    const flag = global[SIMULATOR_FLAG];
    global[SIMULATOR_FLAG] = true;
    let setup: NodeSetup;
    try {
      setup = await loadNodeSetup(this.module, tag);
    } finally {
      global[SIMULATOR_FLAG] = flag;
    }
    this.instances.set(tag, { tag, node, setup });
  }
}
