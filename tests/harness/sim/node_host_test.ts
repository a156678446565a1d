// A simulated node (lib/harness/sim/node_host.ts) driven directly on a
// SimClock: messages cross as JSON text, pause queues input and freezes
// timers, kill drops the node with its queue and timers, a throwing timer
// callback crashes it, and --sim-cpu-us makes processing serial and costly.

import assert from "node:assert/strict";
import { join } from "node:path";
import type { Body, Node, NodeSetup } from "../../../lib/maelstrom.ts";
import type { NetMessage } from "../../../lib/harness/network.ts";
import type { NodeIssue } from "../../../lib/harness/node_output.ts";
import { Rng } from "../../../lib/harness/rng.ts";
import { SimClock } from "../../../lib/harness/sim/clock.ts";
import { SimNodeHost } from "../../../lib/harness/sim/node_host.ts";

interface Sent {
  at_ms: number;
  src: string;
  dest: string;
  body: Body;
}

interface Bench {
  clock: SimClock;
  host: SimNodeHost;
  sent: Sent[];
  issues: NodeIssue[];
  log_path: string;
  /** Delivers a message from `src` to n0 now. */
  deliver(src: string, body: Body): NetMessage;
  /** Lets `ms` of virtual time pass. */
  sleep(ms: number): Promise<void>;
  /** Sent messages of one type, as "type@ms". */
  times(type: string): string[];
}

let next_message_id = 1;

/** Runs `test` against n0 (of n0, n1) built by `setup`, on a fresh clock, in a temp dir. */
async function withHost(
  setup: NodeSetup,
  test: (bench: Bench) => Promise<void>,
  cpu_us = 0,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "sim-node-host-" });
  const clock = new SimClock();
  const sent: Sent[] = [];
  const issues: NodeIssue[] = [];
  const log_path = join(dir, "n0.log");
  const host = new SimNodeHost({
    id: "n0",
    args: [],
    log_path,
    log_stderr: false,
    strict: false,
    log: () => {},
    send: (src, dest, body) => sent.push({ at_ms: clock.now_ms(), src, dest, body }),
    report: (issue) => issues.push(issue),
    clock,
    setup,
    rng: new Rng(1),
    cpu_us,
  });
  const bench: Bench = {
    clock,
    host,
    sent,
    issues,
    log_path,
    deliver(src, body) {
      const message = { id: next_message_id++, src, dest: "n0", body };
      host.deliver(message);
      return message;
    },
    sleep: (ms) => new Promise((resolve) => clock.setTimer(resolve, ms)),
    times: (type) => sent.filter((s) => s.body.type === type).map((s) => `${type}@${s.at_ms}`),
  };
  try {
    await clock.run(async () => {
      bench.deliver("c0", { type: "init", msg_id: 1, node_id: "n0", node_ids: ["n0", "n1"] });
      await bench.sleep(cpu_us / 1000);
      assert.deepEqual(bench.times("init_ok"), [`init_ok@${cpu_us / 1000}`]);
      await test(bench);
      await host.stop();
    });
  } finally {
    await host.stop();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("sim node: messages cross as JSON text, never as shared objects", async () => {
  let kept: Body | undefined;
  const setup = (node: Node) => {
    node.on("echo", (req) => {
      const payload = req.body.payload as Record<string, unknown>;
      payload.touched_by_node = true; // Mutates what the node received.
      kept = { type: "echo_ok", echo: payload, in_reply_to: req.body.msg_id };
      node.send(req.src, kept);
      payload.after_send = true; // Mutates what the node sent, after sending it.
    });
  };
  await withHost(setup, async (bench) => {
    const request = bench.deliver("c1", { type: "echo", msg_id: 7, payload: { text: "hi" } });
    await bench.sleep(1);
    // The sender's object is untouched by the node.
    assert.deepEqual(request.body, { type: "echo", msg_id: 7, payload: { text: "hi" } });
    assert.equal(bench.sent.length, 2);
    const reply = bench.sent[1];
    assert.deepEqual(reply, {
      at_ms: 0,
      src: "n0",
      dest: "c1",
      body: { type: "echo_ok", echo: { text: "hi", touched_by_node: true }, in_reply_to: 7 },
    });
    // What reached the network is a copy: the node's later change to its object is not in it.
    assert.notEqual(reply.body, kept);
    (kept!.echo as Record<string, unknown>).late = 1;
    assert.equal("late" in (reply.body.echo as Record<string, unknown>), false);
  });
});

Deno.test("sim node: an RPC to another node resolves with its reply", async () => {
  const setup = (node: Node) => {
    node.on("go", async (req) => {
      const answer = await node.rpc("n1", { type: "ping" });
      node.reply(req, { type: "go_ok", got: answer.type });
    });
  };
  await withHost(setup, async (bench) => {
    bench.deliver("c1", { type: "go", msg_id: 3 });
    await bench.sleep(1);
    const ping = bench.sent.find((s) => s.body.type === "ping");
    assert.ok(ping, JSON.stringify(bench.sent));
    assert.equal(ping.dest, "n1");
    assert.equal(bench.times("go_ok").length, 0);
    bench.host.deliver({
      id: next_message_id++,
      src: "n1",
      dest: "n0",
      body: { type: "pong", in_reply_to: ping.body.msg_id },
    });
    await bench.sleep(1);
    const reply = bench.sent.find((s) => s.body.type === "go_ok");
    assert.deepEqual(reply, {
      at_ms: 1,
      src: "n0",
      dest: "c1",
      body: { type: "go_ok", got: "pong", in_reply_to: 3 },
    });
  });
});

Deno.test("sim node: pause queues input and due timers in arrival order; resume delivers them", async () => {
  const setup = (node: Node) => {
    const timers = new Map<string, number>();
    node.on("init", () => {
      timers.set("t5", node.env.setTimer(() => node.send("c9", { type: "tick", name: "t5" }), 5));
      timers.set("t6", node.env.setTimer(() => node.send("c9", { type: "tick", name: "t6" }), 6));
    });
    node.on("note", (req) => {
      if (req.body.clear !== undefined) node.env.clearTimer(timers.get(String(req.body.clear))!);
      node.reply(req, { type: "note_ok", n: req.body.n, at: node.env.now_ms() });
    });
  };
  await withHost(setup, async (bench) => {
    await bench.sleep(1);
    bench.host.pause();
    await bench.sleep(1); // t=2
    bench.deliver("c1", { type: "note", msg_id: 1, n: 1, clear: "t6" });
    await bench.sleep(6); // t=8: t5 and t6 came due while paused
    bench.deliver("c1", { type: "note", msg_id: 2, n: 2 });
    await bench.sleep(12); // t=20
    // Nothing ran while paused: no replies, no ticks.
    assert.deepEqual(bench.sent.map((s) => s.body.type), ["init_ok"]);
    bench.host.resume();
    await bench.sleep(1);
    const after = bench.sent.slice(1).map((s) =>
      `${s.body.type}:${s.body.n ?? s.body.name}@${s.at_ms}`
    );
    // Arrival order: note 1 (t=2, which clears t6 before its turn), t5 (due 5), note 2 (t=8).
    assert.deepEqual(after, ["note_ok:1@20", "tick:t5@20", "note_ok:2@20"]);
    // The node saw the time of its resume, not of arrival.
    assert.deepEqual(bench.sent.slice(1).map((s) => s.body.at).filter((x) => x !== undefined), [
      20,
      20,
    ]);
  });
});

Deno.test("sim node: kill drops the node, its queue and its timers; later messages vanish", async () => {
  let handled = 0;
  const setup = (node: Node) => {
    node.on("init", () => {
      node.env.setTimer(() => node.send("c9", { type: "tick" }), 50);
    });
    node.on("note", (req) => {
      handled++;
      node.reply(req, { type: "note_ok" });
    });
  };
  await withHost(setup, async (bench) => {
    bench.deliver("c1", { type: "note", msg_id: 1 });
    await bench.sleep(1);
    assert.equal(handled, 1);
    bench.host.pause();
    bench.deliver("c1", { type: "note", msg_id: 2 }); // queued while paused
    await bench.host.kill();
    assert.equal(bench.host.alive, false);
    assert.deepEqual(await bench.host.exited, { code: 137, signal: "SIGKILL" });
    assert.equal(bench.clock.pending, 0, "the node's timers went with it");
    bench.host.resume();
    bench.deliver("c1", { type: "note", msg_id: 3 });
    await bench.sleep(100);
    assert.equal(handled, 1, "neither the queued nor the later message was handled");
    assert.deepEqual(bench.times("note_ok"), ["note_ok@0"]);
    assert.deepEqual(bench.times("tick"), []);
    assert.deepEqual(bench.issues, [], "a kill is a fault, not a crash");
  });
});

Deno.test("sim node: a timer callback that throws crashes the node", async () => {
  let handled = 0;
  const setup = (node: Node) => {
    node.on("init", () => {
      node.env.setTimer(() => {
        throw new Error("tick failed");
      }, 5);
    });
    node.on("note", (req) => {
      handled++;
      node.reply(req, { type: "note_ok" });
    });
  };
  await withHost(setup, async (bench) => {
    await bench.sleep(10);
    assert.equal(bench.host.alive, false);
    assert.deepEqual(await bench.host.exited, { code: 1, signal: null });
    assert.equal(bench.issues.length, 1, JSON.stringify(bench.issues));
    const issue = bench.issues[0];
    assert.equal(issue.kind, "crashed");
    assert.equal(issue.node, "n0");
    assert.equal(issue.exit_code, 1);
    assert.match(issue.stderr_tail![0], /^error: Uncaught Error: tick failed/);
    assert.match(issue.message, /exited before teardown with exit code 1/);
    assert.match(Deno.readTextFileSync(bench.log_path), /error: Uncaught Error: tick failed/);
    bench.deliver("c1", { type: "note", msg_id: 1 });
    await bench.sleep(1);
    assert.equal(handled, 0, "a dead node handles nothing");
  });
});

Deno.test("sim node: a handler that throws is an error reply, not a crash", async () => {
  const setup = (node: Node) => {
    node.on("note", () => {
      throw new Error("bad note");
    });
  };
  await withHost(setup, async (bench) => {
    bench.deliver("c1", { type: "note", msg_id: 4 });
    await bench.sleep(1);
    assert.equal(bench.host.alive, true);
    assert.deepEqual(bench.issues, []);
    const reply = bench.sent.find((s) => s.body.type === "error");
    assert.equal(reply?.body.code, 13);
    assert.equal(reply?.body.in_reply_to, 4);
  });
});

Deno.test("sim node: a setup that throws exits 2 with its message; exit(code) ends the node", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sim-node-host-" });
  try {
    const clock = new SimClock();
    const issues: NodeIssue[] = [];
    const options = (id: string, setup: NodeSetup) => ({
      id,
      args: ["--bogus"],
      log_path: join(dir, `${id}.log`),
      log_stderr: false,
      strict: false,
      log: () => {},
      send: () => {},
      report: (issue: NodeIssue) => issues.push(issue),
      clock,
      setup,
      rng: new Rng(1),
      cpu_us: 0,
    });
    const bad = new SimNodeHost(options("n0", (_node, args) => {
      throw new Error(`unknown argument ${args[0]}`);
    }));
    assert.deepEqual(await bad.exited, { code: 2, signal: null });
    const exits = new SimNodeHost(options("n1", () => {}));
    exits.exit(3);
    assert.deepEqual(await exits.exited, { code: 3, signal: null });
    assert.deepEqual(issues.map((i) => [i.node, i.kind, i.exit_code]), [
      ["n0", "crashed", 2],
      ["n1", "crashed", 3],
    ]);
    assert.deepEqual(issues[0].stderr_tail, ["n0: unknown argument --bogus"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

const REPLY_AT = (node: Node) => {
  node.on("note", (req) => node.reply(req, { type: "note_ok", n: req.body.n }));
};

Deno.test("sim node: without --sim-cpu-us handling is free", async () => {
  await withHost(REPLY_AT, async (bench) => {
    bench.deliver("c1", { type: "note", msg_id: 1, n: 1 });
    bench.deliver("c1", { type: "note", msg_id: 2, n: 2 });
    await bench.sleep(5);
    assert.deepEqual(bench.times("note_ok"), ["note_ok@0", "note_ok@0"]);
  });
});

Deno.test("sim node: --sim-cpu-us makes processing serial, each message costing virtual time", async () => {
  await withHost(REPLY_AT, async (bench) => {
    await bench.sleep(10 - bench.clock.now_ms()); // Past init's own cost.
    bench.deliver("c1", { type: "note", msg_id: 1, n: 1 });
    bench.deliver("c1", { type: "note", msg_id: 2, n: 2 });
    await bench.sleep(5); // t=15: idle again
    bench.deliver("c1", { type: "note", msg_id: 3, n: 3 });
    await bench.sleep(5);
    assert.deepEqual(bench.sent.filter((s) => s.body.type === "note_ok").map((s) => s.body.n), [
      1,
      2,
      3,
    ]);
    assert.deepEqual(bench.times("note_ok"), ["note_ok@11", "note_ok@12", "note_ok@16"]);
  }, 1000);
});

Deno.test("sim node: a pause while a message is being processed holds its reply until resume", async () => {
  await withHost(REPLY_AT, async (bench) => {
    await bench.sleep(10 - bench.clock.now_ms());
    bench.deliver("c1", { type: "note", msg_id: 1, n: 1 });
    await bench.sleep(0.5); // Half-way through its 1 ms cost.
    bench.host.pause();
    await bench.sleep(10); // t=20.5
    assert.deepEqual(bench.times("note_ok"), []);
    bench.deliver("c1", { type: "note", msg_id: 2, n: 2 }); // queued behind it
    bench.host.resume();
    await bench.sleep(5);
    // Like a SIGSTOPped process, it finishes the work after SIGCONT (its cost already paid):
    // the reply is late, not lost; the next message then pays its own cost.
    assert.deepEqual(bench.times("note_ok"), ["note_ok@20.5", "note_ok@21.5"]);
    assert.deepEqual(bench.sent.slice(1).map((s) => s.body.n), [1, 2]);
  }, 1000);
});

Deno.test("sim node: with --sim-cpu-us a timer due while a message is processed runs after it", async () => {
  const setup = (node: Node) => {
    node.on("note", (req) => {
      node.reply(req, { type: "note_ok" });
    });
    node.on("arm", (req) => {
      node.env.setTimer(() => node.send("c9", { type: "tick" }), Number(req.body.in_ms));
    });
  };
  await withHost(setup, async (bench) => {
    await bench.sleep(10 - bench.clock.now_ms());
    bench.deliver("c1", { type: "arm", in_ms: 1.5 }); // handled at 11: the timer is due at 12.5
    await bench.sleep(2); // t=12
    bench.deliver("c1", { type: "note", msg_id: 1 }); // being processed from 12 to 13
    await bench.sleep(5);
    // One thread: the timer waits for the message in progress, as it would in a process.
    assert.deepEqual(
      bench.sent.slice(1).map((s) => `${s.body.type}@${s.at_ms}`),
      ["note_ok@13", "tick@13"],
    );
  }, 1000);
});
