// "Listen": both readers read the article aloud with the browser's own speech synthesis (speechSynthesis),
// one block (heading, paragraph, list item...) an utterance, in the article's language, with a choice of
// speed and of the voices for that language. The block being read is highlighted and kept in view;
// reading stops when the reader closes or shows another article. The Listen button is a real button:
// Space or Enter plays and pauses when it has focus.
// This file, extension/reader/listen.js, is the source; the service serves a byte-identical copy
// (python3 scripts/sync-reader-files.py). Both pages have #listen-toggle, #listen-rate and #listen-voice.
import { articleLang } from "./render.js";

const BLOCKS = "h1, h2, h3, h4, h5, h6, p, li, blockquote, pre, figcaption, dt, dd, td, th";
const $ = (id) => document.getElementById(id);

// What is being read: the blocks, the one at hand, and a run number that tells a stale event (from an
// utterance cancelled by pause, speed or voice changes) from the current one.
const reading = { blocks: [], index: 0, state: "idle", run: 0, lang: null };

const synth = () => globalThis.speechSynthesis;

/** The article's blocks to read, in order: the title, then the outermost readable blocks of the content. */
function readableBlocks() {
  const candidates = [$("title"), ...$("content").querySelectorAll(BLOCKS)];
  return candidates.filter((block) => block.textContent.trim()
    && !block.parentElement.closest(`#content :is(${BLOCKS})`)
    && !block.closest("[hidden], .restored"));
}

function voicesFor(lang) {
  const wanted = (lang ?? navigator.language ?? "").toLowerCase().split("-")[0];
  return (synth()?.getVoices() ?? []).filter((voice) => voice.lang.toLowerCase().split(/[-_]/)[0] === wanted);
}

function fillVoices() {
  const select = $("listen-voice");
  const chosen = select.value;
  const voices = voicesFor(reading.lang);
  select.replaceChildren(new Option("Default voice", ""), ...voices.map((v) => new Option(v.name, v.name)));
  if (voices.some((v) => v.name === chosen)) select.value = chosen;
  select.hidden = !voices.length;
}

function setState(state) {
  reading.state = state;
  const button = $("listen-toggle");
  button.setAttribute("aria-pressed", String(state === "playing"));
  button.textContent = { idle: "Listen", playing: "Pause", paused: "Resume" }[state];
  if (state === "idle") mark(null);
}

function mark(block) {
  for (const old of document.querySelectorAll(".speaking")) old.classList.remove("speaking");
  if (!block) return;
  block.classList.add("speaking");
  block.scrollIntoView({ block: "nearest", behavior: "smooth" });
}

/** Speaks block `index` and, when it ends, the next; past the last, stops. */
function speak(index) {
  const run = ++reading.run;
  synth().cancel();
  const block = reading.blocks[index];
  if (!block) return setState("idle");
  reading.index = index;
  const utterance = new globalThis.SpeechSynthesisUtterance(block.textContent.replace(/\s+/g, " ").trim());
  if (reading.lang) utterance.lang = reading.lang;
  utterance.rate = Number($("listen-rate").value) || 1;
  const voice = voicesFor(reading.lang).find((v) => v.name === $("listen-voice").value);
  if (voice) utterance.voice = voice;
  utterance.onstart = () => run === reading.run && mark(block);
  utterance.onend = () => run === reading.run && speak(index + 1);
  utterance.onerror = () => run === reading.run && setState("idle");
  mark(block);
  setState("playing");
  synth().speak(utterance);
}

function toggle() {
  if (reading.state === "playing") {
    synth().pause();
    setState("paused");
  } else if (reading.state === "paused") {
    synth().resume();
    setState("playing");
  } else {
    reading.blocks = readableBlocks();
    speak(0);
  }
}

/** Stops reading, if it was. */
export function stopListening() {
  reading.run++;
  if (reading.state !== "idle") synth()?.cancel();
  setState("idle");
}

/** Readies the Listen control for the article on show (hidden where the browser cannot speak). */
export function showListen(article) {
  stopListening();
  reading.lang = articleLang(article);
  $("listen").hidden = !synth();
  if (synth()) fillVoices();
}

if (document.getElementById("listen-toggle")) {
  $("listen-toggle").addEventListener("click", toggle);
  // A new speed or voice applies from the block at hand, said again.
  for (const id of ["listen-rate", "listen-voice"]) {
    $(id).addEventListener("change", () => reading.state === "playing" && speak(reading.index));
  }
  synth()?.addEventListener?.("voiceschanged", fillVoices);
  window.addEventListener("pagehide", stopListening);  // closing or leaving the reader
}
