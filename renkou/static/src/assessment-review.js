// Adjustment and appeal forms: offer only the figures the chosen item reads,
// and show the correction fields only when an appeal is upheld.
(function () {
  "use strict";

  function readJson(id) {
    var node = document.getElementById(id);
    if (!node) { return null; }
    try { return JSON.parse(node.textContent); } catch (e) { return null; }
  }

  function fieldFilter(form) {
    var map = readJson("adjust-field-map");
    var item = form.querySelector("select[name='item_code']");
    var field = form.querySelector("select[name='field']");
    if (!map || !item || !field) { return; }
    function apply() {
      var allowed = map[item.value] || [];
      var firstAllowed = null;
      Array.prototype.forEach.call(field.options, function (option) {
        var ok = allowed.indexOf(option.value) !== -1;
        option.hidden = !ok;
        option.disabled = !ok;
        if (ok && firstAllowed === null) { firstAllowed = option.value; }
      });
      if (allowed.indexOf(field.value) === -1 && firstAllowed !== null) { field.value = firstAllowed; }
    }
    item.addEventListener("change", apply);
    apply();
  }

  function appealDecision(form) {
    var radios = form.querySelectorAll("input[name='decision']");
    var parts = ["field", "new_value"].map(function (name) {
      var input = form.querySelector("[name='" + name + "']");
      var label = input && form.querySelector("label[for='" + input.id + "']");
      return [input, label];
    });
    function apply() {
      var checked = form.querySelector("input[name='decision']:checked");
      var show = !checked || checked.value === "uphold";
      parts.forEach(function (pair) {
        pair.forEach(function (node) { if (node) { node.hidden = !show; } });
      });
    }
    Array.prototype.forEach.call(radios, function (radio) { radio.addEventListener("change", apply); });
    apply();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-adjust-form]").forEach(fieldFilter);
    document.querySelectorAll("[data-appeal-decision]").forEach(appealDecision);
  });
})();
