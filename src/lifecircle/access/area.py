"""Accessibility of an Area: every compound × category, coverage by group, and the gaps.

`attach` joins compounds (through their gates), facilities and candidate sites to the walk graph
in one snapping pass; `analyse` runs the distance engine per category and returns plain tables.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

from lifecircle.access.coverage import (
    categories_without_facilities,
    coverage_groups,
    coverage_table,
    head_counts,
)
from lifecircle.access.engine import nearest_and_counts_many
from lifecircle.data.area import Area
from lifecircle.errors import InputError
from lifecircle.network.graph import WalkGraph
from lifecircle.network.snap import attach_points
from lifecircle.progress import Progress, silent


class AreaInputError(InputError):
    """The area cannot be analysed as it stands (see the subclasses)."""


class NoCompoundsError(AreaInputError):
    """The area has no compound (no demand point) to measure access from."""


class NoFacilitiesError(AreaInputError):
    """The area has no facility of any of the standard's categories."""


@dataclass
class AttachedArea:
    """The area's graph with every point of interest attached as a node.

    Each point (a compound's gate, or its centroid when it has none; a facility; a candidate site)
    is a node of `graph` joined to its projection on the nearest street by a straight connector, so
    every distance read on this graph includes the walk to the street at both ends. Entry points
    farther than `max_offset_m` from any street are left out (with a warning), so every entry node
    is valid. `street_node_of[v]` is the street node a point node `v` hangs on (`v` itself for
    street nodes): distances between street nodes are those without the connectors.
    """

    graph: WalkGraph
    compound_entry_node: np.ndarray
    compound_entry_owner: np.ndarray
    compound_entry_offset: np.ndarray
    facility_node: np.ndarray
    candidate_node: np.ndarray
    warnings: list[str]
    street_node_of: np.ndarray


def _column(frame: pd.DataFrame, name: str, default: object = np.nan) -> np.ndarray:
    if name in frame.columns:
        return frame[name].to_numpy()
    return np.full(len(frame), default, dtype=object if isinstance(default, str) else float)


def _entry_points(area: Area, warnings: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(x, y, owner row) of each compound's gates, or of its centroid where it has no gates."""
    compounds, gates = area.compounds, area.gates
    row_of_id = {cid: row for row, cid in enumerate(compounds["id"].tolist())}
    gx, gy, gowner = [], [], []
    if len(gates):
        for i, (cid, x, y) in enumerate(
            zip(
                gates["compound_id"].tolist(), gates["x"].tolist(), gates["y"].tolist(), strict=True
            )
        ):
            if cid not in row_of_id:
                warnings.append(
                    f"大门第 {i + 1} 行属于不存在的小区 {cid!r}，已忽略 "
                    f"gate row {i + 1} names unknown compound {cid!r}; ignored"
                )
                continue
            gx.append(x)
            gy.append(y)
            gowner.append(row_of_id[cid])
    gated = np.zeros(len(compounds), dtype=bool)
    gated[np.asarray(gowner, dtype=np.int64)] = True
    centroid_rows = np.flatnonzero(~gated)
    x = np.concatenate([np.asarray(gx, dtype=float), compounds["x"].to_numpy(float)[centroid_rows]])
    y = np.concatenate([np.asarray(gy, dtype=float), compounds["y"].to_numpy(float)[centroid_rows]])
    owner = np.concatenate([np.asarray(gowner, dtype=np.int64), centroid_rows])
    return x, y, owner


def _far_warning(kind_zh: str, kind_en: str, label: str, offset: float, limit: float) -> str:
    where = "不在任何道路附近 no street at all" if not np.isfinite(offset) else f"{offset:.0f} m"
    return (
        f"{kind_zh} {label} 距最近道路 {where}，超过 {limit:g} m，未接入路网 "
        f"{kind_en} {label} is {where} from the nearest street, beyond {limit:g} m; not attached"
    )


def _offset_warning(kind_zh: str, kind_en: str, label: str, offset: float, limit: float) -> str:
    return (
        f"{kind_zh} {label} 距最近道路 {offset:.0f} m（超过 {limit:g} m），步行距离已计入这段直线 "
        f"{kind_en} {label} is {offset:.0f} m from the nearest street (over {limit:g} m); "
        "its walks include this straight connector"
    )


def attach(area: Area, max_offset_m: float = 300.0, warn_offset_m: float = 50.0) -> AttachedArea:
    """Attach gates (or centroids), facilities and candidates to the area's graph in one pass.

    Each point is joined to its projection on the nearest street by a straight connector edge
    (see `lifecircle.network.snap.attach_points`). Points farther than `max_offset_m` are not
    attached; attached points farther than `warn_offset_m` are named in the warnings with their
    distance.

    Examples
    --------
    >>> from lifecircle.data.demo import build_demo_area
    >>> attached = attach(build_demo_area())
    >>> bool((attached.facility_node >= 0).all())
    True
    """
    warnings: list[str] = []
    ex, ey, eowner = _entry_points(area, warnings)
    fac, cand = area.facilities, area.candidates
    px = np.concatenate([ex, fac["x"].to_numpy(float), cand["x"].to_numpy(float)])
    py = np.concatenate([ey, fac["y"].to_numpy(float), cand["y"].to_numpy(float)])
    bad = ~(np.isfinite(px) & np.isfinite(py))
    snapped = attach_points(
        area.graph, np.where(bad, 0.0, px), np.where(bad, 0.0, py), max_offset_m
    )
    node = np.where(bad, -1, snapped.node)
    offset = np.where(bad, np.inf, snapped.offset_m)
    n_e, n_f = ex.size, len(fac)

    names = _column(area.compounds, "name", "")
    entry_labels = [
        f"{area.compounds['id'].iloc[owner]} {names[owner]}".strip() for owner in eowner
    ]
    sides = [("小区入口", "compound entry", entry_labels, 0)]
    for kind_zh, kind_en, frame, lo in (
        ("设施", "facility", fac, n_e),
        ("候选点", "candidate site", cand, n_e + n_f),
    ):
        frame_names = _column(frame, "name", "")
        labels = [f"{i} {n}".strip() for i, n in zip(frame["id"], frame_names, strict=True)]
        sides.append((kind_zh, kind_en, labels, lo))
    for kind_zh, kind_en, labels, lo in sides:
        for j, label in enumerate(labels):
            i = lo + j
            if bad[i]:
                warnings.append(f"{kind_zh} {label} 缺少坐标 {kind_en} {label} has no coordinates")
            elif node[i] < 0:
                warnings.append(_far_warning(kind_zh, kind_en, label, offset[i], max_offset_m))
            elif offset[i] > warn_offset_m:
                warnings.append(_offset_warning(kind_zh, kind_en, label, offset[i], warn_offset_m))

    keep = node[:n_e] >= 0
    attached_rows = np.unique(eowner[keep])
    for row in np.setdiff1d(np.arange(len(area.compounds)), attached_rows):
        label = f"{area.compounds['id'].iloc[row]} {names[row]}".strip()
        warnings.append(
            f"小区 {label} 没有接入路网的入口，可达距离记为无穷 "
            f"compound {label} has no entry attached to the network; its distances are inf"
        )
    street_node_of = np.arange(snapped.graph.n_nodes, dtype=np.int64)
    hung = (node >= 0) & (snapped.street_node >= 0)
    street_node_of[node[hung]] = snapped.street_node[hung]
    return AttachedArea(
        graph=snapped.graph,
        compound_entry_node=node[:n_e][keep],
        compound_entry_owner=eowner[keep],
        compound_entry_offset=offset[:n_e][keep],
        facility_node=node[n_e : n_e + n_f].astype(np.int64),
        candidate_node=node[n_e + n_f :].astype(np.int64),
        warnings=warnings,
        street_node_of=street_node_of,
    )


def compound_min(attached: AttachedArea, node_values: np.ndarray, n_compounds: int) -> np.ndarray:
    """Minimum of a per-node array (1-D, or 2-D with nodes first) over each compound's entries.

    Compounds without an attached entry get inf.
    """
    node_values = np.asarray(node_values, dtype=np.float64)
    out = np.full((n_compounds,) + node_values.shape[1:], np.inf)
    np.minimum.at(out, attached.compound_entry_owner, node_values[attached.compound_entry_node])
    return out


def _compound_argmin(
    attached: AttachedArea, node_dist: np.ndarray, node_which: np.ndarray, n_compounds: int
) -> tuple[np.ndarray, np.ndarray]:
    """Per compound: distance to the nearest facility through its best entry, and which one."""
    dist = np.full(n_compounds, np.inf)
    which = np.full(n_compounds, -1, dtype=np.int64)
    entry_dist = node_dist[attached.compound_entry_node]
    order = np.lexsort((entry_dist, attached.compound_entry_owner))
    owner = attached.compound_entry_owner[order]
    first = np.ones(owner.size, dtype=bool)
    first[1:] = owner[1:] != owner[:-1]
    best = order[first]
    dist[owner[first]] = entry_dist[best]
    which[owner[first]] = node_which[attached.compound_entry_node[best]]
    return dist, which


def _pick(values: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """values[rows] as objects, None where rows is -1."""
    out = np.full(rows.shape[0], None, dtype=object)
    out[rows >= 0] = values[rows[rows >= 0]]
    return out


@dataclass
class AccessResult:
    """Tables of one accessibility analysis (see `analyse`)."""

    attached: AttachedArea
    access: pd.DataFrame
    coverage: pd.DataFrame
    gaps: pd.DataFrame
    warnings: list[str]


def _count_column(distance_m: float) -> str:
    return f"count_within_{distance_m:g}m"


def analyse(
    area: Area, progress: Progress = silent, attached: AttachedArea | None = None
) -> AccessResult:
    """Walking access from every compound to every category of the area's standard.

    Every distance includes the straight connector from each point to its street at both ends
    (see `attach`). access: one row per (compound, category) with the nearest facility, its
    walking distance from the best entry point (inf if none reachable), the count within the
    category threshold and within each level distance. coverage: population share covered per
    category and target group of the standard. gaps: the uncovered (compound, category) rows with
    the category's target-group head count. A category with no facility at all has
    `no_facility` True in every table, NaN shares and a warning naming it.

    Raises NoCompoundsError when the area has no compound and NoFacilitiesError when it has no
    facility of any of the standard's categories.

    Examples
    --------
    >>> from lifecircle.data.demo import build_demo_area
    >>> result = analyse(build_demo_area())
    >>> sorted(result.coverage["group"].unique())
    ['all', 'elderly', 'preschool', 'school']
    """
    standard = area.standard
    compounds, facilities = area.compounds, area.facilities
    fac_category = _column(facilities, "category", "").astype(str)
    if len(compounds) == 0:
        raise NoCompoundsError(
            f"{area.name}: 没有小区，无法计算可达性 the area has no compounds to measure access from"
        )
    if not np.isin(fac_category, list(standard.categories)).any():
        raise NoFacilitiesError(
            f"{area.name}: 没有任何属于标准 {standard.name} 类别的设施 the area has no facility of "
            f"any category of standard {standard.name} ({len(facilities)} facility rows)"
        )
    if attached is None:
        attached = attach(area)
    warnings = list(attached.warnings)
    n_compounds = len(compounds)
    levels = standard.level_distances()
    fac_ids = _column(facilities, "id", "")
    fac_names = _column(facilities, "name", "")
    for code in sorted(set(fac_category) - set(standard.categories)):
        rows = np.flatnonzero(fac_category == code)
        listed = ", ".join(str(fac_ids[r]) for r in rows[:5]) + (" …" if rows.size > 5 else "")
        warnings.append(
            f"未知类别 {code!r}（{rows.size} 个设施：{listed}）不在标准 {standard.name} 中，未计入 "
            f"unknown category {code!r} ({rows.size} facilities: {listed}) is not in standard "
            f"{standard.name}; left out"
        )
    missing = categories_without_facilities(area)
    if missing:
        names = "、".join(f"{standard.categories[c].name_zh} {c}" for c in missing)
        warnings.append(
            f"无此类设施 no facility of these categories: {names}；覆盖率记为空而非 0 "
            "coverage left empty, not 0"
        )

    frames = []
    categories = list(standard.categories.values())
    progress("可达性分析 access analysis", 0, 1)
    rows_of = [
        np.flatnonzero((fac_category == c.code) & (attached.facility_node >= 0)) for c in categories
    ]
    node_sets = [attached.facility_node[rows] for rows in rows_of]
    radii = np.unique([*(c.threshold_m for c in categories), *levels])
    node_dist, node_which, counts_all = nearest_and_counts_many(
        attached.graph,
        node_sets,
        radii,
        attached.compound_entry_node,
        attached.compound_entry_owner,
        n_compounds,
    )
    column_of = {float(r): j for j, r in enumerate(radii)}
    for k, category in enumerate(categories):
        rows = rows_of[k]
        dist, which = _compound_argmin(attached, node_dist[k], node_which[k], n_compounds)
        counts = counts_all[k][
            :, [column_of[float(category.threshold_m)]] + [column_of[float(d)] for d in levels]
        ]
        found = which >= 0
        facility_row = np.full(n_compounds, -1, dtype=np.int64)
        facility_row[found] = rows[which[found]]
        frame = pd.DataFrame(
            {
                "compound_id": compounds["id"].to_numpy(),
                "compound_name": _column(compounds, "name", ""),
                "category": category.code,
                "distance_m": dist,
                "nearest_facility_id": _pick(fac_ids, facility_row),
                "nearest_facility_name": _pick(fac_names, facility_row),
                "count_within_threshold": counts[:, 0],
                "covered": dist <= category.threshold_m,
                "no_facility": category.code in missing,
            }
        )
        for j, distance in enumerate(levels):
            frame[_count_column(distance)] = counts[:, 1 + j]
        frames.append(frame)
    progress("可达性分析 access analysis", 1, 1)
    access = pd.concat(frames, ignore_index=True)

    covered = np.column_stack([f["covered"].to_numpy(bool) for f in frames])
    coverage = coverage_table(area, covered)

    gap_frames = []
    for k, category in enumerate(categories):
        gap = frames[k].assign(
            target_group=category.group, target_population=head_counts(area, category.group)
        )
        gap_frames.append(gap[~gap["covered"]])
    gaps = pd.concat(gap_frames, ignore_index=True)
    return AccessResult(attached, access, coverage, gaps, warnings)


def weighted_gini(values: np.ndarray, weights: np.ndarray) -> float:
    """Gini coefficient of `values` with population `weights` (0 = everyone equal)."""
    values = np.asarray(values, dtype=np.float64)
    weights = np.asarray(weights, dtype=np.float64)
    keep = weights > 0
    values, weights = values[keep], weights[keep]
    total = float((weights * values).sum())
    if values.size == 0 or total <= 0:
        return np.nan
    order = np.argsort(values, kind="stable")
    x, w = values[order], weights[order]
    weight_before = np.cumsum(w) - w
    sum_before = np.cumsum(w * x) - w * x
    # sum over pairs of w_i w_j |x_i - x_j| / (2 W^2 mean), each pair counted once.
    return float((w * (x * weight_before - sum_before)).sum() / (w.sum() * total))


def equity(area: Area, result: AccessResult) -> pd.DataFrame:
    """Per category and group: population-weighted Gini of walking distance and who is left out.

    The Gini is over the population that reaches the category at all; `unreachable_population`
    counts those with no reachable facility, `left_out_population` everyone beyond the threshold.
    Categories with no facility at all have `no_facility` True and NaN shares and distances.
    """
    rows = []
    standard = area.standard
    heads = {group: head_counts(area, group) for group in coverage_groups(standard)}
    for code, frame in result.access.groupby("category", sort=False):
        category = standard.categories[code]
        distance = frame["distance_m"].to_numpy(float)
        covered = frame["covered"].to_numpy(bool)
        no_facility = bool(frame["no_facility"].any())
        finite = np.isfinite(distance)
        for group_code, head in heads.items():
            population = float(head.sum())
            reached = head[finite]
            left_out = float(head[~covered].sum())
            rows.append(
                {
                    "category": code,
                    "category_name_zh": category.name_zh,
                    "threshold_m": category.threshold_m,
                    "group": group_code,
                    "population": population,
                    "gini_distance": weighted_gini(distance[finite], reached),
                    "mean_distance_m": float((distance[finite] * reached).sum() / reached.sum())
                    if reached.sum() > 0
                    else np.nan,
                    "left_out_population": left_out,
                    "left_out_share": left_out / population
                    if population > 0 and not no_facility
                    else np.nan,
                    "unreachable_population": float(head[~finite].sum()),
                    "no_facility": no_facility,
                }
            )
    return pd.DataFrame(rows)
