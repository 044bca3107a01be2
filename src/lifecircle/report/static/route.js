// Draws the route page map from the JSON in #route-data; stop names are set as text only.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("route-data").textContent);
  var map = L.map("map", { zoomSnap: 0.25, attributionControl: false });
  map.fitBounds(L.latLngBounds(data.route).pad(0.08));  // a view before permanent tooltips
  var streets = L.layerGroup(data.streets.map(function (s) {
    return L.polyline(s, { color: "#9aa0a6", weight: 3, opacity: 0.9, interactive: false });
  }));
  var line = L.polyline(data.route, { color: "#d94801", weight: 5, opacity: 0.9 });
  function label(text) {
    var span = document.createElement("span");
    span.textContent = text;
    return span;
  }
  var stops = L.layerGroup(data.stops.map(function (s) {
    return L.circleMarker(s.at, { radius: 8, color: "#7a1d00", weight: 2, fillColor: "#fff", fillOpacity: 1 })
      .bindTooltip(label(s.label), { direction: "top", permanent: true, className: "stop-label" });
  }));
  [streets, line, stops].forEach(function (layer) { layer.addTo(map); });
  L.control.layers(null, { "道路 streets": streets, "路线 route": line, "站点 stops": stops },
    { collapsed: true }).addTo(map);
})();
