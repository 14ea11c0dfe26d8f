// Reading preferences on the service's pages: text size, typeface, line length and theme, kept in this
// origin's localStorage; their vocabulary is the one the extension's reader uses (reading-settings.js).
// Loaded in <head> with blocking="render", so the saved theme applies before the first paint where the
// browser supports that; it wires the reader's controls, when the page has them.
import { FONT_SIZE, FONTS, isFontSize, stepFontSize, THEMES, WIDTHS } from "./reading-settings.js";

const KEY = "declutter.prefs";
const CHOICES = { font: FONTS, width: WIDTHS, theme: THEMES };  // theme unset: follow the system's light or dark
const root = document.documentElement;

function load() {
  let stored = {};
  try {
    stored = JSON.parse(localStorage.getItem(KEY) || "{}") || {};
  } catch {
    stored = {};
  }
  const prefs = { font: "serif", width: "medium", theme: null, size: FONT_SIZE.initial };
  for (const [name, allowed] of Object.entries(CHOICES)) {
    if (allowed.includes(stored[name])) prefs[name] = stored[name];
  }
  if (isFontSize(stored.size)) prefs.size = stored.size;
  return prefs;
}

function save(prefs) {
  try {
    localStorage.setItem(KEY, JSON.stringify(prefs));
  } catch {
    // Storage off (private mode, quota): the choice holds for this page only.
  }
}

function apply(prefs) {
  root.dataset.font = prefs.font;
  root.dataset.width = prefs.width;
  if (prefs.theme) root.dataset.theme = prefs.theme;
  else delete root.dataset.theme;
  root.style.setProperty("--font-size", `${prefs.size}px`);
  for (const button of document.querySelectorAll("[data-pref]")) {
    button.setAttribute("aria-pressed", String(prefs[button.dataset.pref] === button.dataset.value));
  }
  for (const button of document.querySelectorAll("[data-action=smaller], [data-action=larger]")) {
    const limit = button.dataset.action === "larger" ? FONT_SIZE.max : FONT_SIZE.min;
    button.disabled = prefs.size === limit;
  }
}

function wireControls() {
  document.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-pref], button[data-action=smaller], button[data-action=larger]");
    if (!button) return;
    const prefs = load();
    if (button.dataset.pref) prefs[button.dataset.pref] = button.dataset.value;
    else prefs.size = stepFontSize(prefs.size, button.dataset.action === "larger" ? 1 : -1);
    save(prefs);
    apply(prefs);
  });
  // The settings panel closes on a click elsewhere and on Escape.
  const panel = document.getElementById("settings");
  if (panel) {
    document.addEventListener("click", (event) => {
      if (panel.open && !panel.contains(event.target)) panel.open = false;
    });
    document.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && panel.open) {
        panel.open = false;
        panel.querySelector("summary").focus();
      }
    });
  }
  // Another reader tab changed them.
  window.addEventListener("storage", (event) => {
    if (event.key === KEY) apply(load());
  });
}

apply(load());  // a module runs once the document is parsed: the controls are there
wireControls();
