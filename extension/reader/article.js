// Builds the article's DOM from the server's HTML without ever assigning markup to the page.
//
// The server already sanitizes; this is the second line of defence. The HTML is parsed by DOMParser
// into an inert document (nothing loads, nothing runs), then walked: allowed elements are re-created
// in the reader's document with only their allowed attributes, unknown wrappers are unwrapped (their
// text kept), and active or embedded content is dropped together with everything inside it.

const ALLOWED_TAGS = new Set([
  "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "col", "colgroup", "dd", "del",
  "dfn", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr",
  "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "samp", "small", "span",
  "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "time", "tr", "u", "ul",
  "var", "wbr",
]);

const DROPPED_WITH_CONTENT = new Set([
  "script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "math", "form",
  "textarea", "select", "button", "input", "frame", "frameset", "applet", "audio", "video",
  "canvas", "dialog", "head", "title", "meta", "link", "base",
]);

const GLOBAL_ATTRIBUTES = new Set(["lang", "dir", "title"]);
const ATTRIBUTES = {
  a: new Set(["href"]),
  img: new Set(["src", "srcset", "alt", "width", "height"]),
  td: new Set(["colspan", "rowspan", "headers"]),
  th: new Set(["colspan", "rowspan", "headers", "scope"]),
  col: new Set(["span"]),
  colgroup: new Set(["span"]),
  ol: new Set(["start", "reversed", "type"]),
  li: new Set(["value"]),
  time: new Set(["datetime"]),
  q: new Set(["cite"]),
  blockquote: new Set(["cite"]),
  del: new Set(["cite", "datetime"]),
  ins: new Set(["cite", "datetime"]),
};

const LINK_PROTOCOLS = new Set(["http:", "https:", "mailto:"]);
const IMAGE_PROTOCOLS = new Set(["http:", "https:"]);
const URL_ATTRIBUTES = new Set(["href", "src", "cite"]);

/** The URL if it is absolute and uses one of `protocols`, else null. */
function safeUrl(value, protocols) {
  try {
    const url = new URL(value.trim());
    return protocols.has(url.protocol) ? url.href : null;
  } catch {
    return null;
  }
}

function safeSrcset(value) {
  const kept = value.split(",").map((c) => c.trim())
    .filter((candidate) => safeUrl(candidate.split(/\s+/)[0], IMAGE_PROTOCOLS));
  return kept.length ? kept.join(", ") : null;
}

/** The value to keep for an attribute, or null to drop it. */
function attributeValue(tag, name, value) {
  if (!GLOBAL_ATTRIBUTES.has(name) && !ATTRIBUTES[tag]?.has(name)) return null;
  if (name === "srcset") return safeSrcset(value);
  if (tag === "img" && name === "src") return safeUrl(value, IMAGE_PROTOCOLS);
  if (URL_ATTRIBUTES.has(name)) return safeUrl(value, LINK_PROTOCOLS);
  return value;
}

function copyElement(source, doc) {
  const tag = source.localName;
  const element = doc.createElement(tag);
  for (const { name, value } of source.attributes) {
    const kept = attributeValue(tag, name, value);
    if (kept !== null) element.setAttribute(name, kept);
  }
  if (tag === "a" && element.hasAttribute("href")) element.setAttribute("rel", "noopener noreferrer");
  if (tag === "img") {
    if (!element.hasAttribute("src")) return null;
    element.setAttribute("loading", "lazy");
    element.setAttribute("referrerpolicy", "no-referrer");
  }
  return element;
}

/** Appends to `target` the safe copy of `source`'s children. */
function copyChildren(source, target, doc) {
  for (const node of source.childNodes) {
    if (node.nodeType === Node.TEXT_NODE) {
      target.append(doc.createTextNode(node.data));
    } else if (node.nodeType === Node.ELEMENT_NODE) {
      const tag = node.localName;
      if (DROPPED_WITH_CONTENT.has(tag) || node.namespaceURI !== "http://www.w3.org/1999/xhtml") continue;
      if (!ALLOWED_TAGS.has(tag)) {
        copyChildren(node, target, doc);
        continue;
      }
      const element = copyElement(node, doc);
      if (element) {
        copyChildren(node, element, doc);
        target.append(element);
      }
    }
  }
}

/** A DocumentFragment in `doc` holding the safe form of the article HTML `html`. */
export function buildArticle(html, doc = document) {
  const parsed = new DOMParser().parseFromString(String(html ?? ""), "text/html");
  const fragment = doc.createDocumentFragment();
  copyChildren(parsed.body, fragment, doc);
  return fragment;
}

/** Removes a leading heading that repeats the title shown in the reader's own header. */
export function dropRepeatedTitle(fragment, title) {
  const normalize = (text) => (text ?? "").replace(/\s+/g, " ").trim().toLowerCase();
  const wanted = normalize(title);
  if (!wanted) return;
  let first = fragment.firstElementChild;
  while (first && first.localName === "div" && first.firstElementChild) first = first.firstElementChild;
  if (first && /^h[12]$/.test(first.localName) && normalize(first.textContent) === wanted) first.remove();
}
