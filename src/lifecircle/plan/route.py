"""精品路线, the quality route: the shortest walking tour through given points.

Two layers. `shortest_tour` is pure: it orders the points of a distance matrix — exactly by
Held–Karp dynamic programming up to `EXACT_LIMIT` points, beyond that by nearest-neighbour
tours improved with 2-opt and Or-opt moves. `walk_route` builds that matrix on the walk graph
(the straight walk from each point to its street counts at both ends, as in every walking
distance) and returns the route's path. Trunk roads and motorways are never in the walk graph
(`lifecircle.network.osm.NEVER_WALKABLE`), so no route uses them.
"""

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.sparse import csgraph

from lifecircle.data.importer import import_file
from lifecircle.data.report import Issue
from lifecircle.geo.projection import LocalProjection
from lifecircle.network.graph import WalkGraph
from lifecircle.network.snap import attach_points

EXACT_LIMIT = 12
"""Up to this many points the tour is exact (Held–Karp: 2^n · n² steps, 49,152 states at 12)."""

MAX_OFFSET_M = 300.0
"""A point farther than this from every street is not on the walk network."""


class RouteError(ValueError):
    """A route cannot be made: the message says which point or pair is to blame."""


class RoutePointsError(RouteError):
    """The points file has rejected rows; `issues` names each file, row, column and reason."""

    def __init__(self, file: str, issues: list[Issue]):
        self.file = file
        self.issues = issues
        rows = "; ".join(str(issue) for issue in issues)
        super().__init__(
            f"路线点文件有错误，未计算路线 the points file has errors, no route made: {rows}"
        )


@dataclass(frozen=True)
class Tour:
    """An order of the points of a distance matrix and its length.

    `order` lists point indices in visiting order; a closed tour returns from the last to the
    first. `exact` says the order is proven shortest (Held–Karp).
    """

    order: np.ndarray
    length: float
    closed: bool
    exact: bool


def tour_length(distance: np.ndarray, order, closed: bool) -> float:
    """Length of visiting `order` on `distance` (back to the start when closed)."""
    order = np.asarray(order, dtype=np.int64)
    if order.size < 2:
        return 0.0
    hops = distance[order[:-1], order[1:]].sum()
    return float(hops + (distance[order[-1], order[0]] if closed else 0.0))


def shortest_tour(
    distance: np.ndarray,
    closed: bool = False,
    start: int | None = None,
    end: int | None = None,
    exact_limit: int = EXACT_LIMIT,
) -> Tour:
    """The shortest order through every point of a distance matrix.

    Parameters
    ----------
    distance : (n, n) array of non-negative finite distances (symmetric beyond `exact_limit`).
    closed : return to the first point (a loop) instead of ending anywhere.
    start, end : fix the first (and, for an open path, the last) point; free by default.
    exact_limit : up to this many points Held–Karp proves the optimum; beyond it 2-opt and
        Or-opt improve nearest-neighbour tours (no proof).

    Examples
    --------
    Four points on a line at 0, 3, 1 and 2 m, starting at the first:

    >>> at = np.array([0.0, 3.0, 1.0, 2.0])
    >>> tour = shortest_tour(np.abs(at[:, None] - at[None, :]), start=0)
    >>> tour.order.tolist(), tour.length, tour.exact
    ([0, 2, 3, 1], 3.0, True)
    """
    d = _checked_matrix(distance)
    n = d.shape[0]
    for name, value in (("start", start), ("end", end)):
        if value is not None and not 0 <= value < n:
            raise RouteError(f"{name} 须为 0..{n - 1} must index a point, got {value}")
    if closed and end is not None:
        raise RouteError("环线没有终点 a closed tour has no separate end; give start only")
    if not closed and start is not None and start == end and n > 1:
        raise RouteError("起点与终点相同：请用环线 start equals end: ask for a closed tour")
    if n <= 1:
        return Tour(np.arange(n), 0.0, closed, True)
    if n <= max(exact_limit, 2):
        order = _held_karp(d, closed, start, end)
        exact = True
    else:
        if not np.allclose(d, d.T):
            raise RouteError(
                f"超过 {exact_limit} 个点时距离须对称 beyond {exact_limit} points the distances"
                " must be symmetric"
            )
        order = _local_search_tour(d, closed, start, end)
        exact = False
    return Tour(order, tour_length(d, order, closed), closed, exact)


def _checked_matrix(distance: np.ndarray) -> np.ndarray:
    d = np.asarray(distance, dtype=np.float64)
    if d.ndim != 2 or d.shape[0] != d.shape[1]:
        raise RouteError(f"距离矩阵须为方阵 the distance matrix must be square, got {d.shape}")
    off = ~np.eye(d.shape[0], dtype=bool)
    bad = off & ~(np.isfinite(d) & (d >= 0))
    if bad.any():
        i, j = np.argwhere(bad)[0]
        raise RouteError(
            f"点 {i} 与点 {j} 之间没有有限的距离 no finite non-negative distance between points"
            f" {i} and {j} ({d[i, j]})"
        )
    return np.where(off, d, 0.0)


def _held_karp(d: np.ndarray, closed: bool, start: int | None, end: int | None) -> np.ndarray:
    """Exact order by dynamic programming over subsets: best[S, j] is the shortest path that
    visits exactly S and ends at j."""
    n = d.shape[0]
    if closed and start is None:
        start = 0  # a loop's first point is arbitrary
    full = (1 << n) - 1
    best = np.full((1 << n, n), np.inf)
    came = np.full((1 << n, n), -1, dtype=np.int64)
    firsts = range(n) if start is None else [start]
    for j in firsts:
        best[1 << j, j] = 0.0
    bits = 1 << np.arange(n)
    for mask in range(1, full):
        row = best[mask]
        if not np.isfinite(row).any():
            continue
        via = row[:, None] + d  # via[j, k]: end at j, then step to k
        step_from = via.argmin(axis=0)
        step = via[step_from, np.arange(n)]
        outside = (mask & bits) == 0
        k = np.flatnonzero(outside)
        grown = mask | bits[k]
        better = step[k] < best[grown, k]
        best[grown[better], k[better]] = step[k[better]]
        came[grown[better], k[better]] = step_from[k[better]]
    last_cost = best[full] + (d[:, start] if closed else 0.0)
    if end is not None:
        last = end
    else:
        last = int(np.argmin(last_cost))
    order, mask, j = [], full, last
    while j >= 0:
        order.append(j)
        mask, j = mask & ~(1 << j), came[mask, j]
    return np.array(order[::-1], dtype=np.int64)


def _local_search_tour(
    d: np.ndarray, closed: bool, start: int | None, end: int | None
) -> np.ndarray:
    """A good order by 2-opt and Or-opt from several nearest-neighbour tours.

    An open path is a loop through one extra point: 0 away from the allowed ends, and `big`
    away from the others, so that the best loop enters and leaves it at the allowed ends.
    """
    n = d.shape[0]
    if closed:
        loop = d
    else:
        big = float(d.max()) * n + 1.0
        to_extra = np.zeros(n)
        fixed = [p for p in (start, end) if p is not None]
        if fixed:
            to_extra[:] = big
            to_extra[fixed] = 0.0
        loop = np.zeros((n + 1, n + 1))
        loop[:n, :n] = d
        loop[n, :n] = loop[:n, n] = to_extra
    size = loop.shape[0]
    best, best_length = None, np.inf
    for first in range(min(size, 8)):
        tour = _improve(loop, _nearest_neighbour(loop, first))
        length = tour_length(loop, tour, closed=True)
        if length < best_length - 1e-9:
            best, best_length = tour, length
    if closed:
        at = 0 if start is None else int(np.flatnonzero(best == start)[0])
        return np.roll(best, -at)
    at = int(np.flatnonzero(best == n)[0])
    path = np.roll(best, -at)[1:]
    if (start is not None and path[0] != start) or (start is None and end is not None
                                                    and path[-1] != end):  # fmt: skip
        path = path[::-1]
    return path


def _nearest_neighbour(d: np.ndarray, first: int) -> np.ndarray:
    n = d.shape[0]
    seen = np.zeros(n, dtype=bool)
    order = [first]
    seen[first] = True
    for _ in range(n - 1):
        options = np.where(seen, np.inf, d[order[-1]])
        order.append(int(np.argmin(options)))
        seen[order[-1]] = True
    return np.array(order, dtype=np.int64)


def _improve(d: np.ndarray, tour: np.ndarray) -> np.ndarray:
    """2-opt and Or-opt (segments of 1–3 points, either way round) until neither improves."""
    tour = tour.copy()
    improved = True
    while improved:
        improved = _two_opt(d, tour)
        improved = _or_opt(d, tour) or improved
    return tour


def _two_opt(d: np.ndarray, tour: np.ndarray) -> bool:
    """Reverse tour[i+1..j] wherever that shortens the loop; True if anything changed."""
    n, changed = tour.size, False
    for i in range(n - 2):
        a, b = tour[i], tour[i + 1]
        j = np.arange(i + 2, n if i > 0 else n - 1)
        c, e = tour[j], tour[(j + 1) % n]
        delta = d[a, c] + d[b, e] - d[a, b] - d[c, e]
        k = int(np.argmin(delta)) if delta.size else -1
        if k >= 0 and delta[k] < -1e-9:
            tour[i + 1 : j[k] + 1] = tour[i + 1 : j[k] + 1][::-1].copy()
            changed = True
    return changed


def _or_opt(d: np.ndarray, tour: np.ndarray) -> bool:
    """Move a segment of 1–3 points elsewhere (maybe reversed) when that shortens the loop."""
    n, changed = tour.size, False
    for length in (1, 2, 3):
        if n < length + 3:
            break
        i = 0
        while i + length <= n:
            segment = tour[i : i + length]
            before, after = tour[i - 1], tour[(i + length) % n]
            removed = d[before, segment[0]] + d[segment[-1], after] - d[before, after]
            rest = np.concatenate([tour[i + length :], tour[:i]])
            x, y = rest[:-1], rest[1:]  # insert between consecutive points of the rest
            forward = d[x, segment[0]] + d[segment[-1], y] - d[x, y]
            backward = d[x, segment[-1]] + d[segment[0], y] - d[x, y]
            added = np.minimum(forward, backward)
            k = int(np.argmin(added))
            if added[k] - removed < -1e-9:
                piece = segment if forward[k] <= backward[k] else segment[::-1]
                tour[:] = np.concatenate([rest[: k + 1], piece, rest[k + 1 :]])
                changed = True
            i += 1
    return changed


# ---- on the walk network ---------------------------------------------------------------------


@dataclass
class WalkRoute:
    """A walking route through named points.

    `stops` has one row per point in visiting order: name, lon, lat, offset_m (straight walk
    to the street), leg_m (walk from this stop to the next; for a loop the last leg returns to
    the first stop). `path` is the walked line as WGS-84 (lon, lat) rows, from the first stop
    to the last (and back for a loop). `length_m` is the total walk; `exact` says proven
    shortest.
    """

    stops: pd.DataFrame
    path: np.ndarray
    length_m: float
    closed: bool
    exact: bool

    def to_geojson(self) -> dict:
        """The route line and its stops as a GeoJSON FeatureCollection (WGS-84)."""
        line = {
            "type": "Feature",
            "geometry": {"type": "LineString", "coordinates": self.path.round(7).tolist()},
            "properties": {"kind": "route", "length_m": round(self.length_m, 1),
                           "closed": self.closed, "exact": self.exact,
                           "stops": self.stops["name"].tolist()},
        }  # fmt: skip
        points = [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [round(s.lon, 7), round(s.lat, 7)]},
                "properties": {
                    "kind": "stop",
                    "order": int(s.order),
                    "name": s.name,
                    "leg_m": round(float(s.leg_m), 1),
                    "offset_m": round(float(s.offset_m), 1),
                },
            }  # fmt: skip
            for s in self.stops.itertuples()
        ]
        return {"type": "FeatureCollection", "features": [line, *points]}

    def to_gpx(self, title: str = "精品路线 quality route") -> str:
        """The route as GPX 1.1: a waypoint per stop and the walked line as a track."""
        import xml.etree.ElementTree as ET

        ns = "http://www.topografix.com/GPX/1/1"
        ET.register_namespace("", ns)
        gpx = ET.Element(f"{{{ns}}}gpx", {"version": "1.1", "creator": "lifecircle"})
        meta = ET.SubElement(gpx, f"{{{ns}}}metadata")
        ET.SubElement(meta, f"{{{ns}}}name").text = title
        for s in self.stops.itertuples():
            wpt = ET.SubElement(gpx, f"{{{ns}}}wpt", {"lat": f"{s.lat:.7f}", "lon": f"{s.lon:.7f}"})
            ET.SubElement(wpt, f"{{{ns}}}name").text = f"{s.order}. {s.name}"
        trk = ET.SubElement(gpx, f"{{{ns}}}trk")
        ET.SubElement(trk, f"{{{ns}}}name").text = f"{title} {self.length_m:,.0f} m"
        segment = ET.SubElement(trk, f"{{{ns}}}trkseg")
        for lon, lat in self.path:
            ET.SubElement(segment, f"{{{ns}}}trkpt", {"lat": f"{lat:.7f}", "lon": f"{lon:.7f}"})
        ET.indent(gpx)
        return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(gpx, encoding="unicode")


def walk_route(
    graph: WalkGraph,
    points: pd.DataFrame,
    closed: bool = False,
    start: str | None = None,
    max_offset_m: float = MAX_OFFSET_M,
) -> WalkRoute:
    """The shortest walk through `points` (columns name, lon, lat in WGS-84) on `graph`.

    Each point joins the network at its projection on the nearest street; the straight walk
    to it counts at both ends of every leg. `start` names the first point (default: free for
    a path, the first row for a loop).

    Examples
    --------
    >>> from lifecircle.data.demo import build_demo_area
    >>> area = build_demo_area()
    >>> stops = area.candidates.head(5)[["name", "lon", "lat"]]
    >>> route = walk_route(area.graph, stops, closed=True)
    >>> len(route.stops), route.exact, route.length_m > 0
    (5, True, True)
    """
    names = points["name"].astype(str).tolist()
    if len(names) < 2:
        raise RouteError("路线至少需要 2 个点 a route needs at least 2 points")
    repeated = pd.Index(names)[pd.Index(names).duplicated()]
    if len(repeated):
        raise RouteError(f"点名重复 repeated point name {repeated[0]!r}: names must be unique")
    projection = LocalProjection(graph.crs)
    x, y = projection.to_metres(points["lon"].to_numpy(float), points["lat"].to_numpy(float))
    snapped = attach_points(graph, x, y, max_offset_m)
    far = np.flatnonzero(snapped.node < 0)
    if far.size:
        listed = "、".join(f"{names[i]} ({snapped.offset_m[i]:,.0f} m)" for i in far)
        raise RouteError(
            f"以下点离步行路网超过 {max_offset_m:g} m，无法连入 these points are more than"
            f" {max_offset_m:g} m from any walkable street: {listed}"
        )
    network = snapped.graph.csr_matrix()
    nodes = snapped.node
    between, came = csgraph.dijkstra(network, directed=False, indices=nodes,
                                     return_predecessors=True)  # fmt: skip
    offset = snapped.offset_m
    distance = between[:, nodes]  # the connectors are edges of the snapped graph: counted once
    np.fill_diagonal(distance, 0.0)
    apart = np.argwhere(~np.isfinite(distance))
    if apart.size:
        i, j = apart[0]
        raise RouteError(
            f"{names[i]} 与 {names[j]} 在步行路网上不连通 {names[i]} and {names[j]} are not"
            " connected on the walk network"
        )
    first = names.index(start) if start is not None and start in names else None
    if start is not None and first is None:
        raise RouteError(f"起点 {start!r} 不在路线点中 start {start!r} is not one of the points")
    tour = shortest_tour(distance, closed=closed, start=first)
    order = tour.order
    hops = list(zip(order[:-1], order[1:], strict=True))
    if closed:
        hops.append((order[-1], order[0]))
    line = [np.array([[x[order[0]], y[order[0]]]])]
    for a, b in hops:
        nodes_ab = _node_path(came, a, nodes[b])
        coords = np.column_stack([snapped.graph.x[nodes_ab], snapped.graph.y[nodes_ab]])
        line += [coords, np.array([[x[b], y[b]]])]
    xy = _without_repeats(np.concatenate(line))
    lon, lat = projection.to_lonlat(xy[:, 0], xy[:, 1])
    legs = np.array([distance[a, b] for a, b in hops] + ([] if closed else [0.0]))
    stops = pd.DataFrame({
        "order": np.arange(1, order.size + 1), "name": [names[i] for i in order],
        "lon": points["lon"].to_numpy(float)[order], "lat": points["lat"].to_numpy(float)[order],
        "offset_m": offset[order], "leg_m": legs, "row": order,
    })  # fmt: skip
    return WalkRoute(stops, np.column_stack([lon, lat]), tour.length, closed, tour.exact)


def _node_path(came: np.ndarray, source_row: int, target: int) -> np.ndarray:
    """Graph nodes from the source of predecessor row `source_row` to `target`."""
    path = [target]
    while came[source_row, path[-1]] >= 0:
        path.append(int(came[source_row, path[-1]]))
    return np.array(path[::-1], dtype=np.int64)


def _without_repeats(xy: np.ndarray) -> np.ndarray:
    keep = np.ones(len(xy), dtype=bool)
    keep[1:] = np.any(np.abs(np.diff(xy, axis=0)) > 1e-6, axis=1)
    return xy[keep]


def read_route_points(path: str | Path, crs: str = "wgs84") -> pd.DataFrame:
    """The points of a route from CSV / xlsx / GeoJSON / GeoPackage (name, lon, lat).

    Headers may be Chinese or English (名称/经度/纬度 …), coordinates WGS-84, GCJ-02 or BD-09.
    Any rejected row stops the route (a tour missing a point would mislead): the error lists
    every problem with its row and column.
    """
    imported = import_file(path, "points", crs=crs)
    rejected = [issue for issue in imported.issues if issue.rejected]
    if rejected:
        raise RoutePointsError(imported.file, rejected)
    if len(imported.table) < 2:
        raise RouteError(f"{imported.file}: 路线至少需要 2 个点 a route needs at least 2 points")
    return imported.table
