// Small behaviours without inline scripts (the CSP forbids them).
document.addEventListener("htmx:responseError", function (event) {
  var flash = document.getElementById("flash");
  if (flash && event.detail.xhr && (event.detail.xhr.status === 409 || event.detail.xhr.status === 400)) {
    flash.innerHTML = event.detail.xhr.responseText;
  }
});
