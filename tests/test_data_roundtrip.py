"""The demo area written out as a user would get it (GBK CSV, Chinese headers, GCJ-02), imported
back, gives the same walking distances as the original."""

import numpy as np
import pytest

from lifecircle.data import build_area, import_file, link_gates
from lifecircle.geo.chinese import wgs84_to_gcj02

demo = pytest.importorskip("lifecircle.data.demo", reason="demo area not on this branch yet")
access_area = pytest.importorskip("lifecircle.access.area", reason="access analysis not here yet")

CHINESE = {
    "id": "编号",
    "name": "名称",
    "address": "地址",
    "lon": "经度",
    "lat": "纬度",
    "population": "人口",
    "households": "户数",
    "pop_60_plus": "60岁以上人口",
    "pop_0_6": "0-6岁",
    "pop_7_14": "7-14岁",
    "built_year": "建成年代",
    "category": "类别",
    "floor_area": "建筑面积",
    "capacity": "容量",
    "hours": "开放时间",
    "operator": "运营方",
    "status": "状态",
    "cost": "成本",
    "allowed_functions": "可用功能",
    "compound_id": "小区",
}


def _as_user_file(table, path):
    out = table.drop(columns=[c for c in ("x", "y", "geometry") if c in table])
    out["lon"], out["lat"] = wgs84_to_gcj02(out["lon"].to_numpy(), out["lat"].to_numpy())
    if "allowed_functions" in out:
        out["allowed_functions"] = ["、".join(codes) for codes in out["allowed_functions"]]
    out.rename(columns=CHINESE).to_csv(path, index=False, encoding="gbk")
    return path


def test_demo_area_survives_export_and_import(tmp_path):
    area = demo.build_demo_area()
    results = {
        kind: import_file(_as_user_file(table, tmp_path / f"{kind}.csv"), kind, crs="gcj02")
        for kind, table in (
            ("compounds", area.compounds),
            ("facilities", area.facilities),
            ("candidates", area.candidates),
            ("gates", area.gates),
        )
    }
    results["gates"] = link_gates(results["gates"], results["compounds"].table)
    for result in results.values():
        assert result.rejected_rows == 0, [str(i) for i in result.issues]
    again = build_area(
        area.name,
        area.graph,
        area.standard,
        results["compounds"].table,
        results["facilities"].table,
        results["candidates"].table,
        results["gates"].table,
    )
    np.testing.assert_allclose(again.compounds["x"], area.compounds["x"], atol=1e-6)
    np.testing.assert_allclose(again.facilities["y"], area.facilities["y"], atol=1e-6)
    before = access_area.analyse(area).access["distance_m"].to_numpy()
    after = access_area.analyse(again).access["distance_m"].to_numpy()
    np.testing.assert_allclose(after, before, atol=1e-6)
