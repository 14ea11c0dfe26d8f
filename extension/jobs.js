// How the worker hands a reader page its article: one chrome.storage.session entry per reader,
// "job:<id>", with <id> in the reader's URL. The entry's `state` is "loading", "done" or "error".

const PREFIX = "job:";

export function jobKey(id) {
  return PREFIX + id;
}

export function isJobKey(key) {
  return key.startsWith(PREFIX);
}

export function readerUrl(id) {
  return chrome.runtime.getURL(`reader/reader.html?id=${encodeURIComponent(id)}`);
}

/** The id of the job a reader page shows, from its own URL. */
export function readerJobId(location) {
  return new URLSearchParams(location.search).get("id");
}
