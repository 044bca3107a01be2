"""One result type for every site-selection model."""

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from lifecircle.errors import InputError

OPTIMAL = "optimal"
FEASIBLE = "feasible"
INFEASIBLE = "infeasible"


class PlanInputError(InputError):
    """Bad model input: the message names the file, row, field and reason."""


@dataclass
class PlanResult:
    """Chosen sites, their assignment and objective, with a proof of quality.

    `status` is "optimal" (proven), "feasible" (a solution with `gap` to the best `bound`) or
    "infeasible" (then `explanation` says which constraint, compound or function is to blame).
    `gap` is |objective − bound| / |objective| (0 when proven optimal). `table` holds one row per
    chosen site (or per site × function for the hub model) for reports.

    `functions` maps each opened site to the function codes placed there; `cost` is the total
    conversion cost of the opened sites (NaN when the model has no costs); `covered_after` is a
    compounds × functions boolean matrix (the hub model's function order) and
    `covered_after_by_category` the same per category code; `rows_before_merge` /
    `rows_after_merge` count demand rows before and after identical rows were merged.
    The capacitated models fill `assigned` (demand → site shares and weights),
    `single_assignment` and `unserved_weight`. `excluded_sites` are candidate sites left out (not on the walk network), named in `warnings`.
    """

    model: str
    status: str
    objective: float
    bound: float
    sites: list
    assignment: pd.Series = field(default_factory=lambda: pd.Series(dtype=object))
    solve_seconds: float = 0.0
    method: str = ""
    explanation: str = ""
    table: pd.DataFrame = field(default_factory=pd.DataFrame)
    functions: dict[object, list[str]] = field(default_factory=dict)
    cost: float = float("nan")
    covered_after: np.ndarray | None = None
    covered_after_by_category: dict[str, np.ndarray] = field(default_factory=dict)
    rows_before_merge: int | None = None
    rows_after_merge: int | None = None
    assigned: pd.DataFrame | None = None
    single_assignment: bool | None = None
    unserved_weight: float | None = None
    excluded_sites: list = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def gap(self) -> float:
        """Relative distance between the objective and the best bound (0 when optimal)."""
        if self.status == OPTIMAL:
            return 0.0
        if self.status == INFEASIBLE or not np.isfinite(self.bound):
            return float("nan")
        scale = max(abs(self.objective), 1e-9)
        return abs(self.objective - self.bound) / scale

    def summary(self) -> dict:
        """A JSON-ready dict: objective, sites, status, gap, seconds (and explanation)."""
        out = {
            "model": self.model,
            "status": self.status,
            "objective": _plain(self.objective),
            "bound": _plain(self.bound),
            "gap": _plain(self.gap),
            "sites": [_plain(s) for s in self.sites],
            "seconds": round(self.solve_seconds, 3),
            "method": self.method,
        }
        if self.explanation:
            out["explanation"] = self.explanation
        return out


def _plain(value):
    """numpy scalars → Python numbers; NaN/inf → None (JSON has no NaN)."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value
