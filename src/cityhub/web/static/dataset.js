// Draws the dataset page's column chart from the JSON the server embeds beside it, on page load
// and whenever htmx swaps a new chart in (choosing another column).
//
// CSP (style-src 'self') shapes two choices: the chart container has no id, because htmx copies the
// style attribute of an old element onto the new one with the same id (ECharts styles its container);
// and tooltips render as rich text inside the SVG, because ECharts' HTML tooltips use inline styles.
(function () {
  "use strict";
  var RED = "#b3261e";

  function option(data) {
    var labels = data.labels.map(function (label) { return label === null ? data.empty : label; });
    var series = { type: "bar", name: data.series, data: data.values, itemStyle: { color: RED } };
    if (data.kind === "histogram") {
      series.barCategoryGap = "4%";
      return {
        tooltip: { trigger: "axis", renderMode: "richText" },
        grid: { left: 56, right: 16, top: 16, bottom: 56 },
        xAxis: { type: "category", data: labels, axisLabel: { rotate: 30 } },
        yAxis: { type: "value", minInterval: 1 },
        series: [series]
      };
    }
    return {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, renderMode: "richText" },
      grid: { left: 16, right: 32, top: 16, bottom: 24, containLabel: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: labels, inverse: true, axisLabel: { width: 160, overflow: "truncate" } },
      series: [series]
    };
  }

  function draw() {
    var node = document.querySelector("#chart-area .column-chart");
    var source = document.querySelector("#chart-area .column-chart-data");
    if (!node || !source || !window.echarts || window.echarts.getInstanceByDom(node)) { return; }
    var chart = window.echarts.init(node, null, { renderer: "svg" });
    chart.setOption(option(JSON.parse(source.textContent)));
  }

  window.addEventListener("resize", function () {
    var node = document.querySelector("#chart-area .column-chart");
    var chart = node && window.echarts && window.echarts.getInstanceByDom(node);
    if (chart) { chart.resize(); }
  });
  document.addEventListener("htmx:after:swap", draw);
  draw();
})();
