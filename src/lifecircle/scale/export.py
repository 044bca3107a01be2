"""The batch's outputs for people: an xlsx workbook and an offline city map of coverage by area.

Both render tables `write_summary` produced and compute nothing of their own. Headers are Chinese
first with units; shares are shown as %; internal status codes become words.
"""

import json
import re
from html import escape
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import shapely
import xstatic.pkg.leaflet

from lifecircle.scale.areas import Boundary

GROUP_NAMES = {
    "all": "全体 all",
    "elderly": "60岁以上 60+",
    "preschool": "0–6岁 0–6",
    "school": "7–14岁 7–14",
}
STATUS_NAMES = {
    "done": "完成 done",
    "failed": "失败 failed",
    "pending": "未完成 pending",
    "optimal": "最优 optimal",
    "feasible": "可行 feasible",
    "infeasible": "不可行 infeasible",
    "not_run": "未求解 not run",
}
COVERAGE_SHEET = {
    "area": "区域编号 area id",
    "area_name": "区域名称 area",
    "category_name_zh": "设施类别 category",
    "threshold_m": "步行距离 walk (m)",
    "group": "人群 group",
    "population": "人口 population (人)",
    "covered_population": "覆盖人口 covered (人)",
    "share": "覆盖率 covered (%)",
}
AREA_SHEET = {
    "key": "区域编号 area id",
    "name": "区域名称 area",
    "status": "状态 status",
    "reason": "原因 reason",
    "compounds": "小区数 compounds",
    "population": "人口 population (人)",
    "facilities": "设施数（含缓冲区） facilities (with buffer)",
    "candidates": "候选点 candidate sites",
    "nodes": "路网节点 street nodes",
    "seconds": "用时 time (s)",
    "plan_status": "选址状态 plan status",
    "plan_objective": "新增覆盖 new coverage (人次)",
    "plan_gap": "差距 gap (%)",
    "plan_sites": "开设点数 sites opened",
    "plan_cost": "改造费用 cost",
    "plan_note": "选址说明 plan note",
}
PERCENT_COLUMNS = ("覆盖率 covered (%)", "差距 gap (%)")


def _people_table(table: pd.DataFrame, headers: dict[str, str]) -> pd.DataFrame:
    out = table.reindex(columns=[c for c in headers if c in table.columns]).copy()
    if "group" in out:
        out["group"] = out["group"].map(GROUP_NAMES).fillna(out["group"])
    for column in ("status", "plan_status"):
        if column in out:
            out[column] = out[column].map(STATUS_NAMES).fillna(out[column])
    for column in ("population", "covered_population", "plan_objective"):
        if column in out:
            out[column] = pd.to_numeric(out[column], errors="coerce").round(0)
    if "seconds" in out:
        out["seconds"] = pd.to_numeric(out["seconds"], errors="coerce").round(1)
    return out.rename(columns=headers)


def write_workbook(path: str | Path, summary: pd.DataFrame, areas: pd.DataFrame) -> Path:
    """summary.xlsx: sheet 覆盖率 (area × category × group) and sheet 区域 (one row per area)."""
    path = Path(path)
    sheets = {
        "覆盖率 coverage": _people_table(summary, COVERAGE_SHEET),
        "区域 areas": _people_table(areas, AREA_SHEET),
    }
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for name, table in sheets.items():
            table.to_excel(writer, sheet_name=name, index=False)
            sheet = writer.sheets[name]
            for index, header in enumerate(table.columns, start=1):
                letter = sheet.cell(row=1, column=index).column_letter
                sheet.column_dimensions[letter].width = max(12, min(40, len(header) + 2))
                if header in PERCENT_COLUMNS:
                    for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                        cell.number_format = "0.0%"
            sheet.freeze_panes = "A2"
    return path


def _script_safe(text: str) -> str:
    """Text that cannot close the <script> element it sits in."""
    return text.replace("</", "<\\/")


def _leaflet(name: str) -> str:
    return (Path(xstatic.pkg.leaflet.BASE_DIR) / name).read_text(encoding="utf-8")


def _asset(name: str) -> str:
    return resources.files("lifecircle.scale").joinpath("static", name).read_text("utf-8")


def _share(value: object) -> float | None:
    number = float(value) if value is not None else np.nan
    return round(number, 4) if np.isfinite(number) else None


def city_map_payload(boundaries: list[Boundary], summary: pd.DataFrame) -> dict:
    """GeoJSON of the area polygons with their coverage shares per category and group."""
    shares: dict[str, dict[str, dict[str, float | None]]] = {}
    categories: dict[str, str] = {}
    if not summary.empty:
        for row in summary[summary["area"] != ""].itertuples(index=False):
            categories[row.category] = f"{row.category_name_zh} {row.threshold_m:g} m"
            shares.setdefault(row.area, {}).setdefault(row.category, {})[row.group] = _share(
                row.share
            )
    features = []
    for boundary in boundaries:
        if boundary.polygon is None:
            continue
        geometry = shapely.geometry.mapping(shapely.set_precision(boundary.polygon, 1e-6))
        features.append(
            {
                "type": "Feature",
                "geometry": geometry,
                "properties": {
                    "key": boundary.key,
                    "name": boundary.name,
                    "shares": shares.get(boundary.key),
                },
            }
        )
    return {
        "areas": {"type": "FeatureCollection", "features": features},
        "categories": categories,
        "groups": {g: n for g, n in GROUP_NAMES.items()},
    }


def write_city_map(
    path: str | Path, boundaries: list[Boundary], summary: pd.DataFrame, title: str = ""
) -> Path:
    """city_map.html: areas coloured by the share covered, per category and group; opens offline.

    Leaflet is inlined from the xstatic-leaflet package (no tile server, no CDN); names reach the
    page as JSON data and are shown as text.
    """
    path = Path(path)
    payload = json.dumps(
        city_map_payload(boundaries, summary), ensure_ascii=False, separators=(",", ":")
    )
    heading = escape(title or "城市覆盖率 city coverage by area")
    css = re.sub(r"url\((?!data:)[^)]*\)", "none", _leaflet("leaflet.css"))
    page = (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{heading}</title><style>{css}</style><style>{_asset('citymap.css')}</style>"
        f"</head><body><header><h1>{heading}</h1>"
        '<label>类别 category <select id="category"></select></label>'
        '<label>人群 group <select id="group"></select></label></header>'
        '<div id="map"></div><div id="legend"></div>'
        f"<script>{_leaflet('leaflet.js')}</script>"
        f'<script id="city-data" type="application/json">{_script_safe(payload)}</script>'
        f"<script>{_asset('citymap.js')}</script></body></html>"
    )
    path.write_text(page, encoding="utf-8")
    return path
