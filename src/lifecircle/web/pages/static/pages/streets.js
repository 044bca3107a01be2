// Streets under every map, drawn as vector lines from the sub-district's saved network
// (/streets.geojson): no tile server, so the maps work on an offline intranet.
(function () {
  if (!window.L) return;
  var streets = null;
  function load() {
    if (!streets) {
      streets = fetch("/streets.geojson", { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .catch(function () { return null; });
    }
    return streets;
  }
  L.Map.addInitHook(function () {
    var map = this;
    load().then(function (data) {
      if (!data || !data.features || !data.features.length) return;
      var layer = L.geoJSON(data, {
        style: { color: "#9aa5b1", weight: 2, opacity: 0.9 },
        interactive: false
      }).addTo(map);
      layer.bringToBack();
      map.getContainer().dataset.streets = String(data.features.length);
    });
  });
})();
