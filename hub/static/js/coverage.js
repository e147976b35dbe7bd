// Live coverage: polls the coverage API and updates the bars and figures in place,
// so doses recorded elsewhere show up without reloading the page.
(function () {
  "use strict";
  var box = document.getElementById("coverage");
  if (!box) { return; }
  var src = box.getAttribute("data-src");
  var live = document.getElementById("cov-live");
  var asof = document.getElementById("cov-asof");
  var EVERY_MS = 5000;

  function fmt(d) {
    var pct = d.coverage_pct === null ? "—" : d.coverage_pct.toFixed(1) + "%";
    return pct + " (" + d.given + "/" + d.eligible + ")";
  }

  function apply(data) {
    data.doses.forEach(function (d) {
      var g = box.querySelector('g[data-dose="' + d.dose + '"]');
      if (!g) { return; }
      g.querySelector(".cov-bar").setAttribute("width", ((d.coverage_pct || 0) * 4.2).toFixed(1));
      g.querySelector(".cov-pct").textContent = fmt(d);
      g.querySelector("title").textContent = d.label + ": " + d.given + " of " + d.eligible;
    });
    data.by_area.forEach(function (block) {
      block.doses.forEach(function (d) {
        var sel = 'td[data-area="' + (block.area || "") + '"][data-dose="' + d.dose + '"]';
        var cell = document.querySelector(sel);
        if (cell) { cell.textContent = d.coverage_pct === null ? "—" : d.coverage_pct.toFixed(1) + "%"; }
      });
    });
    if (asof) { asof.textContent = data.as_of; }
    if (live) { live.textContent = "updated " + new Date().toLocaleTimeString(); }
  }

  function poll() {
    fetch(src, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(apply)
      .catch(function () { if (live) { live.textContent = "not updating (offline?)"; } })
      .then(function () { window.setTimeout(poll, EVERY_MS); });
  }
  window.setTimeout(poll, EVERY_MS);
}());
