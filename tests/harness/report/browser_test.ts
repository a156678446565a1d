// report.html in a real browser: Debian's headless Chromium driven by puppeteer-core. For a
// valid broadcast report and an invalid kafka report (the lossy fixture): the page loads with
// no console error and no network request, the verdict and figures are visible, every plot,
// the timeline and the message diagram render as SVG with a non-zero size, and the node
// filter redraws the diagram. Without Chromium the test fails and names the fix.
//
// REPORT_SCREENSHOTS=<dir> also saves a full-page screenshot of each report there.

import assert from "node:assert/strict";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
// Pinned inline: the repository has no package.json, and only this test needs it.
// deno-lint-ignore no-import-prefix
import puppeteer, { type Browser, type Page } from "npm:puppeteer-core@25.16.0";
import { BROADCAST_ARGS, KAFKA_LOSSY_ARGS, simRun } from "./support.ts";

/** Where Debian's chromium package puts the browser (`apt-get install -y chromium`). */
export const CHROMIUM_PATH = Deno.env.get("CHROMIUM_PATH") ?? "/usr/bin/chromium";

/** Flags for a quiet, offline, throw-away headless browser. */
export function chromiumArgs(user_data_dir: string): string[] {
  return [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    `--user-data-dir=${user_data_dir}`,
  ];
}

function requireChromium(): void {
  try {
    Deno.statSync(CHROMIUM_PATH);
  } catch {
    throw new Error(
      `Chromium not found at ${CHROMIUM_PATH}: the report's browser test needs it. Install it ` +
        "with `sudo apt-get install -y chromium` (Debian; .ci/run does this), or set " +
        "CHROMIUM_PATH to a Chromium binary.",
    );
  }
}

/** Launches the browser with a fresh profile; returns it and the profile directory. */
export async function launchChromium(): Promise<{ browser: Browser; profile: string }> {
  requireChromium();
  const profile = await Deno.makeTempDir({ prefix: "chromium-profile-" });
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: chromiumArgs(profile),
  });
  return { browser, profile };
}

/** A page that records console errors, page errors and any non-file request. */
async function recordingPage(browser: Browser): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage();
  const problems: string[] = [];
  page.on("console", (m) => {
    const type = m.type();
    if (type === "error" || type === "warn") problems.push(`console ${type}: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`page error: ${e}`));
  page.on("request", (r) => {
    if (!r.url().startsWith("file:")) problems.push(`network request: ${r.url()}`);
  });
  page.on("requestfailed", (r) => problems.push(`request failed: ${r.url()}`));
  await page.setViewport({ width: 1280, height: 900 });
  return { page, problems };
}

/** Width and height of every element matching `selector`. */
function sizes(page: Page, selector: string): Promise<[string, number, number][]> {
  return page.$$eval(selector, (els) =>
    els.map((e) => {
      const r = e.getBoundingClientRect();
      return [e.id, r.width, r.height] as [string, number, number];
    }));
}

async function visibleText(page: Page, selector: string): Promise<string> {
  const text = await page.$eval(selector, (e) => {
    const r = e.getBoundingClientRect();
    return r.width > 0 && r.height > 0 ? (e as unknown as { innerText: string }).innerText : "";
  });
  return text;
}

async function checkReport(page: Page, path: string, shot?: string): Promise<void> {
  await page.goto(pathToFileURL(path).href, { waitUntil: "load" });
  const charts = await sizes(page, "svg.chart");
  assert.ok(charts.length >= 3, `at least three plots, got ${charts.length}`);
  for (const [id, w, h] of charts) assert.ok(w > 100 && h > 50, `plot ${id} is ${w}×${h}`);
  const marks = await page.$$eval(
    "svg.chart circle, svg.chart polyline, svg.chart rect",
    (e) => e.length,
  );
  assert.ok(marks > 10, "the plots have marks");
  for (const [id, w, h] of await sizes(page, "#timeline, #diagram")) {
    assert.ok(w > 100 && h > 50, `${id} is ${w}×${h}`);
  }
  const arrows = await page.$$eval("#diagram line", (e) => e.length);
  assert.ok(arrows > 0, "the diagram draws messages");
  assert.match(await visibleText(page, "#msg-status"), /^Showing \d+ of \d+ messages: /);
  assert.match(await visibleText(page, "#ops-status"), /^Showing \d+ of \d+ operations: /);
  if (shot !== undefined) await page.screenshot({ path: shot, fullPage: true });
}

Deno.test({
  name: "report.html renders in headless Chromium: verdict, figures, plots, diagram, no errors",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "report-browser-" });
    const shots = Deno.env.get("REPORT_SCREENSHOTS");
    const { browser, profile } = await launchChromium();
    try {
      const { page, problems } = await recordingPage(browser);
      const valid = await simRun(dir, "challenges/broadcast.ts", BROADCAST_ARGS);
      await checkReport(
        page,
        join(valid.store_path, "report.html"),
        shots && join(shots, "report-broadcast-test.png"),
      );
      assert.match(await visibleText(page, "#verdict"), /^Valid/);
      assert.match(await visibleText(page, "#figures"), /server messages per op\s+\d/);
      assert.ok((await sizes(page, "#plot-stable-svg")).length === 1, "stable latency plot");
      // Filtering to one node redraws: fewer messages shown, and the status says why.
      const before = await visibleText(page, "#msg-status");
      await page.$eval("#whole", (b) => (b as unknown as { click(): void }).click());
      await page.$eval("#nodes", (e) => {
        (e as unknown as { value: string }).value = "n0";
        e.dispatchEvent(new Event("change"));
      });
      const after = await visibleText(page, "#msg-status");
      assert.notEqual(after, before);
      assert.match(after, /[1-9]\d* of other nodes or hidden clients/);
      assert.deepEqual(problems, []);

      const invalid = await simRun(
        dir,
        "tests/harness/report/nodes/kafka_lossy.ts",
        KAFKA_LOSSY_ARGS,
      );
      await checkReport(
        page,
        join(invalid.store_path, "report.html"),
        shots && join(shots, "report-kafka-test.png"),
      );
      assert.match(await visibleText(page, "#verdict"), /^Invalid: Lost writes/);
      assert.match(await visibleText(page, "#anomalies"), /What it means:/);
      assert.deepEqual(problems, []);
    } finally {
      await browser.close();
      await Deno.remove(profile, { recursive: true }).catch(() => {});
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("without Chromium the browser test fails and names the fix", async () => {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "eval",
      `
      Deno.env.set("CHROMIUM_PATH", "/nonexistent/chromium");
      const m = await import(${JSON.stringify(import.meta.url)});
      try { await m.launchChromium(); console.log("launched"); } catch (e) { console.log(e.message); }
    `,
    ],
    env: { CHROMIUM_PATH: "/nonexistent/chromium" },
    stdout: "piped",
    stderr: "piped",
  });
  const out = new TextDecoder().decode((await child.output()).stdout);
  assert.match(out, /Chromium not found at \/nonexistent\/chromium/);
  assert.match(out, /apt-get install -y chromium/);
});
