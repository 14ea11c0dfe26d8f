/*
 * The Declutter bookmarklet, readable source. GET /bookmarklet minifies it into a javascript: link and
 * replaces DECLUTTER_SERVICE with {"reader": "<service>/read", "origin": "<service origin>"}.
 *
 * It hands the page's HTML (the DOM as the browser shows it, logged-in and lazy-loaded content
 * included) to the reader on the service. A page can block each way of doing that, so it tries three:
 *   1. open the reader and postMessage it the HTML. Works under a strict CSP; fails when the page sends
 *      Cross-Origin-Opener-Policy: same-origin, which cuts the reader off from this window.
 *   2. POST the HTML with a hidden form. Works under that COOP; fails under a CSP form-action.
 *   3. open the reader with the page's address only; the service fetches the page itself, and sees
 *      what a logged-out visitor sees.
 *
 * Written without template literals and without "/" outside strings and comments (no division, no
 * regular expressions): the minifier in server/bookmarklet.py refuses both rather than guess.
 */
(function (service) {
  "use strict";

  var HANDSHAKE_MS = 8000;  // how long the reader may take to load and say it is ready
  var POLL_MS = 100;
  var web = location.protocol === "https:" || location.protocol === "http:";
  var pageUrl = web ? location.href : "";
  var html = document.documentElement.outerHTML;

  // 1. Open the reader; when it says it is ready, send it the page. Only a message from that window,
  // from the service's origin, counts; the page goes to the service's origin only.
  function viaMessage() {
    var reader = window.open(service.reader + "#from-bookmarklet", "_blank");
    if (!reader) {
      viaForm();
      return;
    }
    var started = Date.now();
    var poll = setInterval(function () {
      // Under COOP same-origin the reader looks closed to us within a few hundred milliseconds.
      if (reader.closed || Date.now() - started > HANDSHAKE_MS) {
        stop();
        viaForm();
      }
    }, POLL_MS);

    function onMessage(event) {
      var data = event.data;
      if (event.source !== reader || event.origin !== service.origin) {
        return;
      }
      if (!data || data.type !== "declutter:ready") {
        return;
      }
      stop();
      reader.postMessage({type: "declutter:page", html: html, url: pageUrl}, service.origin);
    }

    function stop() {
      clearInterval(poll);
      window.removeEventListener("message", onMessage);
    }

    window.addEventListener("message", onMessage);
  }

  // 2. POST the page with a hidden form. Opening the reader used up the click's permission to open a
  // window, so the form goes to a new window only if the browser still allows one, else to this tab.
  function viaForm() {
    var name = "declutter-" + Date.now();
    var target = window.open("", name);
    var form = document.createElement("form");
    var blocked = false;
    form.method = "post";
    form.action = service.reader;
    form.enctype = "multipart/form-data";
    form.acceptCharset = "utf-8";
    form.target = target ? name : "_self";
    form.hidden = true;
    addField(form, "html", html);
    addField(form, "url", pageUrl);
    document.addEventListener("securitypolicyviolation", function (event) {
      if (!blocked && event.effectiveDirective === "form-action") {
        blocked = true;
        viaUrl(target);
      }
    });
    (document.body || document.documentElement).appendChild(form);
    form.submit();
  }

  function addField(form, name, value) {
    // A textarea keeps a large value out of the DOM's attributes, where a hidden input would put it.
    var field = document.createElement("textarea");
    field.name = name;
    field.value = value;
    form.appendChild(field);
  }

  // 3. Send only the address; the service fetches the page itself.
  function viaUrl(target) {
    var href = service.reader + "?url=" + encodeURIComponent(pageUrl) + "#from-bookmarklet";
    if (target && !target.closed) {
      target.location.href = href;
    } else {
      location.href = href;
    }
  }

  viaMessage();
})(DECLUTTER_SERVICE);
