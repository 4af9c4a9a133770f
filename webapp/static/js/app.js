// The interaction layer every page shares (no inline scripts: the CSP forbids them).
// - Enter never submits a form that changes something, unless the form has one field only.
// - An error summary takes the focus and its links take the reader to each field.
// - A button with data-confirm opens its <dialog>; the dialog's own button submits.
// - After an htmx swap the focus goes to what changed, never to <body>.
// - A conflict shows in place, with a reload that keeps what was typed.
// - An expired session signs in again in a dialog, then sends the same form again.
// - The menu folds behind a button on a phone.
// - On a phone the intake comparison shows one paper at a time, chosen by buttons.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  var TYPED = ["text", "search", "email", "tel", "number", "password", "url", "date", "time"];

  function fieldsOf(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      if (el.tagName === "TEXTAREA" || el.tagName === "SELECT") return true;
      return el.tagName === "INPUT" && ["hidden", "submit", "button", "reset", "image"].indexOf(el.type) < 0;
    });
  }

  // A group of radios or checkboxes is one question, not many fields.
  function questionCount(form) {
    var names = {};
    fieldsOf(form).forEach(function (el) { names[el.name || el.id] = true; });
    return Object.keys(names).length;
  }

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || event.isComposing) return;
    var el = event.target;
    if (!(el instanceof HTMLInputElement) || !el.form) return;
    if (["submit", "button", "reset", "image"].indexOf(el.type) >= 0) return;
    var form = el.form;
    var post = (form.getAttribute("method") || "get").toLowerCase() === "post" || form.hasAttribute("hx-post");
    if (form.hasAttribute("data-enter-submits")) return;
    if (form.hasAttribute("data-no-enter") || (post && questionCount(form) > 1)) {
      event.preventDefault();
      // Enter moves on to the next field, as a clerk expects from a paper form.
      var fields = fieldsOf(form).filter(function (f) { return !f.disabled && f.offsetParent !== null; });
      var next = fields[fields.indexOf(el) + 1];
      if (next && TYPED.indexOf(el.type) >= 0) next.focus();
    }
  });

  // ---- focus: error summary first, else what the swap changed ---------------------------
  function focusOn(el) {
    if (!el) return;
    if (!el.hasAttribute("tabindex") && !/^(A|BUTTON|INPUT|SELECT|TEXTAREA)$/.test(el.tagName)) {
      el.setAttribute("tabindex", "-1");
    }
    el.focus({ preventScroll: true });
    el.scrollIntoView({ block: "start", behavior: "instant" });
  }

  function openDialogs(root) {
    (root.querySelectorAll ? root : document).querySelectorAll("dialog[data-open]").forEach(function (d) {
      if (!d.open) d.showModal();
      else if (!d.matches(":modal")) { d.close(); d.showModal(); }
      var first = d.querySelector("[aria-invalid=true], select, input:not([type=hidden]), textarea");
      if (first) first.focus();
    });
  }

  // A table wider than the screen scrolls inside itself: it takes the keyboard focus too, so
  // that it can be scrolled without a mouse.
  function scrollables(root) {
    (root.querySelectorAll ? root : document).querySelectorAll("main table").forEach(function (t) {
      if (t.scrollWidth > t.clientWidth + 1 && !t.hasAttribute("tabindex")) t.setAttribute("tabindex", "0");
    });
  }

  // ---- intake on a phone: one paper at a time ---------------------------------------------
  function showPaper(table, paper) {
    table.setAttribute("data-paper", paper);
    document.querySelectorAll(".paper-tabs[data-for='" + table.id + "'] [data-paper]").forEach(function (b) {
      b.setAttribute("aria-pressed", b.getAttribute("data-paper") === paper ? "true" : "false");
    });
  }

  // A field of a paper not shown (an error summary's link, an invalid field) shows its paper.
  function revealPaper(field) {
    var cell = field && field.closest && field.closest("table.intake-compare td[data-paper]");
    if (cell) showPaper(cell.closest("table"), cell.getAttribute("data-paper"));
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest(".paper-tabs [data-paper]");
    if (!button) return;
    var table = document.getElementById(button.closest(".paper-tabs").getAttribute("data-for"));
    if (table) showPaper(table, button.getAttribute("data-paper"));
  });

  function settle(root) {
    openDialogs(root);
    scrollables(root);
    revealPaper(document.querySelector("table.intake-compare [aria-invalid=true]"));
    var summary = root.querySelector && root.querySelector("[data-error-summary]");
    if (root.matches && root.matches("[data-error-summary]")) summary = root;
    if (summary && !summary.closest("dialog")) { focusOn(summary); return true; }
    var marked = root.querySelector && root.querySelector("[data-focus]");
    if (marked) { focusOn(marked); return true; }
    return false;
  }

  document.addEventListener("DOMContentLoaded", function () { settle(document); restoreTyped(); });

  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail.target || event.target;
    // An outerHTML swap leaves the old element detached: look at what took its place, by its id,
    // else the new element htmx settled (a listing row and its editor have different ids).
    if (!document.body.contains(target)) {
      target = (target.id && document.getElementById(target.id))
        || (event.target !== document && document.body.contains(event.target) ? event.target : document.body);
    }
    if (settle(target)) return;
    // Focus fell with the swapped element: give it to what replaced it.
    if (document.activeElement === document.body || !document.body.contains(document.activeElement)) {
      var el = target && document.body.contains(target) ? target : document.getElementById("main");
      if (el && el.id !== "flash") focusOn(el);
    }
  });

  document.addEventListener("click", function (event) {
    var link = event.target.closest("[data-error-summary] a[href^='#']");
    if (!link) return;
    var field = document.getElementById(link.getAttribute("href").slice(1));
    if (!field) return;
    event.preventDefault();
    revealPaper(field);
    var label = document.querySelector("label[for='" + field.id + "']") || field.closest("fieldset, label, .field");
    (label || field).scrollIntoView({ block: "start" });
    field.focus({ preventScroll: true });
  });

  // ---- confirmation dialogs ---------------------------------------------------------------
  document.addEventListener("click", function (event) {
    var opener = event.target.closest("[data-confirm]");
    if (opener) {
      var dialog = document.getElementById(opener.getAttribute("data-confirm"));
      if (dialog && typeof dialog.showModal === "function") {
        event.preventDefault();
        dialog.showModal();
        var first = dialog.querySelector("select, input:not([type=hidden]), textarea, button");
        if (first) first.focus();
      }
      return;
    }
    var closer = event.target.closest("[data-close]");
    if (closer && closer.closest("dialog")) { event.preventDefault(); closer.closest("dialog").close(); }
  });

  // ---- the menu on a phone --------------------------------------------------------------
  document.addEventListener("click", function (event) {
    var toggle = event.target.closest(".menu-toggle");
    if (!toggle) return;
    var open = toggle.getAttribute("aria-expanded") !== "true";
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    document.body.classList.toggle("menu-open", open);
  });

  // ---- conflicts: in place, and a reload that keeps the input ----------------------------
  var STORE = "typed:";

  function keepTyped(form) {
    var data = [];
    fieldsOf(form).forEach(function (el) {
      if (el.name === "csrf_token" || el.name === "version" || el.name === "seen") return;
      if ((el.type === "checkbox" || el.type === "radio")) data.push([el.name, el.value, el.checked]);
      else data.push([el.name, el.value]);
    });
    sessionStorage.setItem(STORE + location.pathname, JSON.stringify({ form: form.id, data: data }));
  }

  function restoreTyped() {
    var raw = sessionStorage.getItem(STORE + location.pathname);
    if (!raw) return;
    sessionStorage.removeItem(STORE + location.pathname);
    var saved = JSON.parse(raw);
    var form = document.getElementById(saved.form);
    if (!form) return;
    saved.data.forEach(function (item) {
      var els = form.querySelectorAll("[name='" + CSS.escape(item[0]) + "']");
      els.forEach(function (el) {
        if (el.type === "checkbox" || el.type === "radio") { if (el.value === item[1]) el.checked = item[2]; }
        else el.value = item[1];
      });
    });
    var note = form.querySelector("[data-restored]");
    if (note) note.hidden = false;
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-reload-keep]");
    if (!button) return;
    var form = button.closest("form") || document.getElementById(button.getAttribute("data-reload-keep"));
    if (form) keepTyped(form);
    location.reload();
  });

  function showConflict(form, html) {
    var box = form.querySelector(".form-conflict");
    if (!box) {
      box = document.createElement("div");
      box.className = "form-conflict";
      box.setAttribute("role", "alert");
      form.insertBefore(box, form.firstChild);
    }
    box.innerHTML = html;
    focusOn(box);
  }

  // ---- an expired session: sign in again in a dialog, then send the same request --------
  var pending = null;

  function freshToken(html) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    var input = doc.querySelector("input[name=csrf_token]");
    return input ? input.value : null;
  }

  function useToken(token) {
    document.body.setAttribute("hx-headers", JSON.stringify({ "X-CSRFToken": token }));
    document.querySelectorAll("input[name=csrf_token]").forEach(function (el) { el.value = token; });
  }

  function resend() {
    var job = pending;
    pending = null;
    if (!job) return;
    if (job.form) job.form.requestSubmit(job.submitter && job.submitter.form === job.form ? job.submitter : undefined);
    else if (window.htmx) window.htmx.ajax(job.verb, job.path, { source: job.elt, target: job.target });
  }

  function refreshTokenThenResend() {
    fetch(location.href, { credentials: "same-origin" })
      .then(function (r) { return r.text(); })
      .then(function (html) { var t = freshToken(html); if (t) useToken(t); resend(); });
  }

  function askSignIn() {
    var dialog = document.getElementById("signin-dialog");
    if (!dialog) { location.reload(); return; }
    dialog.querySelector(".signin-error").hidden = true;
    dialog.showModal();
    dialog.querySelector("input[name=username]").focus();
  }

  var lastSubmitter = null;
  document.addEventListener("submit", function (event) { lastSubmitter = event.submitter || null; }, true);

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.id !== "signin-form") return;
    event.preventDefault();
    var dialog = form.closest("dialog");
    var login = form.getAttribute("action");
    fetch(login, { credentials: "same-origin" })
      .then(function (r) { return r.text(); })
      .then(function (html) {
        var body = new FormData(form);
        body.set("csrf_token", freshToken(html) || "");
        return fetch(login, { method: "POST", body: body, credentials: "same-origin" });
      })
      .then(function (r) {
        if (r.ok && !/\/login/.test(new URL(r.url).pathname)) {
          form.reset();
          dialog.close();
          refreshTokenThenResend();
        } else {
          return r.text().then(function (html) {
            var doc = new DOMParser().parseFromString(html, "text/html");
            var said = doc.querySelector(".error, .flash-error");
            var box = dialog.querySelector(".signin-error");
            box.textContent = said ? said.textContent : box.getAttribute("data-default");
            box.hidden = false;
            dialog.querySelector("input[name=password]").focus();
          });
        }
      });
  }, false);

  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    if (!xhr) return;
    var elt = event.detail.elt;
    var form = elt && (elt.tagName === "FORM" ? elt : elt.closest("form"));
    if (xhr.getResponseHeader("X-Session-Expired")) {
      var cfg = event.detail.requestConfig || {};
      pending = { form: form && form.getAttribute("hx-post") ? form : null, submitter: lastSubmitter,
                  elt: elt, verb: cfg.verb, path: cfg.path, target: event.detail.target };
      if (xhr.getResponseHeader("X-Session-Expired") === "token") refreshTokenThenResend();
      else askSignIn();
      return;
    }
    if (xhr.status === 409 && form && form.id) {
      showConflict(form, xhr.responseText);
      return;
    }
    var flash = document.getElementById("flash");
    if (flash && xhr.status >= 400) {
      flash.innerHTML = xhr.responseText;
      focusOn(flash.firstElementChild || flash);
    }
  });
})();

// "Select all on this page": a header checkbox ticks every row's checkbox of its form.
document.addEventListener("change", function (event) {
  var all = event.target.closest && event.target.closest("[data-select-all]");
  if (!all || !all.form) return;
  all.form.querySelectorAll("input[type=checkbox][name='" + all.getAttribute("data-select-all") + "']")
    .forEach(function (box) { box.checked = all.checked; });
});
