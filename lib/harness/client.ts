/**
 * Maelstrom clients (`shared/maelstrom/harness.md` §6, `protocol.md` §3–§5).
 *
 * A client is a network member with a fresh id `cN`. It stamps `msg_id`s from
 * 1, keeps at most one request outstanding, takes only the reply whose
 * `in_reply_to` matches and discards everything else. An error body rejects
 * with `RpcErrorReply`; silence rejects with `RpcTimeout`.
 *
 * @module
 */

import { type Body, RpcErrorReply, RpcTimeout, type WorkloadClient } from "./types.ts";
import type { NetMessage, Network } from "./network.ts";

/** Default client RPC timeout (Maelstrom: 5000 ms). */
export const DEFAULT_RPC_TIMEOUT_MS = 5000;
/** Timeout of the `init` RPC (Maelstrom: 10 000 ms). */
export const INIT_TIMEOUT_MS = 10_000;

interface Waiting {
  msg_id: number;
  resolve: (body: Body) => void;
  reject: (error: Error) => void;
  timer: number;
}

/** A client bound to one server node. */
export class HarnessClient implements WorkloadClient {
  readonly id: string;
  private next_msg_id = 1;
  private waiting: Waiting | undefined;
  private closed = false;

  /** `default_timeout_ms` applies when `rpc` is given no timeout (the workload's own, e.g. lin-kv's). */
  constructor(
    private readonly net: Network,
    readonly node: string,
    private readonly default_timeout_ms = DEFAULT_RPC_TIMEOUT_MS,
  ) {
    this.id = net.nextClientId();
    net.register(this.id, (message) => this.receive(message));
  }

  /** Sends `body` with the next msg_id and resolves with the matching reply. */
  rpc(body: Body, timeout_ms = this.default_timeout_ms): Promise<Body> {
    if (this.closed) return Promise.reject(new Error(`client ${this.id} is closed`));
    if (this.waiting !== undefined) {
      return Promise.reject(new Error(`client ${this.id} already has a request outstanding`));
    }
    const msg_id = this.next_msg_id++;
    return new Promise<Body>((resolve, reject) => {
      const timer = this.net.clock.setTimer(() => {
        if (this.waiting?.msg_id !== msg_id) return;
        this.waiting = undefined;
        reject(new RpcTimeout(timeout_ms));
      }, timeout_ms);
      this.waiting = { msg_id, resolve, reject, timer };
      try {
        this.net.send(this.id, this.node, { ...body, msg_id });
      } catch (e) {
        this.net.clock.clearTimer(timer);
        this.waiting = undefined;
        reject(e);
      }
    });
  }

  private receive(message: NetMessage): void {
    const waiting = this.waiting;
    const body = message.body;
    if (waiting === undefined || body.in_reply_to !== waiting.msg_id) return;
    this.waiting = undefined;
    this.net.clock.clearTimer(waiting.timer);
    if (body.type === "error") {
      const code = Number.isInteger(body.code) ? body.code as number : -1;
      const text = typeof body.text === "string" ? body.text : "";
      waiting.reject(new RpcErrorReply(code, text, body));
      return;
    }
    waiting.resolve(body);
  }

  /** Leaves the network; an outstanding request fails. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.net.unregister(this.id);
    const waiting = this.waiting;
    if (waiting === undefined) return;
    this.waiting = undefined;
    this.net.clock.clearTimer(waiting.timer);
    waiting.reject(new Error(`client ${this.id} closed`));
  }
}

/** Sends `init` to `node` through a fresh client and checks the `init_ok`. */
export async function initNode(
  net: Network,
  node: string,
  node_ids: string[],
  timeout_ms = INIT_TIMEOUT_MS,
): Promise<void> {
  const client = new HarnessClient(net, node);
  try {
    let reply: Body;
    try {
      reply = await client.rpc({ type: "init", node_id: node, node_ids }, timeout_ms);
    } catch (e) {
      if (e instanceof RpcTimeout) {
        throw new Error(`node ${node} did not respond to init within ${timeout_ms} ms`);
      }
      throw new Error(`node ${node} failed init: ${(e as Error).message}`);
    }
    if (reply.type !== "init_ok") {
      throw new Error(
        `node ${node} answered init with type ${JSON.stringify(reply.type)}, expected "init_ok"`,
      );
    }
  } finally {
    client.close();
  }
}
