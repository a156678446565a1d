/**
 * A strict-enough well-formedness check for the SVG and HTML the harness
 * writes: tags balance, attributes are quoted, text holds no raw `<` and
 * every `&` starts an entity. Not a full XML parser; enough to catch broken
 * output in tests.
 *
 * @module
 */

const ENTITY = /^&(?:[a-zA-Z]+|#\d+|#x[0-9a-fA-F]+);/;
const NAME = /^[A-Za-z_][\w:.-]*/;
const ATTR = /^\s+([A-Za-z_][\w:.-]*)="([^"<]*)"/;

function checkText(text: string, at: number): void {
  for (let i = text.indexOf("&"); i >= 0; i = text.indexOf("&", i + 1)) {
    if (!ENTITY.test(text.slice(i))) throw new Error(`bare & at ${at + i}`);
  }
}

/** Throws with the offset of the first problem; returns the number of elements. */
export function assertWellFormed(
  doc: string,
  void_elements: ReadonlySet<string> = new Set(),
): number {
  const stack: string[] = [];
  let count = 0;
  let pos = 0;
  let roots = 0;
  while (pos < doc.length) {
    const lt = doc.indexOf("<", pos);
    const text = doc.slice(pos, lt < 0 ? doc.length : lt);
    checkText(text, pos);
    if (stack.length === 0 && text.trim() !== "") {
      throw new Error(`text outside the root at ${pos}`);
    }
    if (lt < 0) break;
    const rest = doc.slice(lt);
    if (rest.startsWith("<?")) {
      pos = lt + rest.indexOf("?>") + 2;
      continue;
    }
    if (rest.startsWith("<!--")) {
      pos = lt + rest.indexOf("-->") + 3;
      continue;
    }
    if (rest.startsWith("<!DOCTYPE")) {
      pos = lt + rest.indexOf(">") + 1;
      continue;
    }
    if (rest.startsWith("</")) {
      const name = NAME.exec(rest.slice(2))?.[0];
      const open = stack.pop();
      if (name === undefined || name !== open) {
        throw new Error(`closing </${name}> at ${lt} does not match <${open}>`);
      }
      const gt = rest.indexOf(">");
      pos = lt + gt + 1;
      continue;
    }
    const name = NAME.exec(rest.slice(1))?.[0];
    if (name === undefined) throw new Error(`bad tag at ${lt}`);
    let i = 1 + name.length;
    for (;;) {
      const m = ATTR.exec(rest.slice(i));
      if (m === null) break;
      checkText(m[2], lt + i);
      i += m[0].length;
    }
    const tail = /^\s*(\/?)>/.exec(rest.slice(i));
    if (tail === null) {
      throw new Error(`malformed tag <${name}> at ${lt}: ${rest.slice(i, i + 40)}`);
    }
    count++;
    if (stack.length === 0) roots++;
    if (tail[1] !== "/" && !void_elements.has(name)) stack.push(name);
    pos = lt + i + tail[0].length;
    if (name === "style" && tail[1] !== "/") {
      // Style content is CSS; only its closing tag matters.
      const close = doc.indexOf("</style>", pos);
      if (close < 0) throw new Error("unclosed <style>");
      pos = close;
    }
  }
  if (stack.length > 0) throw new Error(`unclosed elements: ${stack.join(" > ")}`);
  if (roots !== 1) throw new Error(`expected one root element, found ${roots}`);
  return count;
}
