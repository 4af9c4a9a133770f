// Shared by the pages that draw a BPMN diagram with the locally served bpmn-js viewer
// (case_diagram.js, progress_diagram.js): fetch the diagram, draw it fitted to its box, then let
// the page mark it; the error text in its place when that fails. No inline script (the CSP
// forbids it): load this file before the page's own.
//
// <div class="diagram" data-diagram-url="..." data-error-text="..." data-lane-names='{"police": "..."}'>
// window.DiagramCommon.show(element, decorate): draws the element's diagram once, then calls
// decorate(viewer, element).
(function () {
  "use strict";

  function failed(element) {
    element.classList.add("diagram-failed");
    element.textContent = element.dataset.errorText || "The diagram could not be loaded.";
  }

  // Lanes are named by department code in the BPMN (the engine routes work by them); show the
  // names people read instead.
  function nameLanes(viewer, element) {
    var names;
    try {
      names = JSON.parse(element.dataset.laneNames || "{}");
    } catch (e) {
      return;
    }
    var registry = viewer.get("elementRegistry");
    registry.filter(function (e) { return e.type === "bpmn:Lane"; }).forEach(function (lane) {
      var label = names[lane.businessObject.name];
      var text = label && registry.getGraphics(lane).querySelector("text");
      if (!text) { return; }
      var spans = text.querySelectorAll("tspan");
      for (var i = 1; i < spans.length; i++) { spans[i].remove(); }
      (spans[0] || text).textContent = label;
    });
  }

  function show(element, decorate) {
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
        nameLanes(viewer, element);
        decorate(viewer, element);
      })
      .catch(function () {
        viewer.destroy();
        failed(element);
      });
  }

  window.DiagramCommon = { show: show };
})();
