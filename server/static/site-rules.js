// A site's rules, the reader's corrections for it: `remove` and `keep`, lists of block names as the service
// gives them (data-selector, declutter/pipeline/block_names.py), a stable id or classes of the page's own
// markup, so that a rule names the same block on the next page of the site. Each reader keeps them in its
// own storage (the extension: chrome.storage.local, ../settings.js; /read: localStorage,
// server/static/reader.js) and sends them with each request for the site as the API's `remove` and `keep`,
// with `block_selectors` to get the names. No DOM here: the extension's worker uses it too.
// This file, extension/reader/site-rules.js, is the source; the service serves a byte-identical copy
// (python3 scripts/sync-reader-files.py).
import { BLOCK_SELECTOR } from "./article.js";

const MAX_RULES = 50;  // per list: what the API accepts

/** The site a page's rules are for: its host, without "www.". */
export function siteOf(url) {
  try {
    return new URL(url).hostname.replace(/^www\./, "");
  } catch {
    return "";
  }
}

/** A site's rules from storage, with anything that is not a block's name left out. */
export function checkedRules(value) {
  const list = (name) => (Array.isArray(value?.[name]) ? value[name] : [])
    .filter((selector) => typeof selector === "string" && BLOCK_SELECTOR.test(selector))
    .slice(0, MAX_RULES);
  return { remove: list("remove"), keep: list("keep") };
}

/** The request fields for a site's rules: `block_selectors`, and `remove` and `keep` when there are any. */
export function requestFields(rules) {
  const fields = { block_selectors: true };
  for (const name of ["remove", "keep"]) if (rules[name].length) fields[name] = rules[name];
  return fields;
}

/** `rules` with `selector` added to `kind`: keeping a block the reader removed deletes that rule instead. */
export function withRule(rules, kind, selector) {
  const without = (list) => list.filter((s) => s !== selector);
  if (kind === "keep" && rules.remove.includes(selector)) return { ...rules, remove: without(rules.remove) };
  const other = kind === "remove" ? "keep" : "remove";
  return { [other]: without(rules[other]), [kind]: [...without(rules[kind]), selector].slice(-MAX_RULES) };
}

/** The XPath of a block's name (an id, or classes), as FiveFilters' `strip` wants it. */
export function xpathOf(selector) {
  if (selector.startsWith("#")) return `//*[@id='${selector.slice(1)}']`;
  const classes = selector.split(".").filter(Boolean)
    .map((name) => `contains(concat(' ', normalize-space(@class), ' '), ' ${name} ')`);
  return `//*[${classes.join(" and ")}]`;
}

/** A FiveFilters site config (ftr-site-config's format) for a site's rules, ready to contribute upstream. */
export function siteConfig(site, rules, pageUrl) {
  const lines = [`# ${site}: blocks removed in the Declutter reader`, ""];
  for (const selector of rules.remove) lines.push(`# ${selector}`, `strip: ${xpathOf(selector)}`);
  if (rules.keep.length) {
    lines.push("", "# Kept in the reader (FiveFilters has no directive to keep a block):");
    for (const selector of rules.keep) lines.push(`#   ${selector}`);
  }
  if (pageUrl) lines.push("", `test_url: ${pageUrl}`);
  return `${lines.join("\n")}\n`;
}
