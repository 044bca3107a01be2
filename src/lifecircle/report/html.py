"""The self-contained HTML report: map, coverage charts and tables in one file that opens offline.

Leaflet (JS, CSS and its images) is inlined from the `xstatic-leaflet` package; streets are drawn
as a vector layer, so there is no tile server and no CDN. The report renders the tables it is
given and computes nothing of its own.
"""

import base64
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from html import escape
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import shapely
import xstatic.pkg.leaflet

from lifecircle.data.area import Area
from lifecircle.geo.projection import LocalProjection
from lifecircle.report.charts import coverage_bars, percent
from lifecircle.report.tables import GROUP_NAMES as GROUP_LABELS
from lifecircle.report.tables import (
    NO_CAPACITY_NOTE,
    NO_FACILITY_TEXT,
    Sheet,
    supply_per_1000,
    supply_unit,
)


@dataclass
class PlanSection:
    """What the report shows of a site-selection result.

    `table` has one row per opened site (or site × function) and is rendered as given;
    `facts` are labelled values (status, objective, gap, budget, cost) shown above it.
    """

    title: str
    table: pd.DataFrame
    facts: dict[str, str] = field(default_factory=dict)
    note: str = ""
    total: dict[str, object] = field(default_factory=dict)


@dataclass
class ReportInput:
    """Everything the report renders.

    coverage: one row per (category, group) with share_before and, when a plan exists,
    share_after; optional `no_facility_before` / `no_facility_after` columns mark categories
    with no facility, shown as 无此类设施.
    access: one row per (compound, category) with distance_m, nearest_facility_name, covered.
    equity: per (category, group) mean distance, Gini of distance and population left out.
    proposed_functions: candidate id -> the function codes the plan puts there.
    sheets: further tables, each rendered as its own section after the coverage table, in
    order (gaps, distances per compound, 做减法, 归并, per 居委会, and any a caller adds).
    """

    area: Area
    coverage: pd.DataFrame
    access: pd.DataFrame
    gaps: pd.DataFrame
    equity: pd.DataFrame | None = None
    plan: PlanSection | None = None
    proposed_functions: dict[str, list[str]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    subtitle: str = ""
    sheets: list[Sheet] = field(default_factory=list)
    sections: list[str] = field(default_factory=list)
    """Further sections, already rendered (e.g. `lifecircle.report.adequacy`), before warnings."""
    cost_unit: str = "万元"
    supply: pd.DataFrame | None = None
    """2SFCA floor area per person (compound_id, category, value) for the supply-ratio map."""
    supply_notes: dict[str, str] = field(default_factory=dict)
    """Category code -> why the map shows no supply ratio for it (no facility, no floor area)."""


def write_report(path: str | Path, data: ReportInput) -> Path:
    """Render the report and write it as UTF-8 HTML."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_report(data), encoding="utf-8")
    return path


def render_report(data: ReportInput) -> str:
    """The whole report as one HTML string."""
    area = data.area
    title = f"15分钟社区生活圈评估 · Life-circle assessment — {area.name}"
    body = [
        f"<header><h1>{escape(title)}</h1>",
        f'<p class="subtitle">{escape(data.subtitle)}</p>' if data.subtitle else "",
        f'<p class="note" id="area-note">{escape(area.note)}</p>' if area.note else "",
        "</header>",
        _key_figures(data),
        '<section id="map-section"><h2>地图 Map</h2>',
        '<p class="map-controls"><label for="map-colour">小区着色 colour compounds by</label> '
        '<select id="map-colour"></select></p><div id="map"></div>',
        _legend(data),
        '<p class="legend" id="supply-legend" hidden></p>',
        "</section>",
        _plan_section(data.plan),
        _charts(data),
        _coverage_table(data),
        _equity_section(data.area, data.equity),
        _candidates_section(data),
        *(sheet_section(sheet) for sheet in data.sheets),
        _distance_matrix(data),
        *data.sections,
        _warnings(data.warnings),
    ]
    payload = json.dumps(
        _map_payload(data), ensure_ascii=False, separators=(",", ":"), allow_nan=False
    )
    return "".join(
        [
            '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{escape(title)}</title>",
            f"<style>{_leaflet_css()}</style><style>{_asset('report.css')}</style>",
            "</head><body>",
            *body,
            f"<script>{_leaflet_js()}</script>",
            f'<script id="map-data" type="application/json">{_script_safe(payload)}</script>',
            f"<script>{_asset('report.js')}</script>",
            "</body></html>",
        ]
    )


# --- sections ------------------------------------------------------------------------------


def _key_figures(data: ReportInput) -> str:
    area = data.area
    facts = {
        "标准 standard": area.standard.title_zh or area.standard.name,
        "小区 compounds": f"{len(area.compounds)}",
        "常住人口 residents": f"{area.compounds['population'].sum():,.0f}",
        "60岁以上 aged 60+": f"{area.compounds['pop_60_plus'].sum():,.0f}",
        "设施 facilities": f"{len(area.facilities)}",
        "候选闲置用房 candidate sites": f"{len(area.candidates)}",
        "路网 walk network": (
            f"{area.graph.n_nodes} 节点 nodes · {area.graph.n_edges} 路段 edges · "
            f"{area.graph.edge_length.sum() / 1000:.1f} km"
        ),
    }
    return '<section id="figures">' + _facts(facts) + "</section>"


def _facts(facts: dict[str, str]) -> str:
    items = "".join(
        f"<div><dt>{escape(k)}</dt><dd>{escape(str(v))}</dd></div>" for k, v in facts.items()
    )
    return f'<dl class="facts">{items}</dl>'


def _legend(data: ReportInput) -> str:
    return (
        '<p class="legend"><span id="gap-legend">'
        '小区缺口数 gaps per compound: <span class="swatch gap0"></span>0–3 '
        '<span class="swatch gap4"></span>4–6 <span class="swatch gap7"></span>7–9 '
        '<span class="swatch gap10"></span>10+ · </span>'
        '<span class="dot facility"></span>现有设施 facility '
        '<span class="dot candidate"></span>候选闲置用房 candidate '
        '<span class="dot proposed"></span>建议启用 proposed site '
        '<span class="dot gate"></span>小区大门 gate'
        f"（共 {len(data.area.standard.categories)} 类设施 out of "
        f"{len(data.area.standard.categories)} categories）</p>"
    )


def _charts(data: ReportInput) -> str:
    coverage = data.coverage
    has_after = "share_after" in coverage.columns and coverage["share_after"].notna().any()
    charts = []
    for group, label in GROUP_LABELS.items():
        rows = coverage[coverage["group"] == group]
        if rows.empty:
            continue
        # a category with no facility in the area is not measured at 0%: no bar, and it says so
        missing = _flags(rows, "no_facility_after" if has_after else "no_facility_before")
        names = [data.area.standard.categories[c].name_zh for c in rows["category"]]
        charts.append(
            coverage_bars(
                f"覆盖率 coverage · {label}",
                [
                    f"{n}（{NO_FACILITY_TEXT}）" if m else n
                    for n, m in zip(names, missing, strict=True)
                ],
                np.where(missing, np.nan, rows["share_before"].to_numpy(float)).tolist(),
                np.where(missing, np.nan, rows["share_after"].to_numpy(float)).tolist()
                if has_after
                else None,
            )
        )
    key = (
        '<p class="legend"><span class="swatch before"></span>现状 before '
        '<span class="swatch after"></span>方案新增 added by the plan</p>'
        if has_after
        else '<p class="legend"><span class="swatch before"></span>现状 before</p>'
    )
    return (
        '<section id="charts"><h2>步行覆盖率 Walking coverage</h2>'
        "<p>在类别阈值步行距离内至少有一处设施的人口占比（按目标人群）。"
        " Share of each group with at least one facility within the category's walking "
        "threshold.</p>" + key + '<div class="charts">' + "".join(charts) + "</div></section>"
    )


def _coverage_table(data: ReportInput) -> str:
    coverage = data.coverage
    has_after = "share_after" in coverage.columns and coverage["share_after"].notna().any()
    groups = [g for g in GROUP_LABELS if g in set(coverage["group"])]
    head = "<tr><th>类别 category</th><th>层级 level</th><th>阈值 threshold</th>"
    head += "".join(
        f'<th colspan="{2 if has_after else 1}">{escape(GROUP_LABELS[g])}</th>' for g in groups
    )
    head += "</tr>"
    if has_after:
        head += '<tr><th colspan="3"></th>' + "<th>现状 before</th><th>方案 after</th>" * len(
            groups
        )
        head += "</tr>"
    standard = data.area.standard
    rows = []
    for code, block in coverage.groupby("category", sort=False):
        category = standard.categories[code]
        none_before = _flags(block, "no_facility_before").any()
        none_after = _flags(block, "no_facility_after").any()
        cells = [
            f"<td>{escape(category.name_zh)}</td>",
            f"<td>{escape(standard.levels[category.level].name_zh)}</td>",
            f"<td>{category.threshold_m:g} m</td>",
        ]
        by_group = block.set_index("group")
        for g in groups:
            row = by_group.loc[g]
            cells.append(_share_cell(code, g, "before", row["share_before"], none_before))
            if has_after:
                cells.append(_share_cell(code, g, "after", row["share_after"], none_after))
        rows.append(f'<tr data-category="{escape(code)}">' + "".join(cells) + "</tr>")
    return (
        '<section id="coverage"><h2>覆盖率表 Coverage table</h2>'
        f'<div class="scroll"><table id="coverage-table"><thead>{head}</thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div></section>"
    )


def _flags(rows: pd.DataFrame, column: str) -> np.ndarray:
    """A boolean column of `rows` (all False when absent)."""
    if column not in rows.columns:
        return np.zeros(len(rows), bool)
    return rows[column].fillna(False).to_numpy(bool)


def _share_cell(category: str, group: str, when: str, share: float, missing: bool) -> str:
    value = repr(float(share)) if np.isfinite(share) else "nan"
    shown = NO_FACILITY_TEXT if missing else percent(share)
    return (
        f'<td class="num" data-category="{escape(category)}" data-group="{group}" '
        f'data-when="{when}" data-share="{value}">{shown}</td>'
    )


def _equity_section(area: Area, equity: pd.DataFrame | None) -> str:
    if equity is None or equity.empty:
        return ""
    equity = equity.assign(group=equity["group"].map(lambda g: GROUP_LABELS.get(g, g)))
    columns = {
        "category_name_zh": "类别 category",
        "threshold_m": "阈值 threshold (m)",
        "group": "人群 group",
        "mean_distance_m": "平均步行距离 mean distance (m)",
        "gini_distance": "距离基尼系数 Gini of distance",
        "left_out_population": "阈值外人口 left out",
        "left_out_share": "阈值外占比 share left out",
        "unreachable_population": "不可达人口 unreachable",
    }
    columns = {k: v for k, v in columns.items() if k != "category"}
    shown = equity[equity["group"].isin([GROUP_LABELS["all"], GROUP_LABELS["elderly"]])]
    shown = shown[[c for c in columns if c in shown.columns]].rename(columns=columns)
    return (
        '<section id="equity"><details><summary><h2>公平性 Equity</h2></summary>'
        "<p>按人口加权的步行距离及其基尼系数（0 = 人人相同），以及阈值外的人口。"
        " Population-weighted walking distance, its Gini coefficient (0 = everyone equal) and"
        " the population beyond the threshold.</p>"
        + frame_table(
            shown.round({columns["mean_distance_m"]: 0}),
            "equity-table",
            {columns["gini_distance"]: "{:.3f}".format, columns["left_out_share"]: percent},
        )
        + "</details></section>"
    )


def _plan_section(plan: PlanSection | None) -> str:
    if plan is None:
        return (
            '<section id="plan"><h2>选址方案 Site proposal</h2>'
            "<p>本次未生成选址方案。 No site proposal in this run.</p></section>"
        )
    note = f"<p>{escape(plan.note)}</p>" if plan.note else ""
    return (
        f'<section id="plan"><h2>{escape(plan.title)}</h2>{_facts(plan.facts)}{note}'
        + frame_table(plan.table, "plan-table", total=plan.total)
        + "</section>"
    )


def _candidates_section(data: ReportInput) -> str:
    """The idle spaces on offer, with the functions the plan puts in each."""
    categories = data.area.standard.categories
    candidates = data.area.candidates
    shown = pd.DataFrame(
        {
            "编号 id": candidates["id"],
            "名称 name": candidates["name"],
            "地址 address": candidates["address"],
            "面积 floor area (m²)": candidates["floor_area"],
            "费用 cost": candidates["cost"],
            "可设功能 allowed": [
                [categories[c].name_zh for c in allowed if c in categories] or ["任意 any"]
                for allowed in candidates["allowed_functions"]
            ],
            "建议功能 proposed": [
                [categories[c].name_zh for c in data.proposed_functions.get(i, [])]
                for i in candidates["id"]
            ],
        }
    )
    return (
        '<section id="candidates"><h2>候选闲置用房 Candidate idle spaces</h2>'
        + frame_table(shown, "candidates-table")
        + "</section>"
    )


def _distance_matrix(data: ReportInput) -> str:
    """Compound × category: distance to the nearest facility, red where beyond the threshold."""
    access = data.access
    categories = list(dict.fromkeys(access["category"]))
    names = {c: data.area.standard.categories[c].name_zh for c in categories}
    head = "<tr><th>小区 compound</th>" + "".join(
        f'<th class="vertical"><span>{escape(names[c])}</span></th>' for c in categories
    )
    rows = []
    for (cid, cname), block in access.groupby(["compound_id", "compound_name"], sort=False):
        by_category = block.set_index("category")
        cells = []
        for c in categories:
            row = by_category.loc[c]
            cls = "covered" if row["covered"] else "gap"
            cells.append(
                f'<td class="num {cls}" title="{escape(str(row["nearest_facility_name"] or ""))}">'
                f"{_metres(row['distance_m'])}</td>"
            )
        rows.append(f"<tr><th>{escape(cid)} {escape(cname)}</th>{''.join(cells)}</tr>")
    return (
        '<section id="matrix"><h2>步行距离矩阵 Walking distance to the nearest facility (m)</h2>'
        '<p>红色：超出该类别阈值（缺口）；"∞"：步行不可达或区内没有此类设施。'
        " Red: beyond the category threshold (a gap); ∞: none reachable.</p>"
        f'<div class="scroll"><table id="distance-matrix"><thead>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div></section>"
    )


def sheet_section(sheet: Sheet) -> str:
    """One table of the report as a section: title, note, the table (shares as %)."""
    note = f"<p>{escape(sheet.note)}</p>" if sheet.note else ""
    formats = {c: percent for c in sheet.percent}
    return (
        f'<section id="{escape(sheet.key)}"><h2>{escape(sheet.title)}</h2>{note}'
        + frame_table(sheet.table, f"{sheet.key}-table", formats, sheet.total)
        + "</section>"
    )


def _warnings(warnings: list[str]) -> str:
    if not warnings:
        return ""
    items = "".join(f"<li>{escape(w)}</li>" for w in warnings)
    return f'<section id="warnings"><h2>提示 Warnings</h2><ul>{items}</ul></section>'


def frame_table(
    frame: pd.DataFrame,
    table_id: str,
    formats: dict[str, Callable[[float], str]] | None = None,
    total: dict[str, object] | None = None,
) -> str:
    """A DataFrame as an HTML table; each cell keeps its exact value in `data-value`.

    `formats` maps a column to how its numbers are shown (default: one decimal); `total` is a
    closing row (column → value) shown in the table's foot.
    """
    formats = formats or {}
    head = "".join(f"<th>{escape(str(c))}</th>" for c in frame.columns)
    shown_as = [formats.get(c) for c in frame.columns]
    body = []
    for row in frame.itertuples(index=False):
        cells = []
        for value, fmt in zip(row, shown_as, strict=True):
            exact, shown, numeric = _cell(value)
            if fmt is not None and numeric and exact != "nan":
                shown = fmt(float(value))
            cls = ' class="num"' if numeric else ""
            cells.append(f'<td{cls} data-value="{escape(exact)}">{escape(shown)}</td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    foot = ""
    if total:
        cells = "".join(
            f"<td>{escape(_cell(total[c])[1]) if c in total else ''}</td>" for c in frame.columns
        )
        foot = f"<tfoot><tr>{cells}</tr></tfoot>"
    return (
        f'<div class="scroll"><table id="{table_id}"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody>{foot}</table></div>"
    )


def _cell(value: object) -> tuple[str, str, bool]:
    """(exact text, shown text, is numeric) of one table cell."""
    if isinstance(value, bool | np.bool_):
        return str(bool(value)), "✓" if value else "✗", False
    if isinstance(value, int | np.integer):
        return str(int(value)), f"{int(value):,}", True
    if isinstance(value, float | np.floating):
        v = float(value)
        if np.isnan(v):
            return "nan", "", True
        if np.isinf(v):
            return repr(v), "∞", True
        return repr(v), f"{v:,.0f}" if v.is_integer() else f"{v:,.1f}", True
    if isinstance(value, list | tuple):
        text = "、".join(str(v) for v in value)
        return text, text, False
    if value is None:
        return "", "", False
    return str(value), str(value), False


def _metres(distance: float) -> str:
    return "∞" if not np.isfinite(distance) else f"{distance:.0f}"


# --- map data --------------------------------------------------------------------------------


def _map_payload(data: ReportInput) -> dict:
    area = data.area
    projection = LocalProjection(area.crs)

    def latlon(x: np.ndarray, y: np.ndarray) -> list[list[float]]:
        lon, lat = projection.to_lonlat(np.asarray(x, float), np.asarray(y, float))
        return [[round(float(a), 7), round(float(b), 7)] for a, b in zip(lat, lon, strict=True)]

    graph = area.graph
    ends = latlon(graph.x, graph.y)
    streets = [[ends[u], ends[v]] for u, v in zip(graph.edge_u, graph.edge_v, strict=True)]

    gap_names = data.gaps.groupby("compound_id")["category"].apply(list).to_dict()
    categories = area.standard.categories
    compounds = []
    for row in area.compounds.itertuples(index=False):
        geometry = getattr(row, "geometry", None)
        if geometry is not None and not shapely.is_missing(geometry):
            ring = shapely.get_coordinates(shapely.get_exterior_ring(geometry))
            shape = latlon(ring[:, 0], ring[:, 1])
        else:
            shape = []
        gaps = [categories[c].name_zh for c in gap_names.get(row.id, [])]
        compounds.append(
            {
                "id": row.id,
                "name": row.name,
                "population": _number(row.population),
                "elderly": _number(row.pop_60_plus),
                "built": _number(row.built_year),
                "at": latlon([row.x], [row.y])[0],
                "polygon": shape,
                "gaps": gaps,
            }
        )
    gates = latlon(area.gates["x"], area.gates["y"]) if len(area.gates) else []
    facilities = [
        {
            "id": r.id,
            "name": r.name,
            "category": r.category,
            "label": categories[r.category].name_zh if r.category in categories else r.category,
            "at": at,
        }
        for r, at in zip(
            area.facilities.itertuples(index=False),
            latlon(area.facilities["x"], area.facilities["y"]),
            strict=True,
        )
    ]
    candidates = [
        {
            "id": r.id,
            "name": r.name,
            "address": "" if pd.isna(r.address) else str(r.address),
            "floor_area": _number(r.floor_area),
            "cost": _number(r.cost),
            "at": at,
            "functions": [
                categories[c].name_zh if c in categories else c
                for c in data.proposed_functions.get(r.id, [])
            ],
            "proposed": r.id in data.proposed_functions,
        }
        for r, at in zip(
            area.candidates.itertuples(index=False),
            latlon(area.candidates["x"], area.candidates["y"]),
            strict=True,
        )
    ]
    return {
        "streets": streets,
        "compounds": compounds,
        "supply": _supply_payload(data),
        "gates": gates,
        "facilities": facilities,
        "candidates": candidates,
        "category_order": list(categories),
        "cost_unit": data.cost_unit,
    }


def _supply_payload(data: ReportInput) -> list[dict]:
    """One entry per category for the supply-ratio map: its name, unit and the value per 1,000
    of the target group for each compound (in the order of `compounds`), or a note why none."""
    area = data.area
    supply = data.supply if data.supply is not None else pd.DataFrame(columns=["category"])
    wide = supply_per_1000(area, supply) if len(supply) else pd.DataFrame()
    entries = []
    for code, category in area.standard.categories.items():
        entry = {"label": category.name_zh, "unit": supply_unit(area, code)}
        if code in wide.columns:
            entry["values"] = [_number(v) for v in wide[code]]
        else:
            entry["note"] = data.supply_notes.get(code, NO_CAPACITY_NOTE)
        entries.append(entry)
    return entries


def _number(value: object) -> float | None:
    try:
        v = float(value)
    except (TypeError, ValueError):
        return None
    return v if np.isfinite(v) else None


# --- assets ----------------------------------------------------------------------------------


def _asset(name: str) -> str:
    return (resources.files("lifecircle.report") / "static" / name).read_text(encoding="utf-8")


def _leaflet_dir() -> Path:
    return Path(xstatic.pkg.leaflet.BASE_DIR)


def _leaflet_js() -> str:
    js = (_leaflet_dir() / "leaflet.js").read_text(encoding="utf-8")
    return _script_safe(re.sub(r"//# sourceMappingURL=\S+", "", js))


def _leaflet_css() -> str:
    """Leaflet's CSS with its images inlined as data: URIs."""
    css = (_leaflet_dir() / "leaflet.css").read_text(encoding="utf-8")

    def inline(match: re.Match) -> str:
        image = _leaflet_dir() / match.group(1)
        encoded = base64.b64encode(image.read_bytes()).decode("ascii")
        return f"url(data:image/png;base64,{encoded})"

    return re.sub(r"url\((images/[\w.-]+\.png)\)", inline, css)


def _script_safe(text: str) -> str:
    """Text that cannot close the <script> element it is placed in."""
    return text.replace("</", "<\\/")
