import assert from "node:assert/strict";
import {
  allImpliedModels,
  anomaliesProhibitedBy,
  boundary,
  canonicalModel,
  validateModels,
} from "../../../lib/harness/checkers/elle/models.ts";
import { parseTestArgs } from "../../../lib/harness/cli.ts";
import { classifyCycle, CYCLE_SPECS } from "../../../lib/harness/checkers/elle/cycles.ts";
import { PROCESS, REALTIME, RW, WR, WW } from "../../../lib/harness/checkers/elle/graph.ts";

function has(set: Set<string>, ...names: string[]): void {
  for (const name of names) assert.ok(set.has(name), `missing ${name}`);
}

function lacks(set: Set<string>, ...names: string[]): void {
  for (const name of names) assert.ok(!set.has(name), `unexpected ${name}`);
}

Deno.test("models: read-uncommitted prohibits G0-class anomalies only", () => {
  const p = anomaliesProhibitedBy(["read-uncommitted"]);
  has(p, "G0", "duplicate-elements", "cyclic-versions", "PL-1-cycle-exists");
  lacks(p, "G1a", "G1b", "G1c", "internal", "G-single-item", "G0-realtime");
});

Deno.test("models: read-committed adds G1 and incompatible-order, not internal", () => {
  const p = anomaliesProhibitedBy(["read-committed"]);
  has(p, "G0", "G1a", "G1b", "G1c", "dirty-update", "future-read", "incompatible-order");
  has(p, "PL-2-cycle-exists");
  lacks(p, "internal", "lost-update", "G-single-item", "G2-item");
});

Deno.test("models: snapshot isolation forbids G-single but allows G2-item", () => {
  const p = anomaliesProhibitedBy(["snapshot-isolation"]);
  has(p, "internal", "G-single-item", "G-nonadjacent-item", "lost-update", "PL-SI-cycle-exists");
  lacks(p, "G2-item", "G-single-item-realtime");
});

Deno.test("models: repeatable-read forbids G2-item but not internal", () => {
  const p = anomaliesProhibitedBy(["repeatable-read"]);
  has(p, "G-single-item", "G2-item", "lost-update");
  lacks(p, "internal");
});

Deno.test("models: serializable vs strict-serializable differ by realtime variants", () => {
  const ser = anomaliesProhibitedBy(["serializable"]);
  has(ser, "G2-item", "G2", "internal", "PL-3-cycle-exists");
  lacks(ser, "G0-realtime", "G1c-realtime", "G-single-item-realtime", "G2-item-process");
  const strict = anomaliesProhibitedBy(["strict-serializable"]);
  has(strict, "G0-realtime", "G1c-realtime", "G-single-item-realtime", "G2-item-realtime");
  has(strict, "G2-item-process", "PL-SS-cycle-exists");
});

Deno.test("models: boundary names the weakest ruled-out models", () => {
  assert.deepEqual(boundary(["G1c"]).not, ["read-committed"]);
  assert.deepEqual(boundary(["G0"]).not, ["read-uncommitted"]);
  assert.deepEqual(boundary(["internal"]).not, ["read-atomic"]);
  assert.deepEqual(boundary(["G2-item"]).not, ["repeatable-read"]);
  assert.deepEqual(boundary(["incompatible-order"]).not, ["read-committed"]);
  const g_single = boundary(["G-single-item"]);
  assert.deepEqual(g_single.not, ["consistent-view", "repeatable-read"]);
  assert.ok(g_single.also_not.includes("snapshot-isolation"));
  assert.ok(g_single.also_not.includes("strict-serializable"));
});

Deno.test("models: names canonicalise and unknown names are rejected", () => {
  assert.equal(canonicalModel("serializable"), "PL-3");
  assert.equal(canonicalModel("strict-serializable"), "PL-SS");
  validateModels(["read-committed", "PL-2", "strong-session-serializable", "causal-cerone"]);
  assert.throws(() => validateModels(["serialisable"]), /unknown consistency model "serialisable"/);
});

Deno.test("cycles: classification follows Elle's cycle explainer", () => {
  assert.equal(classifyCycle([WW, WW]), "G0");
  assert.equal(classifyCycle([WW, WR]), "G1c");
  assert.equal(classifyCycle([WR, RW]), "G-single-item");
  assert.equal(classifyCycle([RW, WR, RW, WW]), "G-nonadjacent-item");
  assert.equal(classifyCycle([RW, RW]), "G2-item");
  assert.equal(classifyCycle([RW, WR, WW, RW]), "G2-item"); // last → first is adjacent
  assert.equal(classifyCycle([RW, REALTIME]), "G-single-item-realtime");
  assert.equal(classifyCycle([WW, PROCESS]), "G0-process");
  assert.equal(classifyCycle([REALTIME, PROCESS]), undefined);
});

Deno.test("cycles: specs are searched worst first", () => {
  const names = CYCLE_SPECS.map((s) => s.name);
  assert.ok(names.indexOf("G0") < names.indexOf("G1c"));
  assert.ok(names.indexOf("G1c") < names.indexOf("G-single-item"));
  assert.ok(names.indexOf("G-single-item") < names.indexOf("G2-item"));
  assert.ok(names.indexOf("G0") < names.indexOf("G0-process"));
  assert.equal(names.length, 15);
});

Deno.test("update-atomic (Elle 0.2.2's name, from ROLA) is known and forbids what it should", () => {
  validateModels(["update-atomic"]);
  const forbidden = anomaliesProhibitedBy(["update-atomic"]);
  // Its own (lost-update) and read-atomic's, which it implies.
  for (const anomaly of ["lost-update", "G1a", "internal", "future-read"]) {
    assert.ok(forbidden.has(anomaly), anomaly);
  }
  assert.ok(!forbidden.has("G2-item"), "update-atomic allows write skew");
  assert.ok(allImpliedModels(["parallel-snapshot-isolation"]).has("update-atomic"));
  assert.deepEqual(
    parseTestArgs(["--bin", "/bin/true", "--consistency-models", "update-atomic"])
      .consistency_models,
    ["update-atomic"],
  );
});
