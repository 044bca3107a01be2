"""Isochrones: reachable street length equals the networkx measure, partial edges included."""

import networkx as nx
import numpy as np
import pytest
import shapely

from lifecircle.access.engine import nearest_facility
from lifecircle.access.isochrone import (
    isochrone,
    isochrones_geojson,
    point_isochrone,
    reachable_pieces,
)
from test_graph_core import grid_graph, to_networkx


@pytest.mark.parametrize("distance", [35.0, 170.0, 333.3])
def test_reachable_length_matches_networkx(distance):
    graph = grid_graph(n=7, step=80.0, seed=11)
    sources = np.array([10, 40])
    node_dist, _ = nearest_facility(graph, sources)
    reference = nx.multi_source_dijkstra_path_length(to_networkx(graph), {10, 40})
    du = np.array([reference[int(u)] for u in graph.edge_u])
    dv = np.array([reference[int(v)] for v in graph.edge_v])
    expected = np.minimum(
        graph.edge_length, np.maximum(0, distance - du) + np.maximum(0, distance - dv)
    ).sum()
    pieces = reachable_pieces(graph, node_dist, distance)
    assert shapely.length(pieces).sum() == pytest.approx(expected, rel=1e-9)
    polygon = isochrone(graph, sources, distance, buffer_m=1.0)
    inside = shapely.contains_xy(polygon, graph.x, graph.y)
    assert inside[node_dist <= distance].all()
    assert not inside[node_dist > distance + 80.0].any()


def test_geojson_has_one_feature_per_source_and_distance():
    graph = grid_graph(n=5)
    collection = isochrones_geojson(
        graph, [({"id": "f1"}, np.array([0])), ({"id": "f2"}, np.array([24]))], [300.0, 100.0]
    )
    assert collection["type"] == "FeatureCollection"
    assert [
        (f["properties"]["id"], f["properties"]["distance_m"]) for f in collection["features"]
    ] == [
        ("f1", 300.0),
        ("f1", 100.0),
        ("f2", 300.0),
        ("f2", 100.0),
    ]
    lon, lat = np.array(collection["features"][0]["geometry"]["coordinates"][0]).T
    assert (lon > 117).all() and (lon < 124).all() and (np.abs(lat) < 0.01).all()


def test_point_isochrone_starts_mid_edge_and_refuses_far_points():
    graph = grid_graph(n=5, step=100.0, seed=4)
    x = (graph.x[0] + graph.x[1]) / 2
    y = (graph.y[0] + graph.y[1]) / 2 + 3.0
    polygon = point_isochrone(graph, x, y, 60.0, buffer_m=1.0)
    # Both ends of the edge lie ~50 m away along it: reached; the node beyond them is not.
    assert shapely.contains_xy(polygon, graph.x[[0, 1]], graph.y[[0, 1]]).all()
    assert not shapely.contains_xy(polygon, graph.x[2], graph.y[2])
    with pytest.raises(ValueError, match="m from the nearest street"):
        point_isochrone(graph, 5000.0, 5000.0, 300.0)
