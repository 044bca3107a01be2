"""Isochrones: reachable street length equals the networkx measure, partial edges included."""

import networkx as nx
import numpy as np
import pytest
import shapely

from lifecircle.access.engine import nearest_facility
from lifecircle.access.isochrone import isochrone, isochrones_geojson, reachable_pieces
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
