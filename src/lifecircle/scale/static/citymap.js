// Draws the city map from the JSON in #city-data: areas coloured by the share covered.
// Names and numbers reach the page as text nodes only; no tile server.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("city-data").textContent);
  var categorySelect = document.getElementById("category");
  var groupSelect = document.getElementById("group");
  var legend = document.getElementById("legend");
  var steps = [0.5, 0.7, 0.85, 0.99];
  var colours = ["#d7301f", "#fc8d59", "#fdcc8a", "#a1d99b", "#31a354"];

  function option(select, value, label) {
    var node = document.createElement("option");
    node.value = value;
    node.textContent = label;
    select.appendChild(node);
  }
  Object.keys(data.categories).forEach(function (code) { option(categorySelect, code, data.categories[code]); });
  Object.keys(data.groups).forEach(function (code) { option(groupSelect, code, data.groups[code]); });

  function shareOf(feature) {
    var shares = feature.properties.shares;
    if (!shares || !shares[categorySelect.value]) { return null; }
    var value = shares[categorySelect.value][groupSelect.value];
    return value === undefined ? null : value;
  }
  function colour(share) {
    if (share === null) { return "#bdbdbd"; }
    for (var i = 0; i < steps.length; i++) { if (share < steps[i]) { return colours[i]; } }
    return colours[colours.length - 1];
  }
  function percent(share) {
    return share === null ? "无数据 no data" : (share * 100).toFixed(1) + "%";
  }
  function tooltip(feature) {
    var node = document.createElement("div");
    var title = document.createElement("strong");
    title.textContent = feature.properties.name;
    var line = document.createElement("div");
    line.textContent = "覆盖率 covered: " + percent(shareOf(feature));
    node.appendChild(title);
    node.appendChild(line);
    return node;
  }

  function styleOf(feature) {
    return { color: "#444", weight: 1, fillColor: colour(shareOf(feature)), fillOpacity: 0.7 };
  }

  var map = L.map("map", { attributionControl: false });
  var layer = L.geoJSON(data.areas, {
    style: styleOf,
    onEachFeature: function (feature, shape) {
      shape.bindTooltip(function () { return tooltip(feature); }, { sticky: true });
    }
  }).addTo(map);
  if (data.areas.features.length) { map.fitBounds(layer.getBounds()); } else { map.setView([31.2, 121.5], 10); }

  function drawLegend() {
    legend.textContent = "";
    var bounds = [0].concat(steps);
    colours.forEach(function (c, i) {
      var item = document.createElement("span");
      var swatch = document.createElement("i");
      swatch.style.background = c;
      item.appendChild(swatch);
      var upper = i < steps.length ? "–" + Math.round(steps[i] * 100) + "%" : "–100%";
      item.appendChild(document.createTextNode(Math.round(bounds[i] * 100) + upper));
      legend.appendChild(item);
    });
  }
  function redraw() { layer.setStyle(styleOf); }
  categorySelect.addEventListener("change", redraw);
  groupSelect.addEventListener("change", redraw);
  drawLegend();
}());
