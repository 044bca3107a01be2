"""做减法 and 归并 on an area: which existing sites could close, which could merge into a hub.

Both run the plan engine's `closure_analysis` / `merge_analysis` on walking distances from every
compound to every facility (and candidate), within each category's threshold.
"""

import numpy as np
import pandas as pd
from scipy import sparse

from lifecircle.data.area import Area
from lifecircle.library.results import Accessibility
from lifecircle.plan.area import candidate_distances, node_distances
from lifecircle.plan.hub import closure_analysis, merge_analysis


def _head(area: Area, group: str) -> np.ndarray:
    column = area.standard.groups[group].column
    if column not in area.compounds.columns:
        return np.zeros(len(area.compounds))
    return pd.to_numeric(area.compounds[column], errors="coerce").fillna(0.0).to_numpy(float)


def _facility_distances(area: Area, access: Accessibility, limit: float) -> np.ndarray:
    """compounds × facilities walking distance (m), inf beyond `limit`."""
    engine = access.engine
    return node_distances(area, engine, engine.attached.facility_node, limit)


def closures(area: Area, access: Accessibility) -> pd.DataFrame:
    """Per existing facility: whether it is in a set that can close with no compound losing
    coverage of its category, and who depends on it alone.

    Columns: id, name, category, can_close, population_losing (target group served by it
    alone), compounds_losing, compounds_served, facilities_of_category.
    """
    categories = area.standard.categories
    codes = area.facilities["category"].astype(str).to_numpy()
    known = np.isin(codes, list(categories))
    limit = max((categories[c].threshold_m for c in set(codes[known])), default=0.0)
    distance = _facility_distances(area, access, limit)
    frames = []
    for code in dict.fromkeys(codes[known]):
        rows = np.flatnonzero(codes == code)
        serves = sparse.csr_matrix(distance[:, rows] <= categories[code].threshold_m)
        table = closure_analysis(area.facilities["id"].to_numpy()[rows], serves,
                                 _head(area, categories[code].group))  # fmt: skip
        frames.append(table.rename(columns={"facility": "id"}).assign(
            name=area.facilities["name"].to_numpy()[rows], category=code,
            compounds_served=np.asarray(serves.sum(axis=0)).ravel(),
            facilities_of_category=rows.size,
        ))  # fmt: skip
    columns = ["id", "name", "category", "can_close", "population_losing", "compounds_losing",
               "compounds_served", "facilities_of_category"]  # fmt: skip
    if not frames:
        return pd.DataFrame(columns=columns)
    return pd.concat(frames, ignore_index=True)[columns]


def merges(area: Area, access: Accessibility) -> pd.DataFrame:
    """Candidates that could replace ≥ 2 existing hub-function sites as one complex, keeping
    every compound's coverage.

    Columns: candidate, sites_merged, facilities (ids), categories (codes),
    floor_area_needed_m2, candidate_floor_area_m2.
    """
    functions = [c for c in area.standard.categories.values() if c.hub_function]
    codes = [c.code for c in functions]
    columns = ["candidate", "sites_merged", "facilities", "categories", "floor_area_needed_m2",
               "candidate_floor_area_m2"]  # fmt: skip
    on_network = access.engine.attached.candidate_node >= 0
    fac_codes = area.facilities["category"].astype(str).to_numpy()
    rows = np.flatnonzero(np.isin(fac_codes, codes))
    if rows.size < 2 or not on_network.any() or len(area.candidates) == 0:
        return pd.DataFrame(columns=columns)
    limit = max(c.threshold_m for c in functions)
    threshold = np.array([functions[codes.index(c)].threshold_m for c in fac_codes[rows]])
    serves = sparse.csr_matrix(_facility_distances(area, access, limit)[:, rows] <= threshold)
    reach_all = candidate_distances(area, access.engine, limit)[:, on_network]
    candidates = area.candidates[on_network]
    area_m2 = pd.to_numeric(area.facilities["floor_area"], errors="coerce").to_numpy()[rows]
    table = merge_analysis(
        area.facilities["id"].to_numpy()[rows],
        np.array([codes.index(c) for c in fac_codes[rows]]),
        area_m2,
        serves,
        candidates["id"].to_numpy(),
        pd.to_numeric(candidates["floor_area"], errors="coerce").fillna(0.0).to_numpy(),
        [sparse.csr_matrix(reach_all <= c.threshold_m) for c in functions],
        np.array([c.floor_area_m2 for c in functions]),
    )
    table["categories"] = [[codes[f] for f in fs] for fs in table["functions"]]
    return table[columns]
