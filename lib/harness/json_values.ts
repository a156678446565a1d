/**
 * Clojure-like equality, hashing and ordering for JSON values as the harness
 * holds them (numbers, big integers as `bigint`, strings, booleans, null,
 * arrays and plain objects).
 *
 * Checkers use these instead of `===` so that two equal arrays or objects are
 * the same element (Clojure `=` is structural) and so that ids can be sorted
 * for reports. Limitation: after `JSON.parse`, `1` and `1.0` are the same
 * number, whereas Clojure tells them apart.
 *
 * @module
 */

/** A canonical string for `value`: equal JSON values (Clojure `=`) get equal keys. */
export function canonicalKey(value: unknown): string {
  switch (typeof value) {
    case "number":
      return Object.is(value, -0) ? "0" : String(value);
    case "bigint":
      // A bigint equal to a safe number must share its key (Clojure: (= 5 5N)).
      return value.toString();
    case "string":
      return JSON.stringify(value);
    case "boolean":
      return value ? "true" : "false";
    case "undefined":
      return "null";
    case "object": {
      if (value === null) return "null";
      if (Array.isArray(value)) return `[${value.map(canonicalKey).join(",")}]`;
      const entries = Object.keys(value).sort().map((key) =>
        `${JSON.stringify(key)}:${canonicalKey((value as Record<string, unknown>)[key])}`
      );
      return `{${entries.join(",")}}`;
    }
    default:
      throw new TypeError(`not a JSON value: ${String(value)}`);
  }
}

/** Structural equality of two JSON values (Clojure `=`). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  return canonicalKey(a) === canonicalKey(b);
}

/** True for a JSON integer: a number with no fraction, or a bigint. */
export function isJsonInteger(value: unknown): value is number | bigint {
  return typeof value === "bigint" || Number.isInteger(value);
}

/** True for a plain JSON object (not null, not an array). */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** JSON text of `value`, with bigints written as plain integers. */
export function jsonText(value: unknown): string {
  return JSON.stringify(
    value,
    (_key, item) => typeof item === "bigint" ? rawJSON(item.toString()) : item,
  ) ?? "null";
}

// JSON.rawJSON exists in Deno's V8 but not yet in TypeScript's lib.
const rawJSON = (JSON as unknown as { rawJSON(text: string): unknown }).rawJSON;

type Kind = "null" | "number" | "string" | "boolean" | "array";

function kindOf(value: unknown): Kind | undefined {
  if (value === null || value === undefined) return "null";
  if (typeof value === "number" || typeof value === "bigint") return "number";
  if (typeof value === "string") return "string";
  if (typeof value === "boolean") return "boolean";
  if (Array.isArray(value)) return "array";
  return undefined;
}

/** Thrown by `compareJson` for values Clojure's `compare` cannot order. */
export class IncomparableValues extends Error {
  constructor(a: unknown, b: unknown) {
    super(`cannot order ${jsonText(a)} and ${jsonText(b)}: values of different kinds`);
    this.name = "IncomparableValues";
  }
}

/**
 * Orders two JSON values like Clojure's `compare`: numbers numerically,
 * strings by UTF-16 code units, false before true, nil before anything,
 * arrays (vectors) by length and then element by element. Values of
 * different kinds and objects (maps) throw `IncomparableValues`.
 */
export function compareJson(a: unknown, b: unknown): number {
  const kind_a = kindOf(a);
  const kind_b = kindOf(b);
  if (kind_a === "null" || kind_b === "null") {
    return (kind_a === "null" ? 0 : 1) - (kind_b === "null" ? 0 : 1);
  }
  if (kind_a === undefined || kind_a !== kind_b) throw new IncomparableValues(a, b);
  switch (kind_a) {
    case "number":
      return compareNumbers(a as number | bigint, b as number | bigint);
    case "string":
      return a === b ? 0 : (a as string) < (b as string) ? -1 : 1;
    case "boolean":
      return Number(a) - Number(b);
    case "array":
      return compareArrays(a as unknown[], b as unknown[]);
  }
}

function compareNumbers(a: number | bigint, b: number | bigint): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  // Mixed or big: compare exactly; a fractional number never equals a bigint.
  if (a < b) return -1;
  if (a > b) return 1;
  return 0;
}

function compareArrays(a: unknown[], b: unknown[]): number {
  if (a.length !== b.length) return a.length - b.length;
  for (let i = 0; i < a.length; i++) {
    const order = compareJson(a[i], b[i]);
    if (order !== 0) return order;
  }
  return 0;
}

const KIND_RANK = { null: 0, boolean: 1, number: 2, string: 3, array: 4 } as const;

/**
 * A total order for reports: `compareJson` where Clojure can order the pair,
 * otherwise by kind (null, boolean, number, string, array, object) and then
 * by canonical key. Never throws.
 */
export function compareTotal(a: unknown, b: unknown): number {
  try {
    return compareJson(a, b);
  } catch (error) {
    if (!(error instanceof IncomparableValues)) throw error;
    const kind_a = kindOf(a);
    const kind_b = kindOf(b);
    const rank_a = kind_a === undefined ? 5 : KIND_RANK[kind_a];
    const rank_b = kind_b === undefined ? 5 : KIND_RANK[kind_b];
    if (rank_a !== rank_b) return rank_a - rank_b;
    const key_a = canonicalKey(a);
    const key_b = canonicalKey(b);
    return key_a === key_b ? 0 : key_a < key_b ? -1 : 1;
  }
}
