// Stations: keep the scan box focused after each check-in (a USB scanner types the code plus
// Enter into whatever has focus), and print the appointment slip. No inline scripts (CSP).
(function () {
  function focusScan() {
    var input = document.querySelector("input[data-scan]");
    if (input) {
      input.focus();
      input.select();
    }
  }
  document.addEventListener("htmx:oobAfterSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "checkin") {
      focusScan();
    }
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-print]");
    if (button) {
      event.preventDefault();
      window.print();
    }
  });
})();
