// `maelstrom serve`: the index lists every stored run (newest first, verdict and figures),
// links each run's report.html and files, refuses paths outside store/, and a bad port is a
// one-line usage error with exit 254.

import assert from "node:assert/strict";
import { BROADCAST_ARGS, KAFKA_LOSSY_ARGS, simRun } from "./support.ts";
import { parseServeArgs, serveCommand, startServer } from "../../../lib/harness/serve.ts";
import { main } from "../../../lib/harness/main.ts";

Deno.test("serve lists the runs newest first and serves their reports", async () => {
  const dir = await Deno.makeTempDir({ prefix: "serve-" });
  let server: Deno.HttpServer<Deno.NetAddr> | undefined;
  try {
    await simRun(dir, "challenges/broadcast.ts", BROADCAST_ARGS);
    await simRun(dir, "tests/harness/report/nodes/kafka_lossy.ts", KAFKA_LOSSY_ARGS);
    const listening = Promise.withResolvers<string>();
    server = startServer({ port: 0, host: "127.0.0.1", store_dir: dir }, listening.resolve);
    const base = await listening.promise;
    const index = await (await fetch(base)).text();
    const rows = [...index.matchAll(/<tr class="run (\S+)"><td>[^<]*<\/td><td>([^<]*)<\/td>/g)]
      .map((m) => [m[2], m[1]]);
    assert.deepEqual(rows, [["kafka", "invalid"], ["broadcast", "valid"]]);
    assert.match(index, /2 runs in store\//);
    const link = /href="(\/files\/broadcast\/[^"]+\/report\.html)"/.exec(index)?.[1];
    assert.ok(link, "a report link");
    const report = await fetch(new URL(link, base));
    assert.equal(report.status, 200);
    assert.match(report.headers.get("content-type") ?? "", /text\/html/);
    assert.match(await report.text(), /id="verdict"/);
    const files = await fetch(new URL(link.replace("report.html", ""), base));
    assert.match(await files.text(), /history\.jsonl/);
    const escape = await fetch(new URL("/files/broadcast%2F..%2F..%2F..%2Fetc%2Fpasswd", base));
    assert.equal(escape.status, 403);
    await escape.body?.cancel();
  } finally {
    await server?.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("serve: a bad port is a one-line usage error, exit 254", async () => {
  assert.throws(() => parseServeArgs(["--port", "http"]), /bad --port "http"/);
  assert.throws(() => parseServeArgs(["--port", "70000"]), /bad --port "70000"/);
  assert.throws(() => parseServeArgs(["--port"]), /--port needs a value/);
  assert.deepEqual(parseServeArgs(["--port", "0", "--store", "/x"]), {
    port: 0,
    host: "127.0.0.1",
    store_dir: "/x",
  });
  const errors: string[] = [];
  const original = console.error;
  console.error = (line: string) => errors.push(line);
  try {
    assert.equal(await serveCommand(["--port", "nope"]), 254);
    assert.equal(await main(["serve", "--bogus"]), 254);
  } finally {
    console.error = original;
  }
  assert.equal(errors.length, 2);
  assert.ok(errors.every((line) => !line.includes("\n")), "one line each");
});
