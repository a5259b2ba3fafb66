// The batch page's own script: hand batch.js the evidence URL (it reads
// document.body.dataset.evidenceUrl; this module runs first, being first in the document) and
// draw the small map of where each step happened from #trace-map-data.

const batch = document.getElementById("trace-batch");
if (batch && batch.dataset.evidenceUrl) {
  document.body.dataset.evidenceUrl = batch.dataset.evidenceUrl;
}

// The points' extent with a margin, so that no point sits on the frame.
function extent(values) {
  const low = Math.min(...values);
  const high = Math.max(...values);
  const margin = Math.max((high - low) * 0.15, 0.05);
  return { min: +(low - margin).toFixed(3), max: +(high + margin).toFixed(3) };
}

function drawMap() {
  const node = document.getElementById("trace-map");
  const source = document.getElementById("trace-map-data");
  if (!node || !source || !window.echarts) return;
  const { points, labels } = JSON.parse(source.textContent);
  if (!points.length) return;
  const xs = extent(points.map((p) => p.lon));
  const ys = extent(points.map((p) => p.lat));
  const data = points.map((p, i) => ({
    name: `${i + 1}. ${p.name}`,
    value: [p.lon, p.lat],
    steps: p.steps.join(", "),
  }));
  const chart = window.echarts.init(node, null, { renderer: "svg" });
  chart.setOption({
    // HTML tooltips set inline styles, which the CSP forbids.
    tooltip: { renderMode: "richText", formatter: (item) => `${item.name}\n${item.data.steps || ""}` },
    grid: { left: 48, right: 24, top: 16, bottom: 36 },
    xAxis: { type: "value", name: labels.longitude, min: xs.min, max: xs.max, splitLine: { lineStyle: { type: "dashed" } } },
    yAxis: { type: "value", name: labels.latitude, min: ys.min, max: ys.max, splitLine: { lineStyle: { type: "dashed" } } },
    series: [
      {
        id: "route",
        type: "line",
        data: data.map((d) => d.value),
        symbol: "none",
        lineStyle: { color: "#8a8f98", type: "dashed" },
        silent: true,
      },
      {
        id: "places",
        type: "scatter",
        data,
        symbolSize: 14,
        itemStyle: { color: "#b3261e", borderColor: "#fff", borderWidth: 1 },
        label: { show: true, position: "right", formatter: (item) => String(item.dataIndex + 1) },
      },
    ],
  });
  window.addEventListener("resize", () => chart.resize());
}

drawMap();
