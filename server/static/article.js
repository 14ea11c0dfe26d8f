// Builds the article's DOM from the service's HTML without ever assigning markup to the page.
// One module for both readers: this file, extension/reader/article.js, is the source, and the service
// serves a byte-identical copy as server/static/article.js (python3 scripts/sync-reader-files.py).
//
// The service already sanitizes (declutter/pipeline/sanitize.py); this is the second line of defence,
// with the same allowlist (tests/test_extension_static.py keeps the two equal). DOMParser parses the
// HTML into an inert document: nothing loads, nothing runs. Its tree is cleaned there, in place:
// allowed elements keep only their allowed attributes, with URLs checked (and made absolute against
// `base` when one is given); unknown wrappers give way to their children; active or embedded content
// goes with everything inside it. Only then are the nodes adopted into the reader's document.
//
// Exports:
//   buildArticle(html, { base, doc })   the safe form of `html` as a DocumentFragment of `doc`
//                                       (default: document); with an http(s) `base`, relative URLs
//                                       resolve against it, without one they are dropped
//   dropRepeatedTitle(fragment, title)  removes a leading h1/h2 that repeats the title
//   webUrl(value, base)                 the absolute http(s) URL `value` stands for, or null

const ALLOWED_TAGS = new Set([
  "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "col", "colgroup", "dd", "del",
  "dfn", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr",
  "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "samp", "small", "span",
  "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "time", "tr", "u", "ul",
  "var", "wbr",
]);

// Removed with their content; any other unknown element is replaced by its children.
const DROPPED_WITH_CONTENT = new Set([
  "script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "math", "form",
  "textarea", "select", "button", "input", "frame", "frameset", "applet", "audio", "video",
  "canvas", "dialog", "head", "title", "meta", "link", "base",
]);

const GLOBAL_ATTRIBUTES = new Set(["lang", "dir", "title", "data-selector"]);  // data-selector: a block's name on its site
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
  wbr: new Set(["data-removed"]),  // where a removed block stood (declutter/pipeline/restorable.py)
};

// Links: the web and mail. Images, srcset candidates and cite: the web only, as on the server.
const LINK_PROTOCOLS = new Set(["http:", "https:", "mailto:"]);
const IMAGE_PROTOCOLS = new Set(["http:", "https:"]);
const HTML_NS = "http://www.w3.org/1999/xhtml";
// The one shape of a block's name (declutter/pipeline/block_names.py): an id, or classes.
export const BLOCK_SELECTOR = /^(#-?[A-Za-z_][A-Za-z0-9_-]*|(\.-?[A-Za-z_][A-Za-z0-9_-]*)+)$/;
const ASCII_WHITESPACE = /[\t\n\f\r ]+/;  // what separates a srcset candidate's URL from its descriptors

/** The URL, made absolute against `base` (if any), if it uses one of `protocols`; else null. */
function safeUrl(value, protocols, base = null) {
  try {
    const url = base ? new URL(value.trim(), base) : new URL(value.trim());
    return protocols.has(url.protocol) ? url.href : null;
  } catch {
    return null;
  }
}

/** The absolute http(s) URL that `value` stands for (relative ones against `base`), or null. */
export function webUrl(value, base = null) {
  return typeof value === "string" ? safeUrl(value, IMAGE_PROTOCOLS, base) : null;
}

/**
 * A srcset of the http(s) candidates alone, each URL made absolute; null if none is left. Split at
 * every comma, like the server, so no URL the browser could find in the result goes unchecked.
 */
function safeSrcset(value, base) {
  const kept = [];
  for (const candidate of value.split(",")) {
    const [url, ...descriptors] = candidate.trim().split(ASCII_WHITESPACE);
    const absolute = url ? safeUrl(url, IMAGE_PROTOCOLS, base) : null;
    if (absolute) kept.push([absolute, ...descriptors].join(" "));
  }
  return kept.length ? kept.join(", ") : null;
}

/** The value to keep for an attribute of a `tag` element, or null to drop it. */
function attributeValue(tag, name, value, base) {
  if (!GLOBAL_ATTRIBUTES.has(name) && !ATTRIBUTES[tag]?.has(name)) return null;
  if (name === "href") return safeUrl(value, LINK_PROTOCOLS, base);
  if (name === "src" || name === "cite") return safeUrl(value, IMAGE_PROTOCOLS, base);
  if (name === "srcset") return safeSrcset(value, base);
  if (name === "data-removed") return /^\d+$/.test(value) ? value : null;
  if (name === "data-selector") return BLOCK_SELECTOR.test(value) ? value : null;
  return value;
}

/** Cleans the attributes of an allowed element in place; false if the element must go (an img without src). */
function cleanAttributes(element, base) {
  const tag = element.localName;
  for (const attribute of [...element.attributes]) {
    const kept = attributeValue(tag, attribute.name, attribute.value, base);
    if (kept === null) element.removeAttributeNode(attribute);
    else if (kept !== attribute.value) attribute.value = kept;
  }
  if (tag === "a" && element.hasAttribute("href")) element.setAttribute("rel", "noopener noreferrer");
  if (tag === "img") {
    if (!element.hasAttribute("src")) return false;
    element.setAttribute("loading", "lazy");
    element.setAttribute("referrerpolicy", "no-referrer");
  }
  return true;
}

/** Cleans the children of `parent` in place, depth first. */
function cleanChildren(parent, base) {
  for (const node of [...parent.childNodes]) {
    if (node.nodeType === Node.TEXT_NODE) continue;
    if (node.nodeType !== Node.ELEMENT_NODE) {
      node.remove();  // comments, processing instructions
      continue;
    }
    const tag = node.localName;
    if (node.namespaceURI !== HTML_NS || DROPPED_WITH_CONTENT.has(tag)) {
      node.remove();
      continue;
    }
    cleanChildren(node, base);
    if (!ALLOWED_TAGS.has(tag)) node.replaceWith(...node.childNodes);
    else if (!cleanAttributes(node, base)) node.remove();
  }
}

/** A DocumentFragment of `doc` holding the safe form of the article HTML `html`. */
export function buildArticle(html, { base = null, doc = document } = {}) {
  const parsed = new DOMParser().parseFromString(String(html ?? ""), "text/html");
  cleanChildren(parsed.body, webUrl(base));
  const fragment = doc.createDocumentFragment();
  for (const node of [...parsed.body.childNodes]) fragment.append(doc.adoptNode(node));
  return fragment;
}

/** Removes a leading heading that repeats the title the reader already shows. */
export function dropRepeatedTitle(fragment, title) {
  const normalize = (text) => (text ?? "").replace(/\s+/g, " ").trim().toLowerCase();
  const wanted = normalize(title);
  if (!wanted) return;
  let first = fragment.firstElementChild;
  while (first && first.localName === "div" && first.firstElementChild) first = first.firstElementChild;
  if (first && /^h[12]$/.test(first.localName) && normalize(first.textContent) === wanted) first.remove();
}
