// The reader's corrections per site, the same in both readers: "Remove this" picks a block of the article,
// which goes at once, and saves a rule to remove it from the site's pages; "Keep" on a removed block
// (the removed panel, removed.js) saves the opposite. The rules panel lists a site's rules, deletes them,
// and exports them as a FiveFilters site config. What a rule is, and how it is sent: site-rules.js.
// This file, extension/reader/corrections.js, is the source; the service serves a byte-identical copy
// (python3 scripts/sync-reader-files.py). Both pages have #pick-toggle, #rules-toggle and #rules-panel.
import { el } from "./render.js";
import { checkedRules, siteConfig, withRule } from "./site-rules.js";

const PICKABLE = "#content [data-selector]";

// The article on show: its site, its address, the reader's storage, and the site's rules.
const shown = { site: "", pageUrl: null, store: null, rules: { remove: [], keep: [] } };
const $ = (id) => document.getElementById(id);

/**
 * Shows the corrections for the article on show. `site` is the host the rules are for, `pageUrl` the
 * page's address, `store` the reader's storage: { load(site) -> Promise<rules>, save(site, rules) }.
 */
export async function showCorrections({ site, pageUrl, store }) {
  Object.assign(shown, { site, pageUrl, store });
  setPicking(false);
  setOpen(false);
  $("pick-toggle").hidden = !document.querySelector(PICKABLE);
  $("rules-toggle").hidden = false;
  shown.rules = checkedRules(await store.load(site));
  drawPanel();
}

/** Saves a rule to keep the block named `selector` (the removed panel's "Keep"). */
export function keepBlock(selector) {
  return change(withRule(shown.rules, "keep", selector));
}

async function change(rules) {
  shown.rules = rules;
  drawPanel();
  await shown.store.save(shown.site, rules);
}

function drawPanel() {
  const { site, rules, pageUrl } = shown;
  const count = rules.remove.length + rules.keep.length;
  $("rules-toggle").textContent = `Rules (${count})`;
  $("rules-toggle").title = `Your corrections for ${site}`;
  const items = [...rules.remove.map((s) => ["remove", s]), ...rules.keep.map((s) => ["keep", s])]
    .map(([kind, selector]) => ruleItem(kind, selector));
  const exportButton = el("button", { type: "button", class: "rules-export" }, "Export as a FiveFilters site config");
  exportButton.disabled = !count;
  exportButton.addEventListener("click", () => download(`${site}.txt`, siteConfig(site, rules, pageUrl)));
  $("rules-panel").replaceChildren(
    el("h2", { class: "removed-title" }, `Your rules for ${site}`),
    items.length
      ? el("ul", { class: "rules-list" }, ...items)
      : el("p", { class: "rules-empty" }, "None yet. \u201cRemove this\u201d takes a block out of this site\u2019s "
        + "pages; \u201cKeep\u201d in the removed panel brings one back."),
    el("p", {}, exportButton),
  );
}

function ruleItem(kind, selector) {
  const label = kind === "remove" ? "Remove" : "Keep";
  const button = el("button", { type: "button", class: "rule-delete", "aria-label": `Delete the rule: ${label} ${selector}` }, "Delete");
  button.addEventListener("click", () => {
    if (kind === "remove") showBlocks(selector);
    change({ ...shown.rules, [kind]: shown.rules[kind].filter((s) => s !== selector) });
  });
  return el("li", { class: "removed-entry" },
    el("span", { class: "removed-text" }, el("strong", {}, `${label} `), el("code", {}, selector)), button);
}

function setOpen(open) {
  $("rules-panel").hidden = !open;
  $("rules-toggle").setAttribute("aria-expanded", String(open));
}

// --- the picker ---------------------------------------------------------------------------------------

const hint = el("p", { class: "pick-hint", role: "status", hidden: "" });
let target = null;

const picking = () => document.body.hasAttribute("data-picking");

function setPicking(on) {
  document.body.toggleAttribute("data-picking", on);
  $("pick-toggle").setAttribute("aria-pressed", String(on));
  hint.hidden = !on;
  hint.textContent = "Click a block to remove it from this site\u2019s pages. Esc stops.";
  highlight(null);
}

function highlight(element) {
  target?.classList.remove("pick-target");
  target = element;
  target?.classList.add("pick-target");
}

/** The named block at `node`: the nearest around it that the service named, not one shown again. */
function pickable(node) {
  const block = node instanceof Element ? node.closest(PICKABLE) : null;
  return block && !block.closest(".restored") ? block : null;
}

function pickAt(node) {
  const block = pickable(node);
  if (!block) {
    hint.textContent = "This block has no name that holds across the site\u2019s pages; pick the block around it.";
    return;
  }
  const selector = block.dataset.selector;
  hideBlocks(selector);
  setPicking(false);
  change(withRule(shown.rules, "remove", selector));
}

document.body.append(hint);
document.addEventListener("mouseover", (event) => {
  if (picking()) highlight(pickable(event.target));
});
document.addEventListener("click", (event) => {
  if (event.target.closest?.("#pick-toggle")) return setPicking(!picking());
  // One panel at a time: the rules panel and the removed one (removed.js) stand in the same place.
  if (event.target.closest?.("#removed-toggle")) return setOpen(false);
  if (event.target.closest?.("#rules-toggle")) {
    const opening = $("rules-panel").hidden;
    if (opening && !$("removed-panel").hidden) $("removed-toggle").click();
    return setOpen(opening);
  }
  if (!picking() || event.target.closest?.(".toolbar")) return;
  event.preventDefault();  // a link in the article is a block to pick, not a way out
  pickAt(event.target);
}, true);

function blocksNamed(selector) {
  return document.querySelectorAll(`#content [data-selector="${CSS.escape(selector)}"]`);
}

function hideBlocks(selector) {
  for (const block of blocksNamed(selector)) block.hidden = true;
}

function showBlocks(selector) {
  for (const block of blocksNamed(selector)) block.hidden = false;
}

function download(name, text) {
  const link = el("a", { href: URL.createObjectURL(new Blob([text], { type: "text/plain" })), download: name });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 1000);
}

// Escape stops the picker, then closes the rules panel, before the page's own Escape (see removed.js).
window.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  const panel = $("rules-panel");
  if (picking()) {
    setPicking(false);
    $("pick-toggle").focus();
  } else if (panel && !panel.hidden) {
    setOpen(false);
    $("rules-toggle").focus();
  } else {
    return;
  }
  event.preventDefault();
}, true);
