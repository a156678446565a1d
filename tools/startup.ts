/**
 * `deno run -A tools/startup.ts [--runs N] [--nodes N] <bin> [-- args]`: measures how fast a
 * node executable starts and how much memory it holds, the way the harness starts nodes: spawn,
 * write `init` at once, wait for `init_ok`. Each run starts `--nodes` processes together (as
 * Maelstrom's db setup does, one per node, all in parallel) and reports, as medians over
 * `--runs`: the time from spawn to the last `init_ok`, one node's CPU time at `init_ok`
 * (utime+stime from /proc, 10 ms ticks) and its resident memory (VmRSS). Linux only.
 *
 * Example: deno run -A tools/startup.ts --runs 7 --nodes 25 bin/broadcast
 *
 * @module
 */

import { parseArgs } from "node:util";

/** What one started node measured. */
export interface NodeStart {
  init_ms: number;
  cpu_ms: number;
  rss_kb: number;
}

const encoder = new TextEncoder();
const CLOCK_TICK_MS = 10;
const INIT_LIMIT_MS = 10_000;

async function startOne(bin: string, args: string[], id: string, ids: string[]) {
  const t0 = performance.now();
  const child = new Deno.Command(bin, {
    args,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stderr = new Response(child.stderr).text();
  const stdin = child.stdin.getWriter();
  const init = {
    src: "c0",
    dest: id,
    body: { type: "init", msg_id: 1, node_id: id, node_ids: ids },
  };
  await stdin.write(encoder.encode(JSON.stringify(init) + "\n"));
  const reader = child.stdout.getReader();
  const decoder = new TextDecoder();
  let text = "";
  let timed_out = false;
  const deadline = setTimeout(() => {
    timed_out = true;
    child.kill("SIGKILL");
  }, INIT_LIMIT_MS);
  while (!text.includes('"init_ok"')) {
    const { value, done } = await reader.read();
    if (done && timed_out) {
      return { start: { init_ms: Infinity, cpu_ms: NaN, rss_kb: NaN }, child, stdin, reader };
    }
    if (done) {
      throw new Error(`${bin} ${id}: stdout closed before init_ok; stderr: ${await stderr}`);
    }
    text += decoder.decode(value, { stream: true });
  }
  clearTimeout(deadline);
  const init_ms = timed_out ? Infinity : performance.now() - t0;
  let cpu_ms = NaN;
  let rss_kb = NaN;
  try {
    const stat = (await Deno.readTextFile(`/proc/${child.pid}/stat`)).split(") ")[1].split(" ");
    cpu_ms = (Number(stat[11]) + Number(stat[12])) * CLOCK_TICK_MS;
    const status = await Deno.readTextFile(`/proc/${child.pid}/status`);
    rss_kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  } catch (e) {
    if (!timed_out) {
      throw new Error(`${bin} ${id}: exited right after init_ok: ${e}; ${await stderr}`);
    }
  }
  return { start: { init_ms, cpu_ms, rss_kb }, child, stdin, reader };
}

/** Starts `nodes` copies of `bin` together; returns the time to the last init_ok and each start. */
export async function measureRun(
  bin: string,
  args: string[],
  nodes: number,
): Promise<{ all_ms: number; starts: NodeStart[] }> {
  const ids = Array.from({ length: nodes }, (_, i) => `n${i}`);
  const t0 = performance.now();
  const started = await Promise.all(ids.map((id) => startOne(bin, args, id, ids)));
  const all_ms = performance.now() - t0;
  for (const s of started) {
    s.reader.releaseLock();
    await s.stdin.close().catch(() => {});
    try {
      s.child.kill("SIGKILL");
    } catch { /* already gone (killed at the init limit) */ }
    await s.child.status;
    await s.child.stdout.cancel().catch(() => {});
  }
  return { all_ms, starts: started.map((s) => s.start) };
}

/** The median of `values` (the upper one for an even count). */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

if (import.meta.main) {
  const { values, positionals } = parseArgs({
    args: Deno.args,
    options: { runs: { type: "string", default: "7" }, nodes: { type: "string", default: "1" } },
    allowPositionals: true,
  });
  const runs = Number(values.runs);
  const nodes = Number(values.nodes);
  const [bin, ...args] = positionals;
  if (bin === undefined || !(runs >= 1) || !(nodes >= 1)) {
    console.error("usage: tools/startup.ts [--runs N] [--nodes N] <bin> [-- args]");
    Deno.exit(254);
  }
  const all: number[] = [];
  const starts: NodeStart[] = [];
  for (let i = 0; i < runs; i++) {
    const run = await measureRun(bin, args, nodes);
    all.push(run.all_ms);
    starts.push(...run.starts);
  }
  const fmt = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(" ");
  const missed = starts.filter((s) => s.init_ms > INIT_LIMIT_MS).length;
  const measured = starts.filter((s) => s.init_ms !== Infinity);
  console.log(`${bin}: ${nodes} node(s) per run, ${runs} runs`);
  console.log(`  spawn → last init_ok: median ${median(all).toFixed(0)} ms  (runs: ${fmt(all)})`);
  console.log(
    `  one node's spawn → init_ok: median ${median(starts.map((s) => s.init_ms)).toFixed(0)} ms`,
  );
  console.log(
    `  nodes later than ${INIT_LIMIT_MS} ms (spawn included): ${missed} of ${starts.length}`,
  );
  console.log(`  CPU at init_ok: median ${median(measured.map((s) => s.cpu_ms))} ms per node`);
  console.log(
    `  VmRSS at init_ok: median ${
      (median(measured.map((s) => s.rss_kb)) / 1024).toFixed(1)
    } MB per node`,
  );
}
