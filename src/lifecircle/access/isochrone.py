"""Isochrones: the streets reachable within a walking distance, as polygons in GeoJSON.

Each edge contributes the part of it within the distance: whole, or the pieces reached from either
end when the limit falls inside it. The polygon is the buffer of those pieces.
"""

import numpy as np
import shapely
from shapely.geometry import mapping

from lifecircle.access.engine import nearest_facility
from lifecircle.geo.projection import LocalProjection
from lifecircle.network.graph import WalkGraph

STREET_BUFFER_M = 25.0
"""Half-width of the area along a reachable street counted as reached (metres)."""


def reachable_pieces(graph: WalkGraph, node_dist: np.ndarray, distance_m: float) -> np.ndarray:
    """Line pieces of the edges within `distance_m`, given each node's distance from the source."""
    near = np.flatnonzero(
        np.isfinite(node_dist[graph.edge_u]) | np.isfinite(node_dist[graph.edge_v])
    )
    u, v = graph.edge_u[near], graph.edge_v[near]
    du, dv = node_dist[u], node_dist[v]
    length = graph.edge_length[near]
    with np.errstate(invalid="ignore"):
        reach_u = np.clip((distance_m - du) / length, 0.0, 1.0)  # share of the edge from the u end
        reach_v = np.clip((distance_m - dv) / length, 0.0, 1.0)
    reach_u = np.nan_to_num(reach_u, nan=0.0)
    reach_v = np.nan_to_num(reach_v, nan=0.0)
    whole = reach_u + reach_v >= 1.0
    ax, ay, bx, by = graph.x[u], graph.y[u], graph.x[v], graph.y[v]

    def piece(t0: np.ndarray, t1: np.ndarray, keep: np.ndarray) -> np.ndarray:
        start = np.stack([ax + t0 * (bx - ax), ay + t0 * (by - ay)], 1)[keep]
        end = np.stack([ax + t1 * (bx - ax), ay + t1 * (by - ay)], 1)[keep]
        return shapely.linestrings(np.stack([start, end], 1)) if keep.any() else np.array([])

    zeros, ones = np.zeros_like(reach_u), np.ones_like(reach_u)
    from_u = ~whole & (reach_u > 0) & (du <= distance_m)
    from_v = ~whole & (reach_v > 0) & (dv <= distance_m)
    return np.concatenate(
        [
            piece(zeros, ones, whole),
            piece(zeros, reach_u, from_u),
            piece(1.0 - reach_v, ones, from_v),
        ]
    )


def isochrone(
    graph: WalkGraph, source_nodes: np.ndarray, distance_m: float, buffer_m: float = STREET_BUFFER_M
) -> shapely.Geometry:
    """Polygon (projected metres) of the streets within `distance_m` of any of the source nodes."""
    node_dist, _ = nearest_facility(graph, np.atleast_1d(source_nodes), limit=distance_m)
    pieces = reachable_pieces(graph, node_dist, distance_m)
    if pieces.size == 0:
        return shapely.Polygon()
    # Union of per-piece buffers: far faster than buffering one overlapping multi-line.
    return shapely.union_all(shapely.buffer(pieces, buffer_m, quad_segs=4))


def isochrones_geojson(
    graph: WalkGraph,
    sources: list[tuple[dict, np.ndarray]],
    distances_m: list[float],
    buffer_m: float = STREET_BUFFER_M,
) -> dict:
    """A GeoJSON FeatureCollection (WGS-84) with one feature per source and distance.

    `sources` pairs the feature properties (e.g. facility id, name, category) with its node(s).
    """
    to_lonlat = LocalProjection(graph.crs).to_lonlat
    features = []
    for properties, nodes in sources:
        for distance in sorted(distances_m, reverse=True):
            polygon = isochrone(graph, nodes, distance, buffer_m)
            if polygon.is_empty:
                continue
            lonlat = shapely.transform(
                polygon, lambda xy: np.stack(to_lonlat(xy[:, 0], xy[:, 1]), 1)
            )
            features.append(
                {
                    "type": "Feature",
                    "properties": {**properties, "distance_m": distance},
                    "geometry": mapping(lonlat),
                }
            )
    return {"type": "FeatureCollection", "features": features}
