/**
 * A deliberately buggy kafka node for the report's tests and screenshots: one in-memory log
 * per key, but every seventh send is acknowledged and then dropped from the log when the key's
 * next send arrives, so polls read past its offset without returning it (the checker's
 * lost-write). The newest offset of a key is always present, so the final phase's polls
 * still catch up and the run ends on time. Single node; runs as a process or in the
 * simulator (`setup` + `runNode`).
 *
 * @module
 */

import { type Node, runNode } from "../../../../lib/maelstrom.ts";

/**
 * Most messages one poll returns per key: all of a short run's, so the final phase's first
 * poll catches up (the kafka workload's final phase sleeps on the wall clock between polls,
 * which the simulator cannot advance).
 */
const POLL_BATCH = 100_000;
/** Sends whose global sequence number modulo this is `LOSE_AT` are lost. */
const LOSE_EVERY = 7;
const LOSE_AT = 3;

/** Installs the handlers. */
export function setup(node: Node, _args: string[]): void {
  const logs = new Map<string, Map<number, unknown>>();
  const next_offset = new Map<string, number>();
  const committed = new Map<string, number>();
  /** Per key, the offset to drop when the next send arrives. */
  const doomed = new Map<string, number>();
  let sends = 0;

  node.on("send", (req) => {
    const { key, msg } = req.body;
    const offset = next_offset.get(key) ?? 0;
    next_offset.set(key, offset + 1);
    let log = logs.get(key);
    if (log === undefined) logs.set(key, log = new Map());
    const victim = doomed.get(key);
    if (victim !== undefined) log.delete(victim); // The bug: an acknowledged message vanishes.
    doomed.delete(key);
    log.set(offset, msg);
    if (sends++ % LOSE_EVERY === LOSE_AT) doomed.set(key, offset);
    node.reply(req, { type: "send_ok", offset });
  });

  node.on("poll", (req) => {
    const msgs: Record<string, [number, unknown][]> = {};
    for (const [key, from] of Object.entries(req.body.offsets as Record<string, number>)) {
      const log = logs.get(key) ?? new Map();
      const end = next_offset.get(key) ?? 0;
      const out: [number, unknown][] = [];
      for (let offset = from; offset < end && out.length < POLL_BATCH; offset++) {
        if (log.has(offset)) out.push([offset, log.get(offset)]);
      }
      msgs[key] = out;
    }
    node.reply(req, { type: "poll_ok", msgs });
  });

  node.on("commit_offsets", (req) => {
    for (const [key, offset] of Object.entries(req.body.offsets as Record<string, number>)) {
      committed.set(key, Math.max(committed.get(key) ?? -1, offset));
    }
    node.reply(req, { type: "commit_offsets_ok" });
  });

  node.on("list_committed_offsets", (req) => {
    const offsets: Record<string, number> = {};
    for (const key of req.body.keys as string[]) {
      const offset = committed.get(key);
      if (offset !== undefined) offsets[key] = offset;
    }
    node.reply(req, { type: "list_committed_offsets_ok", offsets });
  });
}

if (import.meta.main) await runNode(setup);
