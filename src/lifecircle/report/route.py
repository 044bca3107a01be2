"""Files of a quality route (精品路线): route.geojson, route.gpx and an offline map page.

The map page is one HTML file: Leaflet inlined as in the report, the streets near the route as
vectors (no tile server), stop names set as text, never as HTML.
"""

import json
from html import escape
from pathlib import Path

import numpy as np

from lifecircle.geo.projection import LocalProjection
from lifecircle.network.graph import WalkGraph
from lifecircle.plan.route import WalkRoute
from lifecircle.report.html import _asset, _leaflet_css, _leaflet_js, _script_safe

STREET_MARGIN_M = 300.0
"""Streets within this distance of the route's bounding box are drawn for orientation."""


def write_route(
    route: WalkRoute, graph: WalkGraph, out: str | Path, title: str = "精品路线 Quality route"
) -> list[Path]:
    """Write route.geojson, route.gpx and route.html into `out`; returns their paths."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    geojson = out / "route.geojson"
    geojson.write_text(json.dumps(route.to_geojson(), ensure_ascii=False), encoding="utf-8")
    gpx = out / "route.gpx"
    gpx.write_text(route.to_gpx(title), encoding="utf-8")
    page = out / "route.html"
    page.write_text(render_route_page(route, graph, title), encoding="utf-8")
    return [geojson, gpx, page]


def render_route_page(route: WalkRoute, graph: WalkGraph, title: str) -> str:
    """The map page as one HTML string: facts, the stops table and the map."""
    kind = "环线 loop" if route.closed else "单程 one way"
    proof = (
        "最短（已证明） shortest, proven" if route.exact else "启发式 heuristic (2-opt + Or-opt)"
    )
    facts = {
        "全长 length": f"{route.length_m:,.0f} m",
        "步行 walking": f"{route.length_m / 60:,.0f} min (60 m/min)",
        "站点 stops": f"{len(route.stops)}",
        "类型 kind": kind,
        "求解 solution": proof,
    }
    rows = "".join(
        f"<tr><td class=num>{s.order}</td><td>{escape(str(s.name))}</td>"
        f"<td class=num>{s.leg_m:,.0f}</td><td class=num>{s.offset_m:,.0f}</td></tr>"
        for s in route.stops.itertuples()
    )
    payload = {"route": [[lat, lon] for lon, lat in route.path.round(7).tolist()],
               "stops": [{"at": [s.lat, s.lon], "label": f"{s.order}. {s.name}"}
                         for s in route.stops.itertuples()],
               "streets": _streets_near(route, graph)}  # fmt: skip
    body = "".join([
        f"<header><h1>{escape(title)}</h1><dl class=facts>",
        "".join(f"<div><dt>{escape(k)}</dt><dd>{escape(v)}</dd></div>" for k, v in facts.items()),
        "</dl></header><div id=map></div>",
        "<h2>站点 Stops</h2><div class=scroll><table><thead><tr><th>序 #</th><th>名称 name</th>",
        "<th>到下一站 m<br>to next stop</th><th>离街道 m<br>to street</th></tr></thead>",
        f"<tbody>{rows}</tbody></table></div>",
        "<p class=note>距离为步行网络距离，含每个点到街道的直线段；不走快速路与高速公路。"
        " Walking distances on the street network, including the straight walk from each point to"
        " its street; trunk roads and motorways are never used.</p>",
    ])  # fmt: skip
    data = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return "".join([
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title>",
        f"<style>{_leaflet_css()}</style><style>{_asset('report.css')}</style>",
        f"<style>{_asset('route.css')}</style></head><body>{body}",
        f"<script>{_leaflet_js()}</script>",
        f'<script id="route-data" type="application/json">{_script_safe(data)}</script>',
        f"<script>{_asset('route.js')}</script></body></html>",
    ])  # fmt: skip


def _streets_near(route: WalkRoute, graph: WalkGraph) -> list[list[list[float]]]:
    """Street segments (lat, lon pairs) within STREET_MARGIN_M of the route's bounding box."""
    projection = LocalProjection(graph.crs)
    x, y = projection.to_metres(route.path[:, 0], route.path[:, 1])
    lo_x, hi_x = x.min() - STREET_MARGIN_M, x.max() + STREET_MARGIN_M
    lo_y, hi_y = y.min() - STREET_MARGIN_M, y.max() + STREET_MARGIN_M
    u, v = graph.edge_u, graph.edge_v
    inside = ((np.minimum(graph.x[u], graph.x[v]) <= hi_x)
              & (np.maximum(graph.x[u], graph.x[v]) >= lo_x)
              & (np.minimum(graph.y[u], graph.y[v]) <= hi_y)
              & (np.maximum(graph.y[u], graph.y[v]) >= lo_y))  # fmt: skip
    ends = np.concatenate([u[inside], v[inside]])
    lon, lat = projection.to_lonlat(graph.x[ends], graph.y[ends])
    k = int(inside.sum())
    return [
        [[round(lat[i], 6), round(lon[i], 6)], [round(lat[k + i], 6), round(lon[k + i], 6)]]
        for i in range(k)
    ]
