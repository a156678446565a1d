/**
 * `report.html`: one self-contained page per run (inline CSS, SVG and script; nothing
 * fetched). In reading order: the verdict; for an invalid run each anomaly in plain words
 * with the history lines that show it; the figures next to the run table's targets; plots
 * suited to short runs; the interactive timeline and message diagram; the files of the run.
 *
 * @module
 */

import type { Op, TestOptions } from "../types.ts";
import { escapeXml as esc } from "../viz/svg.ts";
import { formatOpLine } from "../history.ts";
import { type Anomaly, findAnomalies } from "./anomalies.ts";
import { buildPlots, endSeconds, faultPeriods, type Plot } from "./plots.ts";
import { rowTargets, runFigures } from "./targets.ts";
import { formatBound, formatFigure } from "../../run/targets.ts";
import type { Figures } from "../../run/figures.ts";
import { METRICS } from "../../run/types.ts";
import { interactiveSection } from "./interactive.ts";
import type { OpsData, TrafficData } from "./traffic.ts";

type Json = Record<string, unknown>;

/** What the page is built from. */
export interface ReportInput {
  opts: TestOptions;
  /** The results map; undefined when the run aborted before analysis. */
  results: Json | undefined;
  history: readonly Op[];
  traffic: TrafficData | undefined;
  ops: OpsData;
  /** Why the run aborted, if it did. */
  aborted?: string;
  /** File names in the run directory, linked at the end. */
  files: string[];
  /** The run directory's name (its timestamp). */
  run_name: string;
}

const CSS = `
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif;
  margin: 0 auto; max-width: 1180px; padding: 12px 20px 60px; color: #1d1d1f; }
h1 { font-size: 20px; margin: 8px 0; } h2 { font-size: 17px; margin: 28px 0 8px;
  border-bottom: 1px solid #ddd; } h3 { font-size: 15px; margin: 16px 0 4px; }
.verdict { padding: 14px 18px; border-radius: 8px; font-size: 22px; font-weight: 600; }
.verdict small { display: block; font-size: 14px; font-weight: 400; margin-top: 4px; }
.valid { background: #e3f6e8; color: #14532d; border: 2px solid #34a853; }
.invalid { background: #fde8ea; color: #7f1d1d; border: 2px solid #e0245e; }
.unknown { background: #fff4e0; color: #78350f; border: 2px solid #f59e0b; }
.meta { color: #555; margin: 6px 0; }
table { border-collapse: collapse; margin: 6px 0; }
td, th { border: 1px solid #ddd; padding: 3px 8px; text-align: left; vertical-align: top; }
th { background: #f5f5f7; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
.met { color: #14532d; font-weight: 600; } .miss { color: #b91c1c; font-weight: 600; }
.anomaly { border-left: 4px solid #e0245e; padding: 4px 12px; margin: 12px 0; background: #fffafa; }
.anomaly h3 { margin-top: 4px; }
pre { background: #f5f5f7; padding: 6px 8px; overflow-x: auto; font-size: 12px; margin: 4px 0; }
.plots { display: grid; grid-template-columns: repeat(auto-fit, minmax(520px, 1fr)); gap: 14px; }
figure { margin: 0; } svg.chart { width: 100%; height: auto; font: 11px system-ui, sans-serif; }
.chart-title { font-weight: 600; font-size: 12px; }
.legend span { display: inline-block; margin-right: 12px; font-size: 12px; }
.legend i { display: inline-block; width: 10px; height: 10px; margin-right: 4px; border-radius: 2px; }
.legend i.hollow { background: none !important; border: 1.5px solid; border-radius: 6px; }
.note, .status { color: #555; font-size: 12px; margin: 2px 0; }
.scroll { overflow: auto; border: 1px solid #ddd; max-height: 520px; }
.scroll.tall { max-height: 760px; } #controls label { margin-right: 10px; }
#timeline, #diagram { font: 10px system-ui, sans-serif; display: block; }
`;

/** The verdict's class, headline and one-line reading. */
function verdict(
  input: ReportInput,
  anomalies: Anomaly[],
): { cls: string; head: string; line: string } {
  if (input.aborted !== undefined || input.results === undefined) {
    return {
      cls: "unknown",
      head: "Test aborted — no verdict",
      line: input.aborted ?? "the run left no results.json",
    };
  }
  const valid = input.results["valid?"];
  const failing = Object.entries(input.results)
    .filter(([, r]) =>
      r !== null && typeof r === "object" && (r as Json)["valid?"] !== true &&
      (r as Json)["valid?"] !== undefined
    )
    .map(([name, r]) => `${name}: ${String((r as Json)["valid?"])}`);
  if (valid === true) {
    return { cls: "valid", head: "Valid — everything looks good", line: "every checker passed" };
  }
  if (valid === false) {
    const kinds = anomalies.map((a) => a.count === undefined ? a.title : `${a.title} (${a.count})`);
    return {
      cls: "invalid",
      head: `Invalid: ${kinds.slice(0, 3).join(", ")}${kinds.length > 3 ? ", …" : ""}`,
      line: `failing checkers: ${failing.join(", ")}; ${anomalies.length} kind${
        anomalies.length === 1 ? "" : "s"
      } of anomaly, explained below`,
    };
  }
  return { cls: "unknown", head: "Unknown", line: `checkers unsure: ${failing.join(", ")}` };
}

function optionsLine(opts: TestOptions): string {
  const parts = [
    `${opts.nodes.length} node${opts.nodes.length === 1 ? "" : "s"}`,
    `${opts.time_limit_s} s`,
    `rate ${opts.rate}`,
    `concurrency ${opts.concurrency}`,
    `latency ${opts.latency_ms} ms`,
  ];
  if (opts.nemesis.length > 0) parts.push(`nemesis ${opts.nemesis.join(",")}`);
  if (opts.workload === "broadcast") parts.push(`topology ${opts.topology}`);
  if (opts.bin_args.length > 0) parts.push(`args ${opts.bin_args.join(" ")}`);
  if (opts.sim) parts.push("simulated");
  parts.push(`seed ${opts.seed}`);
  return parts.join(" · ");
}

function anomalySection(anomalies: Anomaly[], history: readonly Op[]): string {
  if (anomalies.length === 0) return "";
  const cards = anomalies.map((a) => {
    const lines = a.op_indices.map((i) => {
      const op = history[i];
      return `${String(op.index).padStart(6)}  ${(op.time / 1e9).toFixed(3).padStart(8)} s  ` +
        formatOpLine(op) + (op.node ? `\t(${op.node})` : "");
    });
    const left = a.ops_left_out > 0 ? `\n… and ${a.ops_left_out} more operations` : "";
    const ops = lines.length > 0
      ? `<p><b>Operations that show it</b> (history index, time, process, type, f, value, error):</p>
<pre>${esc(lines.join("\n") + left)}</pre>`
      : `<p class="note">The checker names no single operations for this kind.</p>`;
    const count = a.count === undefined ? "" : ` <small>(${a.count})</small>`;
    const cases = a.cases.length === 0
      ? ""
      : `<p><b>First cases:</b></p><ul class="cases">${
        a.cases.map((c) => `<li>${esc(c)}</li>`).join("")
      }</ul>`;
    return `<div class="anomaly" data-kind="${esc(a.kind)}">
<h3>${esc(a.title)}${count} <small class="note">${esc(a.checker)} · ${esc(a.kind)}</small></h3>
<p><b>What it means:</b> ${esc(a.meaning)}</p>
<p><b>What usually causes it:</b> ${esc(a.causes)}</p>
${cases}
${ops}
<details><summary>the checker's report</summary><pre>${esc(a.raw)}</pre></details>
</div>`;
  });
  return `<section id="anomalies"><h2>What went wrong</h2>${cards.join("\n")}</section>`;
}

const FIGURE_LABELS: Record<string, string> = {
  servers_msgs_per_op: "server messages per op",
  all_msgs_per_op: "all messages per op",
  stable_latency_median_ms: "stable latency median (ms)",
  stable_latency_max_ms: "stable latency max (ms)",
  ok_fraction: "ok fraction",
  ok_latency_median_ms: "ok-op latency median (ms)",
  ok_latency_p99_ms: "ok-op latency p99 (ms)",
  run_time_s: "run time (s)",
};

function figuresSection(input: ReportInput, figures: Figures): string {
  const rows = rowTargets(input.opts, figures);
  const out: string[] = [`<section id="figures"><h2>Figures and targets</h2>`];
  if (rows.length === 0) {
    out.push(
      `<p class="note">No row of the run table (run.ts) has this run's flags, ` +
        `so there are no targets to compare with.</p>`,
    );
  }
  for (const { row, checks } of rows) {
    out.push(
      `<h3>Run-table row ${esc(row.id)} <small class="note">${esc(row.source)}</small></h3>`,
    );
    if (checks.length === 0) {
      out.push(
        `<p class="note">This row has no targets${row.note ? `: ${esc(row.note)}` : ""}.</p>`,
      );
      continue;
    }
    out.push(
      `<table class="targets"><tr><th>figure</th><th>this run</th><th>target</th>` +
        `<th>from</th><th></th></tr>`,
    );
    for (const c of checks) {
      const actual = c.actual === undefined ? "not measured" : formatFigure(c.metric, c.actual);
      const verdict = c.actual === undefined
        ? `<td class="note">${c.metric === "run_time_s" ? "measured by deno task run" : "—"}</td>`
        : c.met
        ? `<td class="met">met</td>`
        : `<td class="miss">missed</td>`;
      out.push(
        `<tr><td>${esc(FIGURE_LABELS[c.metric] ?? c.metric)}</td><td class="num">` +
          `${esc(actual)}</td><td>${esc(formatBound(c))}</td><td>${
            c.source === "stated" ? "Fly.io / guide" : "ours"
          }</td>${verdict}</tr>`,
      );
    }
    out.push(`</table>`);
  }
  out.push(`<h3>Key figures</h3><table class="key-figures">`);
  for (const metric of METRICS) {
    const value = figures[metric];
    if (value === undefined) continue;
    out.push(
      `<tr><td>${esc(FIGURE_LABELS[metric] ?? metric)}</td><td class="num">${
        esc(formatFigure(metric, value))
      }</td></tr>`,
    );
  }
  out.push(opCountRows(input.history), `</table></section>`);
  return out.join("\n");
}

function opCountRows(history: readonly Op[]): string {
  const counts = { ok: 0, fail: 0, info: 0 };
  for (const op of history) {
    if (op.process !== "nemesis" && op.type !== "invoke") counts[op.type]++;
  }
  return `<tr><td>client ops ok / fail / info</td><td class="num">` +
    `${counts.ok} / ${counts.fail} / ${counts.info}</td></tr>`;
}

function plotSection(plots: Plot[]): string {
  const figures = plots.map((p) => {
    const legend = p.legend.map((l) =>
      `<span><i class="${l.hollow ? "hollow" : ""}" style="${
        l.hollow ? `border-color:${l.color}` : `background:${l.color}`
      }"></i>${esc(l.label)}</span>`
    ).join("");
    const note = p.note ? `<p class="note">${esc(p.note)}</p>` : "";
    return `<figure id="${p.id}">${p.svg}<div class="legend">${legend}</div>${note}</figure>`;
  });
  return `<section id="plots"><h2>Plots</h2><div class="plots">${
    figures.join("\n")
  }</div></section>`;
}

function filesSection(files: string[]): string {
  const links = files.sort().map((f) => `<a href="${esc(encodeURI(f))}">${esc(f)}</a>`);
  return `<section id="files"><h2>Files of this run</h2><p>${links.join(" · ")}</p></section>`;
}

/** The whole page. */
export function renderReport(input: ReportInput): string {
  const anomalies = input.results === undefined || input.results["valid?"] === true
    ? []
    : findAnomalies(input.results, input.history);
  const v = verdict(input, anomalies);
  const end_s = endSeconds(input.history);
  const figures = input.results === undefined ? {} : runFigures(input.results, input.history);
  const title = `${input.opts.workload} ${input.run_name} — ${v.head}`;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${CSS}</style></head>
<body>
<h1>${esc(input.opts.workload)} · ${esc(input.run_name)}</h1>
<div id="verdict" class="verdict ${v.cls}">${esc(v.head)}<small>${esc(v.line)}</small></div>
<p class="meta">${esc(optionsLine(input.opts))}</p>
${anomalySection(anomalies, input.history)}
${input.results === undefined ? "" : figuresSection(input, figures)}
${plotSection(buildPlots(input.history, input.opts.workload))}
${interactiveSection(input.traffic, input.ops, faultPeriods(input.history, end_s))}
${filesSection(input.files)}
</body></html>
`;
}
