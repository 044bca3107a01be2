"""The planner's tables, in words: Chinese headers with units, names instead of codes.

One builder for the HTML report and the Excel workbook, so both show the same numbers. Values
stay numbers (metres rounded to 1 m, head counts to 1 person, shares 0–1 that the writers show
as %); a category with no facility in the area reads 无此类设施 instead of a share.
"""

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from lifecircle.data.area import Area
from lifecircle.library.results import Accessibility, PlanResult

NO_FACILITY_TEXT = "无此类设施"
GROUP_NAMES = {
    "all": "全体 all",
    "elderly": "60岁以上 60+",
    "preschool": "0–6岁 0–6",
    "school": "7–14岁 7–14",
}
YES, NO = "是", "否"
NO_FACILITY_NOTE = "无此类设施 no facility of this category"
NO_CAPACITY_NOTE = "无设施面积数据 no floor area given"


@dataclass
class Sheet:
    """One table of the report: a sheet in the workbook, a section in the HTML.

    `percent` names the columns holding shares (0–1) to show as %; `total` is a closing row
    (e.g. the total cost) shown under the table.
    """

    key: str
    title: str
    table: pd.DataFrame
    note: str = ""
    percent: tuple[str, ...] = ()
    total: dict[str, object] = field(default_factory=dict)
    in_html: bool = True
    """False for a table the HTML already shows in its own section (workbook only)."""


def _metres(values) -> pd.Series:
    """Metres rounded to 1 m; unreachable (inf) stays inf, shown as ∞ / 不可达."""
    values = pd.Series(values, dtype=float)
    return values.where(~np.isfinite(values), values.round(0))


def _people(values) -> pd.Series:
    return pd.Series(values, dtype=float).round(0)


def _text(value: object) -> str:
    return "" if value is None or (isinstance(value, float) and np.isnan(value)) else str(value)


def category_name(area: Area, code: str) -> str:
    category = area.standard.categories.get(code)
    return category.name_zh if category is not None else str(code)


def _share_or_none(share: float, no_facility: bool) -> object:
    return NO_FACILITY_TEXT if no_facility else share


def coverage_sheet(area: Area, access: Accessibility, plan: PlanResult | None) -> Sheet:
    """Per category and group: residents, covered before (and after the plan), shares."""
    standard = area.standard
    if plan is not None and plan.feasible:
        rows = plan.coverage
    else:
        rows = access.coverage.rename(
            columns={"covered_population": "covered_before", "share": "share_before",
                     "no_facility": "no_facility_before"}
        )  # fmt: skip
    after = plan is not None and plan.feasible
    table = pd.DataFrame(
        {
            "类别 category": [category_name(area, c) for c in rows["category"]],
            "阈值 threshold (m)": [standard.categories[c].threshold_m for c in rows["category"]],
            "人群 group": [GROUP_NAMES.get(g, g) for g in rows["group"]],
            "人口 residents (人)": _people(rows["population"]).to_numpy(),
            "现状覆盖 covered now (人)": _people(rows["covered_before"]).to_numpy(),
            "现状覆盖率 share now": [
                _share_or_none(s, t)
                for s, t in zip(rows["share_before"], rows["no_facility_before"], strict=True)
            ],
        }
    )
    shares = ("现状覆盖率 share now",)
    if after:
        table["方案后覆盖 covered after (人)"] = _people(rows["covered_after"]).to_numpy()
        table["方案后覆盖率 share after"] = [
            _share_or_none(s, t)
            for s, t in zip(rows["share_after"], rows["no_facility_after"], strict=True)
        ]
        shares += ("方案后覆盖率 share after",)
    return Sheet(
        "coverage", "覆盖率 Coverage", table,
        "在类别阈值步行距离内至少有一处设施的居民占比。 Share of residents with a facility of the "
        "category within its walking threshold.",
        shares,
    )  # fmt: skip


def gaps_sheet(area: Area, access: Accessibility, plan: PlanResult | None) -> Sheet:
    """Each uncovered (compound, category) with its distance and target group."""
    gaps = access.gaps
    table = pd.DataFrame(
        {
            "小区 compound": gaps["compound_name"].astype(str).to_numpy(),
            "类别 category": [category_name(area, c) for c in gaps["category"]],
            "最近距离 nearest (m)": _metres(gaps["distance_m"]).to_numpy(),
            "最近设施 nearest facility": [
                "—" if pd.isna(v) else str(v) for v in gaps["nearest_facility_name"]
            ],
            "目标人群 target group": [GROUP_NAMES.get(g, g) for g in gaps["target_group"]],
            "目标人口 target residents (人)": _people(gaps["target_population"]).to_numpy(),
        }
    )
    if plan is not None and plan.feasible:
        after = plan.covered.set_index(["compound_id", "category"])["covered_after"]
        closed = after.reindex(pd.MultiIndex.from_frame(gaps[["compound_id", "category"]]))
        table["方案后补足 closed by the plan"] = [YES if c else NO for c in closed.fillna(False)]
    return Sheet("gaps", f"缺口 Gaps ({len(table)})", table)


def compounds_sheet(area: Area, access: Accessibility) -> Sheet:
    """One row per compound: head counts and the walking distance to each category."""
    distance = access.table.pivot(index="compound_id", columns="category", values="distance_m")
    codes = list(area.standard.categories)
    distance = distance.reindex(index=area.compounds["id"], columns=codes)
    table = pd.DataFrame(
        {
            "小区 compound": area.compounds["name"].astype(str).to_numpy(),
            "人口 residents (人)": _people(area.compounds["population"]).to_numpy(),
            "60岁以上 aged 60+ (人)": _people(area.compounds["pop_60_plus"]).to_numpy(),
        }
    )
    for code in codes:
        table[f"{category_name(area, code)} (m)"] = _metres(distance[code]).to_numpy()
    return Sheet(
        "compounds", "各小区步行距离 Walking distance per compound", table,
        "经小区大门到最近设施的步行距离（米）；∞ 表示不可达或区内无此类设施。 Walking distance "
        "through the gates to the nearest facility; ∞: none reachable.",
    )  # fmt: skip


def supply_unit(area: Area, code: str) -> str:
    """The unit of a category's supply ratio as shown: m² per 1,000 of its target group."""
    group = area.standard.groups[area.standard.categories[code].group]
    return f"m²/千名{group.name_zh} per 1,000 {group.name_en}"


def supply_per_1000(area: Area, supply: pd.DataFrame) -> pd.DataFrame:
    """The 2SFCA table (compound_id, category, value per person) as one row per compound and
    one column per category code: m² per 1,000 of the target group, rounded to 0.1."""
    codes = [c for c in area.standard.categories if c in set(supply["category"])]
    wide = supply.pivot(index="compound_id", columns="category", values="value")
    wide = wide.reindex(index=area.compounds["id"], columns=codes).astype(float)
    return (wide * 1000.0).round(1)


def supply_sheet(area: Area, supply: pd.DataFrame) -> Sheet:
    """One row per compound, one column per category: floor area within walking reach per
    1,000 of the category's target group (2SFCA at the category's threshold)."""
    wide = supply_per_1000(area, supply)
    table = pd.DataFrame(
        {
            "编号 id": area.compounds["id"].astype(str).to_numpy(),
            "小区 compound": area.compounds["name"].astype(str).to_numpy(),
        }
    )
    for code in wide.columns:
        header = f"{category_name(area, code)} ({supply_unit(area, code).split(' ')[0]})"
        table[header] = wide[code].to_numpy()
    return Sheet(
        "supply", "供需比 Floor area per 1,000 of the target group (2SFCA, m²)", table,
        "每处设施的面积在其步行阈值内的目标人群间分摊（2SFCA），按小区汇总，折算为每千名目标人群的"
        "平方米数；空白：小区不在路网上。 Each facility's floor area shared among the target group "
        "within its walking threshold (2SFCA), per compound, as m² per 1,000 of the group; "
        "blank: compound not on the walk network.",
        in_html=False,
    )  # fmt: skip


def plan_sheet(area: Area, plan: PlanResult, cost_unit: str) -> Sheet:
    """One row per (opened site, function), with the total cost under it."""
    functions = plan.functions
    candidates = area.candidates.set_index("id")
    sites = functions["site"]
    table = pd.DataFrame(
        {
            "站点 site": [str(candidates["name"].get(s, s)) for s in sites],
            "地址 address": [_text(candidates["address"].get(s)) for s in sites],
            "功能 function": [category_name(area, f) for f in functions["function"]],
        }
    )
    if "floor_area_m2" in functions.columns:  # the hub model: each function's floor area
        table["功能面积 function area (m²)"] = functions["floor_area_m2"].round(0).to_numpy()
    table["站点面积 site area (m²)"] = (
        pd.to_numeric(candidates["floor_area"], errors="coerce").reindex(sites).round(0).to_numpy()
    )
    cost = pd.to_numeric(candidates["cost"], errors="coerce").reindex(sites).reset_index(drop=True)
    # a site's cost once, on its first function's row, so the column sums to the total
    table[f"改造费用 cost ({cost_unit})"] = cost.where(~sites.duplicated().to_numpy()).to_numpy()
    if "new_population" in functions.columns:
        table["新增覆盖 newly covered (人)"] = _people(functions["new_population"]).to_numpy()
    elif "weight_served" in functions.columns:
        table["分配服务人口 residents assigned (人)"] = _people(
            functions["weight_served"]
        ).to_numpy()
    remaining = plan.budget_remaining
    total = {"站点 site": "合计 total", f"改造费用 cost ({cost_unit})": round(plan.cost, 2)}
    note = f"启用 {len(plan.sites)} 处 sites opened; 费用 cost {plan.cost:g} {cost_unit}"
    if plan.budget is not None:
        note += f"; 预算 budget {plan.budget:g}, 剩余 remaining {remaining:g} {cost_unit}"
    note += "（每处站点的费用只计一次 each site's cost counts once）"
    return Sheet("plan", "选址方案 Site proposal", table, note, total=total)


def targets_sheet(area: Area, plan: PlanResult) -> Sheet | None:
    """Each coverage target: met or not, and the best share any plan could reach."""
    if not plan.targets:
        return None
    compound_names = dict(zip(area.compounds["id"], area.compounds["name"], strict=True))
    table = pd.DataFrame(
        {
            "类别 category": [category_name(area, t.category) for t in plan.targets],
            "目标 target": [t.target_share for t in plan.targets],
            "现状 now": [t.share_before for t in plan.targets],
            "方案后 after": [t.share_after for t in plan.targets],
            "最多可达 reachable at best": [t.reachable_share for t in plan.targets],
            "达到 met": [YES if t.met else NO for t in plan.targets],
            "候选点够不到的小区 compounds no candidate reaches": [
                "、".join(str(compound_names.get(c, c)) for c in t.unreachable_compounds) or "—"
                for t in plan.targets
            ],
        }
    )
    return Sheet("targets", "覆盖目标 Coverage targets", table,
                 percent=("目标 target", "现状 now", "方案后 after", "最多可达 reachable at best"))  # fmt: skip


def priorities_sheet(area: Area, plan: PlanResult) -> Sheet | None:
    """Which of the residents' priorities (``--weights``, e.g. from a survey) the plan serves.

    One row per category, highest priority first: its weight (a category row, else the mean of
    its compound rows), the share of its target group covered now and after the plan, and the
    opened sites that add it.
    """
    if plan.priorities is None or plan.priorities.empty:
        return None
    table = plan.priorities
    wide = table[table["compound_id"].isna()].set_index("category")["weight"]
    by_compound = table[table["compound_id"].notna()].groupby("category")["weight"].mean()
    weight = wide.combine_first(by_compound).sort_values(ascending=False, kind="stable")
    coverage = plan.coverage.set_index(["category", "group"])
    rows = []
    for code, value in weight.items():
        group = area.standard.categories[code].group
        share = coverage.loc[(code, group)] if (code, group) in coverage.index else None
        adding = [str(name) for name, functions in
                  zip(plan.sites["name"], plan.sites["functions"], strict=True) if code in functions]  # fmt: skip
        before = np.nan if share is None else share["share_before"]
        after = np.nan if share is None else share["share_after"]
        rows.append({
            "类别 category": category_name(area, code),
            "居民优先级 priority": round(float(value), 2),
            "目标人群 group": area.standard.groups[group].name_zh if group in area.standard.groups else group,
            "现状 now": before,
            "方案后 after": after,
            "新增站点 sites adding it": "、".join(adding) or "—",
            "方案回应 served": YES if adding and after > before else NO,
        })  # fmt: skip
    return Sheet("priorities", "居民优先诉求 Residents' priorities", pd.DataFrame(rows),
                 "按居民给出的优先级（如问卷“呼声最高”）排序，看方案是否补上这些缺口。 Ordered by the "
                 "residents' priorities (e.g. a survey's most-wanted services): does the plan close "
                 "these gaps?", percent=("现状 now", "方案后 after"))  # fmt: skip


def closures_sheet(area: Area, closures: pd.DataFrame) -> Sheet:
    """做减法: existing facilities that could close with nobody losing coverage."""
    shown = closures[closures["can_close"]]
    table = pd.DataFrame(
        {
            "设施 facility": shown["name"].astype(str).to_numpy(),
            "类别 category": [category_name(area, c) for c in shown["category"]],
            "同类设施数 facilities of the kind": shown["facilities_of_category"].to_numpy(),
            "覆盖小区 compounds served": shown["compounds_served"].to_numpy(),
        }
    )
    return Sheet(
        "closures", f"做减法 Sites that could close ({len(table)})", table,
        "这些设施一起关闭后，每个原本被覆盖的小区仍有同类设施在阈值内（最小覆盖集之外）。"
        "关闭与否还需看面积、质量与居民意见。 Closing these together leaves every covered compound "
        "covered by another facility of the kind (outside a minimum covering set); size, quality "
        "and residents' views decide.",
    )  # fmt: skip


def merges_sheet(area: Area, merges: pd.DataFrame, cost_unit: str) -> Sheet:
    """归并: several small same-audience sites one candidate could replace as a hub."""
    facility_names = dict(zip(area.facilities["id"], area.facilities["name"], strict=True))
    candidates = area.candidates.set_index("id")
    table = pd.DataFrame(
        {
            "候选点 candidate": [str(candidates["name"].get(c, c)) for c in merges["candidate"]],
            "可归并站点数 sites merged": merges["sites_merged"].to_numpy(),
            "归并的设施 facilities merged": [
                "、".join(str(facility_names.get(f, f)) for f in fs) for fs in merges["facilities"]
            ],
            "功能 functions": [
                "、".join(category_name(area, c) for c in cs) for cs in merges["categories"]
            ],  # fmt: skip
            "所需面积 floor area needed (m²)": merges["floor_area_needed_m2"].round(0).to_numpy(),
            "候选点面积 candidate floor area (m²)": merges["candidate_floor_area_m2"]
            .round(0)
            .to_numpy(),
        }
    )
    return Sheet(
        "merges", f"归并 One-stop complexes ({len(table)})", table,
        "把服务同一人群的几处小站并入一处候选点，且每个小区的覆盖不减。 Several small sites of the same "
        "audience replaced by one hub at a candidate, with no compound losing coverage.",
    )  # fmt: skip


def boundary_sheet(
    area: Area, access: Accessibility, plan: PlanResult | None, zones: pd.Series
) -> Sheet:
    """Per 居委会 / 街道 polygon: residents and the share of them covered per category."""
    covered = plan.covered if plan is not None and plan.feasible else access.table.rename(
        columns={"covered": "covered_after"}
    )  # fmt: skip
    zone_of = dict(zip(area.compounds["id"], zones, strict=True))
    population = dict(
        zip(area.compounds["id"], area.compounds["population"].fillna(0), strict=True)
    )
    frame = covered.assign(
        zone=covered["compound_id"].map(zone_of),
        people=covered["compound_id"].map(population).astype(float),
    )
    frame = frame[frame["zone"].notna()]
    frame["reached"] = frame["people"] * frame["covered_after"].astype(bool)
    sums = frame.groupby(["zone", "category"], sort=True)[["people", "reached"]].sum()
    share = (sums["reached"] / sums["people"].where(sums["people"] > 0)).unstack("category")
    codes = [c for c in area.standard.categories if c in share.columns]
    missing = set(access.missing_categories())
    residents = frame.drop_duplicates("compound_id").groupby("zone")["people"].sum()
    table = pd.DataFrame({"范围 area": share.index.astype(str),
                          "人口 residents (人)": _people(residents.reindex(share.index)).to_numpy()})  # fmt: skip
    columns = []
    for code in codes:
        column = f"{category_name(area, code)}"
        table[column] = [NO_FACILITY_TEXT if code in missing and not v else v for v in share[code]]
        columns.append(column)
    when = "方案后" if plan is not None and plan.feasible else "现状"
    return Sheet(
        "boundary", f"各居委会覆盖率 Coverage per committee area（{when}）", table,
        "按边界文件的多边形汇总小区（小区点落在多边形内）。 Compounds summed per boundary polygon.",
        tuple(columns),
    )  # fmt: skip


def warnings_sheet(warnings: list[str]) -> Sheet:
    return Sheet("warnings", "提示 Warnings", pd.DataFrame({"提示 warning": list(warnings)}))
