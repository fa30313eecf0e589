/* Target-setting assistant: population pyramids (ECharts) and the year picker.
   Data comes from json_script blocks; no inline script (strict CSP). */
(function () {
  "use strict";

  function readJson(id) {
    var node = document.getElementById(id);
    if (!node) { return null; }
    try { return JSON.parse(node.textContent); } catch (e) { return null; }
  }

  function pyramid(el) {
    if (!window.echarts || el.dataset.drawn) { return; }
    var data = readJson(el.dataset.source);
    if (!data) { return; }
    el.dataset.drawn = "1";
    var end = el.dataset.pyramid === "end";
    var male = end ? data.male_end : data.male;
    var female = end ? data.female_end : data.female;
    // Both charts share one scale so the projected pyramid compares at a glance.
    var top = 0;
    [data.male, data.female, data.male_end, data.female_end].forEach(function (list) {
      list.forEach(function (v) { if (v > top) { top = v; } });
    });
    // A round axis end: 322 → 350, 1,840 → 2,000.
    var unit = Math.pow(10, Math.floor(Math.log10(Math.max(top, 1)))) / 2;
    top = Math.ceil(top / unit) * unit || 1;
    var narrow = el.clientWidth < 420;
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      animation: false,
      color: ["#2f6f9f", "#c0504d"],
      tooltip: {
        trigger: "axis",
        axisPointer: { type: "shadow" },
        formatter: function (items) {
          var lines = [items[0].axisValue];
          items.forEach(function (it) { lines.push(it.seriesName + "：" + Math.abs(it.value).toFixed(0)); });
          return lines.join("<br>");
        }
      },
      legend: { top: 0, data: [el.dataset.male, el.dataset.female] },
      grid: { left: narrow ? 44 : 56, right: 16, top: 28, bottom: 24 },
      xAxis: {
        type: "value", min: -top, max: top,
        axisLabel: { fontSize: 10, formatter: function (v) { return Math.abs(v); } },
        splitNumber: narrow ? 4 : 6
      },
      yAxis: { type: "category", data: data.groups, axisTick: { show: false }, axisLabel: { fontSize: 10 } },
      series: [
        { name: el.dataset.male, type: "bar", stack: "p", barCategoryGap: "8%",
          data: male.map(function (v) { return -v; }) },
        { name: el.dataset.female, type: "bar", stack: "p", barCategoryGap: "8%", data: female }
      ]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function start() {
    document.querySelectorAll("[data-pyramid]").forEach(pyramid);
    document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
      select.addEventListener("change", function () { select.form.submit(); });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
