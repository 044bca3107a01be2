// Draw the stations listed in the page's JSON (id "station-points") on a Leaflet map.
// No tile server: government intranets are offline, so the map shows the stations, their names
// and a scale; on a station's page that station is highlighted among its neighbours.
(function () {
  var data = document.getElementById("station-points");
  var box = document.getElementById("map");
  if (!data || !box || !window.L) return;
  var points = JSON.parse(data.textContent).filter(function (p) { return p.lat !== null && p.lon !== null; });
  if (!points.length) return;
  var focus = points.filter(function (p) { return p.current; });
  var map = L.map(box, { attributionControl: false, zoomSnap: 0.25 });
  points.forEach(function (p) {
    var style = p.current
      ? { radius: 11, color: "#b44d12", weight: 3, fillOpacity: 0.8 }
      : { radius: 8, color: "#0b6e4f", weight: 2, fillOpacity: 0.6 };
    var marker = L.circleMarker([p.lat, p.lon], style).addTo(map);
    // A DOM node, not a string: Leaflet would insert a string as HTML (names are user text).
    var label = document.createElement("span");
    label.textContent = p.name;
    marker.bindTooltip(label, { permanent: p.current || (!focus.length && points.length <= 12), direction: "right" });
    if (p.url && !p.current) marker.on("click", function () { window.location = p.url; });
  });
  var bounds = points.map(function (p) { return [p.lat, p.lon]; });
  if (bounds.length === 1) map.setView(bounds[0], 16);
  else map.fitBounds(bounds, { padding: [30, 30] });
  L.control.scale({ imperial: false }).addTo(map);
  // On the intake form: a click marks the request's spot in the hidden lat / lon fields.
  var lat = document.querySelector("input[name=lat]");
  var lon = document.querySelector("input[name=lon]");
  if (box.dataset.pick && lat && lon) {
    var spot = null;
    var show = function (latlng) {
      if (spot) spot.setLatLng(latlng);
      else spot = L.marker(latlng).addTo(map);
      lat.value = latlng.lat.toFixed(6);
      lon.value = latlng.lng.toFixed(6);
      document.getElementById("spot").textContent = lat.value + ", " + lon.value;
    };
    if (lat.value && lon.value) show(L.latLng(+lat.value, +lon.value));
    map.on("click", function (e) { show(e.latlng); });
  }
})();
