// The options page: the server's address and token, and the reader's default theme and typeface.

import {
  DEFAULTS, extractEndpoint, loadSettings, normalizeServerUrl, originPattern, saveSettings,
} from "../settings.js";

const FIELDS = ["serverUrl", "apiToken", "theme", "fontFamily"];
const CHECK_TIMEOUT_MS = 8000;

const form = document.getElementById("form");
const saved = document.getElementById("saved");
const checkResult = document.getElementById("check-result");

function say(target, text, tone = "") {
  target.textContent = text;
  target.dataset.tone = tone;
}

function fill(values) {
  for (const name of FIELDS) form.elements[name].value = values[name];
}

/** The server URL in the form, normalized, or null after marking the field invalid. */
function serverUrlField() {
  const field = form.elements.serverUrl;
  const serverUrl = normalizeServerUrl(field.value);
  field.setAttribute("aria-invalid", String(!serverUrl));
  return serverUrl;
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const serverUrl = serverUrlField();
  if (!serverUrl) {
    say(saved, "The server URL must be an http:// or https:// address.", "error");
    return;
  }
  // Asked first, while the click still counts as a user gesture (browsers require one).
  const access = chrome.permissions.request({ origins: [originPattern(serverUrl)] }).catch(() => false);
  save(serverUrl, access);
});

async function save(serverUrl, access) {
  const values = {
    serverUrl,
    apiToken: form.elements.apiToken.value.trim(),
    theme: form.elements.theme.value,
    fontFamily: form.elements.fontFamily.value,
  };
  try {
    await saveSettings(values);
  } catch (error) {
    say(saved, `Not saved: ${error.message}`, "error");
    return;
  }
  form.elements.serverUrl.value = serverUrl;
  if (await access) {
    say(saved, "Saved.", "ok");
  } else {
    say(saved, `Saved. Without access to ${new URL(serverUrl).origin}, the server must allow this `
      + "extension's origin (CORS); a Declutter server does by default.", "");
  }
}

document.getElementById("reset").addEventListener("click", () => {
  fill(DEFAULTS);
  say(saved, "Defaults restored in the form; press Save to keep them.");
});

// Sends a tiny page: 200 or 422 (no article) means the server works; 401 means the token is wrong.
document.getElementById("check").addEventListener("click", async () => {
  const serverUrl = serverUrlField();
  if (!serverUrl) {
    say(checkResult, "Enter an http:// or https:// address first.", "error");
    return;
  }
  const endpoint = extractEndpoint(serverUrl);
  const headers = { "Content-Type": "application/json" };
  const token = form.elements.apiToken.value.trim();
  if (token) headers.Authorization = `Bearer ${token}`;
  say(checkResult, "Checking\u2026");
  try {
    const response = await fetch(endpoint, {
      method: "POST",
      headers,
      body: JSON.stringify({ html: "<p>Declutter connection check.</p>", format: "json" }),
      credentials: "omit",
      signal: AbortSignal.timeout(CHECK_TIMEOUT_MS),
    });
    if (response.ok || response.status === 422) say(checkResult, "The server answers.", "ok");
    else if (response.status === 401) say(checkResult, "The server refused the API token.", "error");
    else say(checkResult, `The server answered ${response.status}; is this a Declutter server?`, "error");
  } catch {
    say(checkResult, `Nothing answered at ${endpoint}.`, "error");
  }
});

loadSettings().then(fill);
