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

  var READABLE = 0.85;
  var TOOLS = {
    vi: { in: "Phóng to", out: "Thu nhỏ", fit: "Vừa khung", label: "Thu phóng sơ đồ" },
    en: { in: "Zoom in", out: "Zoom out", fit: "Fit", label: "Diagram zoom" }
  };

  // Zoom and fit buttons above the diagram (the mouse wheel and dragging work too).
  function addTools(viewer, element) {
    var words = TOOLS[document.documentElement.lang] || TOOLS.vi;
    var canvas = viewer.get("canvas");
    var bar = document.createElement("div");
    bar.className = "diagram-tools";
    bar.setAttribute("role", "group");
    bar.setAttribute("aria-label", words.label);
    [["in", function () { canvas.zoom(canvas.zoom() * 1.25, "auto"); }],
     ["out", function () { canvas.zoom(canvas.zoom() / 1.25, "auto"); }],
     ["fit", function () { canvas.zoom("fit-viewport", "auto"); }]].forEach(function (tool) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "secondary outline small";
      button.dataset.zoom = tool[0];
      button.textContent = words[tool[0]];
      button.addEventListener("click", tool[1]);
      bar.appendChild(button);
    });
    element.parentNode.insertBefore(bar, element);
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
        var canvas = viewer.get("canvas");
        canvas.zoom("fit-viewport", "auto");
        // Fitted, a wide diagram's labels shrink to 7 px: start no smaller than readable and let
        // the reader pan (drag) or fit it with the buttons.
        if (canvas.zoom() < READABLE) { canvas.zoom(READABLE, { x: 0, y: 0 }); canvas.scroll({ dx: 20, dy: 20 }); }
        nameLanes(viewer, element);
        decorate(viewer, element);
        addTools(viewer, element);
      })
      .catch(function () {
        viewer.destroy();
        failed(element);
      });
  }

  window.DiagramCommon = { show: show };
})();
