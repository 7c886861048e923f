// Progressive enhancement only: every page works without this file.
// Search as you type (the results part of the same page, /?q=...&fragment=1) and keyboard
// navigation: "/" focuses the search box, j/k or the arrows move through results, Enter opens.
(function () {
  "use strict";
  var box = document.getElementById("q");
  var results = document.getElementById("results");
  var timer = null, seq = 0;
  function hits() { return Array.prototype.slice.call(document.querySelectorAll(".hit")); }
  function select(i) {
    var all = hits();
    if (!all.length) return;
    i = Math.max(0, Math.min(all.length - 1, i));
    all.forEach(function (h, j) { h.classList.toggle("selected", i === j); });
    var link = all[i].querySelector("a.rec");
    if (link) link.focus();
  }
  function current() { return hits().findIndex(function (h) { return h.classList.contains("selected"); }); }
  function refresh() {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var params = new URLSearchParams(new FormData(box.form));
      if (params.get("scope") === "records") params.delete("scope");  // the default: a short URL
      var mine = ++seq;
      var url = "/?" + params.toString();
      params.set("fragment", "1");
      fetch("/?" + params.toString(), { headers: { "Accept": "text/html" } })
        .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
        .then(function (html) {
          if (mine !== seq) return;  // a later keystroke answered first
          results.innerHTML = html;  // server-rendered and escaped, like the page itself
          history.replaceState(null, "", url);  // the permalink of what is shown
        })
        .catch(function () {});
    }, 120);
  }
  if (box && results) {
    box.addEventListener("input", refresh);
    // the scope and "include retired": what is shown follows them too
    box.form.addEventListener("change", function (e) { if (e.target !== box) refresh(); });
  }
  document.addEventListener("keydown", function (e) {
    var typing = e.target && (e.target.tagName === "INPUT" || e.target.tagName === "TEXTAREA");
    if (e.key === "/" && !typing && box) { e.preventDefault(); box.focus(); box.select(); return; }
    if (e.key === "Escape" && typing) { e.target.blur(); return; }
    if (typing && e.key !== "ArrowDown") return;
    if (e.key === "j" || e.key === "ArrowDown") { e.preventDefault(); select(current() + 1); }
    else if (e.key === "k" || e.key === "ArrowUp") { e.preventDefault(); select(current() - 1); }
  });
  var hit = document.getElementById("hit-1");
  if (hit && !location.hash) hit.scrollIntoView({ block: "center" });
})();
