/** The EDN reader used for a real Maelstrom's results.edn and history.edn. */

import assert from "node:assert/strict";
import { parseEdn, parseEdnForms } from "../../lib/run/edn.ts";

Deno.test("maps, keywords, numbers, sets, vectors and nil", () => {
  const value = parseEdn(`{:valid? true, :count 10, :rate 2.0425532, :ratio 1/4,
    :big 123456789012345678901N, :kw :ok, :s "a \\"q\\"\\n", :v [1 (2) #{3}], :none nil
    :quantiles {0 0, 0.5 12, 1 30}}`);
  assert.deepEqual(value, {
    "valid?": true,
    count: 10,
    rate: 2.0425532,
    ratio: 0.25,
    big: "123456789012345678901",
    kw: "ok",
    s: 'a "q"\n',
    v: [1, [2], [3]],
    none: null,
    quantiles: { "0": 0, "0.5": 12, "1": 30 },
  });
});

Deno.test("tagged literals, characters, comments and discards", () => {
  assert.deepEqual(
    parseEdn(`; results
      {:at #inst "2025-01-01", :op #jepsen.history.Op{:index 0, :type :ok},
       :c [\\a \\newline \\space], #_ :gone #_ 1 :kept -7}`),
    { at: "2025-01-01", op: { index: 0, type: "ok" }, c: ["a", "\n", " "], kept: -7 },
  );
  assert.equal(parseEdn(":valid? "), "valid?");
  assert.deepEqual(parseEdn('[##Inf ##-Inf #"a+b" #uuid "x"]'), [Infinity, -Infinity, "a+b", "x"]);
  assert.ok(Number.isNaN(parseEdn("##NaN")));
  assert.equal(parseEdn("sym/name"), "sym/name");
});

Deno.test("one history op per line", () => {
  const forms = parseEdnForms(
    `{:index 0, :time 29584411, :type :invoke, :process 0, :f :echo, :value "Please echo 36"}
{:index 1, :time 31584411, :type :ok, :process 0, :f :echo, :value "Please echo 36"}
`,
  );
  assert.equal(forms.length, 2);
  assert.deepEqual(forms[1], {
    index: 1,
    time: 31584411,
    type: "ok",
    process: 0,
    f: "echo",
    value: "Please echo 36",
  });
});

Deno.test("malformed input fails with a one-line error naming the offset", () => {
  assert.throws(() => parseEdn("{:a 1"), /EDN: unterminated map at offset \d+/);
  assert.throws(() => parseEdn("[1 2}"), /unexpected '}'/);
  assert.throws(() => parseEdn('"abc'), /unterminated string/);
  assert.throws(() => parseEdn("1 2"), /expected one form, found 2/);
  assert.throws(() => parseEdn("[".repeat(2000)), /nesting too deep/);
});
