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

  function failed(element) {
    element.classList.add("diagram-failed");
    element.textContent = element.dataset.errorText || "The diagram could not be loaded.";
  }

  function show(element) {
    if (element.dataset.diagramReady) { return; }
    element.dataset.diagramReady = "1";
    if (typeof window.BpmnJS !== "function") { failed(element); return; }
    var viewer = new window.BpmnJS({ container: element });
    fetch(element.dataset.diagramUrl, {
      credentials: "same-origin",
      headers: { Accept: "application/xml" }
    })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.text();
      })
      .then(function (xml) { return viewer.importXML(xml); })
      .then(function () {
        viewer.get("canvas").zoom("fit-viewport", "auto");
        addBadges(viewer, element);
      })
      .catch(function () {
        viewer.destroy();
        failed(element);
      });
  }

  function showAll() {
    Array.prototype.forEach.call(document.querySelectorAll(".pg-diagram .diagram[data-diagram-url]"), show);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", showAll);
  } else {
    showAll();
  }
})();
