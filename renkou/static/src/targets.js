// Targets: the trend chart of each target on a unit's page (ECharts, data
// from json_script blocks): the cumulative actual month by month against the
// target line (a count's pro-rated target, a rate's target or band).
(function () {
  "use strict";

  function readJson(id) {
    var node = document.getElementById(id);
    if (!node) { return null; }
    try { return JSON.parse(node.textContent); } catch (e) { return null; }
  }

  function trendChart(el) {
    var data = readJson(el.dataset.source);
    if (!data || !window.echarts) { return; }
    var band = data.band && data.band.length;
    var series = [
      { type: "line", name: "实际累计", data: data.actual, connectNulls: false, symbolSize: 6,
        lineStyle: { width: 3, color: "#0b6e6e" }, itemStyle: { color: "#0b6e6e" } },
      { type: "line", name: band ? "区间下限" : (data.kind === "count" ? "目标进度线" : "目标"),
        data: data.target, symbol: "none", lineStyle: { width: 1.5, type: "dashed", color: "#b35900" },
        itemStyle: { color: "#b35900" } }
    ];
    if (band) {
      series.push({ type: "line", name: "区间上限", data: data.band, symbol: "none",
        lineStyle: { width: 1.5, type: "dashed", color: "#c0262d" }, itemStyle: { color: "#c0262d" } });
    }
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      animation: false,
      grid: { left: 44, right: 14, top: 30, bottom: 26 },
      tooltip: { trigger: "axis", valueFormatter: function (v) { return v === null || v === undefined ? "—" : v + (data.unit || ""); } },
      legend: { top: 0, itemWidth: 16, textStyle: { fontSize: 11 } },
      xAxis: { type: "category", data: data.months, axisLabel: { fontSize: 10 } },
      yAxis: { type: "value", scale: data.kind !== "count", axisLabel: { fontSize: 10 } },
      series: series
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-chart='tg-trend']").forEach(trendChart);
  });
})();
