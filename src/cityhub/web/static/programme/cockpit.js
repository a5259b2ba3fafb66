// The cockpit's charts (ECharts), drawn from the JSON the page embeds: the same Cockpit as the
// tables, the Excel and the PDF. No inline script (CSP): this file finds its data by element id.
(function () {
  "use strict";
  const root = document.getElementById("cockpit");
  const dataNode = document.getElementById("cockpit-data");
  if (!root || !dataNode || typeof echarts === "undefined") return;
  const data = JSON.parse(dataNode.textContent);
  const words = JSON.parse(document.getElementById("cockpit-labels").textContent);
  const zh = words.language === "zh-CN";
  const screen = root.classList.contains("screen");
  const theme = screen ? "dark" : null;
  const COLORS = { ok: "#1e7e34", late: "#c82333", reached: "#1f4e79", none: "#adb5bd", bar: "#1f4e79" };
  const charts = [];

  const name = (item, zhKey, enKey) => (zh ? item[zhKey] : item[enKey]);
  const pct = (value) => (value === null || value === undefined ? "—" : (value * 100).toFixed(1) + "%");

  function chart(id) {
    const node = document.getElementById(id);
    if (!node) return null;
    const made = echarts.init(node, theme, { renderer: "svg" });
    charts.push(made);
    // The panel's colour shows through, in the light and the dark (wall screen) theme alike.
    made.setOption({ backgroundColor: "transparent" });
    return made;
  }

  function gauges() {
    for (const goal of data.goals) {
      const made = chart("gauge-" + goal.code);
      if (!made) continue;
      const late = goal.share < goal.expected_share;
      const common = { type: "gauge", startAngle: 210, endAngle: -30, min: 0, max: 100, radius: "92%" };
      made.setOption({
        series: [
          Object.assign({}, common, {
            id: "share",
            progress: { show: true, width: 14, itemStyle: { color: late ? COLORS.late : COLORS.ok } },
            axisLine: { lineStyle: { width: 14 } },
            axisTick: { show: false },
            splitLine: { length: 6, distance: 2 },
            axisLabel: { distance: 18, fontSize: screen ? 14 : 10 },
            pointer: { show: false },
            anchor: { show: false },
            title: { show: false },
            detail: { valueAnimation: false, fontSize: screen ? 34 : 24, offsetCenter: [0, "10%"],
                      formatter: (v) => v.toFixed(1) + "%" },
            data: [{ value: Math.round(goal.share * 1000) / 10, name: name(goal, "name_zh", "name_en") }],
          }),
          Object.assign({}, common, {
            id: "expected",
            axisLine: { show: false }, axisTick: { show: false }, splitLine: { show: false },
            axisLabel: { show: false }, detail: { show: false }, title: { show: false },
            pointer: { show: true, length: "18%", width: 4, offsetCenter: [0, "-72%"],
                       itemStyle: { color: screen ? "#fff" : "#212529" } },
            data: [{ value: Math.round(goal.expected_share * 1000) / 10, name: words.expected }],
          }),
        ],
        tooltip: { formatter: () => `${name(goal, "name_zh", "name_en")}<br>${words.progress} ${pct(goal.share)}<br>${words.expected} ${pct(goal.expected_share)}` },
      });
    }
  }

  function bullets() {
    const made = chart("targets-chart");
    if (!made) return;
    const rows = data.targets.slice().reverse();
    const colour = { on_track: COLORS.ok, lagging: COLORS.late, reached: COLORS.reached, no_data: COLORS.none };
    made.getDom().style.height = Math.max(160, 46 * rows.length + 60) + "px";
    made.resize();
    made.setOption({
      grid: { left: 8, right: 40, top: 28, bottom: 24, containLabel: true },
      legend: { data: [words.progress, words.expected], top: 0 },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" },
                 formatter: (items) => {
                   const t = rows[items[0].dataIndex];
                   return `${name(t, "name_zh", "name_en")}<br>${words.progress} ${pct(t.progress)} · ${words.expected} ${pct(t.expected)}<br>${words["status." + t.status]}`;
                 } },
      xAxis: { type: "value", min: 0, max: (v) => Math.max(100, Math.ceil(v.max / 10) * 10),
               axisLabel: { formatter: "{value}%" } },
      yAxis: { type: "category", data: rows.map((t) => name(t, "name_zh", "name_en")) },
      series: [
        { id: "progress", name: words.progress, type: "bar", barWidth: 14, showBackground: true,
          color: COLORS.ok,
          data: rows.map((t) => ({ value: t.progress === null ? 0 : Math.round(t.progress * 1000) / 10,
                                   code: t.code, itemStyle: { color: colour[t.status] || COLORS.bar } })),
          label: { show: true, position: "right", formatter: (p) => pct(rows[p.dataIndex].progress) } },
        { id: "expected", name: words.expected, type: "scatter", symbol: "rect", symbolSize: [4, 26], z: 5,
          itemStyle: { color: screen ? "#fff" : "#212529" },
          data: rows.map((t) => Math.round(t.expected * 1000) / 10) },
      ],
    });
  }

  function units() {
    const made = chart("units-chart");
    if (!made) return;
    const rows = data.units.slice(0, 15).reverse();
    made.getDom().style.height = Math.max(160, 26 * rows.length + 60) + "px";
    made.resize();
    made.setOption({
      grid: { left: 8, right: 24, top: 28, bottom: 20, containLabel: true },
      legend: { top: 0 },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      xAxis: { type: "value", name: words.tasks, minInterval: 1 },
      yAxis: { type: "category", data: rows.map((u) => name(u, "name_zh", "name_en")) },
      series: [
        { id: "on_track", name: words.on_track, type: "bar", stack: "tasks", itemStyle: { color: COLORS.ok },
          data: rows.map((u) => u.on_track) },
        { id: "lagging", name: words.lagging, type: "bar", stack: "tasks", itemStyle: { color: COLORS.late },
          data: rows.map((u) => u.lagging) },
      ],
    });
  }

  function breakdownBars(id, rows, title) {
    const made = chart(id);
    if (!made) return;
    made.setOption({
      title: { text: title, left: "center", textStyle: { fontSize: screen ? 18 : 14 } },
      grid: { left: 8, right: 16, top: 56, bottom: 30, containLabel: true },
      legend: { bottom: 0 },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      xAxis: { type: "category", data: rows.map((b) => name(b, "label_zh", "label_en")),
               axisLabel: { interval: 0, rotate: 25 } },
      yAxis: [{ type: "value", name: words.projects, minInterval: 1 },
              { type: "value", name: words.wan_yuan, splitLine: { show: false } }],
      series: [
        { id: "projects", name: words.projects, type: "bar", itemStyle: { color: COLORS.bar },
          data: rows.map((b) => b.projects) },
        { id: "selected", name: words.selected, type: "bar", itemStyle: { color: COLORS.ok },
          data: rows.map((b) => b.selected) },
        { id: "investment", name: words.investment, type: "line", yAxisIndex: 1,
          data: rows.map((b) => b.investment) },
      ],
    });
  }

  function countyMap() {
    const made = chart("county-map");
    if (!made) return Promise.resolve();
    const rows = data.projects_by_county;
    const nameMap = {};
    for (const b of rows) nameMap[b.key] = name(b, "label_zh", "label_en");
    const most = Math.max(1, ...rows.map((b) => b.projects));
    return fetch("/cockpit/counties.geojson")
      .then((response) => response.json())
      .then((geo) => {
        echarts.registerMap("liaocheng", geo);
        made.setOption({
          title: { text: words.by_county, left: "center", textStyle: { fontSize: screen ? 18 : 14 } },
          tooltip: { trigger: "item", formatter: (p) => {
            const b = rows.find((r) => nameMap[r.key] === p.name);
            return b ? `${p.name}<br>${words.projects} ${b.projects} · ${words.selected} ${b.selected}<br>${words.investment} ${b.investment} ${words.wan_yuan}` : p.name;
          } },
          visualMap: { min: 0, max: most, left: 8, bottom: 8, calculable: false, itemHeight: 80,
                       inRange: { color: ["#e8f0f8", "#1f4e79"] }, text: [String(most), "0"] },
          series: [{ id: "counties", type: "map", map: "liaocheng", nameProperty: "adcode", nameMap,
                     roam: false, top: 40, bottom: 8,
                     label: { show: true, fontSize: screen ? 14 : 10,
                              formatter: (p) => `${p.name}\n${Number.isFinite(p.value) ? p.value : 0}` },
                     data: rows.map((b) => ({ name: nameMap[b.key], value: b.projects, code: b.key })) }],
        });
      });
  }

  gauges();
  bullets();
  units();
  breakdownBars("domain-chart", data.projects_by_domain, words.by_domain);
  breakdownBars("investment-chart", data.projects_by_investment, words.by_investment);
  countyMap()
    .catch((error) => console.warn("county map unavailable", error))
    .finally(() => {
      // Fonts and the grid may have settled since the charts were made: fit them once more.
      charts.forEach((c) => c.resize());
      root.setAttribute("data-ready", "yes");
    });

  window.addEventListener("resize", () => charts.forEach((c) => c.resize()));
  // Printing lays the page out narrower: let every chart fit it, then restore.
  window.addEventListener("beforeprint", () => charts.forEach((c) => c.resize()));
  window.addEventListener("afterprint", () => charts.forEach((c) => c.resize()));
  const printButton = document.getElementById("cockpit-print");
  if (printButton) printButton.addEventListener("click", () => window.print());
})();
