"""The report shows which of the residents' priorities (--weights) the plan serves."""

import pandas as pd
import pytest

import lifecircle as lc
from lifecircle.report.planner import build_report


@pytest.fixture(scope="module")
def area():
    return lc.Area.demo()


def _sheet(report, key):
    return next((s for s in report.sheets if s.key == key), None)


def test_priorities_sheet_follows_the_plan(area, tmp_path):
    weights = pd.DataFrame(
        {"category": ["托育点", "社区食堂", "老年人日间照料中心", "社区服务站"],
         "weight": [3.0, 2.0, 2.0, 0.5]}
    )  # fmt: skip
    plan = area.plan(budget=500, weights=weights)
    sheet = _sheet(build_report(area, area.access(), plan), "priorities")
    table = sheet.table
    assert table["居民优先级 priority"].tolist() == [3.0, 2.0, 2.0, 0.5]
    names = {c.name_zh: code for code, c in area.standard.categories.items()}
    coverage = plan.coverage.set_index(["category", "group"])
    for _, row in table.iterrows():
        code = names[row["类别 category"]]
        group = area.standard.categories[code].group
        assert row["现状 now"] == pytest.approx(coverage.loc[(code, group), "share_before"])
        assert row["方案后 after"] == pytest.approx(coverage.loc[(code, group), "share_after"])
        adding = [n for n, f in zip(plan.sites["name"], plan.sites["functions"], strict=True)
                  if code in f]  # fmt: skip
        assert row["新增站点 sites adding it"] == ("、".join(adding) or "—")
        served = bool(adding) and row["方案后 after"] > row["现状 now"]
        assert row["方案回应 served"] == ("是" if served else "否")
    assert "是" in table["方案回应 served"].tolist()
    # no internal codes in the sheet
    assert not table.astype(str).apply(lambda c: c.str.contains("nursery|canteen")).any().any()


def test_no_priorities_no_sheet(area):
    plan = area.plan(budget=500)
    assert plan.priorities is None
    assert _sheet(build_report(area, area.access(), plan), "priorities") is None
