// Draws the home page charts from the JSON the server embeds beside each chart.
(function () {
  "use strict";
  var node = document.getElementById("departments-chart");
  var source = document.getElementById("departments-chart-data");
  if (!node || !source || !window.echarts) { return; }
  var data = JSON.parse(source.textContent);
  var chart = window.echarts.init(node, null, { renderer: "svg" });
  chart.setOption({
    tooltip: { renderMode: "richText" },  // the HTML tooltip sets inline styles, which the CSP forbids
    grid: { left: 40, right: 16, top: 16, bottom: 32 },
    xAxis: { type: "category", data: data.labels },
    yAxis: { type: "value", minInterval: 1 },
    series: [{ type: "bar", data: data.values, itemStyle: { color: "#b3261e" } }]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
