/**
 * Small helpers for writing SVG and HTML as text: XML escaping, compact
 * number formatting and element strings. The harness draws its plots and
 * diagrams itself (no gnuplot, no DOM), so every output is built from these.
 *
 * @module
 */

const XML_ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Characters XML 1.0 forbids even when escaped (C0 controls other than tab, LF, CR). */
// deno-lint-ignore no-control-regex
const XML_FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

/** Escapes text for XML/HTML content or a quoted attribute; drops characters XML forbids. */
export function escapeXml(text: string): string {
  return text.replace(XML_FORBIDDEN, "\uFFFD").replace(/[&<>"']/g, (c) => XML_ESCAPES[c]);
}

/** A coordinate or size with at most two decimals ("12.5", not "12.500000001"). */
export function num(x: number): string {
  if (!Number.isFinite(x)) throw new RangeError(`not a finite coordinate: ${x}`);
  const rounded = Math.round(x * 100) / 100;
  return Object.is(rounded, -0) ? "0" : String(rounded);
}

/** Attribute values; undefined attributes are left out. */
export type Attrs = Record<string, string | number | undefined>;

function attrText(attrs: Attrs): string {
  let out = "";
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined) continue;
    const text = typeof value === "number" ? num(value) : escapeXml(value);
    out += ` ${name}="${text}"`;
  }
  return out;
}

/** An element: self-closing without content, else wrapping `content` (already markup). */
export function el(name: string, attrs: Attrs, content?: string): string {
  if (content === undefined) return `<${name}${attrText(attrs)}/>`;
  return `<${name}${attrText(attrs)}>${content}</${name}>`;
}

/** An element wrapping plain text, which is escaped. */
export function textEl(name: string, attrs: Attrs, text: string): string {
  return el(name, attrs, escapeXml(text));
}

/** A complete standalone SVG document of the given size. */
export function svgDocument(width: number, height: number, body: string, style = ""): string {
  const head = `<?xml version="1.0" encoding="UTF-8"?>\n`;
  const root = {
    xmlns: "http://www.w3.org/2000/svg",
    "xmlns:xlink": "http://www.w3.org/1999/xlink",
    version: "1.1",
    width,
    height,
  };
  const styled = style === "" ? "" : el("style", {}, escapeXml(style));
  return head + el("svg", root, styled + body) + "\n";
}
