// Reading preferences: text size, typeface, line length and theme, kept in this origin's localStorage.
// A classic script in <head>, so the saved theme applies before the first paint; it wires the reader's
// controls, when the page has them, once the document is parsed.
(function () {
  "use strict";

  const KEY = "declutter.prefs";
  const CHOICES = {
    font: ["serif", "sans"],
    width: ["narrow", "medium", "wide"],
    theme: ["light", "sepia", "dark"],  // unset: follow the system's light or dark
  };
  const SIZE = { min: 14, max: 28, step: 1, initial: 19 };
  const root = document.documentElement;

  function load() {
    let stored = {};
    try {
      stored = JSON.parse(localStorage.getItem(KEY) || "{}") || {};
    } catch {
      stored = {};
    }
    const prefs = { font: "serif", width: "medium", theme: null, size: SIZE.initial };
    for (const [name, allowed] of Object.entries(CHOICES)) {
      if (allowed.includes(stored[name])) prefs[name] = stored[name];
    }
    if (Number.isInteger(stored.size) && stored.size >= SIZE.min && stored.size <= SIZE.max) {
      prefs.size = stored.size;
    }
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
    for (const button of document.querySelectorAll("[data-action]")) {
      const limit = button.dataset.action === "larger" ? SIZE.max : SIZE.min;
      button.disabled = prefs.size === limit;
    }
  }

  function wireControls() {
    document.addEventListener("click", (event) => {
      const button = event.target.closest("button[data-pref], button[data-action]");
      if (!button) return;
      const prefs = load();
      if (button.dataset.pref) {
        prefs[button.dataset.pref] = button.dataset.value;
      } else {
        const step = button.dataset.action === "larger" ? SIZE.step : -SIZE.step;
        prefs.size = Math.min(SIZE.max, Math.max(SIZE.min, prefs.size + step));
      }
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
    apply(load());
  }

  apply(load());
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", wireControls);
  else wireControls();
})();
