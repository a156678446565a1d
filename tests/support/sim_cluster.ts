// An in-process cluster for node tests: several Nodes on SimEnvs sharing one
// manual clock, with instant delivery between them and partitions that drop
// messages. Messages to clients ("c…") are collected for the test to read.

import { type Body, type Message, Node } from "../../lib/maelstrom.ts";
import { settle, SimEnv } from "../../lib/sim_env.ts";

/** A cluster of nodes registered by `setup`, initialised with ids n0…n{count-1}. */
export class SimCluster {
  readonly nodes = new Map<string, Node>();
  readonly envs = new Map<string, SimEnv>();
  /** Replies and other messages addressed to clients. */
  readonly toClients: Message[] = [];
  /** Messages between nodes delivered so far. */
  delivered = 0;
  /** In-test services (e.g. "lin-kv"): a request body in, a reply body (or nothing) out. */
  readonly services = new Map<string, (body: Body, src: string) => Body | undefined>();
  private cut = new Set<string>();
  private nextClientMsgId = 1;

  constructor(count: number, setup: (node: Node) => void, seed = 1) {
    const ids = Array.from({ length: count }, (_, i) => `n${i}`);
    for (const [i, id] of ids.entries()) {
      const env = new SimEnv(seed * 1000 + i);
      const node = new Node(env);
      setup(node);
      node.handleMessage({
        src: "c0",
        dest: id,
        body: { type: "init", msg_id: 0, node_id: id, node_ids: ids },
      });
      this.nodes.set(id, node);
      this.envs.set(id, env);
    }
  }

  /** Cuts the link between a and b in both directions. */
  partition(a: string, b: string): void {
    this.cut.add(`${a}>${b}`).add(`${b}>${a}`);
  }

  /** Restores every link. */
  heal(): void {
    this.cut.clear();
  }

  /** Sends a client request to `dest` and returns its msg_id. */
  request(dest: string, body: Body): number {
    const msg_id = this.nextClientMsgId++;
    this.nodes.get(dest)!.handleMessage({ src: "c1", dest, body: { ...body, msg_id } });
    return msg_id;
  }

  /** Delivers messages until the network is quiet (bounded rounds). */
  async deliver(max_rounds = 100): Promise<void> {
    for (let round = 0; round < max_rounds; round++) {
      let moved = 0;
      for (const env of this.envs.values()) {
        for (const msg of await env.takeSent()) {
          moved++;
          this.route(msg);
        }
      }
      if (moved === 0) return;
    }
  }

  /** Advances every node's clock by `ms` in `step_ms` steps, delivering as it goes. */
  async advance(ms: number, step_ms = 10): Promise<void> {
    for (let t = 0; t < ms; t += step_ms) {
      for (const env of this.envs.values()) await env.advance(step_ms);
      await this.deliver();
    }
    await settle();
  }

  /** The reply body to the client request with `msg_id`, if it arrived. */
  reply(msg_id: number): Body | undefined {
    return this.toClients.find((m) => m.body.in_reply_to === msg_id)?.body;
  }

  private route(msg: Message): void {
    if (msg.dest.startsWith("c")) {
      this.toClients.push(msg);
      return;
    }
    const service = this.services.get(msg.dest);
    if (service) {
      this.delivered++;
      const reply = service(msg.body, msg.src);
      if (reply) {
        this.nodes.get(msg.src)?.handleMessage({
          src: msg.dest,
          dest: msg.src,
          body: { ...reply, in_reply_to: msg.body.msg_id },
        });
      }
      return;
    }
    if (this.cut.has(`${msg.src}>${msg.dest}`)) return;
    const dest = this.nodes.get(msg.dest);
    if (!dest) return;
    this.delivered++;
    dest.handleMessage(msg);
  }
}

/** A key-value service state machine (lin-kv semantics) over JSON-equal values. */
export function kvService(): (body: Body) => Body | undefined {
  const data = new Map<string, unknown>();
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  return (body) => {
    const key = JSON.stringify(body.key);
    switch (body.type) {
      case "read":
        return data.has(key)
          ? { type: "read_ok", value: data.get(key) }
          : { type: "error", code: 20, text: "key does not exist" };
      case "write":
        data.set(key, body.value);
        return { type: "write_ok" };
      case "cas":
        if (!data.has(key)) {
          if (!body.create_if_not_exists) return { type: "error", code: 20, text: "missing" };
        } else if (!same(data.get(key), body.from)) {
          return { type: "error", code: 22, text: "precondition failed" };
        }
        data.set(key, body.to);
        return { type: "cas_ok" };
    }
    return undefined;
  };
}
