/**
 * Faults beyond partitions: the pause and kill nemesis (issue 15).
 *
 * Maelstrom composes Jepsen's partition package with its db package
 * (maelstrom/nemesis.clj `package`), but Maelstrom's db implements neither
 * `db/Process` nor `db/Pause`, so `--nemesis kill,pause` does nothing there.
 * Here they act, shaped as Jepsen v0.3.7 shapes them
 * (jepsen/nemesis/combined.clj `db-generators`, `db-nemesis`, `db-nodes`):
 *
 * - a pause/resume flip-flop and a kill/start flip-flop, mixed (each op picks
 *   one of the enabled flip-flops at random) and staggered by gaps uniform in
 *   [0, 2·interval), independently of the partition schedule (`gen/any`);
 * - `pause` and `kill` name a node spec, interpreted as `db-nodes` does. Jepsen's
 *   `node-specs` also offers a random subset and `all`; as issue 15 asks, the
 *   targets here are those of the partition nemesis — one node, a minority, a
 *   majority (`TARGET_SPECS`) — so some node always survives a single fault;
 *   `resume` and `start` act on all nodes; the final phase resumes and
 *   starts everything (the package's `:final-generator`);
 * - each op is recorded as two `info` ops of process `nemesis`: the request
 *   (value: the spec) and its outcome (value: node → what happened).
 *
 * Pause is SIGSTOP/SIGCONT (or a frozen simulated node): messages to it queue.
 * Kill is SIGKILL (or a dropped module instance): the network marks the node
 * down and drops, and counts, every message that falls due for it; `start`
 * launches a fresh process (module instance) and sends it `init` with the same
 * `node_id` and `node_ids`. Until its `init` is delivered only the init client
 * reaches it (a node cannot handle traffic before it knows its id); from then
 * on it hears everyone, so its init hook can use the services. A node that
 * fails its re-init is reported (`restart-failed`), stopped, and stays down.
 *
 * A paused or restarted node answers requests whose clients have timed out and
 * closed. Maelstrom would silence a node for that (protocol.md §7.2), which
 * would turn every pause into a permanent outage; with pause or kill enabled
 * the network drops such late replies and counts them instead.
 *
 * @module
 */

import type { Rng } from "./rng.ts";
import type { CheckResult } from "./types.ts";
import type { Clock, Network } from "./network.ts";
import type { History } from "./history.ts";
import type { NodeHost, NodeHostOptions } from "./node_host.ts";
import type { NodeLauncher } from "./node_launcher.ts";
import type { NodeIssue } from "./node_output.ts";
import { HarnessClient } from "./client.ts";
import { RpcTimeout } from "./types.ts";
import { majority, minorityThird } from "./nemesis.ts";

/** The faults this module injects. */
export type NodeFault = "pause" | "kill";

/** Jepsen's node specs (combined.clj `node-specs`); null is a random non-empty subset. */
export const NODE_SPECS = [null, "one", "minority-third", "minority", "majority", "all"] as const;
export type NodeSpec = typeof NODE_SPECS[number];

/** The specs pause and kill draw from: one node, a minority, a majority (as partitions). */
export const TARGET_SPECS: readonly NodeSpec[] = ["one", "minority-third", "minority", "majority"];

/** The nodes a spec names (combined.clj `db-nodes`). */
export function dbNodes(spec: NodeSpec, nodes: readonly string[], rng: Rng): string[] {
  const shuffled = rng.shuffle(nodes);
  switch (spec) {
    case null:
      return shuffled.slice(0, 1 + rng.int(nodes.length));
    case "one":
      return shuffled.slice(0, Math.min(1, nodes.length));
    case "minority-third":
      return shuffled.slice(0, minorityThird(nodes.length));
    case "minority":
      return shuffled.slice(0, majority(nodes.length) - 1);
    case "majority":
      return shuffled.slice(0, majority(nodes.length));
    case "all":
      return [...nodes];
  }
}

/** What the fault nemesis needs from the runner. */
export interface FaultDeps {
  faults: readonly NodeFault[];
  nodes: readonly string[];
  rng: Rng;
  history: History;
  clock: Clock;
  net: Network;
  interval_s: number;
  launcher: NodeLauncher;
  /** The runner's live hosts (the nemesis replaces a restarted node's entry). */
  hosts: Map<string, NodeHost>;
  hostOptions: (id: string) => NodeHostOptions;
  init_timeout_ms: number;
  report: (issue: NodeIssue) => void;
  log: (line: string) => void;
}

type NodeState = "up" | "paused" | "down";

/** The pause/kill nemesis (see the module header). */
export class FaultNemesis {
  private readonly state = new Map<string, NodeState>();
  private stopped = false;
  private wake: (() => void) | undefined;
  private pause_next = true;
  private kill_next = true;
  /** Counts for the results. */
  private readonly counts = { pauses: 0, kills: 0, restarts: 0, "restart-failures": 0 };

  constructor(private readonly deps: FaultDeps) {
    for (const node of deps.nodes) this.state.set(node, "up");
  }

  /** Flip-flops until `cutoff_ms`; the first op goes at once. */
  async run(cutoff_ms: number): Promise<void> {
    const { clock, rng, interval_s, faults } = this.deps;
    const modes = (["pause", "kill"] as const).filter((f) => faults.includes(f));
    if (modes.length === 0) return;
    while (!this.stopped && clock.now_ms() < cutoff_ms) {
      const mode = rng.pick(modes);
      if (mode === "pause") {
        if (this.pause_next) this.pause(rng.pick(TARGET_SPECS));
        else this.resume();
        this.pause_next = !this.pause_next;
      } else {
        if (this.kill_next) await this.kill(rng.pick(TARGET_SPECS));
        else await this.start();
        this.kill_next = !this.kill_next;
      }
      if (this.stopped) return;
      const due_ms = clock.now_ms() + rng.float() * 2 * interval_s * 1000;
      await this.sleepUntil(Math.min(due_ms, cutoff_ms));
    }
  }

  /** The final phase: resumes every paused node and starts every dead one. */
  async healAll(): Promise<void> {
    if (this.deps.faults.includes("pause")) this.resume();
    if (this.deps.faults.includes("kill")) await this.start();
  }

  /** Ends the schedule early (teardown). */
  stop(): void {
    this.stopped = true;
    this.wake?.();
  }

  /** Nodes that are down now (killed and not restarted). */
  downNodes(): string[] {
    return [...this.state].filter(([, s]) => s === "down").map(([id]) => id);
  }

  /** The nemesis's own section of the results. */
  result(): CheckResult {
    return {
      "valid?": true,
      faults: [...this.deps.faults],
      ...this.counts,
      "messages-dropped-at-dead-nodes": this.deps.net.downDrops(),
      "late-replies-to-closed-clients": this.deps.net.lateReplies(),
    };
  }

  /** Freezes the nodes `spec` names (SIGSTOP). */
  pause(spec: NodeSpec): void {
    const { history, nodes, rng } = this.deps;
    history.record({ type: "info", process: "nemesis", f: "pause", value: spec });
    const outcome: Record<string, string> = {};
    for (const id of dbNodes(spec, nodes, rng).sort()) {
      const state = this.state.get(id);
      if (state === "up") {
        this.deps.hosts.get(id)?.pause();
        this.state.set(id, "paused");
        this.counts.pauses++;
        outcome[id] = "paused";
      } else outcome[id] = state === "paused" ? "already paused" : "not running";
    }
    this.deps.log(`nemesis paused ${JSON.stringify(outcome)}`);
    history.record({ type: "info", process: "nemesis", f: "pause", value: outcome });
  }

  /** Resumes every paused node (SIGCONT). */
  resume(): void {
    const { history } = this.deps;
    history.record({ type: "info", process: "nemesis", f: "resume", value: "all" });
    const outcome: Record<string, string> = {};
    for (const [id, state] of this.state) {
      if (state !== "paused") continue;
      this.state.set(id, "up");
      this.deps.hosts.get(id)?.resume();
      outcome[id] = "resumed";
    }
    this.deps.log(`nemesis resumed ${JSON.stringify(outcome)}`);
    history.record({ type: "info", process: "nemesis", f: "resume", value: outcome });
  }

  /** Kills the nodes `spec` names (SIGKILL); the network drops what falls due for them. */
  async kill(spec: NodeSpec): Promise<void> {
    const { history, nodes, rng, net } = this.deps;
    history.record({ type: "info", process: "nemesis", f: "kill", value: spec });
    const outcome: Record<string, string> = {};
    const victims: string[] = [];
    for (const id of dbNodes(spec, nodes, rng).sort()) {
      if (this.state.get(id) === "down") {
        outcome[id] = "already dead";
        continue;
      }
      this.state.set(id, "down");
      net.markDown(id);
      victims.push(id);
      outcome[id] = "killed";
    }
    this.counts.kills += victims.length;
    await Promise.all(victims.map((id) => this.deps.hosts.get(id)?.kill()));
    this.deps.log(`nemesis killed ${JSON.stringify(outcome)}`);
    history.record({ type: "info", process: "nemesis", f: "kill", value: outcome });
  }

  /** Starts every dead node again and sends it `init`. */
  async start(): Promise<void> {
    const { history } = this.deps;
    history.record({ type: "info", process: "nemesis", f: "start", value: "all" });
    const dead = this.downNodes().sort();
    const results = await Promise.all(dead.map((id) => this.restart(id)));
    const outcome: Record<string, string> = {};
    dead.forEach((id, i) => outcome[id] = results[i]);
    this.deps.log(`nemesis started ${JSON.stringify(outcome)}`);
    history.record({ type: "info", process: "nemesis", f: "start", value: outcome });
  }

  /** One restart: a fresh node, `init`, then the network lets everyone through. */
  private async restart(id: string): Promise<string> {
    const { launcher, hosts, net } = this.deps;
    let host: NodeHost | undefined;
    try {
      host = await launcher.restart(this.deps.hostOptions(id));
      hosts.set(id, host);
      await this.init(id, host);
      net.markUp(id);
      this.state.set(id, "up");
      this.counts.restarts++;
      return "started";
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      this.counts["restart-failures"]++;
      this.deps.report({
        node: id,
        kind: "restart-failed",
        message: `node ${id} failed to restart: ${message}`,
        ...(host === undefined ? {} : { stderr_tail: host.tails().stderr.slice(-5) }),
      });
      net.markDown(id);
      await host?.stop();
      return `failed: ${message}`;
    }
  }

  /** Sends `init` through a fresh client, the one member a starting node hears. */
  private async init(id: string, host: NodeHost): Promise<void> {
    const { net, nodes, init_timeout_ms } = this.deps;
    const client = new HarnessClient(net, id);
    net.markDown(id, client.id);
    const exited = host.exited.then((status) => {
      throw new Error(`it exited during init with code ${status.code}`);
    });
    exited.catch(() => {}); // Only the race below cares.
    try {
      const reply = await Promise.race([
        client.rpc({ type: "init", node_id: id, node_ids: [...nodes] }, init_timeout_ms),
        exited,
      ]);
      if (reply.type !== "init_ok") {
        throw new Error(`it answered init with type ${JSON.stringify(reply.type)}`);
      }
    } catch (e) {
      if (e instanceof RpcTimeout) {
        throw new Error(`it did not answer init within ${init_timeout_ms} ms`);
      }
      throw e;
    } finally {
      client.close();
    }
  }

  private async sleepUntil(at_ms: number): Promise<void> {
    const { clock } = this.deps;
    const delay_ms = at_ms - clock.now_ms();
    if (delay_ms <= 0) return;
    await new Promise<void>((resolve) => {
      const timer = clock.setTimer(() => {
        this.wake = undefined;
        resolve();
      }, delay_ms);
      this.wake = () => {
        clock.clearTimer(timer);
        resolve();
      };
    });
  }
}
