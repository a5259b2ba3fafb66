// The sensing pages: the live map of stations, a station's charts, the alarm console.
// Each page embeds its data as JSON; this script draws it with ECharts and keeps it live from
// /api/sensing/events (Server-Sent Events). #live-status carries data-live=connecting|open|lost,
// and each station row of the map carries data-state, so that tests can watch both.
(function () {
  "use strict";
  var COLOURS = {
    ok: "#1e7e34", blue: "#1f6fd1", yellow: "#d4a500", orange: "#ef7d00", red: "#c8102e",
    offline: "#8a8f98"
  };
  var RANK = { blue: 0, yellow: 1, orange: 2, red: 3 };
  var STATES = ["ok", "blue", "yellow", "orange", "red", "offline"];

  function readJson(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function getJson(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(url + ": " + response.status); }
        return response.json();
      });
  }

  // A station's open alarms keyed by id; offline alarms are those without a Datastream.
  function alarmsById(list) {
    var byId = {};
    list.forEach(function (a) {
      byId[a.id] = { severity: a.severity, offline: a.offline === undefined ? a.datastream_id === null : a.offline };
    });
    return byId;
  }

  // Offline wins (the engine suppresses a silent station's other alarms), then the worst colour.
  function stateOf(alarms) {
    var worst = null;
    var offline = false;
    Object.keys(alarms).forEach(function (id) {
      var alarm = alarms[id];
      if (alarm.offline) { offline = true; }
      else if (worst === null || RANK[alarm.severity] > RANK[worst]) { worst = alarm.severity; }
    });
    return offline ? "offline" : (worst || "ok");
  }

  // Applies an alarm event (raised, moved, acknowledged, cleared) to a station's open alarms.
  function applyAlarm(alarms, event) {
    if (event.status === "cleared") { delete alarms[event.alarm_id]; return; }
    alarms[event.alarm_id] = {
      severity: event.severity,
      offline: event.datastream_id === null || event.datastream_id === undefined
    };
  }

  function setBadge(badge, state, labels) {
    if (!badge) { return; }
    badge.className = "state-badge state-" + state;
    badge.textContent = labels.states[state];
    badge.dataset.state = state;
  }

  // Opens the live feed; handlers.observation / handlers.alarm get the events, handlers.resync
  // runs after a reconnect or when the server says events were lost.
  function connect(labels, handlers) {
    var status = document.getElementById("live-status");
    var greeted = false;
    function show(state) {
      if (!status) { return; }
      status.dataset.live = state;
      status.textContent = labels.live[state];
    }
    if (!window.EventSource) { return; }
    var source = new EventSource("/api/sensing/events");
    source.onmessage = function (message) {
      var event = JSON.parse(message.data);
      if (event.type === "hello") {
        show("open");
        if (greeted && handlers.resync) { handlers.resync(); }
        greeted = true;
      } else if (event.type === "resync") {
        if (handlers.resync) { handlers.resync(); }
      } else if (handlers[event.type]) {
        handlers[event.type](event);
      }
    };
    source.onerror = function () { show("lost"); };
    window.addEventListener("pagehide", function () { source.close(); });
  }

  // Times as the server writes them: China Standard Time, "2024-07-10 08:00".
  var CITY_TIME = new Intl.DateTimeFormat("sv-SE", {
    timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit", day: "2-digit",
    hour: "2-digit", minute: "2-digit"
  });

  function formatValue(value) {
    if (value === null || value === undefined) { return "—"; }
    return typeof value === "number" ? String(Math.round(value * 1000) / 1000) : String(value);
  }

  // --- the map -------------------------------------------------------------------------------

  function mapPage(data) {
    var labels = data.labels;
    var byId = {};
    data.stations.forEach(function (s) { byId[s.id] = { station: s, alarms: alarmsById(s.alarms) }; });
    var node = document.getElementById("sensing-map");
    var chart = node && window.echarts ? window.echarts.init(node, null, { renderer: "svg" }) : null;

    function tooltip(params) {
      var entry = params.data && byId[params.data.stationId];
      if (!entry) { return ""; }
      var lines = [entry.station.name, labels.states[entry.station.state]];
      entry.station.streams.forEach(function (d) {
        lines.push(d.name + ": " + formatValue(d.value) + " " + d.unit);
      });
      return lines.join("\n");
    }

    // The stations' extent with a margin, so that no station sits on the frame.
    function extent(values) {
      var low = Math.min.apply(null, values);
      var high = Math.max.apply(null, values);
      var margin = Math.max((high - low) * 0.1, 0.02);
      return { min: Math.round((low - margin) * 1000) / 1000, max: Math.round((high + margin) * 1000) / 1000 };
    }

    function option() {
      var placed = Object.keys(byId).map(function (id) { return byId[id].station; })
        .filter(function (s) { return s.x !== null && s.y !== null; });
      var xs = extent(placed.map(function (s) { return s.x; }));
      var ys = extent(placed.map(function (s) { return s.y; }));
      return {
        tooltip: { renderMode: "richText", formatter: tooltip },  // HTML tooltips set inline styles, which the CSP forbids
        legend: { top: 0, data: STATES.map(function (state) { return labels.states[state]; }) },
        grid: { left: 56, right: 96, top: 40, bottom: 40 },
        xAxis: { type: "value", name: labels.longitude, min: xs.min, max: xs.max, splitLine: { lineStyle: { type: "dashed" } } },
        yAxis: { type: "value", name: labels.latitude, min: ys.min, max: ys.max, splitLine: { lineStyle: { type: "dashed" } } },
        series: STATES.map(function (state) {
          return {
            id: "state-" + state,
            name: labels.states[state],
            type: "scatter",
            symbolSize: 16,
            itemStyle: { color: COLOURS[state], borderColor: "#fff", borderWidth: 1 },
            label: { show: true, position: "right", formatter: "{b}" },
            data: placed.filter(function (s) { return s.state === state; }).map(function (s) {
              return { id: String(s.id), name: s.name, value: [s.x, s.y], stationId: s.id };
            })
          };
        })
      };
    }

    function redraw() {
      if (chart) { chart.setOption(option(), { replaceMerge: ["series"] }); }
    }

    function showState(entry) {
      entry.station.state = stateOf(entry.alarms);
      var row = document.getElementById("station-" + entry.station.id);
      if (row) {
        row.dataset.state = entry.station.state;
        setBadge(row.querySelector("[data-role=state]"), entry.station.state, labels);
      }
    }

    function resync() {
      getJson("/api/sensing/stations").then(function (stations) {
        stations.forEach(function (s) {
          var entry = byId[s.id] || (byId[s.id] = { station: s, alarms: {} });
          entry.station = s;
          entry.alarms = alarmsById(s.alarms);
          showState(entry);
        });
        redraw();
      });
    }

    if (chart) {
      redraw();
      chart.on("click", function (params) {
        if (params.data && params.data.stationId) {
          window.location.href = "/sensing/stations/" + params.data.stationId;
        }
      });
      window.addEventListener("resize", function () { chart.resize(); });
    }
    connect(labels, {
      alarm: function (event) {
        var entry = byId[event.thing_id];
        if (!entry) { resync(); return; }  // a station this page has not seen yet
        applyAlarm(entry.alarms, event);
        showState(entry);
        redraw();
      },
      observation: function (event) {
        var entry = byId[event.thing_id];
        if (!entry) { return; }
        entry.station.streams.forEach(function (d) {
          if (d.id === event.datastream_id) { d.value = event.value; }
        });
        var row = document.getElementById("station-" + event.thing_id);
        var cell = row && row.querySelector('[data-datastream-id="' + event.datastream_id + '"] [data-role=value]');
        if (cell) { cell.textContent = formatValue(event.value); }
      },
      resync: resync
    });
  }

  // --- a station's charts ----------------------------------------------------------------------

  function stationPage(data) {
    var labels = data.labels;
    var station = data.station;
    var alarms = alarmsById(station.alarms);
    var range = { hours: data.hours, start: null, end: null };
    var charts = {};

    function thresholdLines(series) {
      return series.thresholds.filter(function (t) { return t.on_values; }).map(function (t) {
        return {
          yAxis: t.value,
          name: labels.severities[t.severity],
          lineStyle: { color: COLOURS[t.severity], type: "dashed", width: 2 },
          label: { formatter: labels.severities[t.severity] + " " + t.op + " " + t.value, position: "insideEndTop" }
        };
      });
    }

    function draw(stream, series) {
      var lines = thresholdLines(series);
      var limits = lines.map(function (l) { return l.yAxis; });
      stream.points = series.points;
      stream.chart.setOption({
        tooltip: { trigger: "axis", renderMode: "richText" },
        grid: { left: 56, right: 24, top: 24, bottom: 56 },
        dataZoom: [{ type: "inside" }, { type: "slider", height: 18, bottom: 8 }],
        xAxis: { type: "time", min: series.start, max: range.hours ? null : series.end },
        yAxis: {
          type: "value", name: series.unit, scale: true,
          min: function (v) { return Math.min.apply(null, [v.min].concat(limits)); },
          max: function (v) { return Math.max.apply(null, [v.max].concat(limits)); }
        },
        series: [{
          id: "values", name: series.name, type: "line", showSymbol: false, data: stream.points,
          lineStyle: { color: "#1d1d1f", width: 1.5 }, itemStyle: { color: "#1d1d1f" },
          markLine: { symbol: "none", data: lines, silent: true }
        }]
      });
      stream.note.textContent = series.truncated ? labels.truncated : (series.points.length ? "" : labels.no_values);
    }

    function load(stream) {
      var query = "";
      if (range.hours) {
        var end = new Date();
        query = "?start=" + encodeURIComponent(new Date(end.getTime() - range.hours * 3600e3).toISOString()) +
          "&end=" + encodeURIComponent(end.toISOString());
      } else {
        query = "?start=" + encodeURIComponent(range.start) + "&end=" + encodeURIComponent(range.end);
      }
      getJson("/api/sensing/datastreams/" + stream.id + "/series" + query)
        .then(function (series) { draw(stream, series); })
        .catch(function () { stream.note.textContent = labels.no_values; });
    }

    function loadAll() { Object.keys(charts).forEach(function (id) { load(charts[id]); }); }

    document.querySelectorAll("section.stream").forEach(function (section) {
      var id = Number(section.dataset.datastreamId);
      var node = section.querySelector(".stream-chart");
      charts[id] = {
        id: id,
        section: section,
        note: section.querySelector("[data-role=note]"),
        chart: window.echarts.init(node, null, { renderer: "svg" }),
        points: []
      };
    });
    window.addEventListener("resize", function () {
      Object.keys(charts).forEach(function (id) { charts[id].chart.resize(); });
    });

    var form = document.getElementById("range-form");
    form.querySelectorAll("button[data-hours]").forEach(function (button) {
      button.addEventListener("click", function () {
        form.querySelectorAll("button[data-hours]").forEach(function (b) { b.setAttribute("aria-pressed", String(b === button)); });
        range = { hours: Number(button.dataset.hours), start: null, end: null };
        loadAll();
      });
    });
    form.addEventListener("submit", function (submitted) {
      submitted.preventDefault();
      var start = document.getElementById("range-start").value;
      var end = document.getElementById("range-end").value;
      if (!start || !end) { return; }
      form.querySelectorAll("button[data-hours]").forEach(function (b) { b.setAttribute("aria-pressed", "false"); });
      range = { hours: null, start: new Date(start).toISOString(), end: new Date(end).toISOString() };
      loadAll();
    });

    function showAlarms(found) {
      var list = document.getElementById("station-alarms");
      var english = document.documentElement.lang === "en";
      list.textContent = "";
      if (!found.alarms.length) {
        var none = document.createElement("li");
        none.className = "hint";
        none.textContent = labels.no_alarms;
        list.appendChild(none);
      }
      found.alarms.forEach(function (a) {
        var item = document.createElement("li");
        var badge = document.createElement("span");
        var state = a.datastream_id === null ? "offline" : a.severity;
        item.dataset.alarmId = a.id;
        item.className = "severity-" + a.severity;
        badge.className = "state-badge state-" + state;
        badge.textContent = a.datastream_id === null ? labels.states.offline : labels.severities[a.severity];
        item.appendChild(badge);
        item.appendChild(document.createTextNode(" " + (english ? a.message_en : a.message_zh) + " "));
        var status = document.createElement("span");
        status.className = "hint";
        status.textContent = labels.statuses[a.status] || a.status;
        item.appendChild(status);
        list.appendChild(item);
      });
    }

    function refreshStation() {
      getJson("/api/sensing/stations/" + station.id).then(function (found) {
        alarms = alarmsById(found.alarms);
        setBadge(document.getElementById("station-state"), stateOf(alarms), labels);
        showAlarms(found);
      });
    }

    loadAll();
    connect(labels, {
      observation: function (event) {
        var stream = charts[event.datastream_id];
        if (!stream) { return; }
        stream.section.querySelector("[data-role=value]").textContent = formatValue(event.value);
        var time = stream.section.querySelector("[data-role=time]");
        time.setAttribute("datetime", event.time);
        time.textContent = CITY_TIME.format(new Date(event.time));
        if (!range.hours || typeof event.value !== "number") { return; }
        var oldest = Date.now() - range.hours * 3600e3;
        stream.points = stream.points.filter(function (p) { return Date.parse(p[0]) >= oldest; });
        stream.points.push([event.time, event.value]);
        stream.chart.setOption({ series: [{ id: "values", data: stream.points }] });
      },
      alarm: function (event) {
        if (event.thing_id !== station.id) { return; }
        applyAlarm(alarms, event);
        setBadge(document.getElementById("station-state"), stateOf(alarms), labels);
        refreshStation();
      },
      resync: function () { refreshStation(); loadAll(); }
    });
  }

  // --- the alarm console -----------------------------------------------------------------------

  function consolePage(data) {
    var banner = document.getElementById("alarms-changed");
    connect(data.labels, {
      alarm: function () { if (banner) { banner.hidden = false; } },
      resync: function () { if (banner) { banner.hidden = false; } }
    });
  }

  var map = readJson("sensing-map-data");
  var station = readJson("sensing-station-data");
  var alarmConsole = readJson("sensing-console-data");
  if (map) { mapPage(map); }
  if (station && window.echarts) { stationPage(station); }
  if (alarmConsole) { consolePage(alarmConsole); }
})();
