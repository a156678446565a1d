// Unit tests of lib/harness/viz/messages_svg.ts (harness.md §11.2) on
// hand-written journals: event filtering and limits, column order, colours,
// labels, size, node labels and the truncation notice, and XML structure.

import assert from "node:assert/strict";
import {
  type DiagramEvent,
  journalReadLimit,
  messageLabel,
  MessagesDiagram,
  renderMessagesSvg,
  sortNodeIds,
  SVG_EVENT_LIMIT,
  truncateLabel,
} from "../../lib/harness/viz/messages_svg.ts";
import { ednText } from "../../lib/harness/viz/edn_text.ts";
import type { Body } from "../../lib/harness/types.ts";
import { assertWellFormed } from "./support/xml_check.ts";

/** Builds a journal: each `message` call sends and optionally receives one message. */
class Journal {
  readonly events: DiagramEvent[] = [];
  private next_message = 0;

  send(src: string, dest: string, body: Body): number {
    const id = this.next_message++;
    this.events.push({ id: this.events.length, type: "send", message: { id, src, dest, body } });
    return id;
  }

  recv(message_id: number): void {
    const sent = this.events.find((e) => e.type === "send" && e.message.id === message_id)!;
    this.events.push({ id: this.events.length, type: "recv", message: sent.message });
  }

  message(src: string, dest: string, body: Body): void {
    this.recv(this.send(src, dest, body));
  }
}

function count(text: string, pattern: RegExp): number {
  return [...text.matchAll(pattern)].length;
}

Deno.test("columns: letters+digits by prefix then number, then ids without digits", () => {
  assert.deepEqual(
    sortNodeIds(["n10", "seq-kv", "n2", "c10", "lin-kv", "c3", "n1", "lin-tso"]),
    ["c3", "c10", "n1", "n2", "n10", "lin-kv", "lin-tso", "seq-kv"],
  );
  const journal = new Journal();
  journal.message("n10", "lin-kv", { type: "read", key: 1 });
  journal.message("c2", "n2", { type: "echo", echo: "x" });
  const svg = renderMessagesSvg(journal.events);
  const labels = [...svg.matchAll(/fill="#000">([^<]+)<\/text>/g)].map((m) => m[1]);
  assert.deepEqual(labels, ["c2", "n2", "n10", "lin-kv"]);
  // Four columns over 1200 px: centres at 150, 450, 750, 1050.
  assert.match(svg, /<text x="150" y="20"[^>]*>c2<\/text>/);
  assert.match(svg, /<text x="1050" y="20"[^>]*>lin-kv<\/text>/);
});

Deno.test("init and init_ok are left out, and events at or past the read limit", () => {
  const diagram = new MessagesDiagram(2);
  assert.equal(journalReadLimit(2), 10_009);
  const journal = new Journal();
  journal.message("c0", "n0", { type: "init", msg_id: 1, node_id: "n0", node_ids: ["n0"] });
  journal.message("n0", "c0", { type: "init_ok", in_reply_to: 1 });
  journal.message("n0", "n1", { type: "gossip", msg_id: 2 });
  for (const event of journal.events) diagram.add(event);
  diagram.add({
    id: 10_009,
    type: "send",
    message: { id: 99, src: "n1", dest: "n0", body: { type: "late" } },
  });
  diagram.add({
    id: 10_008,
    type: "send",
    message: { id: 98, src: "n1", dest: "n0", body: { type: "last" } },
  });
  const svg = diagram.render();
  assert.doesNotMatch(svg, /init/);
  const without_late = new MessagesDiagram(2);
  for (const event of journal.events) without_late.add(event);
  without_late.add({
    id: 10_008,
    type: "send",
    message: { id: 98, src: "n1", dest: "n0", body: { type: "last" } },
  });
  // The event at the limit is not drawn, but it is counted as not shown.
  assert.match(svg, /1 later network event not shown/);
  assert.doesNotMatch(without_late.render(), /not shown/);
  assert.doesNotMatch(svg, /late&quot;|>late /);
  // gossip send + recv + the last send: three steps.
  assert.match(svg, /height="200"/); // 20 · (7 + 3)
  assert.equal(count(svg, /<rect /g), 1, "one arrow: the gossip; the last send was never received");
});

Deno.test("arrows: one per receive, from the send step to the receive step, coloured", () => {
  const journal = new Journal();
  const a = journal.send("c1", "n0", { type: "write", msg_id: 1, key: 3, value: 4 });
  const b = journal.send("n0", "n1", { type: "gossip", msg_id: 2, values: [1, 2] });
  journal.send("n1", "n0", { type: "dropped", msg_id: 3 }); // Never received: no arrow.
  journal.recv(b);
  journal.recv(a);
  journal.message("n0", "lin-kv", { type: "error", in_reply_to: 5, code: 20, text: "not found" });
  const svg = renderMessagesSvg(journal.events);
  assertWellFormed(svg);
  assert.equal(count(svg, /<rect /g), 3);
  assert.equal(count(svg, /<use xlink:href="#ahead"/g), 3);
  assert.equal(count(svg, /fill="#81BFFC"/g), 1, "client message");
  assert.equal(count(svg, /<rect [^>]*fill="#000"/g), 1, "server message");
  assert.equal(count(svg, /fill="#FF1E90"/g), 1, "error message");
  // The gossip goes from n0 (x 450 of 4 columns: c1, n0, n1, lin-kv) at step 2 (y 70)
  // to n1 (x 750) at step 4 (y 110).
  assert.match(svg, /translate\(450 70\) rotate\(7\.59\)/);
  assert.match(svg, /gossip \{:values \[1 2\]\}/);
  assert.match(
    svg,
    /<title>n0 → n1 \{:type &quot;gossip&quot;, :msg_id 2, :values \[1 2\]\}<\/title>/,
  );
  assert.match(svg, />error not found</);
  assert.doesNotMatch(svg, /dropped/);
  assert.match(svg, /width="1200" height="280"/); // 20 · (7 + 7)
});

Deno.test("labels: body minus type/msg_id/in_reply_to in EDN, cut to 48 chars with hover text", () => {
  assert.equal(
    ednText({ a: 1, b: [1, "x", null], c: { d: true }, e: 12345678901234567890n }),
    '{:a 1, :b [1 "x" nil], :c {:d true}, :e 12345678901234567890}',
  );
  assert.equal(messageLabel({ type: "read_ok", in_reply_to: 3, msg_id: 4 }), "read_ok {}");
  assert.equal(messageLabel({ type: "error", code: 11, text: "down" }), "error down");
  const long = messageLabel({ type: "broadcast", msg_id: 1, message: "x".repeat(100) });
  assert.equal(long.length, 48);
  assert.ok(long.endsWith("…"));
  assert.equal(long, `broadcast {:message "${"x".repeat(26)}…`);
  assert.equal(truncateLabel("x".repeat(48)), "x".repeat(48));
  const journal = new Journal();
  journal.message("n0", "n1", { type: "broadcast", msg_id: 1, message: "<&>" + "y".repeat(80) });
  const svg = renderMessagesSvg(journal.events);
  assertWellFormed(svg);
  assert.match(
    svg,
    /<title>n0 → n1 \{:type &quot;broadcast&quot;, :msg_id 1, :message &quot;&lt;&amp;&gt;y{80}/,
  );
});

Deno.test("event limit: 10 000 steps, orange truncation notice, node labels every 50 steps", () => {
  const journal = new Journal();
  // 5 030 messages between two nodes: 10 060 events.
  for (let i = 0; i < 5_030; i++) {
    journal.message(i % 2 ? "n0" : "n1", i % 2 ? "n1" : "n0", { type: "ping", i });
  }
  const svg = renderMessagesSvg(journal.events);
  assertWellFormed(svg);
  assert.match(svg, new RegExp(`width="1200" height="${20 * (7 + SVG_EVENT_LIMIT)}"`));
  assert.equal(count(svg, /<rect /g), 5_000, "arrows of the first 10 000 events only");
  assert.match(svg, /<text[^>]*fill="#D96918"[^>]*>60 later network events not shown<\/text>/);
  assert.match(svg, /<line [^>]*stroke="#D96918"/);
  // Each node's name at steps 0, 50, …, 9950: 200 per node; only the first black.
  assert.equal(count(svg, />n0<\/text>/g), 200);
  assert.equal(count(svg, /fill="#000">n1<\/text>/g), 1);
  assert.equal(count(svg, /fill="#aaa">n1<\/text>/g), 199);
});

Deno.test("regression: the notice counts every event left out, not those read past 10 000", () => {
  // Before the fix, a journal of 40 000 events said "1 later network events not shown":
  // only events below the read limit were kept, so only one past 10 000 was counted.
  const diagram = new MessagesDiagram(3);
  const journal = new Journal();
  for (let i = 0; i < 20_000; i++) {
    journal.message(i % 2 ? "n0" : "n1", i % 2 ? "n1" : "n0", { type: "ping", i });
  }
  for (const event of journal.events) diagram.add(event);
  assert.equal(journal.events.length, 40_000);
  const svg = diagram.render();
  assert.match(svg, />30000 later network events not shown<\/text>/);
  assert.doesNotMatch(svg, />1 later network events? not shown/);
});

Deno.test("a short journal has no truncation notice; an empty one is still a valid SVG", () => {
  const journal = new Journal();
  journal.message("n0", "n1", { type: "ping" });
  const svg = renderMessagesSvg(journal.events);
  assert.doesNotMatch(svg, /not shown/);
  assert.doesNotMatch(svg, /#D96918/);
  const empty = renderMessagesSvg([]);
  assertWellFormed(empty);
  assert.match(empty, /width="1200" height="140"/);
});

Deno.test("the structure check used above rejects broken markup", () => {
  assert.equal(assertWellFormed('<svg><g a="1"/><text>x &amp; y</text></svg>'), 3);
  assert.throws(() => assertWellFormed("<svg><g></svg>"), /does not match/);
  assert.throws(() => assertWellFormed("<svg><g>"), /unclosed/);
  assert.throws(() => assertWellFormed("<svg>a & b</svg>"), /bare &/);
  assert.throws(() => assertWellFormed("<svg a=1></svg>"), /malformed tag/);
  assert.throws(() => assertWellFormed("<svg/><svg/>"), /one root/);
  assert.throws(() => assertWellFormed("<svg>x < y</svg>"), /bad tag/);
});
