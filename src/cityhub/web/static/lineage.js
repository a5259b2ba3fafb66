// Draws the dataset page's lineage graph from the JSON in #lineage-graph's data-lineage attribute:
// sources on the left, the dataset in the middle, what is made from it on the right, each edge
// labelled with the versions it joins (source version → derived version).
//
// The CSP forbids inline scripts and styles, so the data comes in a data- attribute and the
// tooltips render as rich text inside the SVG (ECharts' HTML tooltips set inline styles).
(function () {
  "use strict";
  var node = document.getElementById("lineage-graph");
  if (!node || !window.echarts) { return; }
  var data = JSON.parse(node.getAttribute("data-lineage"));
  var lang = document.documentElement.lang === "en" ? "en" : "zh-CN";
  var COLOURS = { self: "#b3261e", upstream: "#1f5fa8", downstream: "#2e7d32" };
  var STEP_X = 240;
  var STEP_Y = 70;

  // Layers: the dataset is 0, a source one left of what it feeds, a consumer one right of its source.
  var depth = {};
  depth[data.self] = 0;
  for (var round = 0; round < data.nodes.length + 1; round++) {
    data.edges.forEach(function (edge) {
      var source = depth[edge.source];
      var target = depth[edge.target];
      if (target !== undefined && target <= 0 && (source === undefined || source > target - 1)) {
        depth[edge.source] = target - 1;
      }
      if (source !== undefined && source >= 0 && edge.target !== data.self &&
          (target === undefined || target < source + 1)) {
        depth[edge.target] = source + 1;
      }
    });
  }

  // Each layer is centred on the dataset's row, so the graph reads left to right around it.
  var size = {};
  var placed = {};
  data.nodes.forEach(function (item) {
    var layer = depth[item.name] || 0;
    size[layer] = (size[layer] || 0) + 1;
  });
  var nodes = data.nodes.map(function (item) {
    var layer = depth[item.name] || 0;
    var row = placed[layer] || 0;
    placed[layer] = row + 1;
    return {
      name: item.name,
      value: item.title,
      x: layer * STEP_X,
      y: (row - (size[layer] - 1) / 2) * STEP_Y,
      symbolSize: item.role === "self" ? 22 : 16,
      itemStyle: { color: COLOURS[item.role] || COLOURS.upstream },
      label: { show: true, position: "bottom", formatter: item.title, width: 200, overflow: "truncate" },
      tooltip: {
        formatter: item.title + "\n" + item.name + "\n" + item.department[lang] +
          (item.version ? "\nv" + item.version : "")
      }
    };
  });
  var links = data.edges.map(function (edge) {
    return {
      source: edge.source,
      target: edge.target,
      label: { show: true, formatter: "v" + edge.source_version + " → v" + edge.target_version },
      tooltip: { formatter: edge.source + " v" + edge.source_version + " → " + edge.target + " v" + edge.target_version }
    };
  });

  var chart = window.echarts.init(node, null, { renderer: "svg" });
  chart.setOption({
    tooltip: { renderMode: "richText" },
    series: [{
      type: "graph",
      layout: "none",
      roam: true,
      data: nodes,
      links: links,
      edgeSymbol: ["none", "arrow"],
      edgeSymbolSize: 9,
      lineStyle: { color: "#888", width: 1.5 },
      edgeLabel: { fontSize: 11, color: "#555" },
      left: 90,
      right: 90,
      top: 30,
      bottom: 40
    }]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
