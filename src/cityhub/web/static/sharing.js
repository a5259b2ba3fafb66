// Draws the sharing overview chart (requests answered per department) from the JSON beside it.
(function () {
  "use strict";
  var node = document.getElementById("sharing-chart");
  var source = document.getElementById("sharing-chart-data");
  if (!node || !source || !window.echarts) { return; }
  var data = JSON.parse(source.textContent);
  var colours = ["#1e7e34", "#b3261e", "#a15c00"];
  var chart = window.echarts.init(node, null, { renderer: "svg" });
  chart.setOption({
    tooltip: { trigger: "axis", renderMode: "richText" },  // HTML tooltips set inline styles, which the CSP forbids
    legend: { top: 0 },
    grid: { left: 40, right: 16, top: 36, bottom: 48 },
    xAxis: { type: "category", data: data.departments, axisLabel: { interval: 0, rotate: data.departments.length > 6 ? 30 : 0 } },
    yAxis: { type: "value", minInterval: 1 },
    series: data.series.map(function (s, i) {
      return { name: s.name, type: "bar", stack: "answers", data: s.values, itemStyle: { color: colours[i % colours.length] } };
    })
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
