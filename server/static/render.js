// Shows an article reply in a reader page: its header (site, title, meta line) and its content, built
// safely by article.js. One module for both readers: this file, extension/reader/render.js, is the source;
// the service serves a byte-identical copy (python3 scripts/sync-reader-files.py). Both pages have the
// elements #article, #site, #title, #meta and #content.
import { buildArticle, dropRepeatedTitle, webUrl } from "./article.js";

const LANG_TAG = /^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$/;  // BCP 47 in shape: a language, then subtags
const DIRECTIONS = ["ltr", "rtl"];

/** A new element in this document; children are nodes or strings (always added as text). */
export function el(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  element.append(...children);
  return element;
}

/** The article's language tag when it is well formed, else null. */
export function articleLang(article) {
  return typeof article.lang === "string" && LANG_TAG.test(article.lang) ? article.lang : null;
}

/** The host a reader names for `url`, without "www.". */
export function hostOf(url) {
  return url ? new URL(url).hostname.replace(/^www\./, "") : "";
}

/** The publication date as a <time>, written in the article's language; null if there is none. */
function dateElement(article) {
  const date = article.published_time ? new Date(article.published_time) : null;
  if (!date || Number.isNaN(date.getTime())) return null;
  const text = new Intl.DateTimeFormat(articleLang(article) ?? undefined, { dateStyle: "long" }).format(date);
  return el("time", { datetime: article.published_time }, text);
}

function metaLine(article, extra) {
  const parts = [
    article.byline ? el("span", { class: "byline" }, article.byline) : null,
    dateElement(article),
    article.reading_time_minutes ? el("span", {}, `${article.reading_time_minutes} min read`) : null,
    ...extra,
  ].filter(Boolean);
  const dot = () => el("span", { class: "dot", "aria-hidden": "true" }, "\u00b7");
  return parts.flatMap((part, i) => (i ? [dot(), part] : [part]));
}

/** Images under `root` that fail to load (offline, gone) go, with their figure, rather than show broken. */
export function dropFailedImages(root) {
  for (const image of root.querySelectorAll("img")) {
    image.addEventListener("error", () => (image.closest("figure") ?? image).remove(), { once: true });
  }
}

/**
 * Fills the page's article from a reply. `url` is the page's own address (links resolve against it),
 * `fallbackTitle` the title when the reply has none, `extraMeta` nodes to end the meta line with.
 * Returns the title shown.
 */
export function renderArticle(article, { url = null, fallbackTitle = "", extraMeta = [] } = {}) {
  const base = webUrl(url);
  const title = article.title || fallbackTitle || "Untitled";
  const $ = (id) => document.getElementById(id);
  $("site").textContent = article.site_name || hostOf(base);
  $("title").textContent = title;
  $("meta").replaceChildren(...metaLine(article, extraMeta));

  const element = $("article");
  const lang = articleLang(article);
  if (lang) element.lang = lang;
  else element.removeAttribute("lang");
  element.dir = DIRECTIONS.includes(article.dir) ? article.dir : "auto";

  const content = buildArticle(article.content, { base });
  dropRepeatedTitle(content, title);
  dropFailedImages(content);
  $("content").replaceChildren(content);
  return title;
}
