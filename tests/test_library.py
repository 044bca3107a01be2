"""The public library: loaders check DataFrames like files, errors carry rows, plans are typed."""

import dataclasses

import geopandas
import numpy as np
import pandas as pd
import pytest
import shapely

import lifecircle as lc
from lifecircle.access.area import analyse
from lifecircle.data import build_area
from lifecircle.data.demo import STREETS, _projection_offset
from lifecircle.data.priorities import read_weights
from lifecircle.plan import area as plan_area


@pytest.fixture(scope="module")
def demo():
    return lc.Area.demo()


def test_every_input_error_is_one_hierarchy(tmp_path):
    for error in (lc.DataFileError, lc.StandardError, lc.OsmError, lc.PlanInputError,
                  lc.RowsRejectedError, lc.NoCompoundsError, lc.NoFacilitiesError,
                  lc.GraphError):  # fmt: skip
        assert issubclass(error, lc.InputError) and issubclass(error, ValueError)
    with pytest.raises(lc.StandardError):
        lc.Area.demo("no-such-standard")
    with pytest.raises(lc.InputError, match="not a folder"):
        lc.Area.from_folder(tmp_path / "missing")
    (tmp_path / "compounds.csv").write_text("名称,经度,纬度,人口\n甲,121.4,31.2,100\n")
    with pytest.raises(lc.InputError, match="no OSM file"):
        lc.Area.from_folder(tmp_path)


def test_frames_without_id_get_ids_from_names_not_nan(demo):
    compounds = demo.compounds[["name", "lon", "lat", "population", "pop_60_plus"]]
    facilities = demo.facilities[["name", "category", "lon", "lat"]]
    area = lc.Area.from_frames(compounds, facilities, streets=demo.graph)
    assert area.compounds["id"].tolist() == demo.compounds["name"].tolist()
    assert area.facilities["id"].notna().all() and area.facilities["id"].is_unique
    np.testing.assert_array_equal(area.compounds["population"], demo.compounds["population"])
    with pytest.raises(lc.DataFileError, match="population"):
        lc.Area.from_frames(compounds.drop(columns=["population"]), facilities, streets=demo.graph)


def test_build_area_names_rows_with_missing_ids(demo):
    compounds = demo.compounds.copy()
    compounds.loc[[2, 5], "id"] = np.nan
    with pytest.raises(lc.InputError) as caught:
        build_area("x", demo.graph, demo.standard, compounds, demo.facilities)
    assert [(p.row, p.column) for p in caught.value.problems] == [(3, "id"), (6, "id")]


def test_chinese_headers_gcj02_and_strict_rows(demo):
    from lifecircle.geo.chinese import wgs84_to_gcj02

    lon, lat = wgs84_to_gcj02(demo.compounds["lon"].to_numpy(), demo.compounds["lat"].to_numpy())
    compounds = pd.DataFrame({"名称": demo.compounds["name"], "经度": lon, "纬度": lat,
                              "人口": demo.compounds["population"].astype(object)})  # fmt: skip
    compounds.loc[0, "人口"] = -5
    area = lc.Area.from_frames(compounds, demo.facilities, crs="gcj02", streets=demo.graph)
    assert [(i.row, i.column) for i in area.issues if i.rejected] == [(1, "人口")]
    np.testing.assert_allclose(area.compounds["lon"], demo.compounds["lon"].iloc[1:], atol=1e-5)
    with pytest.raises(lc.RowsRejectedError) as caught:
        lc.Area.from_frames(compounds, demo.facilities, crs="gcj02", streets=demo.graph,
                            strict=True)  # fmt: skip
    assert caught.value.problems[0].row == 1


def test_geodataframes_and_street_lines_give_the_demo_numbers(demo):
    """Independent path: the demo rebuilt from GeoDataFrames (compounds in Web Mercator) and
    WGS-84 street lines, then compared with the built-in demo area."""
    projection, x0, y0 = _projection_offset()

    def lonlat(geometry):
        return shapely.transform(geometry, lambda xy: np.column_stack(
            projection.to_lonlat(xy[:, 0] + x0, xy[:, 1] + y0)))  # fmt: skip

    streets = geopandas.GeoDataFrame(
        geometry=[lonlat(shapely.linestrings(line)) for _, _, line in STREETS], crs="EPSG:4326"
    )
    compounds = geopandas.GeoDataFrame(
        demo.compounds[["id", "name", "population", "pop_60_plus", "pop_0_6", "pop_7_14"]],
        geometry=geopandas.points_from_xy(demo.compounds["lon"], demo.compounds["lat"]),
        crs="EPSG:4326",
    ).to_crs("EPSG:3857")  # read back to WGS-84 by the loader
    gates = demo.gates[["compound_id", "lon", "lat"]]
    area = lc.Area.from_frames(compounds, demo.facilities[["id", "name", "category", "lon", "lat"]],
                               demo.candidates.drop(columns=["x", "y"]), gates, streets)  # fmt: skip
    assert area.graph.n_edges == demo.graph.n_edges
    mine = area.access().table.set_index(["compound_id", "category"])["distance_m"]
    theirs = demo.access().table.set_index(["compound_id", "category"])["distance_m"]
    np.testing.assert_allclose(mine.loc[theirs.index], theirs, atol=0.05)


def test_plan_without_budget_opens_no_empty_site(demo):
    plan = demo.plan()
    assert plan.budget is None and plan.budget_remaining is None
    assert len(plan.sites) and all(len(f) > 0 for f in plan.sites["functions"])
    costs = demo.candidates.set_index("id")["cost"]
    assert plan.cost == pytest.approx(costs.loc[plan.sites["id"]].sum())
    assert set(plan.functions["site"]) == set(plan.sites["id"])


def test_weights_file_rows_are_checked(tmp_path, demo):
    good = tmp_path / "weights.csv"
    good.write_text("类别,权重,小区\n日间照料中心,3,\n托育点,2,\n托育点,5,C01\n", encoding="utf-8")
    table = read_weights(good, demo.standard)
    assert table[["category", "weight", "compound_id"]].values.tolist() == [
        ["elderly_daycare", 3.0, None], ["nursery", 2.0, None], ["nursery", 5.0, "C01"],
    ]  # fmt: skip
    bad = tmp_path / "bad.csv"
    bad.write_text("类别,权重\n日间照料中心,高\n魔法屋,1\n托育点,-1\n", encoding="utf-8")
    with pytest.raises(lc.InputError) as caught:
        read_weights(bad, demo.standard)
    assert [(p.row, p.column) for p in caught.value.problems] == [
        (2, "权重"),
        (3, "类别"),
        (4, "权重"),
    ]
    unknown = tmp_path / "unknown.csv"
    unknown.write_text("category,weight,compound\nnursery,2,无此小区\n", encoding="utf-8")
    with pytest.raises(lc.InputError, match="no such compound"):
        demo.plan(budget=100, weights=unknown)
    with pytest.raises(lc.InputError, match="unknown category"):
        demo.plan(budget=100, targets=["魔法屋=50%"])
    with pytest.raises(lc.InputError, match="share must be within"):
        demo.plan(budget=100, targets={"nursery": 1.5})


def test_targets_weights_objective_reach_the_hub_model(monkeypatch, demo, tmp_path):
    """The options arrive at HubModel as given (codes, shares 0–1, a checked weights table); a
    reachable target is met, an unreachable one is reported with the best reachable share, checked
    against a fresh analysis with every candidate that may host a nursery hosting one."""
    received = {}

    class Recording(plan_area.HubModel):
        def __init__(self, *args, **kwargs):
            received.update(kwargs)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(plan_area, "HubModel", Recording)
    weights = tmp_path / "w.csv"
    weights.write_text("类别,权重,小区\n托育点,4,枫林新村\n", encoding="utf-8")
    plan = demo.plan(budget=500, targets=["社区服务站=30%", "托育点=0.1"], weights=weights,
                     objective="normalised")  # fmt: skip
    assert received["targets"] == {"service_station": 0.3, "nursery": 0.1}
    assert received["objective"] == "normalised"
    assert received["weights"][["category", "weight", "compound_id"]].values.tolist() == [
        ["nursery", 4.0, "C01"]
    ]
    assert plan.feasible and all(check.met for check in plan.targets)
    nursery = {t.category: t for t in plan.targets}["nursery"]
    row = plan.coverage.query("category == 'nursery' and group == 'preschool'")
    assert nursery.share_after == pytest.approx(row["share_after"].iloc[0])
    assert nursery.share_after >= 0.1

    out_of_reach = demo.plan(budget=500, targets={"nursery": 0.9})
    assert not out_of_reach.feasible
    (check,) = out_of_reach.targets
    assert not check.met
    nurseries = demo.candidates[[
        not len(a) or "nursery" in a for a in demo.candidates["allowed_functions"]
    ]]  # fmt: skip
    hosts = nurseries[nurseries["floor_area"] >= demo.standard.categories["nursery"].floor_area_m2]
    added = hosts[["id", "name", "lon", "lat", "x", "y"]].assign(category="nursery")
    everything = dataclasses.replace(
        demo, facilities=pd.concat([demo.facilities, added], ignore_index=True)
    )
    covered = analyse(everything).access.query("category == 'nursery'")["covered"].to_numpy()
    head = demo.compounds["pop_0_6"].to_numpy(float)
    assert check.reachable_share == pytest.approx(head[covered].sum() / head.sum())
    assert set(check.unreachable_compounds) == set(demo.compounds["id"][~covered & (head > 0)])
    with pytest.raises(lc.InputError, match="hub model only"):
        demo.plan(model="mclp", p=2, targets={"nursery": 0.5})


@pytest.mark.parametrize(("model", "options"), [("mclp", {"p": 2}), ("lscp", {"radius": 3000.0})])
def test_single_function_plans_report_their_cost(tmp_path, demo, model, options):
    from lifecircle.report.planner import build_report, write_report_files

    plan = demo.plan(model=model, **options)
    costs = demo.candidates.set_index("id")["cost"]
    assert plan.cost == pytest.approx(costs.loc[plan.sites["id"]].sum())
    report = build_report(demo, demo.access(), plan)
    write_report_files(tmp_path, report)
    proposal = pd.read_excel(tmp_path / "report.xlsx", sheet_name="选址方案")
    assert proposal.iloc[-1]["改造费用 cost (万元)"] == pytest.approx(plan.cost)
    assert proposal["功能 function"].iloc[:-1].eq("社区服务站/睦邻驿站").all()


def test_frames_on_an_osm_file_with_a_mapping(tmp_path):
    from datafiles import shared_data

    osm = shared_data("shanghai-shu-baoshan-osm", "shu_baoshan_map_1.osm")
    compounds = pd.DataFrame({"name": ["校内宿舍"], "lon": [121.3930], "lat": [31.3185],
                              "population": [3000]})  # fmt: skip
    facilities = pd.DataFrame({"名称": ["一号阳光小屋"], "类别": ["阳光小屋"], "经度": [121.3925],
                               "纬度": [31.3190]})  # fmt: skip
    with pytest.raises(lc.RowsRejectedError, match="阳光小屋"):
        lc.Area.from_frames(compounds, facilities, streets=osm, strict=True)
    area = lc.Area.from_frames(compounds, facilities, streets=osm,
                               mapping={"阳光小屋": "service_station"})  # fmt: skip
    row = area.access().table.query("category == 'service_station'").iloc[0]
    assert row["nearest_facility_name"] == "一号阳光小屋" and row["distance_m"] < 500


def test_no_compounds_left_is_a_clear_error(demo):
    compounds = demo.compounds[["name", "lon", "lat"]].assign(population="?")
    area = lc.Area.from_frames(compounds, demo.facilities, streets=demo.graph)
    rejected = [i for i in area.issues if i.rejected]
    assert len(area.compounds) == 0 and len(rejected) == len(demo.compounds)
    with pytest.raises(lc.NoCompoundsError, match="no compounds"):
        area.access()


def test_access_measures_give_the_supply_ratio_table_of_the_engine(demo):
    from lifecircle.access.measures import MeasureError, supply_ratios

    plain = demo.access()
    result = demo.access(measures=["2SFCA", "raam"])
    # the same numbers as the engine called directly, on the same attached area
    direct = supply_ratios(demo, ["2sfca", "raam"])
    pd.testing.assert_frame_equal(result.supply_ratios, direct.table)
    assert set(direct.warnings) <= set(result.warnings)  # bus stops without floor area named
    # the distance tables are those of the plain call, which stays as it was
    assert result.table is plain.table and plain.supply_ratios is None
    assert demo.access() is plain and demo.access(measures=["2sfca", "raam"]) is result
    # another argument set is another result, not the cached one
    wide = demo.access(measures=["2sfca"], catchment_m=800.0)
    expected = supply_ratios(demo, ["2sfca"], catchment_m=800.0).table
    pd.testing.assert_frame_equal(wide.supply_ratios, expected)
    narrow = result.supply_ratios.query("measure == '2sfca'").reset_index(drop=True)
    assert not np.allclose(wide.supply_ratios["value"], narrow["value"], equal_nan=True)
    places = demo.access(measures=["2sfca"], capacity_column="capacity").supply_ratios
    daycare = places.query("category == 'elderly_daycare'")
    floor = narrow.query("category == 'elderly_daycare'")
    # one day-care centre of 400 m² and 40 places: the two tables differ by that factor
    np.testing.assert_allclose(floor["value"].to_numpy(), daycare["value"].to_numpy() * 10)
    with pytest.raises(MeasureError, match="seats"):
        demo.access(measures=["2sfca"], capacity_column="seats")
