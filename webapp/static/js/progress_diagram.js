// The progress page's diagram: the current BPMN drawn with the locally served bpmn-js viewer,
// with a badge on each step giving the number of cases waiting there. No inline script (the
// CSP forbids it): the counts come as JSON in a data attribute.
//
// <div class="diagram" data-diagram-url="..." data-counts='{"verify_application": 12}'
//      data-error-text="...">
(function () {
  "use strict";

  function counts(element) {
    try {
      return JSON.parse(element.dataset.counts || "{}");
    } catch (e) {
      return {};
    }
  }

  function badge(n) {
    var span = document.createElement("span");
    span.className = "pg-badge";
    span.textContent = Number(n).toLocaleString(document.documentElement.lang || "vi");
    return span;
  }

  function addBadges(viewer, element) {
    var overlays = viewer.get("overlays");
    var registry = viewer.get("elementRegistry");
    var canvas = viewer.get("canvas");
    var byStep = counts(element);
    Object.keys(byStep).forEach(function (id) {
      if (!registry.get(id) || !byStep[id]) { return; }
      overlays.add(id, "pg-count", { position: { top: -12, right: 12 }, html: badge(byStep[id]) });
      canvas.addMarker(id, "pg-waiting");
    });
  }

  function show(element) {
    window.DiagramCommon.show(element, addBadges);
  }

  function showAll() {
    Array.prototype.forEach.call(document.querySelectorAll(".pg-diagram .diagram[data-diagram-url]"), show);
  }

  function start() { showAll(); }  // diagram_common.js (loaded before this file) draws them

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
