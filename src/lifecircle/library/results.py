"""What `Area.access()` and `Area.plan()` return: plain tables with typed fields.

Every table is a pandas DataFrame with machine names (category codes, metres, shares 0–1) for
further analysis; reports and sheets turn them into words, units and per cent.
"""

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from lifecircle.access.area import AccessResult
from lifecircle.access.isochrone import isochrones_geojson
from lifecircle.data.area import Area as AreaData
from lifecircle.plan.hub import TargetCheck
from lifecircle.plan.result import PlanResult as EnginePlan
from lifecircle.progress import Progress, silent


def _geodataframe(frame: pd.DataFrame, lon: str = "lon", lat: str = "lat"):
    """`frame` as a GeoDataFrame of WGS-84 points from its lon/lat columns."""
    import geopandas

    return geopandas.GeoDataFrame(
        frame.copy(),
        geometry=geopandas.points_from_xy(frame[lon].astype(float), frame[lat].astype(float)),
        crs="EPSG:4326",
    )


@dataclass
class Accessibility:
    """Walking access of one area (from `Area.access`).

    Attributes
    ----------
    table : DataFrame
        One row per (compound, category): ``distance_m`` to the nearest facility through the
        best entry (inf when none is reachable), ``nearest_facility_id`` / ``_name``,
        ``count_within_threshold``, ``covered``.
    coverage : DataFrame
        One row per (category, group of the standard): ``population``, ``covered_population``,
        ``share`` (0–1) and ``no_facility`` (True when the area has no facility of the category:
        the share is then NaN, not a measured 0).
    gaps : DataFrame
        The uncovered (compound, category) rows with the target group's head count.
    equity : DataFrame
        Per (category, group): mean distance, Gini of distance, population left out.
    warnings : list of str
        Everything dropped, excluded or guessed, in words.
    supply_ratios : DataFrame or None
        With ``access(measures=[…])``: one row per (compound, category, measure) with
        ``compound_id, category, measure, value`` (2SFCA family: supply per person of the
        category's target group, e.g. m² per resident; RAAM: cost per person). None without
        measures.
    """

    area: AreaData
    table: pd.DataFrame
    coverage: pd.DataFrame
    gaps: pd.DataFrame
    equity: pd.DataFrame
    warnings: list[str]
    engine: AccessResult = field(repr=False)
    supply_ratios: pd.DataFrame | None = field(default=None, repr=False)

    def missing_categories(self) -> list[str]:
        """Category codes with no facility at all in the area.

        Examples
        --------
        >>> import lifecircle as lc
        >>> result = lc.Area.demo().access()
        >>> result.missing_categories()
        []
        """
        rows = self.coverage[self.coverage["no_facility"].astype(bool)]
        return list(dict.fromkeys(rows["category"]))

    def isochrones(self, progress: Progress = silent) -> dict:
        """One walking isochrone per attached facility at its category's threshold, as a
        GeoJSON FeatureCollection (WGS-84; properties facility_id, name, category,
        category_name_zh, distance_m).

        Examples
        --------
        >>> import lifecircle as lc
        >>> result = lc.Area.demo().access()
        >>> len(result.isochrones()["features"]) == len(result.area.facilities)
        True
        """
        area, attached = self.area, self.engine.attached
        codes = area.facilities["category"].astype(str).to_numpy()
        present = [c for c in area.standard.categories.values() if (codes == c.code).any()]
        collection = {"type": "FeatureCollection", "features": []}
        for done, category in enumerate(present):
            progress("等时圈 isochrones", done, len(present))
            rows = np.flatnonzero((codes == category.code) & (attached.facility_node >= 0))
            sources = [
                ({"facility_id": str(area.facilities["id"].iloc[i]),
                  "name": str(area.facilities["name"].iloc[i]),
                  "category": category.code, "category_name_zh": category.name_zh},
                 np.array([attached.facility_node[i]]))
                for i in rows
            ]  # fmt: skip
            part = isochrones_geojson(attached.graph, sources, [category.threshold_m])
            collection["features"].extend(part["features"])
        progress("等时圈 isochrones", len(present), len(present))
        return collection

    def to_geodataframe(self):
        """One row per compound (WGS-84 point): head counts, the number of gaps, the gap
        categories and the walking distance to each category (``distance_<code>``, metres).

        Examples
        --------
        >>> import lifecircle as lc
        >>> frame = lc.Area.demo().access().to_geodataframe()
        >>> len(frame), frame.crs.to_epsg()
        (21, 4326)
        >>> int(frame["gap_count"].sum()) == len(lc.Area.demo().access().gaps)
        True
        """
        compounds = self.area.compounds
        keep = [c for c in ("id", "name", "population", "pop_60_plus", "pop_0_6", "pop_7_14",
                            "built_year", "lon", "lat") if c in compounds.columns]  # fmt: skip
        frame = compounds[keep].copy()
        distance = self.table.pivot(index="compound_id", columns="category", values="distance_m")
        distance = distance.reindex(index=frame["id"], columns=list(self.area.standard.categories))
        for code in distance.columns:
            frame[f"distance_{code}"] = distance[code].to_numpy()
        gaps = self.gaps.groupby("compound_id")["category"].apply(list)
        frame["gap_count"] = [len(gaps.get(i, [])) for i in frame["id"]]
        frame["gap_categories"] = [",".join(gaps.get(i, [])) for i in frame["id"]]
        return _geodataframe(frame)


@dataclass
class PlanResult:
    """A site-selection plan on an area (from `Area.plan`).

    Attributes
    ----------
    model, status, method : str
        The model ("hub", "mclp" …), "optimal" | "feasible" | "infeasible", "exact" | "heuristic".
    objective, bound, gap : float
        Newly covered residents (hub, MCLP) or the model's objective, the best bound, the
        relative gap (0 when proven optimal).
    sites : DataFrame
        One row per opened site: ``id``, ``name``, ``address``, ``lon``, ``lat``,
        ``floor_area``, ``cost``, ``functions`` (tuple of category codes, never empty).
    functions : DataFrame
        One row per (site, function) with its floor area and newly covered residents.
    coverage : DataFrame
        Per (category, group): ``population``, ``covered_before``, ``covered_after`` and
        ``share_before`` / ``share_after`` (0–1), ``no_facility_before`` / ``no_facility_after``.
    covered : DataFrame
        One row per (compound, category): ``covered_before``, ``covered_after``.
    budget, cost : float
        The budget given (None when none) and the cost of the opened sites.
    targets : tuple of lifecircle.plan.hub.TargetCheck
        One per target asked for: shares before and after, whether it is met, the best share any
        plan could reach and the compounds no candidate reaches.
    excluded_sites : list
        Candidate ids left out because they are not on the walk network.
    priorities : DataFrame or None
        The residents' priorities the plan was given (``weights``): ``category``, ``weight``,
        ``compound_id`` (empty for a category-wide row); None when none were given.
    explanation : str
        Why there is no plan, when ``status == "infeasible"``.
    """

    model: str
    status: str
    objective: float
    bound: float
    gap: float
    method: str
    solve_seconds: float
    sites: pd.DataFrame
    functions: pd.DataFrame
    coverage: pd.DataFrame
    covered: pd.DataFrame
    budget: float | None
    cost: float
    targets: tuple[TargetCheck, ...] = ()
    excluded_sites: list = field(default_factory=list)
    priorities: pd.DataFrame | None = None
    explanation: str = ""
    warnings: list[str] = field(default_factory=list)
    engine: EnginePlan | None = field(default=None, repr=False)
    """The engine's result as the model returned it (for engine-level tools)."""

    @property
    def feasible(self) -> bool:
        """True when the model found a plan."""
        return self.status != "infeasible"

    @property
    def budget_remaining(self) -> float | None:
        """Budget left after the opened sites (None without a budget).

        Examples
        --------
        >>> import lifecircle as lc
        >>> plan = lc.Area.demo().plan(budget=500)
        >>> plan.cost + plan.budget_remaining == 500
        True
        """
        return None if self.budget is None else float(self.budget - self.cost)

    def to_geodataframe(self):
        """The opened sites as WGS-84 points, functions as Chinese names joined by 、.

        Examples
        --------
        >>> import lifecircle as lc
        >>> sites = lc.Area.demo().plan(budget=500).to_geodataframe()
        >>> sites.crs.to_epsg(), all(len(f) > 0 for f in sites["functions"])
        (4326, True)
        """
        return _geodataframe(self.sites)

    def summary(self) -> dict:
        """A JSON-ready dict: model, status, objective, gap, sites, budget, cost, remaining."""

        def plain(value):
            if isinstance(value, np.generic):
                value = value.item()
            if isinstance(value, float) and not np.isfinite(value):
                return None
            return round(value, 6) if isinstance(value, float) else value

        out = {
            "model": self.model,
            "status": self.status,
            "objective": plain(self.objective),
            "bound": plain(self.bound),
            "gap": plain(self.gap),
            "sites": [plain(s) for s in self.sites["id"]],
            "budget": plain(self.budget),
            "cost": plain(self.cost),
            "budget_remaining": plain(self.budget_remaining),
            "seconds": round(self.solve_seconds, 3),
            "method": self.method,
        }
        if self.excluded_sites:
            out["excluded_sites"] = [plain(s) for s in self.excluded_sites]
        if self.explanation:
            out["explanation"] = self.explanation
        return out
