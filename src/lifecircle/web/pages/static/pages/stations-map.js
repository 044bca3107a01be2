// Draw the stations listed in the page's JSON (id "station-points") on a Leaflet map.
// No tile server: government intranets are offline, so the map shows the points and their names.
(function () {
  var data = document.getElementById("station-points");
  var box = document.getElementById("map");
  if (!data || !box || !window.L) return;
  var points = JSON.parse(data.textContent).filter(function (p) { return p.lat !== null && p.lon !== null; });
  if (!points.length) return;
  var map = L.map(box, { attributionControl: false, zoomSnap: 0.25 });
  var bounds = [];
  points.forEach(function (p) {
    var marker = L.circleMarker([p.lat, p.lon], { radius: 8, color: "#0b6e4f", weight: 2, fillOpacity: 0.6 }).addTo(map);
    marker.bindTooltip(p.name, { permanent: points.length <= 12, direction: "right" });
    if (p.url) marker.on("click", function () { window.location = p.url; });
    bounds.push([p.lat, p.lon]);
  });
  if (bounds.length === 1) map.setView(bounds[0], 16);
  else map.fitBounds(bounds, { padding: [40, 40] });
  L.control.scale({ imperial: false }).addTo(map);
})();
