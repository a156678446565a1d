/**
 * Prints JSON values the way Clojure's `pr-str` prints Maelstrom's parsed
 * bodies, for labels in `messages.svg`: object keys become keywords
 * (`{:key 1, :other "x"}`), arrays become vectors (`[1 2]`), null is `nil`.
 *
 * @module
 */

/** Nesting beyond this prints as `…`, so a hostile body cannot exhaust the stack. */
const MAX_DEPTH = 64;

/** The EDN text of a JSON value (keys as keywords, in insertion order). */
export function ednText(value: unknown, depth = 0): string {
  if (depth > MAX_DEPTH) return "…";
  switch (typeof value) {
    case "string":
      return JSON.stringify(value);
    case "number":
      return Number.isFinite(value) ? String(value) : "nil";
    case "bigint":
      return value.toString();
    case "boolean":
      return value ? "true" : "false";
    case "undefined":
      return "nil";
    case "object": {
      if (value === null) return "nil";
      if (Array.isArray(value)) return `[${value.map((v) => ednText(v, depth + 1)).join(" ")}]`;
      const entries = Object.entries(value as Record<string, unknown>);
      return `{${entries.map(([k, v]) => `:${k} ${ednText(v, depth + 1)}`).join(", ")}}`;
    }
    default:
      return String(value);
  }
}
