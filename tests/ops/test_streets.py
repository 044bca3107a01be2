"""Streets for the offline maps: the walk network as GeoJSON lines, checked imports, the
public endpoint."""

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from lifecircle.data.demo import build_demo_area
from lifecircle.geo.projection import LocalProjection
from lifecircle.ops.errors import Invalid
from lifecircle.ops.streets import all_streets, check_lines, network_lines, save_streets


def test_network_lines_are_the_graphs_edges_in_wgs84():
    graph = build_demo_area().graph
    lines = network_lines(graph)
    pairs = {
        tuple(sorted(p))
        for p in zip(graph.edge_u.tolist(), graph.edge_v.tolist(), strict=True)
        if p[0] != p[1]
    }
    assert len(lines["features"]) == len(pairs)
    # an independent inverse projection of the same points (the project's local projection)
    projection = LocalProjection(graph.crs)
    lon, lat = projection.to_lonlat(np.asarray(graph.x), np.asarray(graph.y))
    first = lines["features"][0]["geometry"]["coordinates"][0]
    assert min(abs(lon - first[0]) + abs(lat - first[1])) < 2e-6


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({"type": "Feature"}, "FeatureCollection"),
        (
            {
                "type": "FeatureCollection",
                "features": [{"geometry": {"type": "Point", "coordinates": [1, 2]}}],
            },
            "no line",
        ),
        (
            {
                "type": "FeatureCollection",
                "features": [
                    {"geometry": {"type": "LineString", "coordinates": [[351738, 3451480], [1, 2]]}}
                ],
            },
            "feature 1",
        ),
    ],
)
def test_bad_street_files_are_named(data, words):
    with pytest.raises(Invalid) as error:
        check_lines(data, "streets.geojson")
    assert words in error.value.message and "streets.geojson" in error.value.message


def test_streets_endpoint_and_cli_import(demo, client, tmp_path, settings):
    assert client.get("/streets.geojson").json()["features"] == []
    save_streets(None, demo.subdistrict, network_lines(build_demo_area().graph), "demo")
    served = client.get("/streets.geojson").json()
    assert served == all_streets() and len(served["features"]) > 10
    path = tmp_path / "roads.geojson"
    road = {
        "type": "Feature",
        "properties": {"name": "x"},
        "geometry": {"type": "LineString", "coordinates": [[121.45, 31.19], [121.46, 31.19]]},
    }
    path.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    road,
                    {
                        "type": "Feature",
                        "geometry": {"type": "Point", "coordinates": [121.45, 31.19]},
                    },
                ],
            }
        )
    )
    from lifecircle.cli import app

    result = CliRunner().invoke(app, ["streets", str(path)])
    assert result.exit_code == 0, result.output
    assert "1" in result.output
    assert len(client.get("/streets.geojson").json()["features"]) == 1
