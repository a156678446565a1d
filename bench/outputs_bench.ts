// The run outputs' cost: perf plots, the timeline and messages.svg for a 20 000-op history and
// 12 000 journal events (a kafka-sized run). Was a timed unit test; a time budget is a benchmark's
// business, not a test's. Run: deno task bench.

import { join } from "node:path";
import { checkPerf } from "../lib/harness/checkers/perf.ts";
import { checkTimeline } from "../lib/harness/checkers/timeline.ts";
import { MessagesDiagram } from "../lib/harness/viz/messages_svg.ts";
import type { Op } from "../lib/harness/types.ts";

/** 20 000 ops on 40 processes, every latency under 89 ms, in invocation order. */
function history(): Op[] {
  const ops: Omit<Op, "index">[] = [];
  for (let i = 0; i < 20_000; i++) {
    const f = i % 3 ? "read" : "write";
    ops.push({ time: i * 1e6, type: "invoke", process: i % 40, f, value: null });
    ops.push({ time: (i + (i % 89)) * 1e6, type: "ok", process: i % 40, f, value: null });
  }
  return ops.map((op, i) => ({ op, i }))
    .sort((a, b) => a.op.time - b.op.time || a.i - b.i)
    .map(({ op }, index) => ({ index, ...op }) as Op);
}

const ops = history();
const dir = Deno.makeTempDirSync({ prefix: "outputs-bench-" });

Deno.bench("outputs: perf plots and timeline for 20 000 ops", () => {
  checkPerf(ops, dir);
  checkTimeline(ops, dir);
});

Deno.bench("outputs: messages.svg for 12 000 journal events", () => {
  const diagram = new MessagesDiagram(5);
  for (let id = 0; id < 12_000; id++) {
    const message = {
      id: id >> 1,
      src: `n${id % 5}`,
      dest: `c${id % 7}`,
      body: { type: "read_ok" },
    };
    diagram.add({ id, type: id % 2 ? "recv" : "send", message });
  }
  diagram.write(join(dir, "messages.svg"));
});
