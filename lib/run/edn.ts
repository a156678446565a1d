/**
 * A small, tolerant EDN reader for what a real Maelstrom writes
 * (`results.edn`, `history.edn`), so `deno task run --maelstrom` can read the
 * same figures it reads from the embedded harness's JSON.
 *
 * Mapping: maps → plain objects keyed by the printed key without a leading
 * colon (`:valid?` → "valid?", `0.5` → "0.5"); vectors, lists and sets →
 * arrays; keywords and symbols → strings without the colon; `nil` → null;
 * integers beyond 2^53 → their decimal text; ratios → numbers; tagged
 * literals (`#jepsen.history.Op{…}`, `#inst "…"`) → the tagged value;
 * characters → one-character strings; `##Inf`/`##NaN` → numbers; regex
 * literals → their source. `#_` discards a form; `;` starts a comment.
 * Anything else is a one-line error naming the offset.
 *
 * @module
 */

/** A decoded EDN value. */
export type EdnValue =
  | null
  | boolean
  | number
  | string
  | EdnValue[]
  | { [key: string]: EdnValue };

/** Bounds nesting so hostile input cannot exhaust the stack. */
const MAX_DEPTH = 512;

/** Parses every top-level form in `text`. */
export function parseEdnForms(text: string): EdnValue[] {
  const reader = new EdnReader(text);
  const forms: EdnValue[] = [];
  while (reader.skipSpace()) forms.push(reader.read(0));
  return forms;
}

/** Parses exactly one EDN form (surrounding whitespace allowed). */
export function parseEdn(text: string): EdnValue {
  const forms = parseEdnForms(text);
  if (forms.length !== 1) throw new SyntaxError(`EDN: expected one form, found ${forms.length}`);
  return forms[0];
}

const DELIMITERS = new Set([...'()[]{}"; \t\r\n,']);
const CHAR_NAMES: Record<string, string> = {
  newline: "\n",
  space: " ",
  tab: "\t",
  return: "\r",
  backspace: "\b",
  formfeed: "\f",
};

class EdnReader {
  private pos = 0;
  constructor(private readonly text: string) {}

  /** Skips whitespace, commas and comments; false at the end of input. */
  skipSpace(): boolean {
    const text = this.text;
    while (this.pos < text.length) {
      const c = text[this.pos];
      if (c === ";") {
        const end = text.indexOf("\n", this.pos);
        this.pos = end < 0 ? text.length : end + 1;
      } else if (c === " " || c === "\t" || c === "\n" || c === "\r" || c === ",") {
        this.pos++;
      } else {
        return true;
      }
    }
    return false;
  }

  read(depth: number): EdnValue {
    if (depth > MAX_DEPTH) this.fail("nesting too deep");
    if (!this.skipSpace()) this.fail("unexpected end of input");
    const c = this.text[this.pos];
    if (c === "{") return this.readMap(depth);
    if (c === "[" || c === "(") return this.readSeq(c === "[" ? "]" : ")", depth);
    if (c === '"') return this.readString();
    if (c === "\\") return this.readChar();
    if (c === "#") return this.readDispatch(depth);
    if (c === "}" || c === "]" || c === ")") this.fail(`unexpected '${c}'`);
    return this.readAtom();
  }

  private readMap(depth: number): { [key: string]: EdnValue } {
    this.pos++;
    const map: { [key: string]: EdnValue } = {};
    for (;;) {
      if (!this.skipSpace()) this.fail("unterminated map");
      if (this.text[this.pos] === "}") {
        this.pos++;
        return map;
      }
      const key = this.read(depth + 1);
      map[keyText(key)] = this.read(depth + 1);
    }
  }

  private readSeq(close: string, depth: number): EdnValue[] {
    this.pos++;
    const items: EdnValue[] = [];
    for (;;) {
      if (!this.skipSpace()) this.fail(`unterminated sequence, expected '${close}'`);
      if (this.text[this.pos] === close) {
        this.pos++;
        return items;
      }
      items.push(this.read(depth + 1));
    }
  }

  private readDispatch(depth: number): EdnValue {
    const next = this.text[this.pos + 1];
    if (next === "{") {
      this.pos++;
      return this.readSeq("}", depth);
    }
    if (next === "#") {
      // Symbolic values: ##Inf, ##-Inf, ##NaN.
      this.pos += 2;
      const symbol = this.readToken();
      if (symbol === "Inf") return Infinity;
      if (symbol === "-Inf") return -Infinity;
      if (symbol === "NaN") return NaN;
      this.fail(`unknown symbolic value ##${symbol}`);
    }
    if (next === '"') {
      // A regex literal: keep its source text.
      this.pos++;
      return this.readString();
    }
    if (next === "_") {
      this.pos += 2;
      this.read(depth + 1);
      return this.read(depth);
    }
    // A tag such as #inst or #jepsen.history.Op: keep the tagged value.
    this.pos++;
    this.readToken();
    return this.read(depth + 1);
  }

  private readString(): string {
    const text = this.text;
    let out = "";
    let i = this.pos + 1;
    for (;;) {
      if (i >= text.length) this.fail("unterminated string");
      const c = text[i];
      if (c === '"') break;
      if (c !== "\\") {
        out += c;
        i++;
        continue;
      }
      const e = text[i + 1];
      if (e === "u") {
        out += String.fromCharCode(parseInt(text.slice(i + 2, i + 6), 16));
        i += 6;
        continue;
      }
      out += ({ n: "\n", t: "\t", r: "\r", b: "\b", f: "\f" } as Record<string, string>)[e] ?? e;
      i += 2;
    }
    this.pos = i + 1;
    return out;
  }

  private readChar(): string {
    this.pos++;
    const start = this.pos;
    this.pos++; // The first character is always part of the literal, even a delimiter.
    while (this.pos < this.text.length && !DELIMITERS.has(this.text[this.pos])) this.pos++;
    const name = this.text.slice(start, this.pos);
    if (name.length === 1) return name;
    if (name in CHAR_NAMES) return CHAR_NAMES[name];
    if (name.startsWith("u") && name.length === 5) return String.fromCharCode(parseInt(name, 16));
    this.fail(`unknown character literal \\${name}`);
  }

  private readToken(): string {
    const start = this.pos;
    while (this.pos < this.text.length && !DELIMITERS.has(this.text[this.pos])) this.pos++;
    if (this.pos === start) this.fail("empty token");
    return this.text.slice(start, this.pos);
  }

  private readAtom(): EdnValue {
    const token = this.readToken();
    if (token === "nil") return null;
    if (token === "true") return true;
    if (token === "false") return false;
    if (token.startsWith(":")) return token.slice(1);
    const number = parseNumber(token);
    return number ?? token;
  }

  private fail(message: string): never {
    throw new SyntaxError(`EDN: ${message} at offset ${this.pos}`);
  }
}

/** Decodes an EDN number token, or undefined if it is not one. */
function parseNumber(token: string): number | string | undefined {
  if (!/^[+-]?\d/.test(token)) return undefined;
  const ratio = /^([+-]?\d+)\/(\d+)$/.exec(token);
  if (ratio) return Number(ratio[1]) / Number(ratio[2]);
  const integer = /^([+-]?\d+)N?$/.exec(token);
  if (integer) {
    const value = Number(integer[1]);
    return Number.isSafeInteger(value) ? value : integer[1].replace(/^\+/, "");
  }
  const decimal = /^([+-]?\d+(\.\d*)?([eE][+-]?\d+)?)M?$/.exec(token);
  if (decimal) return Number(decimal[1]);
  return undefined;
}

/** The object key for a decoded EDN map key. */
function keyText(key: EdnValue): string {
  if (typeof key === "string") return key;
  if (typeof key === "number") return String(key);
  return JSON.stringify(key);
}
