"""Report sections for how much, not only how near: 千人指标 adequacy and capacitated plans.

Each function returns readable tables (Chinese headers first, units, rounded values, words for
statuses) or an HTML section the report can include; nothing here computes a measure.
"""

from html import escape

import numpy as np
import pandas as pd

from lifecircle.access.adequacy import MET, NO_FACILITY, SHORT, Adequacy, adequacy
from lifecircle.access.area import AccessResult
from lifecircle.data.area import Area
from lifecircle.plan.area import plan_hubs
from lifecircle.plan.capacitated import hub_overload
from lifecircle.plan.result import INFEASIBLE, PlanResult
from lifecircle.report.html import frame_table
from lifecircle.standards import Standard

STATUS_WORDS = {MET: "达标 met", SHORT: "不足 short", NO_FACILITY: "无设施 no facility"}
FLAG_WORDS = {"C": "已核实 [C]", "R": "待核实 [R]"}
UNIT_WORDS = {"floor_area_m2": "m²", "places": "个 places"}
BASIS_WORDS = {"households": "户 households"}
PLAN_STATUS_WORDS = {"optimal": "已证明最优 proven optimal", "feasible": "可行解 feasible",
                     "infeasible": "无解 infeasible"}  # fmt: skip


def proposed_facilities(area: Area, plan: PlanResult) -> pd.DataFrame:
    """The functions a hub plan places, as facility rows (floor area = the function's area).

    Their places are unknown (NaN): a places norm counts them as 0, with a warning.
    """
    table = plan.table
    if table.empty or "function" not in table.columns:
        return pd.DataFrame(columns=["id", "name", "category", "x", "y", "floor_area", "capacity"])
    sites = area.candidates.set_index("id")
    rows = sites.loc[table["site"]]
    return pd.DataFrame({
        "id": (table["site"].astype(str) + "·" + table["function"].astype(str)).to_numpy(),
        "name": (rows["name"].astype(str) + "（方案 proposed）").to_numpy(),
        "category": table["function"].to_numpy(),
        "x": rows["x"].to_numpy(float), "y": rows["y"].to_numpy(float),
        "lon": rows["lon"].to_numpy(float), "lat": rows["lat"].to_numpy(float),
        "floor_area": table.get("floor_area_m2", pd.Series(np.nan, index=table.index)).to_numpy(),
        "capacity": np.nan,
    })  # fmt: skip


def _readable(table: pd.DataFrame, standard: Standard, by: list[tuple[str, str]]) -> pd.DataFrame:
    categories = standard.categories

    def basis(code: str) -> str:
        if code in BASIS_WORDS:
            return BASIS_WORDS[code]
        group = standard.groups[code]
        return f"{group.name_zh} {group.name_en}"

    out = pd.DataFrame({label: table[column].to_numpy() for column, label in by})
    norms = [standard.norms[c] for c in table["category"]]
    out["类别 category"] = [categories[c].name_zh for c in table["category"]]
    out["指标 norm"] = [
        f"{n.amount:g} {UNIT_WORDS[n.quantity]} / {n.per:g} {basis(n.basis)}" for n in norms
    ]
    out["核实 flag"] = [FLAG_WORDS[n.flag] for n in norms]
    unit = [UNIT_WORDS[n.quantity] for n in norms]
    out["可达供给 available"] = [
        f"{v:,.0f} {u}" for v, u in zip(table["available"], unit, strict=True)
    ]
    out["应有 required"] = [f"{v:,.0f} {u}" for v, u in zip(table["required"], unit, strict=True)]
    out["每千人可达 per 1,000 target"] = [
        "–" if not np.isfinite(a) else f"{a:,.1f} / {r:,.1f}"
        for a, r in zip(table["available_per_1000"], table["norm_per_1000"], strict=True)
    ]
    out["结论 status"] = [
        STATUS_WORDS[s] + (f"，差 {short:,.0f} {u}" if s != MET else "")
        for s, short, u in zip(table["status"], table["short"], unit, strict=True)
    ]
    return out


def adequacy_tables(result: Adequacy, standard: Standard) -> dict[str, pd.DataFrame]:
    """Readable adequacy tables for the report and the workbook: 街道, 居委会 (if any), 小区.

    "per 1,000 target" shows the supply within reach and the norm per 1,000 of the category's
    target group (e.g. elderly for day care).
    """
    tables = {"街道 sub-district": _readable(result.area, standard, [])}
    if len(result.units):
        tables["居委会 committees"] = _readable(result.units, standard, [("unit", "居委会 unit")])
    tables["小区 compounds"] = _readable(
        result.compounds, standard,
        [("compound_id", "编号 id"), ("compound_name", "小区 compound")],
    )  # fmt: skip
    return tables


def adequacy_section(before: Adequacy, standard: Standard, after: Adequacy | None = None) -> str:
    """The 千人指标 section: per 街道 (before and, with a plan, after), 居委会, and the compounds
    that fall short, as HTML."""
    parts = [
        '<section id="adequacy"><h2>千人指标 Supply per 1,000 residents</h2>',
        "<p>每处设施的面积（或托位）按 2SFCA 在其步行范围内的居民间分摊，与标准的千人指标比较："
        "达标、不足（差多少）或步行范围内无设施。[C] 已核实，[R] 凭记忆、使用前请核实。"
        " Each facility's floor area (or places) is shared among the residents within its walking"
        " catchment (2SFCA) and set against the standard's norm: met, short by how much, or no"
        " facility within reach. [C] confirmed from a found text, [R] recalled: check it.</p>",
    ]
    tables = adequacy_tables(before, standard)
    parts.append("<h3>现状 Today — 街道 sub-district</h3>")
    parts.append(frame_table(tables.pop("街道 sub-district"), "adequacy-area"))
    if after is not None:
        parts.append("<h3>方案后 After the plan — 街道 sub-district</h3>")
        parts.append(frame_table(adequacy_tables(after, standard)["街道 sub-district"],
                                 "adequacy-area-after"))  # fmt: skip
        short = after.compounds[after.compounds["status"] == SHORT]
        proposed = _readable(short, standard, [("compound_id", "编号 id"),
                                               ("compound_name", "小区 compound")])  # fmt: skip
        parts.append(
            "<h3>方案后步行可达但面积不足的小区 Compounds within reach but short, after the plan"
            "</h3><p>一处小站步行可达不等于够用：面积按服务人口核算。 Within reach is not enough:"
            " floor area is counted against the people it serves.</p>"
            + frame_table(proposed, "adequacy-after-short")
        )
    if "居委会 committees" in tables:
        parts.append("<h3>居委会 Residents' committees</h3>")
        parts.append(frame_table(tables.pop("居委会 committees"), "adequacy-units"))
    parts.append(
        "<details><summary><h3>小区明细 Every compound</h3></summary>"
        + frame_table(tables["小区 compounds"], "adequacy-compounds")
        + "</details></section>"
    )
    return "".join(parts)


def capacity_section(
    uncapacitated: PlanResult,
    capacitated: PlanResult,
    overloaded: pd.DataFrame,
    names: dict[str, str],
    site_names: dict | None = None,
) -> str:
    """Uncapacitated and capacitated plans side by side, and the functions that would overload.

    `overloaded` is `hub_overload` of the uncapacitated plan; `names` maps function codes to
    Chinese names, `site_names` site ids to names.
    """
    site_names = site_names or {}

    def site(code) -> str:
        return f"{code} {site_names.get(code, '')}".strip()

    def functions(plan: PlanResult) -> dict:
        table = plan.table
        if plan.status == "infeasible" or table.empty or "function" not in table.columns:
            return {}
        return {site: list(rows["function"]) for site, rows in table.groupby("site", sort=False)}

    before, after = functions(uncapacitated), functions(capacitated)
    sites = sorted(set(before) | set(after), key=str)
    side = pd.DataFrame({
        "站点 site": [site(s) for s in sites],
        "不计容量 uncapacitated": ["、".join(names.get(f, f) for f in before.get(s, []))
                                   for s in sites],
        "计容量 capacitated": ["、".join(names.get(f, f) for f in after.get(s, [])) for s in sites],
    })  # fmt: skip
    over = pd.DataFrame({
        "站点 site": [site(s) for s in overloaded["site"]],
        "功能 function": [names.get(f, f) for f in overloaded["function"]],
        "依赖人口 people relying": [f"{v:,.0f}" for v in overloaded["load"]],
        "可服务 capacity (persons)": [f"{v:,.0f}" for v in overloaded["capacity"]],
        "超出 over": [f"{v:,.0f}" for v in overloaded["over"]],
        "负荷 load": [f"{v:.0%}" for v in overloaded["utilisation"]],
    })  # fmt: skip
    facts = (
        f"<p>新增服务人次 people newly served: 不计容量 uncapacitated "
        f"{uncapacitated.objective:,.0f} · 计容量 capacitated {capacitated.objective:,.0f}"
        f"（{escape(PLAN_STATUS_WORDS.get(capacitated.status, capacitated.status))}）。</p>"
    )
    return (
        '<section id="capacity"><h2>容量 Capacity: 不计容量与计容量方案对比 plans side by side</h2>'
        + facts
        + frame_table(side, "capacity-side-by-side")
        + "<h3>不计容量方案中会超负荷的功能 Functions the uncapacitated plan would overload</h3>"
        + (frame_table(over, "capacity-overloaded") if len(over) else "<p>无 none.</p>")
        + "</section>"
    )


def supply_sections(
    area: Area,
    access: AccessResult,
    plan: PlanResult | None,
    budget: float | None,
    before: Adequacy | None = None,
) -> list[str]:
    """The report's how-much sections for an area and its hub plan.

    千人指标 adequacy today (`before`, computed here unless the caller has it) and, with a plan,
    after it; and the hub plan solved again with capacities beside it, with the functions the
    uncapacitated plan would overload.
    """
    before = adequacy(area) if before is None else before
    if plan is None or plan.status == INFEASIBLE or "function" not in plan.table.columns:
        return [adequacy_section(before, area.standard)]
    after = adequacy(area, proposed_facilities(area, plan))
    capacitated = plan_hubs(area, access, budget=budget, capacitated=True)
    names = {c.code: c.name_zh for c in area.standard.categories.values()}
    sites = dict(zip(area.candidates["id"], area.candidates["name"], strict=True))
    return [
        adequacy_section(before, area.standard, after),
        capacity_section(plan, capacitated, hub_overload(area, plan), names, sites),
    ]
