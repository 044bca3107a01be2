"""Coverage and head counts, computed in one place for access, plan and the report.

The groups are the standard's own (`[groups.*]` of its TOML, in file order), each with the compound
column holding its head count. A category with no facility at all in the area has no coverage to
speak of: its share is NaN and `no_facility` is True, so a face can write 无此类设施 instead of a
misleading 0.0%.
"""

import numpy as np
import pandas as pd

from lifecircle.data.area import Area
from lifecircle.standards import Standard

COVERAGE_COLUMNS = (
    "category",
    "category_name_zh",
    "level",
    "threshold_m",
    "group",
    "population",
    "covered_population",
    "share",
    "no_facility",
)
CHANGE_COLUMNS = (
    "category",
    "category_name_zh",
    "group",
    "population",
    "covered_before",
    "covered_after",
    "share_before",
    "share_after",
    "no_facility_before",
    "no_facility_after",
)


def coverage_groups(standard: Standard) -> list[str]:
    """The standard's target groups, in the order its file lists them.

    Examples
    --------
    >>> from lifecircle.standards import load_standard
    >>> coverage_groups(load_standard("gb50180-2018"))
    ['all', 'elderly', 'preschool', 'school']
    """
    return list(standard.groups)


def head_counts(area: Area, group: str) -> np.ndarray:
    """Head count of a target group per compound (0 where the column is absent or empty).

    Examples
    --------
    >>> from lifecircle.data.demo import build_demo_area
    >>> area = build_demo_area()
    >>> bool(head_counts(area, "elderly").sum() > 0)
    True
    """
    column = area.standard.groups[group].column
    if column not in area.compounds.columns:
        return np.zeros(len(area.compounds))
    return np.nan_to_num(pd.to_numeric(area.compounds[column], errors="coerce").to_numpy(float))


def facility_counts(area: Area) -> dict[str, int]:
    """How many facilities of each of the standard's categories the area has (0 included)."""
    if "category" in area.facilities.columns:
        present = area.facilities["category"].astype(str).value_counts()
    else:
        present = pd.Series(dtype=int)
    return {code: int(present.get(code, 0)) for code in area.standard.categories}


def categories_without_facilities(area: Area) -> list[str]:
    """Codes of the standard's categories with no facility at all in the area."""
    return [code for code, n in facility_counts(area).items() if n == 0]


def covered_matrix(access: pd.DataFrame, compound_ids, codes: list[str]) -> np.ndarray:
    """Boolean (compounds × codes): is the compound covered for the category, from an access table.

    Rows follow `compound_ids`, columns `codes`; a pair missing from the table is not covered.
    """
    if access.empty:
        return np.zeros((len(compound_ids), len(codes)), dtype=bool)
    table = access.pivot_table(
        index="compound_id", columns="category", values="covered", aggfunc="max"
    )
    table = table.reindex(index=list(compound_ids), columns=codes).fillna(False)
    return table.to_numpy(dtype=bool)


def coverage_table(area: Area, covered: np.ndarray) -> pd.DataFrame:
    """Population covered per category (columns of `covered`, in the standard's order) and group.

    `covered` is boolean (compounds × categories of the standard). Returns the columns of
    `COVERAGE_COLUMNS`; `share` is NaN where the group has nobody or the category no facility.
    """
    standard = area.standard
    missing = set(categories_without_facilities(area))
    heads = {group: head_counts(area, group) for group in coverage_groups(standard)}
    rows = []
    for k, category in enumerate(standard.categories.values()):
        for group, head in heads.items():
            population = float(head.sum())
            covered_population = float(head[covered[:, k]].sum())
            no_facility = category.code in missing
            rows.append(
                {
                    "category": category.code,
                    "category_name_zh": category.name_zh,
                    "level": category.level,
                    "threshold_m": category.threshold_m,
                    "group": group,
                    "population": population,
                    "covered_population": covered_population,
                    "share": _share(covered_population, population, no_facility),
                    "no_facility": no_facility,
                }
            )
    return pd.DataFrame(rows, columns=list(COVERAGE_COLUMNS))


def coverage_change(
    area: Area,
    covered_before: np.ndarray,
    covered_after: dict[str, np.ndarray],
    added: set[str] | frozenset[str] = frozenset(),
) -> pd.DataFrame:
    """Per category and group: population covered before and after a plan, and the shares.

    `covered_before` is boolean (compounds × categories of the standard); `covered_after` maps a
    category code to its coverage after the plan (categories absent keep their coverage before);
    `added` names the categories the plan opens at least one site of. Returns `CHANGE_COLUMNS`.
    """
    standard = area.standard
    missing = set(categories_without_facilities(area))
    heads = {group: head_counts(area, group) for group in coverage_groups(standard)}
    rows = []
    for k, category in enumerate(standard.categories.values()):
        before = covered_before[:, k]
        after = covered_after.get(category.code, before)
        none_before = category.code in missing
        none_after = none_before and category.code not in added
        for group, head in heads.items():
            population = float(head.sum())
            b, a = float(head[before].sum()), float(head[after].sum())
            rows.append(
                {
                    "category": category.code,
                    "category_name_zh": category.name_zh,
                    "group": group,
                    "population": population,
                    "covered_before": b,
                    "covered_after": a,
                    "share_before": _share(b, population, none_before),
                    "share_after": _share(a, population, none_after),
                    "no_facility_before": none_before,
                    "no_facility_after": none_after,
                }
            )
    return pd.DataFrame(rows, columns=list(CHANGE_COLUMNS))


def _share(covered: float, population: float, no_facility: bool) -> float:
    return covered / population if population > 0 and not no_facility else np.nan
