// Mozilla Readability.js as a benchmark anchor: one process serves many pages.
//
// stdin: one JSON object a line, {"html": "...", "url": "..."}
// stdout: one JSON object a line, in the same order: {"text": "...", "ms": N} (the article's textContent and the
// time of the DOM parse plus Readability's parse) or {"error": "...", "ms": N}.
"use strict";

const readline = require("node:readline");
const { performance } = require("node:perf_hooks");
const { JSDOM, VirtualConsole } = require("jsdom");
const { Readability } = require("@mozilla/readability");

// Nothing may reach stdout but the replies: jsdom's page console (CSS parse errors and the like) goes nowhere.
const quiet = new VirtualConsole();
for (const method of ["log", "info", "warn", "error", "debug"]) {
  console[method] = (...args) => process.stderr.write(args.join(" ") + "\n");
}

function extract(html, url) {
  const dom = new JSDOM(html, { url: url || "http://fakehost/test/page.html", virtualConsole: quiet });
  try {
    const article = new Readability(dom.window.document).parse();
    if (!article) return { error: "no article" };
    return { text: article.textContent || "" };
  } finally {
    dom.window.close();
  }
}

async function main() {
  const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of lines) {
    if (!line.trim()) continue;
    const start = performance.now();
    let reply;
    try {
      const page = JSON.parse(line);
      reply = extract(page.html, page.url);
    } catch (err) {
      reply = { error: `${err.name}: ${err.message}`.slice(0, 200) };
    }
    reply.ms = performance.now() - start;
    process.stdout.write(JSON.stringify(reply) + "\n");
  }
}

main();
