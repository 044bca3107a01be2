"""千人指标 adequacy by hand, per unit and area; norms in the presets; the demo's gatehouse."""

import re

import numpy as np
import pandas as pd
import pytest

from lifecircle.access.adequacy import MET, NO_FACILITY, SHORT, adequacy
from lifecircle.access.area import analyse
from lifecircle.access.measures import MeasureError
from lifecircle.data.area import Area
from lifecircle.data.demo import build_demo_area
from lifecircle.plan.area import plan_hubs
from lifecircle.plan.capacitated import hub_overload
from lifecircle.report.adequacy import adequacy_tables, proposed_facilities, supply_sections
from lifecircle.standards import StandardError, load_standard
from test_access_measures import street_grid


def grid_area() -> Area:
    """3×3 grid of 100 m blocks; compounds at nodes 0, 4, 8; one 120 m² service station at 1."""
    compounds = pd.DataFrame({
        "id": ["A", "B", "C"], "name": ["甲", "乙", "丙"],
        "x": [0.0, 100.0, 200.0], "y": [0.0, 100.0, 200.0],
        "population": [1000, 250, 800], "households": [400, 100, 300],
        "pop_60_plus": [300, 50, 200], "committee": ["一居", "一居", "二居"],
    })  # fmt: skip
    facilities = pd.DataFrame({
        "id": ["F1"], "name": ["驿站"], "category": ["service_station"], "x": [100.0],
        "y": [0.0], "floor_area": [120.0], "capacity": [np.nan],
    })  # fmt: skip
    return Area("grid", "EPSG:32651", street_grid(), load_standard("gb50180-2018"), compounds,
                facilities, pd.DataFrame(columns=["id", "x", "y"]))  # fmt: skip


def test_adequacy_by_hand():
    result = adequacy(grid_area(), unit_column="committee")
    rows = result.compounds[result.compounds["category"] == "service_station"].set_index(
        "compound_id"
    )
    # F1 reaches A (100 m) and B (100 m) within 300 m, C at 300 m too: 800 households share
    # 120 m²: A 60, B 15, C 45. The norm asks 30 m² per 100 households: A 120, B 30, C 90.
    assert rows["available"].tolist() == pytest.approx([60.0, 15.0, 45.0])
    assert rows["required"].tolist() == pytest.approx([120.0, 30.0, 90.0])
    assert rows["short"].tolist() == pytest.approx([60.0, 15.0, 45.0])
    assert set(rows["status"]) == {SHORT}
    # per 1,000 of the target group (all residents): A 60 m² / 1000 people
    assert rows.loc["A", "available_per_1000"] == pytest.approx(60.0)
    assert rows.loc["A", "norm_per_1000"] == pytest.approx(120.0)
    units = result.units[result.units["category"] == "service_station"].set_index("unit")
    assert units.loc["一居", "available"] == pytest.approx(75.0)
    assert units.loc["一居", "short"] == pytest.approx(75.0)
    whole = result.area.set_index("category").loc["service_station"]
    assert whole["available"] == pytest.approx(120.0) and whole["required"] == pytest.approx(240)


def test_adequacy_names_what_it_leaves_out():
    area = grid_area()
    far = pd.DataFrame({"id": ["F9"], "name": ["远站"], "category": ["service_station"],
                        "x": [5000.0], "y": [5000.0], "floor_area": [300.0]})  # fmt: skip
    result = adequacy(area, extra_facilities=far)
    assert any("F9" in w for w in result.warnings)
    whole = result.area.set_index("category").loc["service_station"]
    assert whole["available"] == pytest.approx(120.0)  # the far station adds nothing
    with pytest.raises(MeasureError, match="juweihui"):
        adequacy(area, unit_column="juweihui")


def test_adequacy_met_and_no_facility():
    area = grid_area()
    area.facilities.loc[0, "floor_area"] = 240.0
    near = adequacy(area, catchment_m=150.0).compounds.set_index(["compound_id", "category"])
    # within 150 m only A and B share 240 m² by households: 192 and 48 ≥ 120 and 30
    assert near.loc[("A", "service_station"), "status"] == MET
    assert near.loc[("B", "service_station"), "status"] == MET
    assert near.loc[("C", "service_station"), "status"] == NO_FACILITY
    assert near.loc[("C", "service_station"), "short"] == pytest.approx(90.0)


def test_norms_are_flagged_in_every_preset():
    for name in ("gb50180-2018", "shanghai-2016", "tdt1062-2021"):
        standard = load_standard(name)
        assert standard.norms and all(n.flag in ("C", "R") for n in standard.norms.values())
    assert load_standard("gb50180-2018").norms["elderly_daycare"].flag == "C"


def test_a_norm_without_flag_is_an_error(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text('base = "gb50180-2018"\n[norms.canteen]\namount = 40\n', encoding="utf-8")
    with pytest.raises(StandardError, match="flag"):
        load_standard(path)
    path.write_text('base = "gb50180-2018"\n[norms.teleporter]\namount = 4\nflag = "R"\n',
                    encoding="utf-8")  # fmt: skip
    with pytest.raises(StandardError, match="teleporter"):
        load_standard(path)


@pytest.fixture(scope="module")
def demo_plan():
    area = build_demo_area()
    access = analyse(area)
    return (
        area,
        access,
        plan_hubs(area, access, budget=500, objective="heads"),
    )  # heads, as capacity


def test_demo_gatehouse_station_is_short_not_covering(demo_plan):
    area, _, plan = demo_plan
    placed = set(zip(plan.table["site"], plan.table["function"], strict=True))
    assert ("S01", "service_station") in placed  # the gatehouse gets a station
    after = adequacy(area, proposed_facilities(area, plan)).compounds.set_index(
        ["compound_id", "category"]
    )
    gatehouse = after.loc[("C01", "service_station")]
    # 150 m² for 1,420 households (3,200 residents) against 30 m² per 100 households
    assert gatehouse["status"] == SHORT
    assert gatehouse["available"] == pytest.approx(150.0)
    assert gatehouse["required"] == pytest.approx(426.0)
    over = hub_overload(area, plan).set_index(["site", "function"])
    assert over.loc[("S01", "service_station"), "load"] == pytest.approx(3200.0)
    assert over.loc[("S01", "service_station"), "over"] > 1000


def test_capacitated_demo_plan_keeps_every_site_within_capacity(demo_plan):
    area, access, plan = demo_plan
    capacitated = plan_hubs(area, access, budget=500, capacitated=True)
    assert capacitated.status == "optimal"
    assert capacitated.objective < plan.objective  # capacity binds
    assert (capacitated.table["load"] <= capacitated.table["capacity"] + 1e-6).all()
    assert capacitated.table.drop_duplicates("site")["site_cost"].sum() <= 500


def test_report_sections_speak_words_not_codes(demo_plan):
    area, access, plan = demo_plan
    html = "".join(supply_sections(area, access, plan, 500))
    text = re.sub(r'data-value="[^"]*"', "", html)
    for code in ("service_station", "no_facility", "floor_area_m2", "elderly_daycare"):
        assert not re.search(rf">[^<]*\b{code}", text), code
    assert "不足 short，差 276 m²" in html and "枫林新村" in html
    assert "（optimal" not in html and "已证明最优" in html
    assert "S01 枫林新村门卫室（含车棚）" in html  # the overloaded gatehouse, by name
    tables = adequacy_tables(adequacy(area), area.standard)
    assert list(tables) == ["街道 sub-district", "小区 compounds"]
    assert len(supply_sections(area, access, None, None)) == 1  # no plan: adequacy only
