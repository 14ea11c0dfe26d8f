// Builds the article's DOM from the service's HTML without ever assigning markup to the page.
//
// The service already sanitizes; this is the second line of defence. DOMParser parses the HTML into an
// inert document (nothing loads, nothing runs). Its tree is then cleaned in place: allowed elements
// keep only their allowed attributes, unknown wrappers give way to their children, and active or
// embedded content goes with everything inside it. Only then are the nodes adopted into the reader.

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
  "textarea", "select", "button", "input", "frame", "frameset", "applet", "audio", "video", "canvas",
  "dialog", "head", "title", "meta", "link", "base",
]);

const GLOBAL_ATTRIBUTES = new Set(["lang", "dir", "title"]);
const ATTRIBUTES = {
  a: new Set(["href"]),
  img: new Set(["src", "alt", "width", "height"]),
  td: new Set(["colspan", "rowspan", "headers"]),
  th: new Set(["colspan", "rowspan", "headers", "scope"]),
  col: new Set(["span"]),
  colgroup: new Set(["span"]),
  ol: new Set(["start", "reversed", "type"]),
  li: new Set(["value"]),
  time: new Set(["datetime"]),
  abbr: new Set(["title"]),
};

const LINK_PROTOCOLS = new Set(["http:", "https:", "mailto:"]);
const IMAGE_PROTOCOLS = new Set(["http:", "https:"]);
const HTML_NS = "http://www.w3.org/1999/xhtml";

/** The URL, made absolute against `base`, if it uses one of `protocols`; else null. */
export function safeUrl(value, protocols, base) {
  try {
    const url = base ? new URL(value.trim(), base) : new URL(value.trim());
    return protocols.has(url.protocol) ? url.href : null;
  } catch {
    return null;
  }
}

function cleanAttributes(element, base) {
  const tag = element.localName;
  for (const { name, value } of [...element.attributes]) {
    let kept = GLOBAL_ATTRIBUTES.has(name) || ATTRIBUTES[tag]?.has(name) ? value : null;
    if (kept !== null && tag === "a" && name === "href") kept = safeUrl(value, LINK_PROTOCOLS, base);
    if (kept !== null && tag === "img" && name === "src") kept = safeUrl(value, IMAGE_PROTOCOLS, base);
    if (kept === null) element.removeAttribute(name);
    else if (kept !== value) element.setAttribute(name, kept);
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
    if (!ALLOWED_TAGS.has(tag)) {
      node.replaceWith(...node.childNodes);
    } else if (!cleanAttributes(node, base)) {
      node.remove();
    }
  }
}

/** A DocumentFragment of `doc` holding the safe form of the article HTML `html`. */
export function buildArticle(html, { base = null, doc = document } = {}) {
  const parsed = new DOMParser().parseFromString(String(html ?? ""), "text/html");
  cleanChildren(parsed.body, base);
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
