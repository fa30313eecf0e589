// Contracts pages: confirm before issuing, and filter forms that submit on change.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    var question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) event.preventDefault();
  });
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (!(field instanceof HTMLSelectElement)) return;
    var form = field.form;
    if (form && form.hasAttribute("data-autosubmit")) form.submit();
  });
})();
