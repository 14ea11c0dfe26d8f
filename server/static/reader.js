// The reader page: finds out where its page comes from, gets the article, shows it or says what went
// wrong. The page comes one of four ways, checked in this order:
//   1. a data block the server wrote into this page (a form POST to /read): the posted page to send to
//      the API, or an error;
//   2. ?url=... in the address: the API fetches the page;
//   3. the window that opened this one (the bookmarklet): we say "ready", it sends the page;
//   4. nothing: say how to get here with a page.
import { webUrl } from "./article.js";
import { showCorrections } from "./corrections.js";
import { showListen } from "./listen.js";
import { showRemoved } from "./removed.js";
import { el, renderArticle } from "./render.js";
import { checkedRules, requestFields, siteOf } from "./site-rules.js";

const TOKEN_KEY = "declutter.token";
const RULES_PREFIX = "declutter.rules:";  // the reader's corrections, one entry a site (site-rules.js)
const HANDOFF_MS = 15000;  // how long to wait for the opener's page after saying "ready"
const $ = (id) => document.getElementById(id);
const body = document.body;

// --- getting the article ----------------------------------------------------------------------------

function start() {
  const data = readDataBlock();
  if (data?.error) return showError(data.error);
  if (data?.page) return extract({ method: "POST", page: data.page });

  const params = new URLSearchParams(location.search);
  if (params.has("url")) return extract({ method: "GET", url: params.get("url") });
  if (window.opener) return receiveFromOpener(window.opener);
  if (location.hash === "#from-bookmarklet") return orphaned();
  return showMessage("Nothing to read yet", [
    "Open a page and click the Declutter bookmarklet, or paste a page on the home page.",
  ], [homeLink("Try it"), bookmarkletLink()]);
}

function readDataBlock() {
  const block = $("declutter-data");
  if (!block) return null;
  try {
    return JSON.parse(block.textContent);
  } catch {
    return null;
  }
}

/** The opener says nothing until we are listening; then it sends {type, html, url} once. */
function receiveFromOpener(opener) {
  showLoading("Receiving the page\u2026");
  const timer = setTimeout(() => {
    window.removeEventListener("message", onMessage);
    showMessage("Nothing arrived", [
      "The page didn\u2019t send its content. Go back to it and click the bookmarklet again.",
    ], [bookmarkletLink()]);
  }, HANDOFF_MS);

  function onMessage(event) {
    const data = event.data;
    if (event.source !== opener || !data || data.type !== "declutter:page") return;
    if (typeof data.html !== "string") return;
    window.removeEventListener("message", onMessage);
    clearTimeout(timer);
    // The address must be the sender's own: a page cannot pass itself off as another site.
    let url = webUrl(data.url);
    if (url && new URL(url).origin !== event.origin) url = null;
    history.replaceState(null, "", location.pathname);
    extract({ method: "POST", page: { html: data.html, url } });
  }

  window.addEventListener("message", onMessage);
  opener.postMessage({ type: "declutter:ready" }, "*");  // carries nothing; anyone may see it
}

/** Opened by the bookmarklet, but the page's COOP cut us off: the bookmarklet posts a form instead. */
function orphaned() {
  showMessage("Sending the page another way", [
    "This page keeps other windows away from it, so the bookmarklet is posting it to the reader instead.",
  ], []);
  setTimeout(() => window.close(), 300);
}

async function extract(request) {
  showLoading(request.method === "GET" ? "Fetching the page\u2026" : "Reading the page\u2026");
  if (request.method === "GET" && !webUrl(request.url)) {
    return showError({ code: "bad_request", message: "The bookmarklet could not send this page\u2019s address." });
  }
  const api = body.dataset.api;
  const headers = { Accept: "application/json" };
  const token = storedToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  const corrections = requestFields(siteRules.load(siteOf(request.url ?? request.page.url)));
  let response;
  try {
    if (request.method === "GET") {
      const query = new URLSearchParams({ url: request.url, removed_html: "true" });
      for (const [name, value] of Object.entries(corrections)) {
        for (const item of [value].flat()) query.append(name, String(item));
      }
      response = await fetch(`${api}?${query}`, { headers });
    } else {
      headers["Content-Type"] = "application/json";
      const { html, url } = request.page;
      const page = url ? { html, url } : { html };
      response = await fetch(api, { method: "POST", headers, body: JSON.stringify({ ...page, removed_html: true, ...corrections }) });
    }
  } catch {
    return showError({ code: "network", message: "" });
  }
  let reply = null;
  try {
    reply = await response.json();
  } catch {
    reply = null;
  }
  if (response.ok && reply && typeof reply.content === "string") return showArticle(reply);
  const error = reply?.error ?? { code: `http_${response.status}`, message: response.statusText };
  if (response.status === 401) return askForToken(error, () => extract(request));
  return showError(error, request.url ?? request.page?.url);
}

// --- the reader's corrections per site, in this origin's localStorage ----------------------------------

const siteRules = {
  load(site) {
    try {
      return checkedRules(JSON.parse(localStorage.getItem(RULES_PREFIX + site)));
    } catch {
      return checkedRules(null);
    }
  },
  save(site, rules) {
    try {
      if (rules.remove.length || rules.keep.length) localStorage.setItem(RULES_PREFIX + site, JSON.stringify(rules));
      else localStorage.removeItem(RULES_PREFIX + site);
    } catch {
      // Storage off (private mode, quota): the correction holds for this page only.
    }
  },
};

// --- the access token ---------------------------------------------------------------------------------

function storedToken() {
  try {
    return localStorage.getItem(TOKEN_KEY) || "";
  } catch {
    return "";
  }
}

function askForToken(error, retry) {
  const had = Boolean(storedToken());
  showMessage("This server asks for an access token", [
    had ? "The token kept in this browser was not accepted. " : "",
    "Ask whoever runs it. It is kept in this browser, for this server only, and never sent anywhere else.",
  ], []);
  const form = $("token-form");
  form.hidden = false;
  $("token").focus();
  form.onsubmit = (event) => {
    event.preventDefault();
    try {
      localStorage.setItem(TOKEN_KEY, $("token").value.trim());
    } catch {
      // Without storage the token cannot be kept; the retry below fails the same way and says so.
    }
    form.hidden = true;
    retry();
  };
}

// --- showing it -------------------------------------------------------------------------------------

function showArticle(article) {
  const base = webUrl(article.url);
  document.title = `${renderArticle(article, { url: base })} \u2013 Declutter`;
  showRemoved(article, { base });
  showListen(article);
  if (base) showCorrections({ site: siteOf(base), pageUrl: base, store: { load: async (site) => siteRules.load(site), save: async (site, rules) => siteRules.save(site, rules) } });
  for (const id of ["original", "original-top"]) {
    if (base) $(id).href = base;
  }
  $("original-top").hidden = !base;
  $("article-footer").hidden = !base;
  $("status").hidden = true;
  $("article").hidden = false;
  body.dataset.state = "article";
}

// A title for each error code of /v1/extract and of /read, and advice to follow the server's message.
const ERRORS = {
  no_article: ["No article here", "Declutter works best on news stories, blog posts and documentation."],
  too_large: ["That page is too big", null],
  too_many_elements: ["That page is too complex to read", null],
  too_many_attributes: ["That page is too complex to read", null],
  too_deep: ["That page is too complex to read", null],
  too_many_entities: ["That page is too complex to read", null],
  not_a_page: ["That isn\u2019t a web page", null],
  unsupported_media_type: ["That isn\u2019t a web page", null],
  not_html: ["That isn\u2019t a web page", null],
  bad_request: ["That didn\u2019t work", null],
  bad_url: ["That address won\u2019t work", null],
  fetch_disabled: ["This server doesn\u2019t fetch pages",
    "Use the bookmarklet on the page itself, or paste the page\u2019s HTML on the home page."],
  blocked_address: ["That address is off limits", null],
  blocked_port: ["That address is off limits", null],
  host_not_found: ["No such site", null],
  upstream_status: ["The page\u2019s server said no", null],
  upstream_error: ["Couldn\u2019t get the page", null],
  too_many_redirects: ["Couldn\u2019t get the page", null],
  bad_redirect: ["Couldn\u2019t get the page", null],
  upstream_timeout: ["That took too long", null],
  timeout: ["That took too long", null],
  not_implemented: ["Not available on this server", null],
  network: ["Can\u2019t reach Declutter",
    "The Declutter service didn\u2019t answer. Check your connection, or try again in a moment."],
};

function showError(error, pageUrl = null) {
  const [title, advice] = ERRORS[error?.code] ?? ["Something went wrong", null];
  const message = error?.message || (advice ? "" : "The reader couldn\u2019t show this page.");
  const detail = [[message, advice].filter(Boolean).join(" ")];
  if (pageUrl && location.hash === "#from-bookmarklet") {
    detail.push(el("br", {}), el("br", {}), "This page keeps the bookmarklet from sending it, so the server had to fetch it "
      + "by its address. The browser extension can read pages like this one.");
  }
  const original = pageUrl && webUrl(pageUrl);
  const actions = [homeLink("Try another page")];
  if (original) actions.unshift(el("a", { class: "button", href: original, rel: "noopener noreferrer" }, "Open the original"));
  showMessage(title, detail, actions);
  body.dataset.error = error?.code ?? "unknown";
}

function showLoading(title) {
  body.dataset.state = "loading";
  $("status-title").textContent = title;
  $("status-detail").replaceChildren();
  $("status-actions").replaceChildren();
}

function showMessage(title, detail, actions) {
  body.dataset.state = "message";
  document.title = `${title} \u2013 Declutter`;
  $("status").hidden = false;
  $("article").hidden = true;
  $("token-form").hidden = true;
  $("status-title").textContent = title;
  $("status-detail").replaceChildren(...detail);
  $("status-actions").replaceChildren(...actions);
}

function homeLink(text) {
  return el("a", { class: "button", href: body.dataset.home }, text);
}

function bookmarkletLink() {
  return el("a", { class: "button", href: body.dataset.bookmarklet }, "About the bookmarklet");
}

start();
