// Progress of background work: poll each task until it is done, then reload once.
(function () {
  function poll(el) {
    var url = el.getAttribute("data-task-url");
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (t) {
        var bar = el.querySelector("progress");
        if (bar) { bar.value = t.percent; }
        var state = el.querySelector(".task-state");
        if (state) { state.textContent = t.state + (t.total ? " · " + t.done + " / " + t.total : ""); }
        var msg = el.querySelector(".task-message");
        if (msg) { msg.textContent = t.message || ""; }
        if (t.state === "queued" || t.state === "running") {
          setTimeout(function () { poll(el); }, 1000);
        } else if (el.getAttribute("data-state") !== t.state) {
          window.location.reload();
        }
      })
      .catch(function () { setTimeout(function () { poll(el); }, 3000); });
  }
  // A running attendance sync: fill each [data-field] from the run, reload when it ends.
  function pollSync(el) {
    fetch(el.getAttribute("data-sync-url"), { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (run) {
        el.querySelectorAll("[data-field]").forEach(function (f) {
          var v = run[f.getAttribute("data-field")];
          f.textContent = (v === null || v === undefined) ? "" : String(v);
        });
        if (run.active) {
          setTimeout(function () { pollSync(el); }, run.state === "waiting" ? 10000 : 1000);
        } else {
          window.location.reload();
        }
      })
      .catch(function () { setTimeout(function () { pollSync(el); }, 3000); });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-sync-url]").forEach(pollSync);
    document.querySelectorAll("[data-task-url]").forEach(function (el) {
      var s = el.getAttribute("data-state");
      if (s === "queued" || s === "running") { poll(el); }
    });
    // Slow provider listings: say so while the next page loads.
    document.querySelectorAll("form[data-loading]").forEach(function (form) {
      form.addEventListener("submit", function () {
        var note = form.querySelector(".loading");
        if (note) { note.hidden = false; }
      });
    });
    // Buttons that ask before acting: <button data-confirm="...">
    document.querySelectorAll("[data-confirm]").forEach(function (el) {
      el.addEventListener("click", function (e) {
        if (!window.confirm(el.getAttribute("data-confirm"))) { e.preventDefault(); }
      });
    });
  });
})();
