// The extension's worker (a service worker in Chrome, an event page in Firefox).
//
// On the toolbar button or Alt+Shift+R: capture the page's rendered HTML (activeTab + scripting,
// nothing runs in pages otherwise), open the reader next to it at once, send the HTML to the server,
// and hand the outcome to the reader through its job in chrome.storage.session (see jobs.js). The
// reader shows a spinner until the job leaves the "loading" state.

import { isJobKey, jobKey, readerUrl } from "./jobs.js";
import { requestFields, siteOf } from "./reader/site-rules.js";
import { extractEndpoint, loadSettings, loadSiteRules } from "./settings.js";

const REQUEST_TIMEOUT_MS = 60_000;
const CAPTURE_RETRY_MS = 250;

/** Runs inside the page: a copy of what the browser rendered, without changing anything. */
function capturePage() {
  return { url: location.href, title: document.title, html: document.documentElement.outerHTML };
}

/** Opens the reader for a tab; resolves with the job id once the reader has the outcome. */
async function openReader(tabId) {
  const tab = await chrome.tabs.get(tabId);
  // Capture first, while the page is still the active tab the click was on. That takes
  // milliseconds; extraction, the slow part, starts now and is awaited below while the reader
  // already shows its spinner.
  const pending = await captureTab(tabId).then(
    (page) => ({ outcome: extract(page).catch((error) => failure("internal", error)) }),
    (error) => ({ outcome: failure("capture", error) }),
  );
  const id = crypto.randomUUID();
  const key = jobKey(id);
  const job = { state: "loading", sourceTabId: tab.id, url: tab.url ?? "", title: tab.title ?? "" };
  await putJob(key, job);
  const reader = await chrome.tabs.create({
    url: readerUrl(id),
    index: tab.index + 1,
    openerTabId: tab.id,
    windowId: tab.windowId,
  });
  job.readerTabId = reader.id;
  await putJob(key, job);

  const outcome = await pending.outcome;
  const readerStillOpen = await chrome.tabs.get(reader.id).then(() => true, () => false);
  if (readerStillOpen) await putJob(key, { ...job, ...outcome });
  return id;
}

/**
 * Runs capturePage in the tab. Right after a click Chromium now and then refuses the injection
 * ("Cannot access contents of the page") although the click granted activeTab; one retry a moment
 * later succeeds. A page that is really off-limits fails both times.
 */
async function captureTab(tabId) {
  const inject = () => chrome.scripting.executeScript({ target: { tabId }, func: capturePage });
  const [frame] = await inject().catch(async () => {
    await new Promise((resolve) => setTimeout(resolve, CAPTURE_RETRY_MS));
    return inject();
  });
  if (!frame?.result?.html) throw new Error("The page returned nothing to read.");
  return frame.result;
}

/** POSTs the page to the server; the job fields for the outcome, success or failure. */
async function extract(page) {
  const { serverUrl, apiToken } = await loadSettings();
  const endpoint = extractEndpoint(serverUrl);
  const headers = { "Content-Type": "application/json", Accept: "application/json" };
  if (apiToken) headers.Authorization = `Bearer ${apiToken}`;
  const base = { url: page.url, title: page.title };
  const corrections = requestFields(await loadSiteRules(siteOf(page.url)));  // the reader's, for this site

  let response;
  try {
    response = await fetch(endpoint, {
      method: "POST",
      headers,
      body: JSON.stringify({ html: page.html, url: page.url, format: "json", removed_html: true, ...corrections }),
      credentials: "omit",
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
  } catch (error) {
    const kind = error.name === "TimeoutError" ? "timeout" : "unreachable";
    return { ...base, state: "error", error: { kind, serverUrl, endpoint, message: error.message } };
  }

  const body = await response.json().catch(() => null);
  if (response.ok && typeof body?.content === "string") {
    return { ...base, state: "done", article: body };
  }
  const reported = body?.error ?? {};
  const message = typeof reported.message === "string" && reported.message
    ? reported.message
    : `The server answered ${response.status} ${response.statusText}`.trim() + ".";
  return {
    ...base,
    state: "error",
    error: {
      kind: reported.code === "no_article" ? "no_article" : "http",
      status: response.status,
      code: typeof reported.code === "string" ? reported.code : "",
      message,
      serverUrl,
      endpoint,
    },
  };
}

function failure(kind, error) {
  return { state: "error", error: { kind, message: String(error?.message ?? error) } };
}

/** Stores a job; when session storage is full, drops the other jobs once and tries again. */
async function putJob(key, job) {
  try {
    await chrome.storage.session.set({ [key]: job });
  } catch (error) {
    const others = Object.keys(await chrome.storage.session.get(null))
      .filter((k) => isJobKey(k) && k !== key);
    if (!others.length) throw error;
    await chrome.storage.session.remove(others);
    await chrome.storage.session.set({ [key]: job });
  }
}

/** A closed reader no longer needs its article. */
async function forgetReader(tabId) {
  const all = await chrome.storage.session.get(null);
  const stale = Object.entries(all)
    .filter(([k, job]) => isJobKey(k) && job?.readerTabId === tabId)
    .map(([k]) => k);
  if (stale.length) await chrome.storage.session.remove(stale);
}

globalThis.openReader = openReader;
chrome.action.onClicked.addListener((tab) => openReader(tab.id));
chrome.tabs.onRemoved.addListener((tabId) => forgetReader(tabId));
