// The case page's diagram: the case's pinned BPMN drawn with the locally served bpmn-js viewer,
// the current steps and the steps done marked. No inline script (the CSP forbids it).
//
// <div class="diagram" data-diagram-url="..." data-current="a,b" data-done="c,d"
//      data-fallback="call_activity_id" data-error-text="...">
// A step that is not drawn on this diagram (a step of a called process) is marked on the
// data-fallback element instead, when there is one.
(function () {
  "use strict";

  function ids(value) {
    return (value || "").split(",").filter(function (id) { return id; });
  }

  function addMarkers(viewer, element) {
    var canvas = viewer.get("canvas");
    var registry = viewer.get("elementRegistry");
    var fallback = element.dataset.fallback;
    function drawn(id) {
      if (registry.get(id)) { return id; }
      return fallback && registry.get(fallback) ? fallback : null;
    }
    var current = ids(element.dataset.current).map(drawn).filter(Boolean);
    ids(element.dataset.done).map(drawn).filter(Boolean).forEach(function (id) {
      if (current.indexOf(id) === -1 && !canvas.hasMarker(id, "step-done")) {
        canvas.addMarker(id, "step-done");
      }
    });
    current.forEach(function (id) {
      if (!canvas.hasMarker(id, "step-current")) { canvas.addMarker(id, "step-current"); }
    });
  }

  function show(element) {
    window.DiagramCommon.show(element, addMarkers);
  }

  function showAll(root) {
    var scope = root && root.querySelectorAll ? root : document;
    if (scope.matches && scope.matches(".diagram[data-diagram-url]")) { show(scope); }
    Array.prototype.forEach.call(scope.querySelectorAll(".diagram[data-diagram-url]"), show);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { showAll(document); });
  } else {
    showAll(document);
  }
  // A diagram that arrives in an htmx swap is drawn too.
  document.addEventListener("htmx:load", function (event) { showAll(event.target); });
})();
