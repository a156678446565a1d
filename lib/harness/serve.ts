/**
 * `maelstrom serve [--port 8080] [--host 127.0.0.1] [--store DIR]`, like Maelstrom's `serve`
 * (maelstrom/core.clj's serve command runs Jepsen's web server over `store/`): a local web
 * server whose index lists every run in `store/` — workload, time, verdict and key figures,
 * newest first — linking to each run's report.html and its files. Only files under `store/`
 * are served; paths that leave it are refused.
 *
 * @module
 */

import { extname, join, normalize, resolve, sep } from "node:path";
import { escapeXml as esc } from "./viz/svg.ts";
import { resultFigures, resultValidity } from "../run/figures.ts";
import { REPORT_FILE } from "./report/write.ts";

/** Maelstrom's default port. */
export const DEFAULT_PORT = 8080;

/** One run in the index. */
export interface RunEntry {
  workload: string;
  name: string;
  /** "valid", "invalid", "unknown", or "no results" (aborted or still running). */
  verdict: string;
  nodes?: number;
  time_limit_s?: number;
  figures: Record<string, number>;
  has_report: boolean;
}

function readJson(path: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(Deno.readTextFileSync(path));
  } catch {
    return undefined;
  }
}

/** Every run under `<store_root>`, newest first (run directory names are timestamps). */
export function listRuns(store_root: string): RunEntry[] {
  const runs: RunEntry[] = [];
  let workloads: Deno.DirEntry[];
  try {
    workloads = [...Deno.readDirSync(store_root)];
  } catch {
    return [];
  }
  for (const workload of workloads) {
    if (!workload.isDirectory) continue;
    for (const run of Deno.readDirSync(join(store_root, workload.name))) {
      if (!run.isDirectory) continue;
      const dir = join(store_root, workload.name, run.name);
      const test = readJson(join(dir, "test.json"));
      if (test === undefined) continue;
      const results = readJson(join(dir, "results.json"));
      const valid = results === undefined ? undefined : resultValidity(results);
      runs.push({
        workload: workload.name,
        name: run.name,
        verdict: valid === undefined
          ? "no results"
          : valid === true
          ? "valid"
          : valid === false
          ? "invalid"
          : "unknown",
        nodes: Array.isArray(test.nodes) ? test.nodes.length : undefined,
        time_limit_s: typeof test.time_limit_s === "number" ? test.time_limit_s : undefined,
        figures: results === undefined ? {} : resultFigures(results) as Record<string, number>,
        has_report: exists(join(dir, REPORT_FILE)),
      });
    }
  }
  return runs.sort((a, b) => a.name < b.name ? 1 : a.name > b.name ? -1 : 0);
}

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

/** "20251128T084731.123Z" → "2025-11-28 08:47:31 UTC". */
export function runTime(name: string): string {
  const m = /^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)/.exec(name);
  return m === null ? name : `${m[1]}-${m[2]}-${m[3]} ${m[4]}:${m[5]}:${m[6]} UTC`;
}

function fig(value: number | undefined, digits: number): string {
  return value === undefined ? "" : value.toFixed(digits);
}

/** The index page. */
export function indexPage(runs: RunEntry[]): string {
  const rows = runs.map((r) => {
    const base = `${encodeURIComponent(r.workload)}/${encodeURIComponent(r.name)}/`;
    const report = r.has_report ? `<a href="/files/${base}${REPORT_FILE}">report</a>` : "no report";
    const f = r.figures;
    return `<tr class="run ${esc(r.verdict.replace(" ", "-"))}"><td>${esc(runTime(r.name))}</td>` +
      `<td>${esc(r.workload)}</td><td class="verdict">${esc(r.verdict)}</td>` +
      `<td class="num">${r.nodes ?? ""}</td><td class="num">${r.time_limit_s ?? ""}</td>` +
      `<td class="num">${fig(f.servers_msgs_per_op, 2)}</td>` +
      `<td class="num">${fig(f.ok_fraction, 4)}</td>` +
      `<td class="num">${fig(f.stable_latency_median_ms, 0)}</td>` +
      `<td class="num">${fig(f.stable_latency_max_ms, 0)}</td>` +
      `<td>${report} · <a href="/files/${base}">files</a></td></tr>`;
  });
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Maelstrom runs</title>
<style>body{font:14px system-ui,sans-serif;margin:16px 24px}table{border-collapse:collapse}
td,th{border:1px solid #ddd;padding:3px 8px;text-align:left}th{background:#f5f5f7}
td.num{text-align:right}.valid .verdict{color:#14532d;font-weight:600}
.invalid .verdict{color:#b91c1c;font-weight:600}.unknown .verdict,.no-results .verdict{color:#92400e}
</style></head><body><h1>Maelstrom runs</h1>
<p>${runs.length} run${runs.length === 1 ? "" : "s"} in store/, newest first.</p>
<table><tr><th>time</th><th>workload</th><th>verdict</th><th>nodes</th><th>time limit (s)</th>
<th>server msgs/op</th><th>ok fraction</th><th>stable latency median (ms)</th>
<th>stable latency max (ms)</th><th></th></tr>
${rows.join("\n")}
</table></body></html>
`;
}

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".svg": "image/svg+xml",
  ".json": "application/json",
  ".jsonl": "text/plain; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
  ".log": "text/plain; charset=utf-8",
};

function directoryPage(url_path: string, dir: string): string {
  const entries = [...Deno.readDirSync(dir)].map((e) => e.isDirectory ? `${e.name}/` : e.name)
    .sort();
  const links = entries.map((e) => `<li><a href="${esc(encodeURI(e))}">${esc(e)}</a></li>`);
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${esc(url_path)}</title>` +
    `</head><body><p><a href="/">all runs</a></p><h1>${esc(url_path)}</h1><ul>` +
    `${links.join("")}</ul></body></html>`;
}

/** Answers one request: `/` the index, `/files/<path under store>` a file or directory. */
export async function handle(store_root: string, request: Request): Promise<Response> {
  const url = new URL(request.url);
  if (url.pathname === "/") {
    return new Response(indexPage(listRuns(store_root)), {
      headers: { "content-type": TYPES[".html"] },
    });
  }
  if (!url.pathname.startsWith("/files/")) return new Response("not found", { status: 404 });
  const root = resolve(store_root);
  const relative = decodeURIComponent(url.pathname.slice("/files/".length));
  const path = resolve(root, normalize(relative));
  if (path !== root && !path.startsWith(root + sep)) {
    return new Response("forbidden", { status: 403 });
  }
  try {
    const info = await Deno.stat(path);
    if (info.isDirectory) {
      if (!url.pathname.endsWith("/")) {
        return Response.redirect(new URL(url.pathname + "/", url), 302);
      }
      return new Response(directoryPage(url.pathname, path), {
        headers: { "content-type": TYPES[".html"] },
      });
    }
    const type = TYPES[extname(path)] ?? "application/octet-stream";
    return new Response((await Deno.open(path)).readable, { headers: { "content-type": type } });
  } catch {
    return new Response("not found", { status: 404 });
  }
}

/** Parsed `serve` arguments. */
export interface ServeArgs {
  port: number;
  host: string;
  store_dir: string;
}

/** Parses `serve` arguments; throws an Error with a one-line message on a bad one. */
export function parseServeArgs(argv: readonly string[]): ServeArgs {
  const out: ServeArgs = { port: DEFAULT_PORT, host: "127.0.0.1", store_dir: "." };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = argv[i + 1];
    if (
      (arg === "-p" || arg === "--port" || arg === "--host" || arg === "--store") &&
      value === undefined
    ) {
      throw new Error(`serve: ${arg} needs a value`);
    }
    if (arg === "-p" || arg === "--port") {
      if (!/^\d+$/.test(value) || Number(value) > 65535) {
        throw new Error(`serve: bad --port ${JSON.stringify(value)}: want an integer 0..65535`);
      }
      out.port = Number(value);
      i++;
    } else if (arg === "--host") {
      out.host = value;
      i++;
    } else if (arg === "--store") {
      out.store_dir = value;
      i++;
    } else {
      throw new Error(`serve: unexpected argument ${arg}`);
    }
  }
  return out;
}

/** Starts the server; returns it (tests shut it down) and the URL it listens on. */
export function startServer(
  args: ServeArgs,
  on_listen: (url: string) => void = () => {},
): Deno.HttpServer<Deno.NetAddr> {
  const store_root = join(args.store_dir, "store");
  return Deno.serve({
    port: args.port,
    hostname: args.host,
    onListen: (addr) => on_listen(`http://${addr.hostname}:${addr.port}/`),
  }, (request) => handle(store_root, request));
}

/** `maelstrom serve`: runs until interrupted; returns an exit code on a usage error. */
export async function serveCommand(argv: readonly string[]): Promise<number> {
  let args: ServeArgs;
  try {
    args = parseServeArgs(argv);
  } catch (e) {
    console.error((e as Error).message);
    return 254;
  }
  let server: Deno.HttpServer<Deno.NetAddr>;
  try {
    server = startServer(
      args,
      (url) => console.log(`Serving ${join(args.store_dir, "store")} at ${url}`),
    );
  } catch (e) {
    console.error(`serve: cannot listen on ${args.host}:${args.port}: ${(e as Error).message}`);
    return 254;
  }
  await server.finished;
  return 0;
}
