/** Reading figures from results maps and histories. */

import assert from "node:assert/strict";
import {
  failingCheckers,
  latenciesMs,
  latencyFigures,
  median,
  okLatenciesMs,
  quantile,
  readEmbeddedStore,
  readMaelstromStore,
  resultFigures,
  resultValidity,
} from "../../lib/run/figures.ts";

const MS = 1_000_000;

Deno.test("quantiles use Maelstrom's index rule; medians average the middle pair", () => {
  assert.equal(quantile([1, 2, 3, 4], 0.5), 3);
  assert.equal(quantile([1, 2, 3, 4], 1), 4);
  assert.equal(quantile([], 0.5), undefined);
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 2, 3]), 2.5);
  assert.equal(median([]), undefined);
});

Deno.test("ok latencies pair each invoke with its process's completion; others are skipped", () => {
  const history = [
    { type: "invoke", process: 0, time: 0 },
    { type: "invoke", process: 1, time: 1 * MS },
    { type: "info", process: "nemesis", time: 2 * MS },
    { type: "ok", process: 1, time: 4 * MS },
    { type: "fail", process: 0, time: 5 * MS },
    { type: "invoke", process: 0, time: 6 * MS },
    { type: "ok", process: 0, time: 16 * MS },
    { type: "ok", process: 7, time: 20 * MS },
  ];
  assert.deepEqual(okLatenciesMs(history), [3, 10]);
  assert.deepEqual(latencyFigures(history), {
    latency_median_ms: 5,
    latency_p99_ms: 10,
    ok_latency_median_ms: 10,
    ok_latency_p99_ms: 10,
  });
  assert.deepEqual(latencyFigures([]), {});
});

Deno.test("op latency counts every completion, as Jepsen's perf checker does; ok-only apart", () => {
  // Jepsen (checker/perf.clj, util/history->latencies): every invocation with a completion,
  // ok, info or fail. Here: a slow info (timeout) and a fast fail besides three ok ops.
  const history = [
    { type: "invoke", process: 0, time: 0 },
    { type: "ok", process: 0, time: 1 * MS },
    { type: "invoke", process: 1, time: 0 },
    { type: "info", process: 1, time: 5000 * MS },
    { type: "invoke", process: 0, time: 2 * MS },
    { type: "ok", process: 0, time: 4 * MS },
    { type: "invoke", process: 5, time: 10 * MS },
    { type: "fail", process: 5, time: 10.5 * MS },
    { type: "invoke", process: 0, time: 20 * MS },
    { type: "ok", process: 0, time: 23 * MS },
  ];
  assert.deepEqual(latenciesMs(history, "every-completion"), [0.5, 1, 2, 3, 5000]);
  assert.deepEqual(latenciesMs(history, "ok-only"), [1, 2, 3]);
  const figures = latencyFigures(history);
  assert.equal(figures.latency_median_ms, 2);
  assert.equal(figures.latency_p99_ms, 5000);
  assert.equal(figures.ok_latency_median_ms, 2);
  assert.equal(figures.ok_latency_p99_ms, 3);
});

Deno.test("op latency leaves out harness-only final-phase ops (txn-rw-register's final reads)", () => {
  const history = [
    { type: "invoke", process: 0, time: 0 },
    { type: "ok", process: 0, time: 2 * MS },
    { type: "invoke", process: 0, time: 10 * MS, harness_only: true },
    { type: "ok", process: 0, time: 900 * MS, harness_only: true },
  ];
  assert.deepEqual(latenciesMs(history, "every-completion"), [2]);
  assert.deepEqual(latenciesMs(history, "ok-only"), [2]);
});

Deno.test("results maps give msgs-per-op, availability and stable-latency quantiles", () => {
  const results = {
    availability: { "valid?": true, "ok-fraction": 0.9995 },
    net: {
      all: { "msg-count": 100, "msgs-per-op": 12.5 },
      clients: { "msg-count": 20 },
      servers: { "msg-count": 80, "msgs-per-op": 10 },
      "valid?": true,
    },
    workload: { "stable-latencies": { "0": 0, "0.5": 120, "0.95": 200, "0.99": 230, "1": 240 } },
    "valid?": true,
  };
  assert.deepEqual(resultFigures(results), {
    servers_msgs_per_op: 10,
    all_msgs_per_op: 12.5,
    ok_fraction: 0.9995,
    stable_latency_median_ms: 120,
    stable_latency_max_ms: 240,
  });
  assert.deepEqual(resultFigures({ net: { servers: { "msg-count": 3 } } }), {});
  assert.equal(resultValidity(results), true);
  assert.equal(resultValidity({ "valid?": "unknown" }), "unknown");
  assert.equal(resultValidity({}), undefined);
  assert.deepEqual(
    failingCheckers({ stats: { "valid?": true }, workload: { "valid?": false }, x: 1 }),
    ["workload: false"],
  );
});

Deno.test("store directories of both harnesses are read alike", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      `${dir}/results.json`,
      JSON.stringify({ net: { servers: { "msgs-per-op": 1.5 } }, "valid?": false }),
    );
    await Deno.writeTextFile(
      `${dir}/history.jsonl`,
      '{"index":0,"time":0,"type":"invoke","process":0}\n' +
        '{"index":1,"time":2000000,"type":"ok","process":0}\n',
    );
    await Deno.writeTextFile(`${dir}/test.json`, JSON.stringify({ seed: 99 }));
    const embedded = await readEmbeddedStore(dir);
    assert.equal(embedded.validity, false);
    assert.equal(embedded.seed, 99);
    assert.deepEqual(embedded.figures, {
      servers_msgs_per_op: 1.5,
      latency_median_ms: 2,
      latency_p99_ms: 2,
      ok_latency_median_ms: 2,
      ok_latency_p99_ms: 2,
    });
    assert.deepEqual(embedded.problems, []);

    await Deno.writeTextFile(
      `${dir}/results.edn`,
      "{:net {:all {:msgs-per-op 3.0}, :servers {:msgs-per-op 2.0425532}}, :valid? true}\n",
    );
    await Deno.writeTextFile(
      `${dir}/history.edn`,
      '{:index 0, :time 0, :type :invoke, :process 0, :f :echo, :value "x"}\n' +
        '{:index 1, :time 5000000, :type :ok, :process 0, :f :echo, :value "x"}\n',
    );
    const real = await readMaelstromStore(dir);
    assert.equal(real.validity, true);
    assert.deepEqual(real.figures, {
      servers_msgs_per_op: 2.0425532,
      all_msgs_per_op: 3,
      latency_median_ms: 5,
      latency_p99_ms: 5,
      ok_latency_median_ms: 5,
      ok_latency_p99_ms: 5,
    });

    const empty = await readEmbeddedStore(`${dir}/missing`);
    assert.equal(empty.validity, undefined);
    assert.equal(empty.problems.length, 2);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
