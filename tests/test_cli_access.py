"""`lifecircle access` end to end on the Baoshan extract: files written, bad input named."""

import json

import pandas as pd
from typer.testing import CliRunner

from datafiles import shared_data
from lifecircle.cli import app
from lifecircle.library import Area
from lifecircle.network.graph import WalkGraph

runner = CliRunner()


def test_access_from_osm_only_writes_every_table(tmp_path):
    osm = shared_data("shanghai-shu-baoshan-osm", "shu_baoshan_map_1.osm")
    out = tmp_path / "out"
    saved = tmp_path / "graphs" / "baoshan.npz"
    result = runner.invoke(
        app, ["access", "--osm", str(osm), "--out", str(out), "--save-graph", str(saved)]
    )
    assert result.exit_code == 0, result.output
    access = pd.read_parquet(out / "access.parquet")
    from_csv = pd.read_csv(out / "access.csv")
    assert len(access) == len(from_csv) > 0
    assert {"distance_m", "nearest_facility_id", "count_within_300m", "covered"} <= set(access)
    coverage = pd.read_csv(out / "coverage.csv")
    assert set(coverage["group"]) == {"all", "elderly", "preschool", "school"}
    assert coverage["share"].dropna().between(0, 1).all()
    isochrones = json.loads((out / "isochrones.geojson").read_text("utf-8"))
    assert isochrones["features"] and isochrones["features"][0]["geometry"]["type"] in (
        "Polygon",
        "MultiPolygon",
    )
    assert "residential buildings" in result.output
    assert WalkGraph.load(saved).n_nodes > 500


def test_access_with_compound_and_facility_files(tmp_path):
    osm = shared_data("shanghai-shu-baoshan-osm", "shu_baoshan_map_1.osm")
    compounds = tmp_path / "小区.csv"
    compounds.write_text(
        "名称,经度,纬度,人口,60岁以上人口\n"
        "校内宿舍,121.3930,31.3185,3000,30\n"
        "远处小区,121.60,31.50,800,200\n"
        "坏行,abc,31.3,100,1\n",
        encoding="utf-8",
    )
    facilities = tmp_path / "设施.csv"
    facilities.write_text(
        "名称,类别,经度,纬度\n菜场一,菜市场,121.3925,31.3190\n卫生站,社区卫生服务站,121.3940,31.3170\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    result = runner.invoke(
        app,
        [
            "access",
            "--osm",
            str(osm),
            "--compounds",
            str(compounds),
            "--facilities",
            str(facilities),
            "--out",
            str(out),
            "--no-isochrones",
        ],
    )
    assert result.exit_code == 0, result.output
    assert json.loads((out / "isochrones.geojson").read_text("utf-8"))["features"] == []
    access = pd.read_csv(out / "access.csv")
    assert set(access["compound_name"]) == {"校内宿舍", "远处小区"}
    near = access[(access["compound_name"] == "校内宿舍") & (access["category"] == "food_market")]
    assert near["nearest_facility_name"].iloc[0] == "菜场一"
    assert near["distance_m"].iloc[0] < 500
    assert "远处小区" in result.output  # far from every street: reported, not snapped
    assert "第4行" in result.output  # the bad row is named


def test_bad_osm_file_is_named(tmp_path):
    bad = tmp_path / "broken.osm.pbf"
    bad.write_bytes(b"\x00\x00\x00\x0dnot a pbf at all")
    result = runner.invoke(
        app, ["access", "--osm", str(bad), "--out", str(tmp_path / "o"), "--no-isochrones"]
    )
    assert result.exit_code == 2
    assert "broken.osm.pbf" in result.output


def test_compound_polygons_open_their_private_paths(tmp_path):
    osm = tmp_path / "gated.osm"
    osm.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<osm version="0.6">'
        '<node id="1" lat="31.0" lon="121.0"/><node id="2" lat="31.0" lon="121.001"/>'
        '<node id="3" lat="31.0005" lon="121.001"/><node id="4" lat="31.0" lon="121.002"/>'
        '<node id="5" lat="31.0" lon="121.0002"><tag k="amenity" v="kindergarten"/></node>'
        '<way id="10"><nd ref="1"/><nd ref="2"/><nd ref="4"/><tag k="highway" v="residential"/></way>'
        '<way id="11"><nd ref="2"/><nd ref="3"/><tag k="highway" v="service"/>'
        '<tag k="access" v="private"/></way></osm>',
        encoding="utf-8",
    )
    ring = [[121.0005, 30.9999], [121.0015, 30.9999], [121.0015, 31.001], [121.0005, 31.001]]
    compounds = tmp_path / "小区.geojson"
    compounds.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"名称": "内院", "人口": 500},
                        "geometry": {"type": "Polygon", "coordinates": [[*ring, ring[0]]]},
                    }
                ],
            }
        ),
        encoding="utf-8",
    )
    out = tmp_path / "out"
    result = runner.invoke(
        app, ["access", "--osm", str(osm), "--compounds", str(compounds), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "private ways inside the compounds kept: 1" in result.output


def test_access_on_an_osm_file_without_facilities_is_an_error(tmp_path):
    from test_network_osm import write_osm

    osm = write_osm(
        tmp_path / "streets.osm",
        '<node id="1" lat="31.0" lon="121.0"/><node id="2" lat="31.001" lon="121.0"/>'
        '<node id="3" lat="31.001" lon="121.001"/><node id="4" lat="31.0" lon="121.001"/>'
        '<way id="10"><nd ref="1"/><nd ref="2"/><nd ref="3"/><tag k="highway" v="footway"/></way>'
        '<way id="11"><nd ref="1"/><nd ref="4"/><nd ref="3"/><nd ref="2"/><nd ref="1"/>'
        '<tag k="building" v="apartments"/></way>',
    )
    result = runner.invoke(app, ["access", "--osm", str(osm), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2, result.output
    assert "no facility of any category" in " ".join(result.output.split())
    assert not (tmp_path / "out" / "coverage.csv").exists()


def test_access_measures_write_supply_ratios_and_distances(tmp_path):
    osm = shared_data("shanghai-shu-baoshan-osm", "shu_baoshan_map_1.osm")
    compounds = tmp_path / "小区.csv"
    compounds.write_text(
        "名称,经度,纬度,人口\n校内宿舍,121.3930,31.3185,3000\n远处小区,121.60,31.50,800\n",
        encoding="utf-8",
    )
    facilities = tmp_path / "设施.csv"
    facilities.write_text(
        "名称,类别,经度,纬度,面积\n菜场一,菜市场,121.3925,31.3190,800\n"
        "卫生站,社区卫生服务站,121.3940,31.3170,\n",
        encoding="utf-8",
    )
    out, od = tmp_path / "out", tmp_path / "od" / "distances.csv"
    args = ["access", "--osm", str(osm), "--compounds", str(compounds), "--facilities",
            str(facilities), "--out", str(out), "--no-isochrones", "--measures", "2sfca,raam",
            "--od", str(od)]  # fmt: skip
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    ratios = pd.read_csv(out / "supply_ratio.csv")
    assert list(ratios.columns) == ["compound_id", "category", "measure", "value"]
    market = ratios[(ratios["category"] == "food_market") & (ratios["measure"] == "2sfca")]
    # the only market within 500 m serves the dormitory alone: 800 m² / 3000 residents
    assert sorted(market["value"].round(6).fillna(-1).tolist()) == [-1, round(800 / 3000, 6)]
    assert "社区卫生服务站" in result.output  # the station without a floor area is named
    # the CLI writes what the library gives on the same files
    area = Area.from_files(osm, compounds, facilities)
    library = area.access(measures=["2sfca", "raam"]).supply_ratios
    pd.testing.assert_frame_equal(
        ratios, library.astype({"compound_id": str}), check_dtype=False, rtol=1e-5
    )
    distances = pd.read_csv(od)
    assert list(distances.columns) == ["origin", "destination", "distance_m"]
    assert len(distances) == 2 and (distances["distance_m"] <= 1000).all()
    bad = runner.invoke(app, [*args[:-4], "--measures", "4sfca"])
    assert bad.exit_code == 2 and "4sfca" in bad.output
