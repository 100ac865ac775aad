// Live pages: regions marked [data-live] (each with an id) are refreshed in place from
// a fresh copy of the same page, quickly while something runs (a pending registration,
// an attendance sync, a task) and slowly otherwise. No reload: flash messages, scroll
// position and whatever the user is typing stay. Live fetches never consume flashes.
(function () {
  var timer = null;

  function isActive() {
    return !!document.querySelector("[data-live-active='1']");
  }

  function schedule() {
    if (!document.querySelector("[data-live]")) { return; }
    clearTimeout(timer);
    timer = setTimeout(refresh, isActive() ? 1500 : 15000);
  }

  function refresh() {
    if (document.hidden) { schedule(); return; }
    fetch(window.location.href, { credentials: "same-origin", headers: { "X-Live": "1" } })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html");
        fresh.querySelectorAll("[data-live][id]").forEach(function (region) {
          var old = document.getElementById(region.id);
          // A region the user is working in (focus inside) waits for the next round.
          if (old && !old.contains(document.activeElement)) {
            var copy = document.importNode(region, true);
            // Disclosures the user opened stay open.
            var opened = old.querySelectorAll("details");
            copy.querySelectorAll("details").forEach(function (d, i) {
              if (opened[i] && opened[i].open) { d.open = true; }
            });
            old.replaceWith(copy);
          }
        });
        document.documentElement.setAttribute("data-live-updated", String(Date.now()));
        startPollers();
        schedule();
      })
      .catch(function () { clearTimeout(timer); timer = setTimeout(refresh, 5000); });
  }

  // Progress of one task: fill its bar until done, then refresh the live regions.
  function poll(el) {
    fetch(el.getAttribute("data-task-url"), { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (t) {
        if (!document.body.contains(el)) { return; }
        var bar = el.querySelector("progress");
        if (bar) { bar.value = t.percent; }
        var state = el.querySelector(".task-state");
        if (state) { state.textContent = t.state + (t.total ? " · " + t.done + " / " + t.total : ""); }
        var msg = el.querySelector(".task-message");
        if (msg) { msg.textContent = t.message || ""; }
        if (t.state === "queued" || t.state === "running") {
          setTimeout(function () { poll(el); }, 1000);
        } else if (el.getAttribute("data-state") !== t.state) {
          refresh();
        }
      })
      .catch(function () { setTimeout(function () { poll(el); }, 3000); });
  }

  // A running attendance sync: fill each [data-field] from the run, refresh when it ends.
  function pollSync(el) {
    fetch(el.getAttribute("data-sync-url"), { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (run) {
        if (!document.body.contains(el)) { return; }
        el.querySelectorAll("[data-field]").forEach(function (f) {
          var v = run[f.getAttribute("data-field")];
          f.textContent = (v === null || v === undefined) ? "" : String(v);
        });
        if (run.active) {
          setTimeout(function () { pollSync(el); }, run.state === "waiting" ? 10000 : 1000);
        } else {
          refresh();
        }
      })
      .catch(function () { setTimeout(function () { pollSync(el); }, 3000); });
  }

  function startPollers() {
    document.querySelectorAll("[data-sync-url]:not([data-polled])").forEach(function (el) {
      el.setAttribute("data-polled", "1");
      pollSync(el);
    });
    document.querySelectorAll("[data-task-url]:not([data-polled])").forEach(function (el) {
      var s = el.getAttribute("data-state");
      el.setAttribute("data-polled", "1");
      if (s === "queued" || s === "running") { poll(el); }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    startPollers();
    schedule();
    // Slow provider listings: say so while the next page loads.
    document.querySelectorAll("form[data-loading]").forEach(function (form) {
      form.addEventListener("submit", function () {
        var note = form.querySelector(".loading");
        if (note) { note.hidden = false; }
      });
    });
    // Buttons that ask before acting: <button data-confirm="...">
    document.addEventListener("click", function (e) {
      var el = e.target.closest("[data-confirm]");
      if (el && !window.confirm(el.getAttribute("data-confirm"))) { e.preventDefault(); }
    });
    // First sign-in: propose the browser's time zone (the server checks it is a real one).
    var proposal = document.querySelector("[data-zone-proposal]");
    var guess = window.Intl ? Intl.DateTimeFormat().resolvedOptions().timeZone : "";
    if (proposal && guess) {
      proposal.querySelector("input[name=timezone]").value = guess;
      proposal.querySelector(".zone-name").textContent = guess;
      proposal.hidden = false;
    }
    // The landing form tells the portal the visitor's zone, for the times in their emails.
    document.querySelectorAll("input[name=timezone][type=hidden]").forEach(function (input) {
      if (guess && !input.closest("[data-zone-proposal]")) { input.value = guess; }
    });
    // Public pages: an event's start also in the visitor's own zone, when it differs.
    document.querySelectorAll("time[data-local]").forEach(function (el) {
      var when = new Date(el.getAttribute("datetime"));
      if (!guess || guess === el.getAttribute("data-zone") || isNaN(when)) { return; }
      var text = when.toLocaleString(undefined, { weekday: "short", day: "2-digit", month: "short",
        hour: "2-digit", minute: "2-digit", timeZoneName: "short" });
      var out = document.createElement("span");
      out.className = "muted your-time";
      out.textContent = " (your time: " + text + ")";
      el.after(out);
    });
  });
})();
