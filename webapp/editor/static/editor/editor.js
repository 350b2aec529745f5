/* Content editor: warn before leaving a form with unsaved changes. No inline script (CSP). */
(function () {
  "use strict";
  var forms = document.querySelectorAll("form[data-editor-form]");
  var dirty = false;
  Array.prototype.forEach.call(forms, function (form) {
    form.addEventListener("input", function () { dirty = true; });
    form.addEventListener("submit", function () { dirty = false; });
  });
  window.addEventListener("beforeunload", function (event) {
    if (dirty) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
})();
