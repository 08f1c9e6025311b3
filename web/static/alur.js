/* Alur's own script. The Content-Security-Policy allows scripts from this site only (no
   inline <script>, no on*= handlers, no eval), so the few behaviours the templates need
   are wired here, by data attributes:

   - <select data-autosubmit>: submits its form when changed (the language switch);
   - [data-print]: prints the page when clicked (the SOP document);
   - <div id="flow-marks" data-done="1 2" data-current="3" data-returned="" data-partial="">:
     colours the rows of the case's
     flowchart (.case-flow tr[data-step]; the server marks them on page load, so they show
     without JavaScript too); htmx swaps a new one in out of band after every
     action, and a MutationObserver applies it, whatever the htmx event names;
   - #notice-badge (the header's unread notifications) and #inbox-badge: refreshed by htmx on
     the "notices-refresh" event, which this sends every minute while the tab is visible and
     at once when it becomes visible again; a hidden tab asks nothing;
   - .overflow-auto (a box a wide table scrolls in) without a tabindex: made a focusable,
     labelled region (named after its table's caption or the heading above it), so a
     keyboard can scroll it; templates that can name the box say so themselves. */
(function () {
  "use strict";

  document.addEventListener("change", function (event) {
    var select = event.target.closest && event.target.closest("select[data-autosubmit]");
    if (select && select.form) select.form.submit();
  });

  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-print]")) window.print();
  });

  var applied = null;

  function markFlow() {
    var marks = document.getElementById("flow-marks");
    if (!marks) return;
    var states = ["done", "current", "returned", "partial"];
    var steps = states.map(function (state) {
      return (marks.dataset[state] || "").split(" ").filter(Boolean);
    });
    var key = steps.map(function (s) { return s.join(" "); }).join("|");
    if (key === applied) return;
    applied = key;
    document.querySelectorAll(".case-flow tr[data-step]").forEach(function (row) {
      var step = row.getAttribute("data-step");
      states.forEach(function (state, i) {
        row.classList.toggle("flow-" + state, steps[i].indexOf(step) >= 0);
      });
    });
  }

  var REFRESH_MS = 60000;

  function refreshNotices() {
    if (document.hidden || !document.getElementById("notice-badge")) return;
    document.body.dispatchEvent(new CustomEvent("notices-refresh"));
  }

  setInterval(refreshNotices, REFRESH_MS);
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) refreshNotices();
  });

  function boxLabel(box) {
    var caption = box.querySelector("caption");
    if (caption && caption.textContent.trim()) return caption.textContent.trim();
    var node = box;
    while (node && node !== document.body) {
      var prev = node.previousElementSibling;
      while (prev) {
        if (/^H[1-6]$/.test(prev.tagName)) return prev.textContent.trim().replace(/\s+/g, " ");
        var inner = prev.querySelector && prev.querySelector("h1, h2, h3, h4, h5, h6");
        if (inner) return inner.textContent.trim().replace(/\s+/g, " ");
        prev = prev.previousElementSibling;
      }
      node = node.parentElement;
    }
    return document.title;
  }

  function focusableBoxes() {
    document.querySelectorAll(".overflow-auto:not([tabindex])").forEach(function (box) {
      box.setAttribute("tabindex", "0");
      box.setAttribute("role", "region");
      if (!box.hasAttribute("aria-label")) box.setAttribute("aria-label", boxLabel(box));
    });
  }

  function start() {
    markFlow();
    focusableBoxes();
    new MutationObserver(function () {
      markFlow();
      focusableBoxes();
    }).observe(document.body, { childList: true, subtree: true });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
