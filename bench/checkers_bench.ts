// Checker benchmarks: the lin-kv linearizability search and the kafka analysis on
// generated histories (simulated correct servers, in-process). Run: deno task bench.

import { checkLinearizable } from "../lib/harness/checkers/linearizable.ts";
import { checkKafka } from "../lib/harness/checkers/kafka.ts";
import {
  appendWriteAfterEnd,
  generateLinKvHistory,
} from "../tests/harness/support/linkv_history.ts";
import { generateKafkaHistory } from "../tests/harness/support/kafka_history.ts";

// 60 s at 100 ops/s, 10 clients; every other 10 s, 4 clients are cut off and their writes and
// cas ops time out (info, taking effect or not). Keys rotate every 10 s, like lin-kv groups
// moving on after crashed processes; the single-key variant keeps all 6000 ops on one register.
const linkv_rotating = generateLinKvHistory({
  seed: 42,
  duration_s: 60,
  clients: 10,
  rate: 100,
  key_period_s: 10,
  partition_period_s: 10,
  cut_fraction: 0.4,
  timeout_ms: 1000,
});
const linkv_one_key = generateLinKvHistory({
  seed: 43,
  duration_s: 60,
  clients: 10,
  rate: 100,
  key_period_s: Infinity,
  partition_period_s: 10,
  cut_fraction: 0.4,
  timeout_ms: 1000,
});
// The one-key history with a read at 90 % that returns a value written only after the end:
// invalid, so the search must rule out every order, with ~60 crashed ops pending.
const linkv_invalid = structuredClone(linkv_one_key);
{
  const reads = linkv_invalid.filter((op) => op.type === "ok" && op.f === "read");
  reads[Math.floor(reads.length * 0.9)].value = [0, 9];
  appendWriteAfterEnd(linkv_invalid, [0, 9]);
}
// 20 s at 1000 ops/s, 4 clients (2 nodes × 2n), Jepsen's generator and a correct log server.
const kafka = await generateKafkaHistory({
  seed: 42,
  duration_s: 20,
  rate: 1000,
  clients: 4,
  poll_batch: 10,
});

function expectValid(name: string, valid: unknown): void {
  if (valid !== true) throw new Error(`${name}: generated history judged ${valid}`);
}

Deno.bench(
  `lin-kv 60 s × 100 ops/s, keys every 10 s (${linkv_rotating.length} history entries)`,
  () => {
    expectValid("lin-kv", checkLinearizable(linkv_rotating)["valid?"]);
  },
);

Deno.bench(`lin-kv 60 s × 100 ops/s, one key (${linkv_one_key.length} history entries)`, () => {
  expectValid("lin-kv one key", checkLinearizable(linkv_one_key)["valid?"]);
});

Deno.bench(`lin-kv 60 s one key, invalid at 90 % (${linkv_invalid.length} history entries)`, () => {
  const valid = checkLinearizable(linkv_invalid)["valid?"];
  if (valid !== false) throw new Error(`lin-kv invalid: judged ${valid}`);
});

Deno.bench(`kafka 20 s × 1000 ops/s (${kafka.length} history entries)`, () => {
  expectValid("kafka", checkKafka(kafka)["valid?"]);
});
