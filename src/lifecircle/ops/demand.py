"""Operations demand for the plan: residents' requests per compound and category per 1,000
residents.

A request is placed where it was reported (its lat/lon) or, without one, at its station; it
counts for the compound whose centre is nearest, if that centre lies within `max_distance_m`
(default 1,000 m, the 15-minute walk). Requests further away, or with no place at all, are
left out and counted in the warnings. The matching is pure pandas/numpy (`demand_rates`);
`requests_table` reads the requests from the operations database.
"""

from datetime import date

import numpy as np
import pandas as pd

EARTH_RADIUS_M = 6_371_008.8
DEMAND_COLUMNS = ["compound_id", "category", "requests", "population", "per_1000"]


def _metres(lat1, lon1, lat2, lon2) -> np.ndarray:
    """Great-circle distance (haversine), broadcasting."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dlat, dlon = p2 - p1, np.radians(lon2) - np.radians(lon1)
    a = np.sin(dlat / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(a))


def demand_rates(
    requests: pd.DataFrame,
    compounds: pd.DataFrame,
    max_distance_m: float = 1000.0,
    categories: list[str] | None = None,
) -> tuple[pd.DataFrame, list[str]]:
    """Requests per compound and category per 1,000 residents.

    `requests`: columns `category`, `lat`, `lon` (NaN when unknown). `compounds`: `id`, `lat`,
    `lon`, `population`. Returns (DEMAND_COLUMNS table with every compound × category, zeros
    included, the categories being `categories` or those seen; warnings naming what was left
    out).

    Example
    -------
    >>> reqs = pd.DataFrame({"category": ["repair"], "lat": [31.0], "lon": [121.0]})
    >>> comps = pd.DataFrame({"id": ["C1"], "lat": [31.0], "lon": [121.001], "population": [2000]})
    >>> demand_rates(reqs, comps)[0]["per_1000"].tolist()
    [0.5]
    """
    warnings: list[str] = []
    if requests.empty:
        warnings.append("没有诉求，全部为 0 no requests in the period: every rate is 0")
    located = requests.dropna(subset=["lat", "lon"])
    if len(located) < len(requests):
        warnings.append(
            f"{len(requests) - len(located)} 条诉求没有位置，未计入 requests without a place left out"
        )
    categories = sorted(set(categories or []) | set(requests["category"]))
    matched = pd.Series(dtype=object)
    if len(located) and len(compounds):
        d = _metres(
            located["lat"].to_numpy()[:, None],
            located["lon"].to_numpy()[:, None],
            compounds["lat"].to_numpy()[None, :],
            compounds["lon"].to_numpy()[None, :],
        )
        nearest = d.argmin(axis=1)
        near = d[np.arange(len(located)), nearest] <= max_distance_m
        if (~near).any():
            warnings.append(
                f"{int((~near).sum())} 条诉求离最近小区超过 {max_distance_m:.0f} m，未计入 "
                f"requests farther than {max_distance_m:.0f} m from any compound left out"
            )
        matched = pd.Series(compounds["id"].to_numpy()[nearest], index=located.index)[near]
    counts = (
        located.loc[matched.index]
        .assign(compound_id=matched)
        .groupby(["compound_id", "category"])
        .size()
    )
    grid = pd.MultiIndex.from_product(
        [compounds["id"].astype(str), categories], names=["compound_id", "category"]
    )
    table = counts.reindex(grid, fill_value=0).rename("requests").reset_index()
    population = compounds.set_index(compounds["id"].astype(str))["population"]
    table["population"] = table["compound_id"].map(population)
    zero = table["population"].fillna(0) <= 0
    if zero.any():
        names = sorted(set(table.loc[zero, "compound_id"]))
        warnings.append(f"小区无人口，比率为空 compounds without population: {', '.join(names)}")
    table["per_1000"] = np.where(
        zero, np.nan, table["requests"] / table["population"].where(~zero) * 1000
    )
    return table[DEMAND_COLUMNS], warnings


def request_categories() -> list[str]:
    """Codes of the active request categories (so that categories without requests show 0)."""
    from lifecircle.store.stations.models import ServiceCategory

    return list(ServiceCategory.objects.filter(active=True).values_list("code", flat=True))


def requests_table(since: date) -> pd.DataFrame:
    """Requests filed on or after `since` (Django database): category, lat, lon (the request's
    place, else its station's)."""
    from lifecircle.store.requests.models import ServiceRequest

    rows = ServiceRequest.objects.filter(requested_datetime__date__gte=since).values_list(
        "category__code", "lat", "lon", "station__lat", "station__lon"
    )
    return pd.DataFrame(
        [
            {
                "category": code,
                "lat": lat if lat is not None else slat,
                "lon": lon if lon is not None else slon,
            }
            for code, lat, lon, slat, slon in rows
        ],
        columns=["category", "lat", "lon"],
    ).astype({"lat": float, "lon": float})
