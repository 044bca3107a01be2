"""`lifecircle survey tally|weights` on an XLSForm and a 问卷星 export, `lifecircle ops demand`
on the operations database; the demand rates against a hand count."""

import math

import pandas as pd
import pytest
from typer.testing import CliRunner
from voice_fixtures import wjx_export, wjx_row, xlsform

from lifecircle.cli import app
from lifecircle.ops.demand import demand_rates

runner = CliRunner()


@pytest.fixture
def files(tmp_path):
    form = xlsform(tmp_path / "form.xlsx")
    answers = wjx_export(
        tmp_path / "wjx.xlsx",
        [
            wjx_row(1, "2026/11/20 10:00", "60岁及以上", "东安一村", "社区食堂┋日间照料中心", "日间照料中心→社区食堂", 4, 2, "是", ""),
            wjx_row(2, "2026/11/20 10:10", "60岁及以上", "瑞金花园", "社区食堂", "社区食堂→卫生服务站", 5, 1, "否", ""),
            wjx_row(3, "2026/11/20 10:20", "60岁以下", "东安一村", "托育点┋社区食堂", "托育点→社区食堂", 3, 3, "(跳过)", "需要托育"),
            wjx_row(4, "2026/11/20 10:30", "60岁以下", "瑞金花园", "托育点", "托育点→卫生服务站→社区食堂", 2, 4, "(跳过)", ""),
        ],
    )  # fmt: skip
    population = tmp_path / "compounds.csv"
    population.write_text("id,population,pop_60_plus\nC1,1000,400\nC2,1000,200\n", encoding="utf-8")
    return form, answers, population


def test_tally_writes_results_csv_with_weighted_shares(files, tmp_path):
    form, answers, population = files
    out = tmp_path / "out"
    result = runner.invoke(
        app,
        ["survey", "tally", "--form", str(form), "--answers", str(answers), "--population", str(population), "--out", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out / "results.csv")
    assert list(table.columns[:4]) == ["question", "option", "count", "share"]
    canteen = table[(table["question"] == "wanted") & (table["option"] == "canteen")].iloc[0]
    assert (canteen["count"], canteen["share"]) == (3, 0.75)
    # population 60+: 600 of 2000 (under 60 is the rest: 1400); sample 2 of 4 each
    w_old, w_young = 0.3 / 0.5, 0.7 / 0.5
    assert canteen["weighted_share"] == pytest.approx(
        (2 * w_old + w_young) / (2 * w_old + 2 * w_young)
    )


def test_weights_cli_writes_category_weight_per_compound(files, tmp_path):
    form, answers, _ = files
    out = tmp_path / "weights.csv"
    result = runner.invoke(
        app, ["survey", "weights", "--form", str(form), "--answers", str(answers), "--question", "top3", "--out", str(out)]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    weights = pd.read_csv(out)
    assert list(weights.columns) == ["compound_id", "category", "weight"]
    c1 = weights[weights["compound_id"] == "C1"].set_index("category")["weight"]
    # C1 rankings: daycare 3 + canteen 2; nursery 3 + canteen 2 → mean points canteen 2,
    # daycare 1.5, nursery 1.5, health 0; mean 1.25
    assert c1.to_dict() == pytest.approx(
        {"canteen": 1.6, "elderly_daycare": 1.2, "nursery": 1.2, "health_station": 0.0}
    )
    assert "other" in result.output  # the unmapped option is named


def test_cli_errors_name_file_row_and_question(files, tmp_path):
    form, _, _ = files
    bad = wjx_export(
        tmp_path / "bad.xlsx",
        [wjx_row(1, "2026/11/20", "60岁以下", "火星", "托育点", "", 3, 1, "", "")],
    )
    result = runner.invoke(
        app, ["survey", "tally", "--form", str(form), "--answers", str(bad), "--out", str(tmp_path)]
    )
    assert result.exit_code == 2
    assert (
        "bad.xlsx" in result.output and "row 2" in result.output and "compound_id" in result.output
    )


def test_demand_rates_equal_a_hand_count():
    compounds = pd.DataFrame(
        {
            "id": ["A", "B"],
            "lat": [31.000, 31.010],
            "lon": [121.000, 121.000],
            "population": [2000, 500],
        }
    )
    requests = pd.DataFrame(
        {
            "category": ["repair", "repair", "repair", "elderly_care", "repair", "repair"],
            "lat": [31.0005, 31.0002, 31.0098, 31.0101, 31.5, math.nan],
            "lon": [121.0, 121.0, 121.0, 121.0, 121.0, math.nan],
        }
    )
    table, warnings = demand_rates(requests, compounds)
    got = table.set_index(["compound_id", "category"])["per_1000"].to_dict()
    assert got == pytest.approx(
        {
            ("A", "elderly_care"): 0.0,
            ("A", "repair"): 1.0,
            ("B", "elderly_care"): 2.0,
            ("B", "repair"): 2.0,
        }
    )
    assert len(warnings) == 2  # one far away, one without a place


@pytest.mark.django_db
def test_ops_demand_reads_the_operations_database(tmp_path, settings):
    from django.db import connection

    from lifecircle.ops.access import Actor
    from lifecircle.ops.demo import seed_demo
    from lifecircle.ops.requests import file_request

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    demo = seed_demo(
        [
            {
                "name": "东安一村居委会睦邻点",
                "lat": 31.1954,
                "lon": 121.4557,
                "opening_hours": "",
                "floor_area_m2": 100.0,
            }
        ],
        "示意街道",
    )
    staff = Actor(demo.users["juwei1"])
    for _ in range(3):
        file_request(
            staff,
            station_id=demo.stations[0].pk,
            service_code="consultation",
            description="问政策",
            channel="counter",
        )
    compounds = tmp_path / "compounds.csv"
    compounds.write_text(
        "id,name,lat,lon,population\nK1,东安一村,31.1950,121.4560,1500\nK2,远处,31.2300,121.4900,800\n",
        encoding="utf-8",
    )
    out = tmp_path / "demand.csv"
    result = runner.invoke(
        app,
        ["ops", "demand", "--db", connection.settings_dict["NAME"], "--since", "2020-01-01", "--compounds", str(compounds), "--out", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out).set_index(["compound_id", "category"])
    assert table.loc[("K1", "consultation"), "requests"] == 3
    assert table.loc[("K1", "consultation"), "per_1000"] == pytest.approx(2.0)
    assert table.loc[("K2", "consultation"), "requests"] == 0
