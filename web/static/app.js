// charter catalogue: progressive enhancement only. Every page works without
// this file; with it, "/" focuses search, the search page updates as you
// type, and following a link to a version opens it.
"use strict";

(function () {
  function focusSearch(ev) {
    if (ev.key !== "/" || ev.ctrlKey || ev.metaKey || ev.altKey) return;
    var t = ev.target;
    if (t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable)) return;
    var box = document.querySelector("[data-live]") || document.getElementById("q");
    if (!box) return;
    ev.preventDefault();
    box.focus();
    box.select();
  }
  document.addEventListener("keydown", focusSearch);

  // Open the <details> of a version that a link points at (#v3).
  function openTarget() {
    if (!location.hash || location.hash.length < 2) return;
    var el = document.getElementById(decodeURIComponent(location.hash.slice(1)));
    if (!el) return;
    var d = el.tagName === "DETAILS" ? el : el.querySelector("details");
    if (d && !d.open) d.open = true;
  }
  window.addEventListener("hashchange", openTarget);
  document.addEventListener("DOMContentLoaded", openTarget);

  // Search as you type: fetch the results fragment and swap it in, and
  // keep the address shareable.
  document.addEventListener("DOMContentLoaded", function () {
    var box = document.querySelector("[data-live]");
    if (!box) return;
    var results = document.getElementById(box.getAttribute("data-live"));
    var header = document.getElementById("q");
    if (!results) return;
    var timer = 0;
    var inflight = null;
    var last = box.value;
    function run() {
      var q = box.value;
      if (q === last) return;
      last = q;
      if (inflight) inflight.abort();
      inflight = new AbortController();
      var url = "/ui/search?q=" + encodeURIComponent(q);
      fetch(url + "&fragment=1", { signal: inflight.signal, headers: { "Accept": "text/html" } })
        .then(function (r) {
          if (!r.ok) throw new Error("search answered " + r.status);
          return r.text();
        })
        .then(function (html) {
          results.innerHTML = html;
          history.replaceState(null, "", url);
          document.title = (q ? "Search: " + q : "Search") + " · charter catalogue";
          if (header) header.value = q;
        })
        .catch(function (err) {
          if (err && err.name === "AbortError") return;
          // Leave the current results; the form still submits normally.
        });
    }
    box.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(run, 120);
    });
    box.addEventListener("keydown", function (ev) {
      if (ev.key === "ArrowDown") {
        var first = results.querySelector("a");
        if (first) { ev.preventDefault(); first.focus(); }
      }
    });
  });
})();
