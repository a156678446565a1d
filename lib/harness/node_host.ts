/**
 * The runner's view of one running node, whatever runs it: a child process
 * (`node_process.ts`, real time) or an in-process module on the virtual clock
 * (`sim/node_host.ts`, `--sim`). The runner, the network and the nemesis only
 * talk to nodes through this interface.
 *
 * @module
 */

import type { Body } from "./types.ts";
import type { NetMessage } from "./network.ts";
import type { NodeIssue } from "./node_output.ts";

/** How a node ended. */
export interface NodeExit {
  code: number;
  signal: string | null;
}

/** One running node. */
export interface NodeHost {
  /** The node id. */
  readonly id: string;
  /** Hands a delivered message to the node (queued while it is paused). */
  deliver(message: NetMessage): void;
  /** Resolves when the node ends, however it ends (crash, kill, teardown). */
  readonly exited: Promise<NodeExit>;
  /** The last accepted stdout lines and the last stderr lines. */
  tails(): { stdout: string[]; stderr: string[] };
  /** Freezes the node: no input handled, no timers fired, no output (SIGSTOP). */
  pause(): void;
  /** Undoes `pause`; queued input is handled and overdue timers fire (SIGCONT). */
  resume(): void;
  /** Kills the node and its memory (SIGKILL) as a fault; not reported as a crash. */
  kill(): Promise<void>;
  /** Teardown: kills the node if it still runs and releases its resources. */
  stop(): Promise<void>;
}

/** What every host needs from the runner. */
export interface NodeHostOptions {
  id: string;
  /** Arguments after `--`, passed to the node. */
  args: string[];
  /** Where stderr lines go (`node-logs/<id>.log`). */
  log_path: string;
  /** Also echo stderr lines through `log`. */
  log_stderr: boolean;
  /** `--strict`: protocol errors invalidate the test instead of silencing the node. */
  strict: boolean;
  /** The harness log. */
  log: (line: string) => void;
  /** Hands a node's message to the network; may throw NetworkError. */
  send: (src: string, dest: string, body: Body) => void;
  /** Receives every issue (bad line, crash). */
  report: (issue: NodeIssue) => void;
}
