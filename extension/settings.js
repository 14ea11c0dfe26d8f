// Every setting, its default and its allowed values, in one place (the reading settings' values come
// from reader/reading-settings.js, which the service's reader shares). The worker, the reader and the
// options page all read settings through this module; they live in chrome.storage.local.

import { FONT_SIZE, FONTS, isFontSize, THEMES, WIDTHS } from "./reader/reading-settings.js";
import { checkedRules } from "./reader/site-rules.js";

export const DEFAULT_SERVER_URL = "http://127.0.0.1:5000";

export const DEFAULTS = Object.freeze({
  serverUrl: DEFAULT_SERVER_URL,
  apiToken: "",
  theme: "light",
  fontFamily: "serif",
  fontSize: FONT_SIZE.initial,
  lineWidth: "medium",
});

// How a stored value is checked; a value that fails falls back to its default.
const VALID = {
  serverUrl: (v) => typeof v === "string" && isServerUrl(v),
  apiToken: (v) => typeof v === "string",
  theme: (v) => THEMES.includes(v),
  fontFamily: (v) => FONTS.includes(v),
  fontSize: isFontSize,
  lineWidth: (v) => WIDTHS.includes(v),
};

function isServerUrl(value) {
  try {
    const url = new URL(value);
    return (url.protocol === "http:" || url.protocol === "https:") && !url.search && !url.hash;
  } catch {
    return false;
  }
}

/** The user's settings, each one valid, defaults filled in. */
export async function loadSettings() {
  const stored = await chrome.storage.local.get(Object.keys(DEFAULTS));
  return withDefaults(stored);
}

/** `values` with every missing or invalid setting replaced by its default; unknown keys dropped. */
export function withDefaults(values) {
  const settings = {};
  for (const [key, fallback] of Object.entries(DEFAULTS)) {
    settings[key] = key in values && VALID[key](values[key]) ? values[key] : fallback;
  }
  return settings;
}

/** Stores some settings; throws on an unknown key or an invalid value rather than storing it. */
export async function saveSettings(changes) {
  for (const [key, value] of Object.entries(changes)) {
    if (!(key in VALID)) throw new Error(`Unknown setting ${key}`);
    if (!VALID[key](value)) throw new Error(`Invalid value for ${key}: ${value}`);
  }
  await chrome.storage.local.set(changes);
}

/**
 * What the user typed as the server address, as a URL without a trailing slash, or null when it is
 * not an http(s) address. A missing scheme means http (a local server is the common case).
 */
export function normalizeServerUrl(input) {
  let text = String(input ?? "").trim();
  if (!text) return null;
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) text = `http://${text}`;
  if (!isServerUrl(text)) return null;
  const url = new URL(text);
  return `${url.origin}${url.pathname}`.replace(/\/+$/, "");
}

/** The API endpoint of a server; a server may live under a path (https://example.org/declutter). */
export function extractEndpoint(serverUrl) {
  return `${serverUrl.replace(/\/+$/, "")}/v1/extract`;
}

/** The host-permission match pattern that covers a server, e.g. "https://example.org:8443/*". */
export function originPattern(serverUrl) {
  const url = new URL(serverUrl);
  return `${url.protocol}//${url.host}/*`;
}

// The reader's corrections per site (reader/site-rules.js), one entry a site: "rules:<host>".
const RULES_PREFIX = "rules:";

/** The rules saved for `site`, checked; empty lists when there are none. */
export async function loadSiteRules(site) {
  const key = RULES_PREFIX + site;
  return checkedRules((await chrome.storage.local.get(key))[key]);
}

/** Saves the rules for `site`; a site without rules leaves nothing behind. */
export async function saveSiteRules(site, rules) {
  const key = RULES_PREFIX + site;
  if (rules.remove.length || rules.keep.length) await chrome.storage.local.set({ [key]: checkedRules(rules) });
  else await chrome.storage.local.remove(key);
}
