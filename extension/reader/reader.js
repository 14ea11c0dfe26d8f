// The reader page: shows its job (see ../jobs.js) — a spinner while the worker waits for the server,
// then the article or a message that says what went wrong and what to do about it.

import { jobKey, readerJobId } from "../jobs.js";
import { loadSettings, loadSiteRules, saveSettings, saveSiteRules } from "../settings.js";
import { webUrl } from "./article.js";
import { showCorrections } from "./corrections.js";
import { showListen } from "./listen.js";
import { FONT_SIZE, stepFontSize } from "./reading-settings.js";
import { showRemoved } from "./removed.js";
import { el, hostOf, renderArticle } from "./render.js";
import { siteOf } from "./site-rules.js";

const key = jobKey(readerJobId(location));
let job = null;
let settings = null;

const $ = (id) => document.getElementById(id);

// --- appearance -------------------------------------------------------------------------------

function applySettings(next) {
  settings = next;
  const root = document.documentElement;
  root.dataset.theme = settings.theme;
  root.dataset.font = settings.fontFamily;
  root.dataset.width = settings.lineWidth;
  root.style.setProperty("--font-size", `${settings.fontSize}px`);
  for (const button of document.querySelectorAll("[data-setting]")) {
    button.setAttribute("aria-pressed", String(settings[button.dataset.setting] === button.dataset.value));
  }
  document.querySelector("[data-action=smaller]").disabled = settings.fontSize <= FONT_SIZE.min;
  document.querySelector("[data-action=larger]").disabled = settings.fontSize >= FONT_SIZE.max;
}

function change(changes) {
  applySettings({ ...settings, ...changes });
  saveSettings(changes).catch((error) => console.error("Declutter: could not save settings", error));
}

function wireControls() {
  for (const button of document.querySelectorAll("[data-setting]")) {
    button.addEventListener("click", () => change({ [button.dataset.setting]: button.dataset.value }));
  }
  const step = (direction) => {
    const size = stepFontSize(settings.fontSize, direction);
    if (size !== settings.fontSize) change({ fontSize: size });
  };
  document.querySelector("[data-action=smaller]").addEventListener("click", () => step(-1));
  document.querySelector("[data-action=larger]").addEventListener("click", () => step(1));
  $("back").addEventListener("click", (event) => {
    event.preventDefault();
    backToOriginal();
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !event.defaultPrevented) backToOriginal();
  });
}

/** Back to where the reader came from: its original tab if still open (closing the reader), else that URL. */
async function backToOriginal() {
  const source = Number.isInteger(job?.sourceTabId)
    ? await chrome.tabs.get(job.sourceTabId).catch(() => null)
    : null;
  if (source) {
    const current = await chrome.tabs.getCurrent();
    await chrome.tabs.update(source.id, { active: true });
    if (current) await chrome.tabs.remove(current.id);
    return;
  }
  const url = webUrl(job?.url);
  if (url) location.assign(url);
  else history.back();
}

// --- states -----------------------------------------------------------------------------------

function render(next) {
  // Storage events and reads can arrive out of order; a finished job never goes back to loading.
  if (next?.state === "loading" && job && job.state !== "loading") return;
  job = next;
  if (!job) return showStatus("expired");
  if (job.state === "done" && job.article) return showArticle(job.article);
  if (job.state === "error") return showStatus(job.error?.kind ?? "internal", job.error ?? {});
  return showStatus("loading");
}

function originalLink(label = "Back to the original page") {
  const url = webUrl(job?.url);
  if (!url) return null;
  const link = el("a", { href: url, rel: "noopener noreferrer", class: "button" }, label);
  link.addEventListener("click", (event) => {
    event.preventDefault();
    backToOriginal();
  });
  return link;
}

function optionsButton(label = "Open the extension's options") {
  const button = el("button", { type: "button", class: "button" }, label);
  button.addEventListener("click", () => chrome.runtime.openOptionsPage());
  return button;
}

/** [title, detail nodes, action nodes] for each state the reader can be in besides showing an article. */
function describe(kind, error) {
  const code = (text) => el("code", {}, text);
  const server = error.endpoint ?? error.serverUrl ?? "";
  switch (kind) {
    case "loading":
      return ["Reading the page\u2026", [job?.title ?? ""], []];
    case "unreachable":
      return [
        "Can\u2019t reach the Declutter server",
        [
          "Nothing answered at ", code(server), ". ",
          "Start the server (", code("declutter serve"), ") or set its address under ",
          el("strong", {}, "Server URL"), " in the extension\u2019s options.",
        ],
        [optionsButton(), originalLink()],
      ];
    case "timeout":
      return [
        "The Declutter server took too long",
        ["No answer from ", code(server), " in time. Try again in a moment, or check the server."],
        [originalLink()],
      ];
    case "no_article":
      return [
        "No article found on this page",
        [error.message || "The server found nothing that reads like an article here."],
        [originalLink("Open the original page")],
      ];
    case "http":
      if (error.status === 401) {
        return [
          "The server wants an API token",
          [error.message, " Set the token under ", el("strong", {}, "API token"), " in the extension\u2019s options."],
          [optionsButton(), originalLink()],
        ];
      }
      return [
        `The server couldn\u2019t read this page (${error.status})`,
        [error.message],
        [originalLink()],
      ];
    case "capture":
      return [
        "This page can\u2019t be read",
        ["The browser doesn\u2019t let extensions read this kind of page (browser pages, extension "
          + "stores, other extensions\u2019 pages). ", error.message ?? ""],
        [originalLink()],
      ];
    case "expired":
      return [
        "This reader page has expired",
        ["Its article is kept only while the browser is open. Go back to the page and press the "
          + "Declutter button (Alt+Shift+R) again."],
        [],
      ];
    default:
      return ["Something went wrong", [error.message ?? ""], [originalLink()]];
  }
}

function showStatus(kind, error = {}) {
  const [title, detail, actions] = describe(kind, error);
  document.body.dataset.state = kind === "loading" ? "loading" : "message";
  document.body.dataset.kind = kind;
  document.title = kind === "loading" ? "Reading\u2026 \u2013 Declutter" : `${title} \u2013 Declutter`;
  $("status-title").textContent = title;
  $("status-detail").replaceChildren(...detail);
  $("status-actions").replaceChildren(...actions.filter(Boolean));
  $("status").hidden = false;
  $("article").hidden = true;
}

function showArticle(article) {
  const url = webUrl(job.url) ?? webUrl(article.url); // the page the reader was opened from
  const host = hostOf(url);
  const original = url
    ? el("a", { href: url, rel: "noopener noreferrer", id: "original" }, `${host} \u2197`)
    : null;
  document.title = renderArticle(article, { url, fallbackTitle: job.title || host, extraMeta: [original] });
  showRemoved(article, { base: url });
  showListen(article);
  if (url) showCorrections({ site: siteOf(url), pageUrl: url, store: { load: loadSiteRules, save: saveSiteRules } });
  const footerLink = $("original-footer");
  if (url) footerLink.setAttribute("href", url);
  else footerLink.removeAttribute("href");
  footerLink.hidden = !url;

  document.body.dataset.state = "article";
  $("status").hidden = true;
  $("article").hidden = false;
}

// --- start ------------------------------------------------------------------------------------

const POLL_MS = 1500;

async function refresh() {
  const stored = await chrome.storage.session.get(key);
  render(stored[key] ?? null);
}

async function main() {
  chrome.storage.onChanged.addListener((changes, area) => {
    if (area === "session" && key in changes) render(changes[key].newValue ?? null);
    if (area === "local") loadSettings().then(applySettings);
  });
  wireControls();
  applySettings(await loadSettings());
  await refresh();
  // Events are the fast path; a slow poll while loading covers an event the page missed.
  const poll = setInterval(() => {
    if (job?.state === "loading") refresh();
    else clearInterval(poll);
  }, POLL_MS);
}

main();
