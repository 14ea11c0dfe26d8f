// The reading settings' vocabulary, named once for both readers: the themes, typefaces, line widths and
// text sizes a reader offers. The extension keeps the reader's choice in chrome.storage.local
// (../settings.js), the service's /read page in localStorage (server/static/prefs.js); both check a
// stored value against these lists. This file, extension/reader/reading-settings.js, is the source; the
// service serves a byte-identical copy (python3 scripts/sync-reader-files.py).

export const THEMES = Object.freeze(["light", "sepia", "dark"]);
export const FONTS = Object.freeze(["serif", "sans"]);
export const WIDTHS = Object.freeze(["narrow", "medium", "wide"]);
export const FONT_SIZE = Object.freeze({ min: 14, max: 28, step: 1, initial: 19 });

/** Is `value` a text size a reader offers? */
export function isFontSize(value) {
  return Number.isInteger(value) && value >= FONT_SIZE.min && value <= FONT_SIZE.max;
}

/** `size` moved one step up (direction 1) or down (-1), kept within the offered sizes. */
export function stepFontSize(size, direction) {
  return Math.min(FONT_SIZE.max, Math.max(FONT_SIZE.min, size + direction * FONT_SIZE.step));
}
