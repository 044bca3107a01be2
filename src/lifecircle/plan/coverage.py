"""Demand × site structures the models read: a cost (distance) matrix and a coverage matrix.

Both come from a dense cost matrix, from a long `demand,site,cost` table (missing pairs are
unreachable), or from the accessibility engine's bounded searches (see `lifecircle.plan.area`).
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse

from lifecircle.plan.result import PlanInputError


@dataclass
class CostMatrix:
    """Dense demand × site costs (np.inf where a site cannot serve a demand point)."""

    cost: np.ndarray
    weights: np.ndarray
    demand_ids: np.ndarray
    site_ids: np.ndarray

    @classmethod
    def from_array(
        cls,
        cost: np.ndarray,
        weights: np.ndarray | None = None,
        demand_ids: np.ndarray | None = None,
        site_ids: np.ndarray | None = None,
    ) -> "CostMatrix":
        """Wrap a dense matrix; weights default to 1, ids to 0..n-1."""
        cost = np.asarray(cost, dtype=np.float64)
        n, m = cost.shape
        weights = np.ones(n) if weights is None else np.asarray(weights, dtype=np.float64)
        if weights.shape != (n,):
            raise PlanInputError(f"权重个数 {weights.size} ≠ 需求点数 {n} / weights length ≠ rows")
        return cls(
            cost,
            weights,
            np.arange(n) if demand_ids is None else np.asarray(demand_ids),
            np.arange(m) if site_ids is None else np.asarray(site_ids),
        )

    @classmethod
    def from_long_table(
        cls, table: pd.DataFrame, demand: pd.DataFrame | None = None, source: str = "costs"
    ) -> "CostMatrix":
        """Build from columns demand, site, cost (+ optional demand table id, weight).

        Demand points listed in `demand` but absent from `table` reach no site (all inf);
        a demand id in `table` that `demand` does not list is an error naming the row.
        """
        for column in ("demand", "site", "cost"):
            if column not in table.columns:
                raise PlanInputError(
                    f"{source}: 缺少列 missing column {column!r} (需要 needs demand,site,cost)"
                )
        cost = pd.to_numeric(table["cost"], errors="coerce")
        bad = cost.isna() & table["cost"].notna() | table["cost"].isna()
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise PlanInputError(
                f"{source}: 第 {row + 2} 行 row {row + 2}, 字段 field 'cost': "
                f"不是数字 not a number ({table['cost'].iloc[row]!r})"
            )
        if (cost < 0).any():
            row = int(np.flatnonzero((cost < 0).to_numpy())[0])
            raise PlanInputError(
                f"{source}: 第 {row + 2} 行 row {row + 2}, 字段 field 'cost': 负数 negative"
            )
        demand_key = table["demand"].astype(str).to_numpy()
        site_key = table["site"].astype(str).to_numpy()
        if demand is None:
            demand_ids = pd.unique(demand_key)
            weights = np.ones(demand_ids.size)
        else:
            demand_ids, weights = _demand_weights(demand)
            unknown = ~pd.Index(demand_key).isin(pd.Index(demand_ids))
            if unknown.any():
                row = int(np.flatnonzero(unknown)[0])
                raise PlanInputError(
                    f"{source}: 第 {row + 2} 行 row {row + 2}, 字段 field 'demand': "
                    f"需求点 {demand_key[row]!r} 不在需求表中 unknown demand id"
                )
        site_ids = pd.unique(site_key)
        rows = pd.Index(demand_ids).get_indexer(demand_key)
        cols = pd.Index(site_ids).get_indexer(site_key)
        matrix = np.full((demand_ids.size, site_ids.size), np.inf)
        matrix[rows, cols] = cost.to_numpy()  # a repeated pair: the last row wins
        return cls(matrix, weights, np.asarray(demand_ids), np.asarray(site_ids))

    def coverage(self, radius: float) -> "Coverage":
        """Sites within `radius` (cost ≤ radius) of each demand point."""
        return Coverage(
            sparse.csr_matrix(self.cost <= radius), self.weights, self.demand_ids, self.site_ids
        )


def _demand_weights(demand: pd.DataFrame, source: str = "demand") -> tuple[np.ndarray, np.ndarray]:
    """Ids (as strings) and numeric weights of a demand table with columns id, weight."""
    for column in ("id", "weight"):
        if column not in demand.columns:
            raise PlanInputError(
                f"{source}: 缺少列 missing column {column!r} (需要 needs id,weight)"
            )
    weight = pd.to_numeric(demand["weight"], errors="coerce")
    if weight.isna().any():
        row = int(np.flatnonzero(weight.isna().to_numpy())[0])
        raise PlanInputError(
            f"{source}: 第 {row + 2} 行 row {row + 2}, 字段 field 'weight': "
            f"不是数字 not a number ({demand['weight'].iloc[row]!r})"
        )
    ids = demand["id"].astype(str)
    if ids.duplicated().any():
        row = int(np.flatnonzero(ids.duplicated().to_numpy())[0])
        raise PlanInputError(
            f"{source}: 第 {row + 2} 行 row {row + 2}, 字段 field 'id': 重复 duplicate {ids.iloc[row]!r}"
        )
    return ids.to_numpy(), weight.to_numpy(dtype=np.float64)


@dataclass
class Coverage:
    """Sparse boolean demand × site matrix: True where the site covers the demand point."""

    matrix: sparse.csr_matrix
    weights: np.ndarray
    demand_ids: np.ndarray
    site_ids: np.ndarray

    @classmethod
    def from_pairs(
        cls,
        demand_index: np.ndarray,
        site_index: np.ndarray,
        n_demand: int,
        n_sites: int,
        weights: np.ndarray | None = None,
    ) -> "Coverage":
        """From parallel arrays of covering (demand, site) index pairs."""
        data = np.ones(len(demand_index), dtype=bool)
        matrix = sparse.csr_matrix((data, (demand_index, site_index)), shape=(n_demand, n_sites))
        matrix.sum_duplicates()
        matrix.data[:] = True
        weights = np.ones(n_demand) if weights is None else np.asarray(weights, dtype=np.float64)
        return cls(matrix, weights, np.arange(n_demand), np.arange(n_sites))

    @property
    def shape(self) -> tuple[int, int]:
        return self.matrix.shape

    def merged(self) -> "MergedRows":
        """Identical coverage sets become one row with summed weight (order kept)."""
        matrix = sparse.csr_matrix(self.matrix, dtype=bool)
        matrix.sort_indices()
        indptr, indices = matrix.indptr, matrix.indices
        key_of: dict[bytes, int] = {}
        group = np.empty(matrix.shape[0], dtype=np.int64)
        for i in range(matrix.shape[0]):
            key = indices[indptr[i] : indptr[i + 1]].tobytes()
            group[i] = key_of.setdefault(key, len(key_of))
        first = np.full(len(key_of), -1, dtype=np.int64)
        first[group[::-1]] = np.arange(group.size - 1, -1, -1)
        weights = np.bincount(group, weights=self.weights, minlength=len(key_of))
        return MergedRows(matrix[first], weights, group)


@dataclass
class MergedRows:
    """Unique coverage rows, their summed weights and each original row's group."""

    matrix: sparse.csr_matrix
    weights: np.ndarray
    group: np.ndarray

    def undominated(self) -> np.ndarray:
        """Indices of rows kept for covering: a row whose set contains another row's is implied.

        (Covering the smaller set covers the larger one.) Empty rows are kept: they make a
        covering problem infeasible and must be reported.
        """
        a = sparse.csr_matrix(self.matrix, dtype=np.float64)
        sizes = np.asarray(a.sum(axis=1)).ravel()
        if a.shape[0] > 50_000:
            return np.arange(a.shape[0])
        overlap = (a @ a.T).tocoo()
        # row r contains row k (k ≠ r) when |N_r ∩ N_k| = |N_k| and |N_k| < |N_r| (sets unique).
        contains = (
            (overlap.row != overlap.col)
            & (overlap.data == sizes[overlap.col])
            & (sizes[overlap.col] < sizes[overlap.row])
        )
        dominated = np.zeros(a.shape[0], dtype=bool)
        dominated[overlap.row[contains]] = True
        return np.flatnonzero(~dominated)
