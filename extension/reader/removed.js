// The "removed" panel both readers share: how many blocks Declutter took out of the page, what they were,
// the start of each one's text, and a button that shows a block again where it stood. The reply's
// `removed` entries carry `html` (sanitized by the service) and the article a marker
// <wbr data-removed="N"> for each when the reader asks with `removed_html`; the block is rebuilt through
// article.js like the article itself. A block the service could name for the site (its `selector`) has a
// "Keep" button too, which saves a rule to keep it on the site's pages (corrections.js). This file, extension/reader/removed.js, is the source; the service
// serves a byte-identical copy (python3 scripts/sync-reader-files.py). Both pages have a
// #removed-toggle button in their toolbar and a #removed-panel.
import { buildArticle } from "./article.js";
import { keepBlock } from "./corrections.js";
import { dropFailedImages, el } from "./render.js";

// What each rule group removes, in words, by the group's name (declutter/rules/generic.toml); the order
// is the panel's.
const KINDS = {
  app_promo: "App banners",
  ai_promo: "AI promos",
  newsletter: "Newsletter sign-ups",
  related: "Related articles",
  lead_in: "\u201cRead also\u201d links",
  comments: "Comments",
  cookie: "Cookie notices",
  cookie_consent: "Cookie notices",
  advertisement: "Advertising",
  ad: "Advertising",
  promo: "Promotions",
  paywall: "Paywall notices",
  share: "Share buttons",
  navigation: "Navigation",
  page_chrome: "Page furniture",
  byline: "Bylines",
  avatar: "Avatars",
  dateline: "Datelines",
  hidden: "Hidden on the page",
  "aria-hidden": "Hidden on the page",
};
const SITE_RULE = "Site rule";
const OTHER = "Other";

/** The kind of block a rule removed, in words: "App banners", "Site rule", ... */
export function kindOf(rule) {
  const [source, group = source] = String(rule).split(":");
  if (source === "site") return SITE_RULE;
  return KINDS[group] ?? OTHER;
}

/** The entries that are blocks taken out of the page (not notes such as the backup's), with their index. */
export function removedBlocks(article) {
  return (Array.isArray(article.removed) ? article.removed : [])
    .map((entry, index) => ({ ...entry, index }))
    .filter((entry) => entry.rule !== "backup" && !(String(entry.rule).startsWith("site:") && entry.match === "body"));
}

function grouped(blocks) {
  const order = [...new Set([...Object.values(KINDS), SITE_RULE, OTHER])];
  const groups = new Map(order.map((kind) => [kind, []]));
  for (const block of blocks) groups.get(kindOf(block.rule)).push(block);
  return [...groups].filter(([, members]) => members.length);
}

/** Shows block `entry` in the article where it stood (at the end if its place is unknown), marked as restored. */
function restore(entry, base) {
  const content = document.getElementById("content");
  const block = el("div", { class: "restored", "data-restored": String(entry.index) },
    el("p", { class: "restored-label" }, `Removed by Declutter: ${kindOf(entry.rule)}`),
    buildArticle(entry.html, { base }));
  dropFailedImages(block);
  const marker = content.querySelector(`wbr[data-removed="${entry.index}"]`);
  if (marker) marker.after(block);
  else content.append(block);
  block.scrollIntoView({ block: "center" });
}

function entryItem(entry, base) {
  const item = el("li", { class: "removed-entry" }, el("span", { class: "removed-text" }, entry.text || entry.match));
  if (typeof entry.html === "string") {
    const show = el("button", { type: "button", class: "removed-show", "aria-pressed": "false" }, "Show");
    show.addEventListener("click", () => {
      const shown = document.querySelector(`#content [data-restored="${entry.index}"]`);
      if (shown) shown.remove();
      else restore(entry, base);
      show.setAttribute("aria-pressed", String(!shown));
      show.textContent = shown ? "Show" : "Hide";
    });
    item.append(show);
  }
  if (typeof entry.selector === "string") {
    const keep = el("button", { type: "button", class: "removed-keep", title: "Keep this block on the site\u2019s pages" }, "Keep");
    keep.addEventListener("click", () => {
      keepBlock(entry.selector);
      if (!document.querySelector(`#content [data-restored="${entry.index}"]`)) item.querySelector(".removed-show")?.click();
      keep.textContent = "Kept";
      keep.disabled = true;
    });
    item.append(keep);
  }
  return item;
}

/** Fills the toolbar's count and the panel for `article`; `base` is the page's address. */
export function showRemoved(article, { base = null } = {}) {
  const toggle = document.getElementById("removed-toggle");
  const panel = document.getElementById("removed-panel");
  const blocks = removedBlocks(article);
  toggle.textContent = `${blocks.length} removed`;
  toggle.title = "What Declutter removed from the page";
  toggle.hidden = !blocks.length;
  setOpen(false);
  panel.replaceChildren(
    el("h2", { class: "removed-title" }, "Removed from the page"),
    ...grouped(blocks).map(([kind, members]) => el("section", { class: "removed-group" },
      el("h3", {}, `${kind} (${members.length})`),
      el("ul", {}, ...members.map((entry) => entryItem(entry, base))))),
  );
  toggle.onclick = () => setOpen(panel.hidden);
}

function setOpen(open) {
  document.getElementById("removed-panel").hidden = !open;
  document.getElementById("removed-toggle").setAttribute("aria-expanded", String(open));
}

// Escape closes the panel first (in the extension it otherwise goes back to the page): capture, so that
// this runs before the page's own Escape handling, which skips an event already handled.
window.addEventListener("keydown", (event) => {
  const panel = document.getElementById("removed-panel");
  if (event.key === "Escape" && panel && !panel.hidden) {
    event.preventDefault();
    setOpen(false);
    document.getElementById("removed-toggle").focus();
  }
}, true);
