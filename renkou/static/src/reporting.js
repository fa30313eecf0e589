// Reporting pages: pivot charts (data from a json_script block) and quick entry on phones.
(function () {
  "use strict";

  var PALETTE = ["#0b6e6e", "#c0262d", "#1d4f91", "#b35900", "#6b4fa1", "#1a7f37",
                 "#8a6d00", "#a33d7a", "#2f7fb5", "#5f6b76", "#d4762c", "#3b8f5c"];

  function readJson(id) {
    var node = document.getElementById(id);
    if (!node) { return null; }
    try { return JSON.parse(node.textContent); } catch (e) { return null; }
  }

  function draw(el) {
    if (!window.echarts || el.dataset.drawn) { return; }
    var data = readJson(el.dataset.source);
    if (!data) { return; }
    el.dataset.drawn = "1";
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    var narrow = el.clientWidth < 500;
    if (el.dataset.pivotChart === "trend") {
      chart.setOption({
        animation: false,
        color: PALETTE,
        tooltip: { trigger: "axis" },
        legend: { type: "scroll", bottom: 0, textStyle: { fontSize: 11 } },
        grid: { left: 48, right: 16, top: 16, bottom: narrow ? 64 : 56 },
        xAxis: { type: "category", data: data.periods, axisLabel: { fontSize: 11, hideOverlap: true } },
        yAxis: { type: "value", scale: true },
        series: data.trend.map(function (s) {
          return { type: "line", name: s.name, data: s.data, connectNulls: false, symbolSize: 5 };
        })
      });
    } else {
      var labels = data.compare.labels;
      var horizontal = labels.length > 6 || narrow;
      var category = { type: "category", data: labels, axisLabel: { interval: 0, fontSize: 11 } };
      var value = { type: "value", scale: false };
      if (horizontal) {
        el.style.height = Math.max(260, labels.length * 24 + 60) + "px";
        chart.resize();
      }
      chart.setOption({
        animation: false,
        tooltip: { trigger: "axis" },
        grid: { left: horizontal ? 96 : 48, right: 40, top: 16, bottom: horizontal ? 24 : 48, containLabel: false },
        xAxis: horizontal ? value : category,
        yAxis: horizontal ? Object.assign({}, category, { inverse: true }) : value,
        series: [{ type: "bar", data: data.compare.values, itemStyle: { color: "#0b6e6e" },
                   label: { show: true, position: horizontal ? "right" : "top", fontSize: 11 } }]
      });
    }
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function init(root) {
    (root || document).querySelectorAll("[data-pivot-chart]").forEach(draw);
  }

  // On a phone keyboard, "Enter" in a number field moves to the next field
  // instead of posting the whole form half filled.
  document.addEventListener("keydown", function (event) {
    var input = event.target;
    if (event.key !== "Enter" || !input.closest || !input.closest(".entry-grid")) { return; }
    if (input.tagName !== "INPUT") { return; }
    event.preventDefault();
    var fields = Array.prototype.slice.call(document.querySelectorAll(".entry-grid input, .entry-grid select"));
    var next = fields[fields.indexOf(input) + 1];
    input.dispatchEvent(new Event("change", { bubbles: true }));
    if (next) { next.focus(); }
  });

  // The preset list and the period text are two ways to say the same thing:
  // typing a period clears the preset so the typed one is used.
  document.addEventListener("input", function (event) {
    var target = event.target;
    if (target.name === "pe" && target.form && target.form.id === "pivot-form") {
      var preset = target.form.querySelector("select[name=preset]");
      if (preset) { preset.value = ""; }
    }
  });

  document.addEventListener("htmx:afterSwap", function (event) { init(event.detail.target); });
  document.addEventListener("DOMContentLoaded", function () { init(document); });
})();
