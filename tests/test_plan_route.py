"""The quality route: tours against brute force, walk distances against networkx with the
street connectors as edges, trunk roads avoided, the three files, bad points named by row."""

import itertools
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
import shapely
from typer.testing import CliRunner

from lifecircle.cli import app
from lifecircle.data.demo import build_demo_area
from lifecircle.geo.projection import LocalProjection
from lifecircle.plan.route import (
    RouteError,
    RoutePointsError,
    read_route_points,
    shortest_tour,
    tour_length,
    walk_route,
)

GPX = "{http://www.topografix.com/GPX/1/1}"


def _brute_force(d: np.ndarray, closed: bool, start=None, end=None) -> float:
    n = d.shape[0]
    best = np.inf
    for order in itertools.permutations(range(n)):
        if start is not None and order[0] != start:
            continue
        if end is not None and order[-1] != end:
            continue
        best = min(best, tour_length(d, order, closed))
    return best


def _euclidean(n: int, seed: int) -> np.ndarray:
    p = np.random.default_rng(seed).random((n, 2)) * 1000
    return np.hypot(p[:, None, 0] - p[None, :, 0], p[:, None, 1] - p[None, :, 1])


@pytest.mark.parametrize("n", range(1, 9))
def test_exact_tour_equals_brute_force(n):
    rng = np.random.default_rng(n)
    asymmetric = rng.integers(1, 100, (n, n)).astype(float)
    for d in (_euclidean(n, n), asymmetric):
        for closed, start, end in ((False, None, None), (True, None, None), (True, n - 1, None),
                                   (False, 0, None), (False, None, 0), (False, 0, n - 1)):  # fmt: skip
            if not closed and n > 1 and start is not None and start == end:
                continue
            tour = shortest_tour(d, closed=closed, start=start, end=end)
            assert sorted(tour.order.tolist()) == list(range(n))
            assert tour.exact
            assert tour.length == pytest.approx(tour_length(d, tour.order, closed))
            assert tour.length == pytest.approx(_brute_force(d, closed, start, end))
            if start is not None:
                assert tour.order[0] == start
            if end is not None:
                assert tour.order[-1] == end


@pytest.mark.parametrize("n", [3, 5, 8, 10, 12])
def test_heuristic_tour_is_valid_and_never_beats_the_exact_one(n):
    for seed in range(3):
        d = _euclidean(n, 100 + seed)
        for closed, start, end in ((False, None, None), (True, None, None), (False, 2, None),
                                   (False, 1, 0), (True, 2, None)):  # fmt: skip
            exact = shortest_tour(d, closed=closed, start=start, end=end)
            heuristic = shortest_tour(d, closed=closed, start=start, end=end, exact_limit=0)
            assert not heuristic.exact
            assert sorted(heuristic.order.tolist()) == list(range(n))
            assert heuristic.length == pytest.approx(tour_length(d, heuristic.order, closed))
            assert heuristic.length >= exact.length - 1e-9
            assert heuristic.length <= 1.1 * exact.length  # 2-opt + Or-opt stays close
            if start is not None:
                assert heuristic.order[0] == start
            if end is not None:
                assert heuristic.order[-1] == end


def test_large_heuristic_tour_beats_the_nearest_neighbour_walk():
    d = _euclidean(60, 7)
    tour = shortest_tour(d, closed=True)
    assert sorted(tour.order.tolist()) == list(range(60)) and not tour.exact
    seen, order = {0}, [0]  # the plain nearest-neighbour tour from point 0
    while len(order) < 60:
        nxt = min((j for j in range(60) if j not in seen), key=lambda j: d[order[-1], j])
        order.append(nxt)
        seen.add(nxt)
    assert tour.length < tour_length(d, order, True)


def test_bad_matrices_are_named():
    d = _euclidean(4, 0)
    d[1, 3] = np.inf
    with pytest.raises(RouteError, match="points 1 and 3"):
        shortest_tour(d)
    with pytest.raises(RouteError, match="square"):
        shortest_tour(np.zeros((2, 3)))
    with pytest.raises(RouteError, match="closed"):
        shortest_tour(_euclidean(4, 0), closed=True, end=2)
    asymmetric = np.random.default_rng(0).random((14, 14))
    with pytest.raises(RouteError, match="symmetric"):
        shortest_tour(asymmetric)


# ---- on the walk network ---------------------------------------------------------------------


def _connector_graph(graph, x, y):
    """networkx graph of the streets plus each point joined by its straight walk to its
    projection on the nearest street (found here with shapely, independently of the code)."""
    g = nx.Graph()
    for u, v, w in zip(graph.edge_u, graph.edge_v, graph.edge_length, strict=True):
        g.add_edge(int(u), int(v), weight=float(w))
    lines = [shapely.LineString([(graph.x[u], graph.y[u]), (graph.x[v], graph.y[v])])
             for u, v in zip(graph.edge_u, graph.edge_v, strict=True)]  # fmt: skip
    on_edge = {}
    for i, (px, py) in enumerate(zip(x, y, strict=True)):
        point = shapely.Point(px, py)
        e = int(np.argmin([line.distance(point) for line in lines]))
        offset = lines[e].distance(point)
        along = lines[e].project(point)
        u, v, length = int(graph.edge_u[e]), int(graph.edge_v[e]), float(graph.edge_length[e])
        name = ("p", i)
        g.add_edge(name, u, weight=offset + along)
        g.add_edge(name, v, weight=offset + length - along)
        for j, (other_along, other_offset) in on_edge.get(e, {}).items():
            g.add_edge(name, ("p", j), weight=offset + abs(along - other_along) + other_offset)
        on_edge.setdefault(e, {})[i] = (along, offset)
    return g


@pytest.fixture(scope="module")
def demo():
    area = build_demo_area()
    stops = area.candidates[["name", "lon", "lat"]].head(6).reset_index(drop=True)
    return area, stops


@pytest.mark.parametrize("closed", [False, True])
def test_walk_route_equals_brute_force_on_networkx_walk_distances(demo, closed):
    area, stops = demo
    route = walk_route(area.graph, stops, closed=closed)
    x, y = LocalProjection(area.graph.crs).to_metres(stops["lon"], stops["lat"])
    g = _connector_graph(area.graph, x, y)
    n = len(stops)
    d = np.array([[nx.shortest_path_length(g, ("p", i), ("p", j), weight="weight")
                   for j in range(n)] for i in range(n)])  # fmt: skip
    assert route.exact
    assert route.length_m == pytest.approx(_brute_force(d, closed), abs=1e-6)
    order = route.stops["row"].to_numpy()
    assert route.length_m == pytest.approx(tour_length(d, order, closed), abs=1e-6)
    legs = [d[a, b] for a, b in zip(order[:-1], order[1:], strict=True)]
    legs += [d[order[-1], order[0]]] if closed else [0.0]
    np.testing.assert_allclose(route.stops["leg_m"], legs, atol=1e-6)
    # the drawn line is the walked line: its length is the route's length
    px, py = LocalProjection(area.graph.crs).to_metres(route.path[:, 0], route.path[:, 1])
    assert np.hypot(np.diff(px), np.diff(py)).sum() == pytest.approx(route.length_m, rel=1e-6)
    # no walk is shorter than the straight line
    straight = np.hypot(x[:, None] - x[None, :], y[:, None] - y[None, :])
    assert (d >= straight - 1e-6).all()


def test_walk_route_names_a_point_off_the_network_and_a_bad_start(demo):
    area, stops = demo
    far = stops.copy()
    far.loc[2, "lon"] += 0.05  # about 5 km east
    with pytest.raises(RouteError, match=far.loc[2, "name"]):
        walk_route(area.graph, far)
    with pytest.raises(RouteError, match="nowhere"):
        walk_route(area.graph, stops, start="nowhere")
    route = walk_route(area.graph, stops, start=stops.loc[3, "name"])
    assert route.stops["name"].iloc[0] == stops.loc[3, "name"]


OSM_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n<osm version="0.6" generator="test">\n'


def _trunk_area(folder: Path) -> Path:
    """A trunk road straight from A to B (about 220 m) and a footway detour via C (about 470 m)."""
    folder.mkdir()
    nodes = {1: (31.2000, 121.4000), 2: (31.2020, 121.4000), 3: (31.2010, 121.4020)}
    body = "".join(f'<node id="{k}" lat="{a}" lon="{o}"/>' for k, (a, o) in nodes.items())
    body += '<way id="10"><nd ref="1"/><nd ref="2"/><tag k="highway" v="trunk"/></way>'
    body += (
        '<way id="11"><nd ref="1"/><nd ref="3"/><nd ref="2"/><tag k="highway" v="footway"/></way>'
    )
    (folder / "map.osm").write_text(OSM_HEAD + body + "</osm>\n", encoding="utf-8")
    (folder / "compounds.csv").write_text("名称,经度,纬度,人口\n甲,121.4005,31.2005,100\n")
    (folder / "candidates.csv").write_text("名称,经度,纬度,面积\n乙,121.4010,31.2010,100\n")
    return folder


def test_route_command_avoids_trunk_roads_and_writes_valid_files(tmp_path):
    area = _trunk_area(tmp_path / "area")
    points = tmp_path / "五宜.csv"
    points.write_text("名称,经度,纬度\n<b>A</b>,121.4000,31.2000\n乙点,121.4000,31.2020\n")
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app, ["route", "--area", str(area), "--points", str(points), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    projection = LocalProjection.for_points(np.array([121.4, 121.402]), np.array([31.2, 31.201]))
    x, y = projection.to_metres(np.array([121.4, 121.4, 121.402]), np.array([31.2, 31.202, 31.201]))
    detour = np.hypot(x[2] - x[0], y[2] - y[0]) + np.hypot(x[1] - x[2], y[1] - y[2])
    straight = np.hypot(x[1] - x[0], y[1] - y[0])
    collection = json.loads((out / "route.geojson").read_text(encoding="utf-8"))
    line = collection["features"][0]
    assert line["geometry"]["type"] == "LineString"
    assert line["properties"]["length_m"] == pytest.approx(detour, abs=1.0)
    assert line["properties"]["length_m"] > straight + 100  # the trunk road is not walked
    stops = [f for f in collection["features"] if f["properties"]["kind"] == "stop"]
    assert {s["properties"]["name"] for s in stops} == {"<b>A</b>", "乙点"}
    gpx = ET.parse(out / "route.gpx").getroot()
    assert gpx.tag == f"{GPX}gpx" and gpx.get("version") == "1.1"
    names = sorted(w.find(f"{GPX}name").text[3:] for w in gpx.findall(f"{GPX}wpt"))
    assert names == ["<b>A</b>", "乙点"]  # escaped in the file, the same text once parsed
    track = gpx.findall(f"{GPX}trk/{GPX}trkseg/{GPX}trkpt")
    assert len(track) == len(line["geometry"]["coordinates"]) >= 3
    assert all(-90 <= float(p.get("lat")) <= 90 and -180 <= float(p.get("lon")) <= 180
               for p in track)  # fmt: skip
    page = (out / "route.html").read_text(encoding="utf-8")
    assert "<b>A</b>" not in page and "&lt;b&gt;A&lt;/b&gt;" in page
    assert not re.search(r"<(script|img)[^>]+src=|<link[^>]+href=|url\(https?:", page)  # offline


def test_bad_points_file_is_named_by_row(tmp_path):
    area = _trunk_area(tmp_path / "area")
    points = tmp_path / "points.csv"
    points.write_text("名称,经度,纬度\nA,121.4000,31.2000\nB,121.4000,north\nC,121.4000,31.2020\n")
    with pytest.raises(RoutePointsError) as caught:
        read_route_points(points)
    assert [(i.row, i.column) for i in caught.value.issues] == [(3, "纬度")]
    result = CliRunner().invoke(
        app, ["route", "--area", str(area), "--points", str(points), "--out", str(tmp_path / "o")]
    )
    assert result.exit_code == 2
    assert "row 3" in result.output and "纬度" in result.output
    assert not (tmp_path / "o").exists()
    missing = tmp_path / "names.csv"
    missing.write_text("lon,lat\n121.4,31.2\n121.4,31.202\n")
    result = CliRunner().invoke(
        app, ["route", "--area", str(area), "--points", str(missing), "--out", str(tmp_path / "o")]
    )
    assert result.exit_code == 2 and "name" in result.output


def test_points_from_geojson_and_english_headers(tmp_path):
    features = [{"type": "Feature", "properties": {"name": n},
                 "geometry": {"type": "Point", "coordinates": [lon, 31.2]}}
                for n, lon in (("west", 121.40), ("east", 121.41))]  # fmt: skip
    path = tmp_path / "points.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    table = read_route_points(path)
    assert table["name"].tolist() == ["west", "east"]
    assert table["lon"].tolist() == pytest.approx([121.40, 121.41])


@pytest.mark.browser
def test_route_page_fits_a_phone(tmp_path, demo, browser):
    from lifecircle.report.route import write_route

    area, stops = demo
    named = stops.assign(name=["<img src=x onerror=alert(1)>", *stops["name"].iloc[1:]])
    write_route(walk_route(area.graph, named, closed=True), area.graph, tmp_path)
    for width in (1200, 390):
        page = browser.new_page(viewport={"width": width, "height": 900})
        errors = []
        page.on("pageerror", lambda exc, errors=errors: errors.append(str(exc)))
        page.goto((tmp_path / "route.html").as_uri())
        page.wait_for_selector(".stop-label")
        assert errors == []
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert page.locator(".stop-label").count() == len(stops)
        assert page.locator("img[src=x]").count() == 0  # the name stayed text
        assert "1. <img src=x onerror=alert(1)>" in page.inner_text("#map")
