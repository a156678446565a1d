/**
 * How a test's nodes come to life: the runner asks a `NodeLauncher` for a
 * clock, for node hosts, and to drive the test. `ProcessLauncher` spawns
 * `--bin` as real processes on the wall clock; `SimLauncher`
 * (sim/launcher.ts) builds node modules in-process on a virtual clock.
 *
 * @module
 */

import type { CheckResult, TestOptions } from "./types.ts";
import { type Clock, systemClock } from "./network.ts";
import type { NodeHost, NodeHostOptions } from "./node_host.ts";
import { NodeProcess } from "./node_process.ts";

/** Starts nodes and drives a test on their clock. */
export interface NodeLauncher {
  /** The clock the network, clients, scheduler and nemesis run on. */
  readonly clock: Clock;
  /** Starts one node (the runner then sends it `init`). */
  start(opts: NodeHostOptions): NodeHost;
  /** Starts a node again after a kill: a fresh process, or a fresh module instance. */
  restart(opts: NodeHostOptions): Promise<NodeHost>;
  /** Runs `task` to completion on this launcher's clock; `warn` receives warnings. */
  drive(task: () => Promise<void>, warn: (line: string) => void): Promise<void>;
  /** What the launcher observed, for the results (the simulator's findings). */
  results?(): CheckResult;
  /** Releases what the launcher holds (temp dirs, workers). */
  close(): Promise<void>;
}

/** Real processes on the wall clock. */
export class ProcessLauncher implements NodeLauncher {
  readonly clock: Clock = systemClock();
  private cwd: string | undefined;

  constructor(private readonly opts: TestOptions) {}

  start(host: NodeHostOptions): NodeHost {
    // Maelstrom runs nodes in java.io.tmpdir; each test gets its own empty directory here.
    this.cwd ??= Deno.makeTempDirSync({ prefix: "maelstrom-" });
    return NodeProcess.start({ ...host, bin: this.opts.bin, cwd: this.cwd });
  }

  restart(host: NodeHostOptions): Promise<NodeHost> {
    return Promise.resolve(this.start(host));
  }

  async drive(task: () => Promise<void>): Promise<void> {
    await task();
  }

  async close(): Promise<void> {
    if (this.cwd !== undefined) await Deno.remove(this.cwd, { recursive: true }).catch(() => {});
  }
}
