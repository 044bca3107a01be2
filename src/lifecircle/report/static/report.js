// Draws the report map from the JSON in #map-data: streets as vectors, no tile server.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("map-data").textContent);
  var narrow = window.matchMedia("(max-width: 600px)").matches;
  var map = L.map("map", { zoomSnap: 0.25, attributionControl: false, preferCanvas: false });

  var palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf",
    "#bcbd22", "#7f7f7f", "#d62728", "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173",
    "#3182bd", "#e6550d", "#31a354"];
  function categoryColour(code) {
    var i = data.category_order.indexOf(code);
    return palette[(i < 0 ? 0 : i) % palette.length];
  }
  // Popups, tooltips and the legend are built from text nodes: data is never parsed as HTML.
  function text(value) {
    return value === null || value === undefined ? "" : String(value);
  }
  function lines(rows) {
    var div = document.createElement("div");
    rows.forEach(function (row, i) {
      if (i) { div.appendChild(document.createElement("br")); }
      if (row !== null && typeof row === "object") {
        var b = document.createElement("b");
        b.textContent = text(row.bold);
        div.appendChild(b);
      } else {
        div.appendChild(document.createTextNode(text(row)));
      }
    });
    return div;
  }
  function gapColour(n) {
    return n <= 3 ? "#c7e9c0" : n <= 6 ? "#fee391" : n <= 9 ? "#fdae6b" : "#fb6a4a";
  }

  var streets = L.layerGroup(data.streets.map(function (s) {
    return L.polyline(s, { color: "#9aa0a6", weight: 3, opacity: 0.9, interactive: false });
  }));

  // Supply-ratio map: the compounds coloured by one category's 2SFCA floor area per 1,000 of
  // its target group, chosen in #map-colour; "" colours them by their number of gaps.
  var supply = data.supply || [];
  var chosen = null;
  var supplyColours = ["#deebf7", "#9ecae1", "#4292c6", "#08519c"];
  var noneColour = "#f7f7f7", unknownColour = "#bdbdbd";
  function amount(v) {
    return Number(v).toLocaleString("zh-CN", { maximumFractionDigits: 1 });
  }
  function supplyTop(entry) {
    return (entry.values || []).reduce(function (m, v) { return v !== null && v > m ? v : m; }, 0);
  }
  function supplyColour(entry, v) {
    if (v === null || v === undefined) { return unknownColour; }
    if (v <= 0) { return noneColour; }
    var k = Math.min(supplyColours.length - 1, Math.ceil(v / supplyTop(entry) * supplyColours.length) - 1);
    return supplyColours[k];
  }
  function supplyLine(c, i) {
    if (chosen === null) { return null; }
    var entry = supply[chosen];
    if (!entry.values) { return "供需比 supply · " + entry.label + ": " + entry.note; }
    var v = entry.values[i];
    return "供需比 supply · " + entry.label + ": " +
      (v === null ? "无数据 no data" : amount(v) + " " + entry.unit);
  }

  var shapes = [];
  var compounds = L.layerGroup(data.compounds.map(function (c, i) {
    var style = { color: "#555", weight: 1, fillColor: gapColour(c.gaps.length), fillOpacity: 0.55 };
    var shape = c.polygon.length ? L.polygon(c.polygon, style) : L.circleMarker(c.at, style);
    shapes.push(shape);
    return shape.bindPopup(function () {
      var rows = [{ bold: c.name },
        "人口 population " + text(c.population) + " · 60+ " + text(c.elderly) +
          (c.built ? " · " + text(c.built) + "年" : ""),
        "缺口 gaps (" + c.gaps.length + "): " + (c.gaps.join("、") || "无 none")];
      var line = supplyLine(c, i);
      if (line !== null) { rows.push(line); }
      return lines(rows);
    }).bindTooltip(lines([c.name]), { direction: "center", className: "compound-label", permanent: true });
  }));

  var select = document.getElementById("map-colour");
  var gapLegend = document.getElementById("gap-legend");
  var supplyLegend = document.getElementById("supply-legend");
  function addOption(value, label) {
    var option = document.createElement("option");
    option.value = value;
    option.appendChild(document.createTextNode(label));
    select.appendChild(option);
  }
  function swatch(colour, label) {
    var span = document.createElement("span");
    span.className = "swatch";
    span.style.background = colour;
    supplyLegend.appendChild(span);
    supplyLegend.appendChild(document.createTextNode(label + " "));
  }
  function showSupply(index) {
    chosen = index;
    while (supplyLegend.firstChild) { supplyLegend.removeChild(supplyLegend.firstChild); }
    gapLegend.hidden = index !== null;
    supplyLegend.hidden = index === null;
    var entry = index === null ? null : supply[index];
    data.compounds.forEach(function (c, i) {
      var colour = entry === null ? gapColour(c.gaps.length)
        : entry.values ? supplyColour(entry, entry.values[i]) : unknownColour;
      shapes[i].setStyle({ fillColor: colour });
    });
    if (entry === null) { return; }
    var title = document.createElement("b");
    title.textContent = "供需比 supply · " + entry.label + " (" + entry.unit + "): ";
    supplyLegend.appendChild(title);
    if (!entry.values) {
      swatch(unknownColour, entry.note + " — 不显示供需比 no supply ratio shown");
      return;
    }
    var top = supplyTop(entry), step = top / supplyColours.length;
    swatch(noneColour, "0 步行范围内无设施 none within reach");
    if (top > 0) {
      supplyColours.forEach(function (colour, k) {
        swatch(colour, (k ? amount(k * step) + "–" : "≤ ") + amount((k + 1) * step));
      });
    }
    if (entry.values.indexOf(null) >= 0) { swatch(unknownColour, "无数据 no data"); }
  }
  addOption("", "缺口数 gaps per compound");
  supply.forEach(function (entry, i) {
    addOption(String(i), "供需比 supply · " + entry.label + (entry.values ? "" : "（" + entry.note + "）"));
  });
  select.addEventListener("change", function () {
    showSupply(select.value === "" ? null : Number(select.value));
  });

  var gates = L.layerGroup(data.gates.map(function (g) {
    return L.circleMarker(g, { radius: 3, color: "#333", weight: 1, fillColor: "#fff", fillOpacity: 1 });
  }));

  var facilities = L.layerGroup(data.facilities.map(function (f) {
    return L.circleMarker(f.at, { radius: 5, color: "#fff", weight: 1, fillColor: categoryColour(f.category), fillOpacity: 1 })
      .bindPopup(lines([{ bold: f.name }, f.label]));
  }));

  var candidates = L.layerGroup(data.candidates.map(function (s) {
    var style = s.proposed
      ? { radius: 10, color: "#08306b", weight: 3, fillColor: "#ffd700", fillOpacity: 1 }
      : { radius: 7, color: "#08306b", weight: 2, fillColor: "#fff", fillOpacity: 1, dashArray: "2 2" };
    var rows = [{ bold: s.name }, s.address, text(s.floor_area) + " m² · " + text(s.cost) + " " + data.cost_unit];
    if (s.proposed) { rows.push({ bold: "建议启用 proposed:" }, s.functions.join("、")); }
    var popup = lines(rows);
    var marker = L.circleMarker(s.at, style).bindPopup(popup);
    if (s.proposed) { marker.bindTooltip(lines([s.name]), { direction: "top", permanent: true, className: "site-label" }); }
    return marker;
  }));

  [streets, compounds, gates, facilities, candidates].forEach(function (layer) { layer.addTo(map); });
  L.control.layers(null, {
    "道路 streets": streets, "小区 compounds": compounds, "大门 gates": gates,
    "设施 facilities": facilities, "候选/建议 candidates & proposed": candidates
  }, { collapsed: narrow }).addTo(map);
  L.control.scale({ imperial: false }).addTo(map);
  // On a phone the layer switch folds away and the legend sits under the map, not over it.
  function legendBox() {
    var div = document.createElement("div"), seen = {};
    div.className = narrow ? "map-legend below" : "map-legend";
    data.facilities.forEach(function (f) {
      if (seen[f.category]) { return; }
      seen[f.category] = true;
      var dot = document.createElement("span");
      dot.className = "dot";
      dot.style.background = categoryColour(f.category);
      div.appendChild(dot);
      div.appendChild(document.createTextNode(text(f.label)));
      div.appendChild(document.createElement("br"));
    });
    return div;
  }
  if (narrow) {
    var box = map.getContainer();
    box.parentNode.insertBefore(legendBox(), box.nextSibling);
  } else {
    var legend = L.control({ position: "bottomright" });
    legend.onAdd = legendBox;
    legend.addTo(map);
  }
  var bounds = L.latLngBounds([]);
  data.streets.forEach(function (s) { bounds.extend(s[0]); bounds.extend(s[1]); });
  map.fitBounds(bounds, { padding: [12, 12] });
})();
