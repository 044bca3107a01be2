"""Supply–demand accessibility: the floating catchment family (FCA, 2SFCA, E2SFCA, G2SFCA, 3SFCA)
and the rational agent access model (RAAM), on walking distances.

"Is there a facility within 300 m?" lets a 30 m² gatehouse station cover 5,000 residents as well
as a 1,376 m² hub does. These measures weigh each facility's capacity (floor area, places, seats)
against the target group competing for it within its catchment:

- 2SFCA (Luo & Wang 2003): Rⱼ = Sⱼ / Σᵢ Pᵢ over compounds i within dⱼ₀ of facility j;
  Aᵢ = Σⱼ Rⱼ over facilities within reach of i. Units: supply per person (m² per resident).
- E2SFCA (Luo & Qi 2009): both sums weighted by stepped weights over the catchment (default thirds
  of it at 1, 0.68, 0.22).
- G2SFCA (Dai 2010): Gaussian weights (e^{-½(d/d₀)²} − e^{-½}) / (1 − e^{-½}), 1 at the door, 0 at d₀.
- 3SFCA (Wan, Zou & Sternberg 2012): each pair further weighted by the selection weight
  Gᵢⱼ = Wᵢⱼ / Σₖ Wᵢₖ over the facilities within reach of i (stepped weights as E2SFCA).
- FCA (the simple floating catchment ratio): supply within reach of i over the target group
  within reach of i (compound-to-compound walking distances).
- RAAM (Saxon & Snow 2020): residents choose facilities to minimise walk/τ + congestion; the value
  is the resulting cost per person (lower is better), by the iteration of PySAL `access`.

Everything is computed on `CatchmentPairs` (bounded searches, only pairs within reach). The
formulas follow PySAL `access` (`two_stage_fca`, `three_stage_fca`, `fca_ratio`, `raam`), which
the tests compare against on the same distances.
"""

from dataclasses import dataclass, field

import numba
import numpy as np
import pandas as pd

from lifecircle.access.area import AttachedArea, attach
from lifecircle.access.catchment import CatchmentPairs, catchment_pairs
from lifecircle.data.area import Area
from lifecircle.errors import InputError
from lifecircle.progress import Progress, silent

MEASURES = ("fca", "2sfca", "e2sfca", "g2sfca", "3sfca", "raam")
E2SFCA_STEPS = ((1 / 3, 1.0), (2 / 3, 0.68), (1.0, 0.22))
"""E2SFCA zones as (upper edge as a share of the catchment, weight): Luo & Qi's 1, 0.68, 0.22."""


class MeasureError(InputError):
    """A measure cannot run on the given input; carries the offending `field` and `value`."""

    def __init__(self, message: str, field: str = "", value: object = None):
        super().__init__(message)
        self.field, self.value = field, value


def stepped_weight(distance_m: np.ndarray, catchment_m: np.ndarray, steps=E2SFCA_STEPS):
    """E2SFCA weight: the weight of the first zone whose edge (share of the catchment) holds d."""
    distance_m = np.asarray(distance_m, dtype=np.float64)
    out = np.zeros(distance_m.shape)
    for edge, weight in sorted(steps, reverse=True):
        out = np.where(distance_m <= edge * np.asarray(catchment_m), weight, out)
    return out


def gaussian_weight(distance_m: np.ndarray, catchment_m: np.ndarray) -> np.ndarray:
    """G2SFCA weight (Dai 2010): 1 at distance 0, falling to 0 at the catchment's edge."""
    tail = np.exp(-0.5)
    ratio = np.asarray(distance_m, dtype=np.float64) / np.asarray(catchment_m)
    return np.clip((np.exp(-0.5 * ratio * ratio) - tail) / (1.0 - tail), 0.0, None)


def _weights(measure: str, pairs: CatchmentPairs, catchment_of_origin: np.ndarray) -> np.ndarray:
    reach = catchment_of_origin[pairs.origin]
    if measure == "2sfca":
        return np.ones(pairs.distance_m.size)
    if measure in ("e2sfca", "3sfca"):
        return stepped_weight(pairs.distance_m, reach)
    if measure == "g2sfca":
        return gaussian_weight(pairs.distance_m, reach)
    raise MeasureError(f"未知指标 unknown measure {measure!r}", "measure", measure)


def floating_catchment(
    pairs: CatchmentPairs,
    supply: np.ndarray,
    demand: np.ndarray,
    measure: str = "2sfca",
    catchment_m: np.ndarray | float | None = None,
    weight: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Two-step (or three-step) floating catchment accessibility of every demand group.

    Parameters
    ----------
    pairs : CatchmentPairs
        Facility (origin) × demand group pairs within each facility's catchment.
    supply : array (n_origins,)
        Capacity of each facility (m², places, seats).
    demand : array (n_groups,)
        Head count of the target group at each demand group.
    measure : {"2sfca", "e2sfca", "g2sfca", "3sfca"}
    catchment_m : float or array (n_origins,), optional
        Catchment of each facility for the distance weights (default: the largest pair distance).
    weight : array (n_pairs,), optional
        Distance weights of the pairs, replacing the measure's own.

    Returns
    -------
    access : array (n_groups,)
        Aᵢ, supply per person within reach (0 where no facility with demand is within reach).
    ratio : array (n_origins,)
        Rⱼ = Sⱼ / weighted demand in its catchment; NaN where the catchment holds no demand.

    Examples
    --------
    >>> import numpy as np
    >>> pairs = CatchmentPairs(np.array([0, 0, 1]), np.array([0, 1, 1]), np.array([0., 50., 0.]),
    ...                        2, 2)
    >>> access, ratio = floating_catchment(pairs, np.array([100., 60.]), np.array([1000., 500.]))
    >>> ratio.round(4).tolist(), access.round(4).tolist()
    ([0.0667, 0.12], [0.0667, 0.1867])
    """
    supply = np.asarray(supply, dtype=np.float64)
    demand = np.asarray(demand, dtype=np.float64)
    if catchment_m is None:
        catchment_m = pairs.distance_m.max() if pairs.distance_m.size else 1.0
    reach = np.broadcast_to(np.asarray(catchment_m, dtype=np.float64), (pairs.n_origins,))
    w = _weights(measure, pairs, reach) if weight is None else np.asarray(weight, np.float64)
    if measure == "3sfca":
        # selection weight: the pair's weight over all weights of that demand group
        total = np.bincount(pairs.group, weights=w, minlength=pairs.n_groups)
        w = w * np.divide(w, total[pairs.group], out=np.zeros_like(w), where=total[pairs.group] > 0)
    weighted = np.bincount(pairs.origin, weights=demand[pairs.group] * w, minlength=pairs.n_origins)
    ratio = np.divide(supply, weighted, out=np.full(supply.size, np.nan), where=weighted > 0)
    served = np.isfinite(ratio)[pairs.origin]
    access = np.bincount(
        pairs.group[served],
        weights=(ratio[pairs.origin] * w)[served],
        minlength=pairs.n_groups,
    )
    return access, ratio


def fca_ratio(
    facility_pairs: CatchmentPairs, neighbour_pairs: CatchmentPairs, supply, demand
) -> np.ndarray:
    """Floating catchment ratio: supply within reach of i over the demand within reach of i.

    `facility_pairs` are facility × group pairs, `neighbour_pairs` group × group pairs (each group
    reaches itself at 0 m). NaN where no demand lies within reach.
    """
    supply = np.asarray(supply, dtype=np.float64)
    demand = np.asarray(demand, dtype=np.float64)
    near_supply = np.bincount(
        facility_pairs.group,
        weights=supply[facility_pairs.origin],
        minlength=facility_pairs.n_groups,
    )
    near_demand = np.bincount(
        neighbour_pairs.origin,
        weights=demand[neighbour_pairs.group],
        minlength=neighbour_pairs.n_origins,
    )
    return np.divide(
        near_supply, near_demand, out=np.full(near_supply.size, np.nan), where=near_demand > 0
    )


@numba.njit(cache=True)
def _segment_argmin(values, ptr, mask):
    """Per segment, the position of the smallest value among unmasked entries (first on ties)."""
    out = np.full(ptr.shape[0] - 1, -1, dtype=np.int64)
    for r in range(ptr.shape[0] - 1):
        best = np.inf
        for k in range(ptr[r], ptr[r + 1]):
            if mask[k] and (out[r] < 0 or values[k] < best):
                best = values[k]
                out[r] = k
    return out


def raam(
    pairs: CatchmentPairs,
    supply: np.ndarray,
    demand: np.ndarray,
    tau_m: float,
    rho: float | None = None,
    max_cycles: int = 150,
    initial_step: float = 0.2,
    min_step: float = 0.005,
    half_life: float = 50,
    limit_initial: int = 20,
) -> np.ndarray:
    """Rational agent access model cost per person of every demand group (lower is better).

    Each group's (integer) demand is spread over the facilities within reach to balance
    walk/τ + congestion, congestion being the demand at a facility over ρ·Sⱼ, ρ the total demand
    over the total supply. The iteration is that of PySAL `access.raam` (initial step 0.2 of the
    demand, halving every 50 cycles, at least 0.005; crowding limited in the first 20 cycles), run
    on the pairs within reach only. Groups with no demand or no facility within reach get NaN.
    """
    supply = np.asarray(supply, dtype=np.float64)
    demand = np.asarray(demand, dtype=np.float64)
    if rho is None:
        positive_demand, positive_supply = demand[demand > 0].sum(), supply[supply > 0].sum()
        rho = positive_demand / positive_supply if positive_supply > 0 else np.nan
    keep = (demand[pairs.group] > 0) & (supply[pairs.origin] > 0)
    group, facility = pairs.group[keep], pairs.origin[keep]
    travel = pairs.distance_m[keep] / tau_m
    order = np.lexsort((facility, group))
    group, facility, travel = group[order], facility[order], travel[order]
    rows, first = np.unique(group, return_index=True)
    out = np.full(pairs.n_groups, np.nan)
    if rows.size == 0:
        return out
    ptr = np.append(first, group.size).astype(np.int64)
    row_of_pair = np.repeat(np.arange(rows.size), np.diff(ptr))
    cols, col_of_pair = np.unique(facility, return_inverse=True)
    capacity = supply[cols] * rho
    need = demand[rows]
    assignment = np.zeros(group.size)
    assignment[_segment_argmin(travel, ptr, np.ones(group.size, dtype=bool))] = need
    total_cost = travel
    for cycle in range(max_cycles):
        at_supply = np.bincount(col_of_pair, weights=assignment, minlength=cols.size)
        total_cost = at_supply[col_of_pair] / capacity[col_of_pair] + travel
        lowest = _segment_argmin(total_cost, ptr, np.ones(group.size, dtype=bool))
        highest = _segment_argmin(-total_cost, ptr, assignment != 0)
        s_min, s_max = capacity[col_of_pair[lowest]], capacity[col_of_pair[highest]]
        d_min, d_max = assignment[lowest], assignment[highest]
        other_min = at_supply[col_of_pair[lowest]] - d_min
        other_max = at_supply[col_of_pair[highest]] - d_max
        wanted = (s_min * s_max / (s_min + s_max)) * (
            (travel[highest] - travel[lowest]) + (d_min + d_max + other_max) / s_max
            - other_min / s_min
        )  # fmt: skip
        delta = np.minimum(wanted - d_min, d_max)
        delta = np.where(lowest == highest, 0, delta)
        step = max(initial_step * 0.5 ** (cycle / half_life), min_step)
        delta = np.trunc(np.minimum(delta, step * need))
        if cycle < limit_initial:
            arriving = np.bincount(col_of_pair[lowest], weights=delta, minlength=cols.size)
            scale = np.maximum(arriving / capacity, 1.0)
            delta = np.round(delta / scale[col_of_pair[lowest]])
        np.add.at(assignment, lowest, delta)
        np.subtract.at(assignment, highest, delta)
    per_row = np.bincount(row_of_pair, weights=total_cost * assignment, minlength=rows.size)
    out[rows] = per_row / need
    return out


# ---- on an Area ----------------------------------------------------------------------------


@dataclass
class SupplyRatios:
    """Result of `supply_ratios`: the long table, the facility × compound pairs, warnings."""

    table: pd.DataFrame
    pairs: pd.DataFrame
    warnings: list[str] = field(default_factory=list)


def _numbers(frame: pd.DataFrame, column: str) -> np.ndarray:
    if column not in frame.columns:
        return np.full(len(frame), np.nan)
    return pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=np.float64)


def _listed(ids: np.ndarray) -> str:
    return ", ".join(str(i) for i in ids[:5]) + (" …" if ids.size > 5 else "")


def supply_ratios(
    area: Area,
    measures: list[str] | tuple[str, ...] = ("2sfca",),
    capacity_column: str = "floor_area",
    catchment_m: float | None = None,
    attached: AttachedArea | None = None,
    tau_m: float | None = None,
    progress: Progress = silent,
) -> SupplyRatios:
    """Supply–demand accessibility of every compound for every category, on walking distances.

    Parameters
    ----------
    area : Area
    measures : list of str
        Any of "fca", "2sfca", "e2sfca", "g2sfca", "3sfca", "raam".
    capacity_column : str
        Facility column holding the supply (floor area m², places, seats).
    catchment_m : float, optional
        One catchment for every category; default each category's walking threshold.
    attached : AttachedArea, optional
        The area already attached to its graph (`lifecircle.access.area.attach`).
    tau_m : float, optional
        RAAM's τ, the walk (m) worth a 100 % congestion above the mean; default the catchment.

    Returns
    -------
    SupplyRatios
        `table`: compound_id, category, measure, value (one row per compound, category and
        measure; NaN where the compound has no attached entry, and for FCA / RAAM where no
        target group or no facility is within reach). `pairs`: compound_id, facility_id,
        category, distance_m within the catchment (the `--od` table). Categories without any
        facility holding a capacity are left out and named in `warnings`.

    Examples
    --------
    >>> from lifecircle.data.demo import build_demo_area
    >>> result = supply_ratios(build_demo_area(), ["2sfca"])
    >>> sorted(result.table.columns)
    ['category', 'compound_id', 'measure', 'value']
    """
    unknown = sorted(set(measures) - set(MEASURES))
    if unknown:
        raise MeasureError(
            f"未知指标 unknown measures {', '.join(unknown)}; 可选 choose from {', '.join(MEASURES)}",
            "measures",
            unknown,
        )
    facilities, compounds, standard = area.facilities, area.compounds, area.standard
    if capacity_column not in facilities.columns:
        raise MeasureError(
            f"设施表没有容量列 facilities have no capacity column {capacity_column!r}; "
            f"现有列 columns: {', '.join(map(str, facilities.columns))}",
            "capacity_column",
            capacity_column,
        )
    if catchment_m is not None and not catchment_m > 0:
        raise MeasureError(
            f"服务半径须为正数 catchment must be positive, got {catchment_m}",
            "catchment",
            catchment_m,
        )
    attached = attach(area) if attached is None else attached
    warnings: list[str] = []
    capacity = _numbers(facilities, capacity_column)
    codes = facilities["category"].astype(str).to_numpy() if len(facilities) else np.zeros(0, str)
    ids = facilities["id"].to_numpy() if len(facilities) else np.zeros(0, object)
    usable = attached.facility_node >= 0
    missing = usable & ~(capacity >= 0)
    categories = []
    for category in standard.categories.values():
        mine = codes == category.code
        if not mine.any():
            continue
        if (missing & mine).any():
            warnings.append(
                f"{category.name_zh}：{int((missing & mine).sum())} 个设施缺少 {capacity_column}"
                f"（{_listed(ids[missing & mine])}），未计入供给 {category.name_en}: "
                f"{int((missing & mine).sum())} facilities without {capacity_column} left out"
            )
        if not (mine & usable & (capacity > 0)).any():
            warnings.append(
                f"{category.name_zh}：没有设施的 {capacity_column} 为正数，不计算供需比 "
                f"{category.name_en}: no facility has a positive {capacity_column}; left out"
            )
            continue
        categories.append(category)
    n = len(compounds)
    rows_of = [np.flatnonzero((codes == c.code) & usable & (capacity >= 0)) for c in categories]
    reach_of = [catchment_m or c.threshold_m for c in categories]
    rows = np.concatenate(rows_of) if rows_of else np.zeros(0, np.int64)
    limits = np.concatenate(
        [np.zeros(0), *(np.full(r.size, d) for r, d in zip(rows_of, reach_of, strict=True))]
    )
    progress("供需比 supply ratios", 0, len(categories))
    fac_pairs = catchment_pairs(
        attached.graph,
        attached.facility_node[rows] if rows.size else np.zeros(0, np.int64),
        limits if rows.size else 0.0,
        attached.compound_entry_node,
        attached.compound_entry_owner,
        n,
    )
    neighbour = None
    if "fca" in measures and categories:
        by_owner = np.argsort(attached.compound_entry_owner, kind="stable")
        cut = np.searchsorted(attached.compound_entry_owner[by_owner], np.arange(n + 1))
        entries = [attached.compound_entry_node[by_owner[cut[i] : cut[i + 1]]] for i in range(n)]
        neighbour = catchment_pairs(
            attached.graph, entries, max(reach_of), attached.compound_entry_node,
            attached.compound_entry_owner, n,
        )  # fmt: skip
    has_entry = np.zeros(n, dtype=bool)
    has_entry[attached.compound_entry_owner] = True
    compound_ids = compounds["id"].to_numpy()
    frames, pair_frames = [], []
    start = 0
    for k, category in enumerate(categories):
        local_rows = rows_of[k]
        inside = (fac_pairs.origin >= start) & (fac_pairs.origin < start + local_rows.size)
        pairs = CatchmentPairs(
            fac_pairs.origin[inside] - start, fac_pairs.group[inside],
            fac_pairs.distance_m[inside], local_rows.size, n,
        )  # fmt: skip
        start += local_rows.size
        supply = capacity[local_rows]
        head = np.nan_to_num(_numbers(compounds, standard.groups[category.group].column))
        reach = reach_of[k]
        for measure in measures:
            if measure == "fca":
                near = neighbour.within(np.full(n, reach))
                value = fca_ratio(pairs, near, supply, head)
            elif measure == "raam":
                value = raam(pairs, supply, np.round(head), tau_m or reach)
            else:
                value, _ = floating_catchment(pairs, supply, head, measure, reach)
            value = np.where(has_entry, value, np.nan)
            frames.append(
                pd.DataFrame(
                    {
                        "compound_id": compound_ids,
                        "category": category.code,
                        "measure": measure,
                        "value": value,
                    }
                )  # fmt: skip
            )
        pair_frames.append(
            pd.DataFrame(
                {
                    "compound_id": compound_ids[pairs.group],
                    "facility_id": ids[local_rows][pairs.origin],
                    "category": category.code,
                    "distance_m": pairs.distance_m,
                }
            )  # fmt: skip
        )
        progress("供需比 supply ratios", k + 1, len(categories))
    columns = ["compound_id", "category", "measure", "value"]
    table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)
    pair_columns = ["compound_id", "facility_id", "category", "distance_m"]
    pair_table = (
        pd.concat(pair_frames, ignore_index=True)
        if pair_frames
        else pd.DataFrame(columns=pair_columns)
    )
    return SupplyRatios(table, pair_table, warnings)


def od_table(
    area: Area, attached: AttachedArea | None = None, limit_m: float | None = None
) -> pd.DataFrame:
    """Compound × facility walking distances within reach, as a long table (no dense matrix).

    Parameters
    ----------
    area : Area
    attached : AttachedArea, optional
    limit_m : float, optional
        Largest distance kept; default the largest category threshold of the standard.

    Returns
    -------
    DataFrame
        origin (compound id), destination (facility id), distance_m: one row per pair within
        the limit, nearest first for each facility.

    Examples
    --------
    >>> from lifecircle.data.demo import build_demo_area
    >>> table = od_table(build_demo_area(), limit_m=300)
    >>> bool((table["distance_m"] <= 300).all())
    True
    """
    attached = attach(area) if attached is None else attached
    if limit_m is None:
        limit_m = max(c.threshold_m for c in area.standard.categories.values())
    rows = np.flatnonzero(attached.facility_node >= 0)
    pairs = catchment_pairs(
        attached.graph, attached.facility_node[rows], float(limit_m),
        attached.compound_entry_node, attached.compound_entry_owner, len(area.compounds),
    )  # fmt: skip
    return pd.DataFrame(
        {
            "origin": area.compounds["id"].to_numpy()[pairs.group],
            "destination": area.facilities["id"].to_numpy()[rows][pairs.origin],
            "distance_m": pairs.distance_m,
        }
    )
