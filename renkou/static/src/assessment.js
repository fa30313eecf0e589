// Annual assessment: the charts of the league table and of a unit's result.
// Data arrive in <script type="application/json"> blocks named by data-source.
(function () {
  "use strict";

  function readJson(id) {
    var node = document.getElementById(id);
    if (!node) { return null; }
    try { return JSON.parse(node.textContent); } catch (e) { return null; }
  }

  function draw(el, option) {
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    chart.setOption(option);
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function histogram(el, data) {
    draw(el, {
      animation: false,
      grid: { left: 40, right: 16, top: 16, bottom: 40 },
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: data.labels, name: "分", axisLabel: { interval: 0, rotate: data.labels.length > 6 ? 30 : 0 } },
      yAxis: { type: "value", minInterval: 1, name: "单位数" },
      series: [{ type: "bar", data: data.counts, itemStyle: { color: "#0b6e6e" }, barCategoryGap: "8%", label: { show: true, position: "top" } }]
    });
  }

  function changes(el, data) {
    draw(el, {
      animation: false,
      grid: { left: 96, right: 30, top: 10, bottom: 24 },
      tooltip: { trigger: "axis" },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: data.labels, inverse: true, axisLabel: { interval: 0 } },
      series: [{
        type: "bar",
        data: data.values.map(function (v) { return { value: v, itemStyle: { color: v >= 0 ? "#1a7f37" : "#c0262d" } }; }),
        label: { show: true, position: "right" }
      }]
    });
  }

  function radar(el, data) {
    if (!data.labels.length) { return; }
    // On a phone the labels need room at the sides: a smaller web and shorter names.
    var narrow = el.clientWidth < 420;
    var keep = narrow ? 5 : 8;
    draw(el, {
      animation: false,
      tooltip: {},
      radar: {
        radius: narrow ? "50%" : "62%",
        indicator: data.labels.map(function (name) { return { name: name.length > keep ? name.slice(0, keep) + "…" : name, max: 100 }; }),
        axisName: { color: "#5f6b76", fontSize: 11 }
      },
      series: [{ type: "radar", data: [{ value: data.values, name: "得分率（%）" }], areaStyle: { opacity: 0.2 }, itemStyle: { color: "#0b6e6e" } }]
    });
  }

  var charts = { "as-histogram": histogram, "as-changes": changes, "as-radar": radar };

  function init(root) {
    if (!window.echarts) { return; }
    root.querySelectorAll("[data-chart^='as-']").forEach(function (el) {
      if (el.dataset.drawn) { return; }
      var data = readJson(el.dataset.source);
      var fn = charts[el.dataset.chart];
      if (!data || !fn) { return; }
      el.dataset.drawn = "1";
      fn(el, data);
    });
  }

  document.addEventListener("DOMContentLoaded", function () { init(document); });
})();
