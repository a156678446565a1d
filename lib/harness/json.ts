/**
 * Lossless JSON for node traffic.
 *
 * Nodes may send integers beyond 2^53 (e.g. unique ids). `JSON.parse` would
 * round them, making different ids equal. Lines that contain a long digit run
 * are parsed with a reviver that keeps unsafe integers as BigInt (so equal ids
 * stay `===`, and Map/Set keys work); `stringifyJson` writes them back exactly.
 * Plain lines take the fast path.
 *
 * Limitation: `1` and `1.0` parse to the same JS number (Clojure tells them apart).
 *
 * @module
 */

const LONG_DIGITS = /\d{16}/;
const INTEGER_SOURCE = /^-?\d+$/;

interface ReviverContext {
  source?: string;
}

function bigIntReviver(_key: string, value: unknown, context?: ReviverContext): unknown {
  if (typeof value !== "number" || Number.isSafeInteger(value)) return value;
  const source = context?.source;
  if (source === undefined || !INTEGER_SOURCE.test(source)) return value;
  return BigInt(source);
}

/** Parses JSON, keeping integers outside ±2^53 as BigInt. */
export function parseJsonLossless(text: string): unknown {
  if (!LONG_DIGITS.test(text)) return JSON.parse(text);
  // deno-lint-ignore no-explicit-any
  return JSON.parse(text, bigIntReviver as any);
}

function bigIntReplacer(_key: string, value: unknown): unknown {
  // deno-lint-ignore no-explicit-any
  return typeof value === "bigint" ? (JSON as any).rawJSON(value.toString()) : value;
}

/** JSON.stringify that writes BigInt values as exact JSON integers. */
export function stringifyJson(value: unknown, space?: number): string {
  try {
    return JSON.stringify(value, null, space);
  } catch (e) {
    if (!(e instanceof TypeError) || !/BigInt/i.test(e.message)) throw e;
    return JSON.stringify(value, bigIntReplacer, space);
  }
}
