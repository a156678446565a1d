/**
 * The report's interactive timeline and message diagram: HTML controls and a small inline
 * script that draws both as SVG from the embedded data (traffic.ts), for one time window and
 * a set of nodes, with client traffic collapsed into one column or hidden. Every view says how
 * many messages and operations it leaves out and why (window, node filter, draw limit, not
 * embedded). No network access, no libraries.
 *
 * @module
 */

import type { OpsData, TrafficData } from "./traffic.ts";
import type { FaultBand } from "./plots.ts";

/** Arrows drawn per view at most. */
export const MAX_DRAWN_MESSAGES = 2_000;
/** Timeline boxes drawn per view at most. */
export const MAX_DRAWN_OPS = 3_000;
/** The default window holds about this many messages. */
export const DEFAULT_WINDOW_MESSAGES = 400;

/** JSON for a `<script type="application/json">` block (no `</script>` inside). */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replaceAll("<", "\\u003c");
}

/** The section's HTML: controls, two SVG canvases, the data and the script. */
export function interactiveSection(
  traffic: TrafficData | undefined,
  ops: OpsData,
  faults: FaultBand[],
): string {
  const data = {
    traffic: traffic ?? { ids: [], types: [], messages: [], total: 0, not_embedded: 0 },
    ops,
    faults,
    limits: {
      messages: MAX_DRAWN_MESSAGES,
      ops: MAX_DRAWN_OPS,
      window_messages: DEFAULT_WINDOW_MESSAGES,
    },
  };
  const missing = traffic === undefined
    ? `<p class="note">This run has no messages.jsonl; the diagram is empty.</p>`
    : "";
  return `<section id="traffic">
<h2>Timeline and messages</h2>
<p class="note">Choose a time window and nodes; both views follow. Hover an arrow or box for details.</p>
<form id="controls" onsubmit="return false">
  <label>from <input id="t0" type="number" step="0.1" min="0" size="7"> s</label>
  <label>to <input id="t1" type="number" step="0.1" min="0" size="7"> s</label>
  <label>nodes <input id="nodes" type="text" size="24" placeholder="all, or e.g. n0 n3 n7"></label>
  <label><input id="collapse" type="checkbox" checked> clients as one column</label>
  <label><input id="hideclients" type="checkbox"> hide client traffic</label>
  <button id="whole" type="button">whole run</button>
</form>
${missing}
<h3>Operations</h3>
<p id="ops-status" class="status"></p>
<div class="scroll"><svg id="timeline" xmlns="http://www.w3.org/2000/svg" width="900" height="60"></svg></div>
<h3>Messages</h3>
<p id="msg-status" class="status"></p>
<div id="msg-legend" class="legend"></div>
<div class="scroll tall"><svg id="diagram" xmlns="http://www.w3.org/2000/svg" width="900" height="60"></svg></div>
<script type="application/json" id="traffic-data">${scriptJson(data)}</script>
<script>${SCRIPT}</script>
</section>`;
}

const SCRIPT = String.raw`
(function () {
  "use strict";
  var D = JSON.parse(document.getElementById("traffic-data").textContent);
  var T = D.traffic, O = D.ops;
  var PAL = ["#1f77b4","#d62728","#2ca02c","#9467bd","#ff7f0e","#8c564b","#e377c2","#17becf","#bcbd22","#7f7f7f"];
  var OUT = ["#3b82c4","#e0245e","#f59e0b","#aaaaaa"], OUTN = ["ok","fail","info","no completion"];
  var $ = function (id) { return document.getElementById(id); };
  function esc(s) { return String(s).replace(/[&<>"]/g, function (c) { return {"&":"&amp;","<":"&lt;",">":"&gt;","\"":"&quot;"}[c]; }); }
  function isClient(id) { return id.charAt(0) === "c"; }
  var end = 0;
  T.messages.forEach(function (m) { end = Math.max(end, m[0], m[1]); });
  O.ops.forEach(function (o) { end = Math.max(end, o[0], o[1]); });
  end = Math.ceil(end / 100) / 10;
  function defaultEnd() {
    var n = D.limits.window_messages;
    if (T.messages.length <= n) return end;
    return Math.ceil(T.messages[n - 1][0] / 100) / 10 || end;
  }
  $("t0").value = 0;
  $("t1").value = defaultEnd();
  function wanted() {
    var text = $("nodes").value.trim();
    if (text === "") return null;
    var set = {};
    text.split(/[\s,]+/).forEach(function (n) { if (n) set[n] = true; });
    return set;
  }
  function view() {
    var t0 = parseFloat($("t0").value) * 1000, t1 = parseFloat($("t1").value) * 1000;
    if (!(t0 >= 0)) t0 = 0;
    if (!(t1 > t0)) t1 = t0 + 1000;
    return { t0: t0, t1: t1, nodes: wanted(), collapse: $("collapse").checked, hide: $("hideclients").checked };
  }
  function faultRects(v, x, top, h) {
    return D.faults.map(function (f) {
      var a = Math.max(f.from * 1000, v.t0), b = Math.min(f.to * 1000, v.t1);
      if (b <= a) return "";
      return '<rect x="' + x(a) + '" y="' + top + '" width="' + Math.max(1, x(b) - x(a)) + '" height="' + h +
        '" fill="#E9C46A" fill-opacity="0.3"><title>' + esc(f.fault) + "</title></rect>";
    }).join("");
  }
  function drawTimeline(v) {
    var W = 900, L = 90, rows = {}, order = [], shown = 0, outside = 0, filtered = 0, over = 0, parts = [];
    var x = function (t) { return (L + (t - v.t0) / (v.t1 - v.t0) * (W - L - 10)).toFixed(1); };
    O.ops.forEach(function (o) {
      var stop = o[1] < 0 ? end * 1000 : o[1];
      if (stop < v.t0 || o[0] > v.t1) { outside++; return; }
      if (v.nodes && !v.nodes[O.nodes[o[3]]]) { filtered++; return; }
      if (shown >= D.limits.ops) { over++; return; }
      shown++;
      var key = o[2];
      if (!(key in rows)) { rows[key] = order.length; order.push(key); }
      parts.push([o, stop]);
    });
    order.sort(function (a, b) { return Number(O.processes[a]) - Number(O.processes[b]); });
    order.forEach(function (k, i) { rows[k] = i; });
    var H = 20 + order.length * 12 + 24;
    var out = [faultRects(v, x, 14, H - 38)];
    order.forEach(function (k, i) {
      out.push('<text x="4" y="' + (24 + i * 12) + '" font-size="10">process ' + esc(O.processes[k]) + "</text>");
    });
    parts.forEach(function (p) {
      var o = p[0], a = Math.max(o[0], v.t0), b = Math.min(p[1], v.t1), y = 15 + rows[o[2]] * 12;
      out.push('<rect x="' + x(a) + '" y="' + y + '" width="' + Math.max(1.5, x(b) - x(a)) + '" height="10" fill="' +
        OUT[o[5]] + '"><title>' + esc(O.fs[o[4]] + " " + OUTN[o[5]] + " on " + O.nodes[o[3]] + ", process " +
        O.processes[o[2]] + ", " + (o[0] / 1000).toFixed(3) + " s, " + (o[1] < 0 ? "never completed" : (o[1] - o[0]).toFixed(1) + " ms")) +
        "</title></rect>");
    });
    out.push(axis(v, x, H - 8, W));
    var svg = $("timeline");
    svg.setAttribute("width", W); svg.setAttribute("height", H);
    svg.innerHTML = out.join("");
    $("ops-status").textContent = "Showing " + shown + " of " + O.total + " operations: " + outside +
      " outside the window, " + filtered + " on other nodes, " + over + " beyond the draw limit of " +
      D.limits.ops + ", " + O.not_embedded + " not embedded in this page (history.jsonl has all).";
  }
  function axis(v, x, y, W) {
    var span = (v.t1 - v.t0) / 1000, step = Math.pow(10, Math.floor(Math.log10(span / 5)));
    if (span / step > 12) step *= 5; else if (span / step > 6) step *= 2;
    var out = [];
    for (var t = Math.ceil(v.t0 / 1000 / step) * step; t <= v.t1 / 1000 + 1e-9; t += step) {
      out.push('<text x="' + x(t * 1000) + '" y="' + y + '" font-size="10" text-anchor="middle">' + (+t.toFixed(3)) + " s</text>");
    }
    return out.join("");
  }
  function drawDiagram(v) {
    var shown = 0, outside = 0, filtered = 0, over = 0, lines = [], counts = {}, used = {};
    var sel = function (i) { var id = T.ids[i]; return isClient(id) ? false : !v.nodes || !!v.nodes[id]; };
    T.messages.forEach(function (m) {
      var stop = m[1] < 0 ? m[0] : m[1];
      if (stop < v.t0 || m[0] > v.t1) { outside++; return; }
      if (v.hide && (isClient(T.ids[m[2]]) || isClient(T.ids[m[3]]))) { filtered++; return; }
      if (v.nodes && !sel(m[2]) && !sel(m[3])) { filtered++; return; }
      if (shown >= D.limits.messages) { over++; return; }
      shown++; lines.push(m); counts[m[4]] = (counts[m[4]] || 0) + 1; used[m[2]] = used[m[3]] = true;
    });
    var cols = [], col = {}, clientCol = -1;
    T.ids.forEach(function (id, i) {
      var client = isClient(id);
      if (!used[i] && (client || v.nodes)) return;
      if (client && v.collapse) {
        if (clientCol < 0) { clientCol = cols.length; cols.push("clients"); }
        col[i] = clientCol; return;
      }
      col[i] = cols.length; cols.push(id);
    });
    var CW = Math.max(36, Math.min(120, 1100 / Math.max(1, cols.length))), L = 10, W = L * 2 + CW * cols.length;
    var H = Math.max(300, Math.min(4000, shown * 3 + 200)), top = 30;
    var y = function (t) { return (top + (t - v.t0) / (v.t1 - v.t0) * (H - top - 30)).toFixed(1); };
    var cx = function (c) { return (L + CW * (c + 0.5)).toFixed(1); };
    var out = [faultRectsY(v, y, W)];
    cols.forEach(function (name, c) {
      out.push('<line x1="' + cx(c) + '" x2="' + cx(c) + '" y1="' + top + '" y2="' + (H - 30) + '" stroke="#ccc"/>');
      out.push('<text x="' + cx(c) + '" y="14" font-size="11" text-anchor="middle">' + esc(name) + "</text>");
      out.push('<text x="' + cx(c) + '" y="' + (H - 12) + '" font-size="11" text-anchor="middle">' + esc(name) + "</text>");
    });
    lines.forEach(function (m) {
      var a = col[m[2]], b = col[m[3]], color = PAL[m[4] % PAL.length];
      var lost = m[1] < 0, t1 = lost ? m[0] + (v.t1 - v.t0) / 200 : m[1];
      var x2 = lost ? (+cx(a) + (+cx(b) - +cx(a)) / 3) : +cx(b);
      var title = esc(T.ids[m[2]] + " → " + T.ids[m[3]] + " " + T.types[m[4]] + ", sent " + (m[0] / 1000).toFixed(3) + " s, " +
        (lost ? "never delivered" : "delivered after " + (m[1] - m[0]).toFixed(1) + " ms"));
      out.push('<line x1="' + cx(a) + '" y1="' + y(m[0]) + '" x2="' + x2.toFixed(1) + '" y2="' + y(t1) + '" stroke="' + color +
        '" stroke-width="1.2"' + (lost ? ' stroke-dasharray="3 2"' : "") + '><title>' + title + "</title></line>");
      if (!lost) out.push('<circle cx="' + cx(b) + '" cy="' + y(t1) + '" r="1.6" fill="' + color + '"/>');
    });
    var svg = $("diagram");
    svg.setAttribute("width", W); svg.setAttribute("height", H);
    svg.innerHTML = out.join("");
    $("msg-status").textContent = "Showing " + shown + " of " + T.total + " messages: " + outside +
      " outside the window, " + filtered + " of other nodes or hidden clients, " + over + " beyond the draw limit of " +
      D.limits.messages + ", " + T.not_embedded + " not embedded in this page (messages.jsonl has all). Dashed: never delivered.";
    $("msg-legend").innerHTML = Object.keys(counts).map(function (k) {
      return '<span><i style="background:' + PAL[k % PAL.length] + '"></i>' + esc(T.types[k]) + " " + counts[k] + "</span>";
    }).join("");
  }
  function faultRectsY(v, y, W) {
    return D.faults.map(function (f) {
      var a = Math.max(f.from * 1000, v.t0), b = Math.min(f.to * 1000, v.t1);
      if (b <= a) return "";
      return '<rect x="0" y="' + y(a) + '" width="' + W + '" height="' + Math.max(1, y(b) - y(a)) +
        '" fill="#E9C46A" fill-opacity="0.3"><title>' + esc(f.fault) + "</title></rect>";
    }).join("");
  }
  function draw() { var v = view(); drawTimeline(v); drawDiagram(v); }
  ["t0", "t1", "nodes", "collapse", "hideclients"].forEach(function (id) { $(id).addEventListener("change", draw); });
  $("whole").addEventListener("click", function () { $("t0").value = 0; $("t1").value = end || 1; draw(); });
  draw();
})();
`;
