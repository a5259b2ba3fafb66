// A target's measured series against its expected path (ECharts), from the JSON the page
// embeds. No inline script (CSP): this file finds its data by element id.
(function () {
  "use strict";
  const node = document.getElementById("target-chart");
  const dataNode = document.getElementById("target-chart-data");
  if (!node || !dataNode || typeof echarts === "undefined") return;
  const data = JSON.parse(dataNode.textContent);
  const words = JSON.parse(document.getElementById("target-chart-labels").textContent);
  const chart = echarts.init(node, null, { renderer: "svg" });
  chart.setOption({
    animation: false,
    tooltip: { trigger: "axis" },
    legend: { data: [words.measured, words.expected] },
    grid: { left: 56, right: 24, top: 40, bottom: 40 },
    xAxis: { type: "time" },
    yAxis: { type: "value", scale: true },
    series: [
      {
        name: words.expected,
        type: "line",
        data: data.path,
        symbol: "none",
        lineStyle: { type: "dashed", color: "#6c757d" },
        itemStyle: { color: "#6c757d" },
        markLine: {
          symbol: "none",
          label: { formatter: words.target },
          lineStyle: { color: "#1e7e34" },
          data: [{ yAxis: data.target }],
        },
      },
      {
        name: words.measured,
        type: "line",
        data: data.values,
        symbolSize: 7,
        lineStyle: { color: "#1f4e79" },
        itemStyle: { color: "#1f4e79" },
      },
    ],
    graphic: data.values.length
      ? []
      : [{ type: "text", left: "center", top: "middle", style: { text: words.empty } }],
  });
  window.addEventListener("resize", () => chart.resize());
})();
