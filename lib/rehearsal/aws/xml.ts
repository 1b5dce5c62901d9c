/**
 * A small XML reader for the request documents of AWS's REST-XML APIs (Route53 change batches):
 * elements, text, the five predefined entities and character references, CDATA. No DTDs (refused,
 * so no entity expansion), attributes are read past but not kept (those documents only carry
 * `xmlns`), and namespace prefixes are dropped from names.
 */

/** An element. */
export interface XmlElement {
  /** Local name (prefix removed). */
  readonly name: string;
  readonly children: readonly XmlElement[];
  /** The element's own text (concatenated, entities decoded). */
  readonly text: string;
}

function decode(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|amp|lt|gt|quot|apos);/g, (_m, entity: string) => {
    if (entity.startsWith("#x")) return String.fromCodePoint(parseInt(entity.slice(2), 16));
    if (entity.startsWith("#")) return String.fromCodePoint(parseInt(entity.slice(1), 10));
    return { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" }[entity]!;
  });
}

interface Building {
  name: string;
  children: XmlElement[];
  text: string;
}

/** Parse a document; returns its root element. @throws on malformed XML */
export function parseXml(source: string): XmlElement {
  const stack: Building[] = [];
  let root: XmlElement | undefined;
  let i = 0;
  const fail = (what: string): never => {
    throw new Error(`malformed XML at offset ${i}: ${what}`);
  };
  while (i < source.length) {
    const lt = source.indexOf("<", i);
    const text = source.slice(i, lt < 0 ? source.length : lt);
    if (text.trim() !== "") {
      if (stack.length === 0) fail("text outside the root element");
      stack[stack.length - 1]!.text += decode(text);
    }
    if (lt < 0) break;
    i = lt;
    if (source.startsWith("<?", i)) {
      i = source.indexOf("?>", i) + 2;
      if (i < 2) fail("unterminated processing instruction");
    } else if (source.startsWith("<!--", i)) {
      i = source.indexOf("-->", i) + 3;
      if (i < 3) fail("unterminated comment");
    } else if (source.startsWith("<![CDATA[", i)) {
      const end = source.indexOf("]]>", i);
      if (end < 0 || stack.length === 0) fail("bad CDATA section");
      stack[stack.length - 1]!.text += source.slice(i + 9, end);
      i = end + 3;
    } else if (source.startsWith("<!", i)) {
      fail("DTDs are not accepted");
    } else {
      const end = source.indexOf(">", i);
      if (end < 0) fail("unterminated tag");
      const tag = source.slice(i + 1, end);
      i = end + 1;
      if (tag.startsWith("/")) {
        const name = tag
          .slice(1)
          .trim()
          .replace(/^[\w.-]+:/, "");
        const open = stack.pop();
        if (!open || open.name !== name) fail(`unexpected </${name}>`);
        const element: XmlElement = { name: open!.name, children: open!.children, text: open!.text };
        if (stack.length === 0) root = element;
        else stack[stack.length - 1]!.children.push(element);
      } else {
        const selfClosing = tag.endsWith("/");
        const name = /^([\w.:-]+)/.exec(tag)?.[1]?.replace(/^[\w.-]+:/, "");
        if (!name) fail("element without a name");
        if (root !== undefined) fail("more than one root element");
        if (selfClosing) {
          const element: XmlElement = { name: name!, children: [], text: "" };
          if (stack.length === 0) root = element;
          else stack[stack.length - 1]!.children.push(element);
        } else stack.push({ name: name!, children: [], text: "" });
      }
    }
  }
  if (stack.length > 0 || !root) fail("unclosed element");
  return root!;
}

/** The first child element with this name. */
export function child(element: XmlElement, name: string): XmlElement | undefined {
  return element.children.find((c) => c.name === name);
}

/** Every child element with this name. */
export function childrenNamed(element: XmlElement, name: string): XmlElement[] {
  return element.children.filter((c) => c.name === name);
}
