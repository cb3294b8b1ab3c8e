// draftguard console: small progressive enhancements (no inline script anywhere: CSP script-src 'self').
document.addEventListener("DOMContentLoaded", function () {
  // Confirm destructive actions marked data-confirm.
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (ev) {
      if (!window.confirm(form.getAttribute("data-confirm"))) { ev.preventDefault(); }
    });
  });
});
