"""Streets for the maps, offline: the sub-district's walk network (from OSM) or an imported
GeoJSON file, kept as GeoJSON lines in WGS-84 and drawn as a vector layer (no tile server)."""

import numpy as np
from django.db import transaction
from django.utils import timezone
from pyproj import Transformer

from lifecircle.ops.access import Actor
from lifecircle.ops.audit import record
from lifecircle.ops.errors import Invalid
from lifecircle.store.org.models import OrgUnit
from lifecircle.store.stations.models import StreetLayer

LINE_TYPES = ("LineString", "MultiLineString")
MAX_FEATURES = 200_000


def network_lines(graph) -> dict:
    """The walk graph's edges as a GeoJSON FeatureCollection of lines in WGS-84 (6 decimals).

    Example
    -------
    >>> lines = network_lines(build_demo_area().graph)  # doctest: +SKIP
    >>> lines["type"]
    'FeatureCollection'
    """
    to_wgs84 = Transformer.from_crs(graph.crs, "EPSG:4326", always_xy=True)
    lon, lat = to_wgs84.transform(np.asarray(graph.x), np.asarray(graph.y))
    lon, lat = np.round(lon, 6), np.round(lat, 6)
    seen, features = set(), []
    for u, v in zip(graph.edge_u.tolist(), graph.edge_v.tolist(), strict=True):
        key = (min(u, v), max(u, v))
        if key in seen or u == v:
            continue
        seen.add(key)
        features.append(
            {
                "type": "Feature",
                "properties": {},
                "geometry": {
                    "type": "LineString",
                    "coordinates": [[lon[u], lat[u]], [lon[v], lat[v]]],
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def check_lines(data: dict, source: str) -> dict:
    """Keep the line features of a GeoJSON FeatureCollection; name what is wrong, where."""
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise Invalid(
            f"{source}: 须为 GeoJSON FeatureCollection must be a FeatureCollection", "file"
        )
    kept = []
    for n, feature in enumerate(data.get("features") or []):
        geometry = (feature or {}).get("geometry") or {}
        if geometry.get("type") not in LINE_TYPES:
            continue
        coords = geometry.get("coordinates")
        flat = (
            coords
            if geometry["type"] == "LineString"
            else [p for line in coords or [] for p in line]
        )
        try:
            ok = all(-180 <= float(p[0]) <= 180 and -90 <= float(p[1]) <= 90 for p in flat)
        except (TypeError, ValueError, IndexError):
            ok = False
        if not ok or len(flat) < 2:
            raise Invalid(
                f"{source}: 第 {n + 1} 个要素坐标无效（须为经纬度）feature {n + 1}: bad coordinates "
                "(WGS-84 lon/lat expected)",
                "file",
            )
        kept.append({"type": "Feature", "properties": {}, "geometry": geometry})
    if not kept:
        raise Invalid(f"{source}: 没有线要素 no line features (streets)", "file")
    if len(kept) > MAX_FEATURES:
        raise Invalid(f"{source}: 要素过多 more than {MAX_FEATURES} lines", "file")
    return {"type": "FeatureCollection", "features": kept}


def save_streets(actor: Actor | None, unit: OrgUnit, lines: dict, source: str) -> StreetLayer:
    """Keep the streets of a sub-district (replacing the previous layer), audited."""
    with transaction.atomic():
        layer, _ = StreetLayer.objects.update_or_create(
            unit=unit, defaults={"geojson": lines, "source": source, "updated": timezone.now()}
        )
        if actor is not None:
            record(actor, "streets.save", layer, before=None, unit=unit, note=source)
    return layer


def all_streets() -> dict:
    """Every saved street layer as one FeatureCollection (public: streets are no secret)."""
    features = [f for layer in StreetLayer.objects.all() for f in layer.geojson["features"]]
    return {"type": "FeatureCollection", "features": features}
