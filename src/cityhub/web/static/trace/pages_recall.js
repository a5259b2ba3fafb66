// The recall page's graph: lots, containers and actors from #recall-data, drawn by ECharts as a
// force-directed graph with arrows in the direction of the recall, coloured by kind. Clicking a
// product lot opens its batch page.

const COLOURS = {
  start: "#b3261e",
  input_lot: "#ef7d00",
  product_lot: "#1f6fd1",
  container: "#8a8f98",
  farm: "#1e7e34",
  processor: "#7b4fa0",
  retailer: "#d4a500",
  other_actor: "#5f6368",
};

function draw() {
  const node = document.getElementById("recall-graph");
  const source = document.getElementById("recall-data");
  if (!node || !source || !window.echarts) return;
  const graph = JSON.parse(source.textContent);
  const names = Object.keys(COLOURS);
  const categories = names.map((name) => ({
    name: graph.legend[name],
    itemStyle: { color: COLOURS[name] },
  }));
  const chart = window.echarts.init(node, null, { renderer: "svg" });
  chart.setOption({
    tooltip: { renderMode: "richText" }, // HTML tooltips set inline styles, which the CSP forbids
    legend: { top: 0, data: categories.map((c) => c.name) },
    series: [
      {
        id: "recall",
        type: "graph",
        layout: "force",
        roam: true,
        draggable: true,
        force: { repulsion: 220, edgeLength: [60, 140] },
        categories,
        edgeSymbol: ["none", "arrow"],
        edgeSymbolSize: 8,
        label: { show: true, position: "right", fontSize: 11 },
        lineStyle: { color: "#9aa0a6", curveness: 0.1 },
        data: graph.nodes.map((n) => ({
          id: n.id,
          name: n.label,
          category: names.indexOf(n.category),
          symbolSize: n.category === "start" ? 26 : n.category.endsWith("lot") ? 16 : 20,
          symbol: n.category === "container" ? "rect" : n.id.startsWith("actor:") ? "diamond" : "circle",
          href: n.href,
          kind: n.category,
        })),
        links: graph.edges.map((e) => ({ source: e.source, target: e.target, value: e.step })),
        edgeLabel: { show: false, formatter: (item) => item.data.value || "" },
      },
    ],
  });
  chart.on("click", (item) => {
    if (item.dataType === "node" && item.data.href) window.location.href = item.data.href;
  });
  window.addEventListener("resize", () => chart.resize());
}

draw();
