// Renkou's page behaviour. No inline scripts anywhere: charts read their data
// from <script type="application/json"> blocks and their options from data-*.
(function () {
  "use strict";

  function readJson(id) {
    var node = document.getElementById(id);
    if (!node) { return null; }
    try { return JSON.parse(node.textContent); } catch (e) { return null; }
  }

  function barChart(el) {
    if (!window.echarts) { return; }
    var data = readJson(el.dataset.source);
    if (!data) { return; }
    var horizontal = data.labels.length > 8;
    if (horizontal && el.dataset.barHeight) {
      // One row per unit: the chart grows with the list (set through CSSOM, so CSP allows it).
      el.style.height = Math.max(260, data.labels.length * Number(el.dataset.barHeight) + 60) + "px";
    }
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    var category = { type: "category", data: data.labels, axisLabel: { interval: 0 } };
    var value = { type: "value", minInterval: 1 };
    chart.setOption({
      animation: false,
      grid: { left: horizontal ? 90 : 40, right: 20, top: 30, bottom: horizontal ? 30 : 50 },
      tooltip: { trigger: "axis" },
      xAxis: horizontal ? value : category,
      yAxis: horizontal ? Object.assign({}, category, { inverse: true }) : value,
      series: [{ type: "bar", name: data.series, data: data.values, itemStyle: { color: "#0b6e6e" },
                 label: { show: true, position: horizontal ? "right" : "top" } }]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function init(root) {
    (root || document).querySelectorAll("[data-chart='bar']").forEach(barChart);
    (root || document).querySelectorAll("[data-autosubmit]").forEach(function (el) {
      el.addEventListener("change", function () { el.form && el.form.requestSubmit(); });
    });
  }

  // The phone menu: one button folds the navigation open and shut.
  document.addEventListener("click", function (event) {
    var toggle = event.target.closest && event.target.closest("[data-menu-toggle]");
    if (!toggle) { return; }
    var menu = toggle.parentElement;
    var open = !menu.classList.contains("open");
    menu.classList.toggle("open", open);
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
  });

  // Tree nodes: the first click loads the children (htmx), the next folds them.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-tree-toggle]");
    if (!button || button.getAttribute("aria-expanded") !== "true") { return; }
    event.stopPropagation();
    event.preventDefault();
    var target = document.querySelector(button.getAttribute("hx-target"));
    if (target) { target.innerHTML = ""; }
    button.setAttribute("aria-expanded", "false");
    button.textContent = "+";
  }, true);
  document.addEventListener("htmx:afterRequest", function (event) {
    var button = event.detail.elt;
    if (button && button.hasAttribute && button.hasAttribute("data-tree-toggle") && event.detail.successful) {
      button.setAttribute("aria-expanded", "true");
      button.textContent = "−";
    }
  });
  document.addEventListener("htmx:afterSwap", function (event) { init(event.detail.target); });
  document.addEventListener("DOMContentLoaded", function () { init(document); });
})();
