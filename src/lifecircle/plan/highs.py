"""HiGHS from arrays: one call builds the whole model (CSR rows), warm-starts and solves it."""

import os
import sys
import time
from dataclasses import dataclass

import highspy
import numpy as np
from scipy import sparse

from lifecircle.plan.result import FEASIBLE, INFEASIBLE, OPTIMAL

NO_ANSWER = "no answer"  # stopped (time limit) before finding any solution
_ROWWISE = 2  # HighsMatrixFormat.kRowwise
_INF = highspy.kHighsInf


@dataclass
class MipOutcome:
    """What HiGHS returned: values, objective, best bound, our status word, seconds."""

    x: np.ndarray | None
    objective: float
    bound: float
    status: str
    seconds: float
    highs_status: str
    reduced_costs: np.ndarray | None = None
    row_duals: np.ndarray | None = None


def solve_mip(
    cost: np.ndarray,
    rows: sparse.csr_matrix,
    row_lower: np.ndarray,
    row_upper: np.ndarray,
    col_lower: np.ndarray,
    col_upper: np.ndarray,
    integer: np.ndarray,
    maximize: bool = False,
    offset: float = 0.0,
    time_limit: float = 60.0,
    start: np.ndarray | None = None,
    relax: bool = False,
    rel_gap: float = 1e-6,
    threads: int = 1,
    cutoff: float | None = None,
    heuristic_effort: float | None = None,
) -> MipOutcome:
    """Solve min/max cost·x + offset s.t. row_lower ≤ rows·x ≤ row_upper, bounds, integrality.

    `start` is a full feasible x passed to HiGHS as an incumbent; `relax` drops integrality
    (the LP bound). `cutoff` (minimisation) prunes every node that cannot beat it: HiGHS then
    reports infeasible when nothing better exists. `heuristic_effort` (HiGHS default 0.05) buys
    more primal heuristics: covering models gain far better incumbents from it. Infinite bounds
    may be given as ±np.inf.
    """
    began = time.perf_counter()
    rows = sparse.csr_matrix(rows)
    outcome = _run(cost, rows, row_lower, row_upper, col_lower, col_upper, integer, maximize,
                   offset, time_limit, start, relax, rel_gap, threads, cutoff, heuristic_effort,
                   "choose")  # fmt: skip
    if outcome.x is not None and not relax and not _consistent(outcome, cost, offset):
        # HiGHS 1.16 MIP presolve combined with a start solution can report an objective and
        # bound that its own solution does not have (seen on set covering); solve again
        # without presolve rather than trust them.
        outcome = _run(cost, rows, row_lower, row_upper, col_lower, col_upper, integer,
                       maximize, offset, time_limit, start, relax, rel_gap, threads, cutoff,
                       heuristic_effort, "off")  # fmt: skip
        outcome.highs_status += " (presolve off)"
    outcome.seconds = time.perf_counter() - began
    return outcome


def _consistent(outcome: MipOutcome, cost: np.ndarray, offset: float) -> bool:
    """The reported objective is the solution's own objective."""
    value = float(cost @ outcome.x) + offset
    return abs(value - outcome.objective) <= 1e-6 * max(1.0, abs(value))


def _run(cost, rows, row_lower, row_upper, col_lower, col_upper, integer, maximize, offset,
         time_limit, start, relax, rel_gap, threads, cutoff, heuristic_effort,
         presolve) -> MipOutcome:  # fmt: skip
    began = time.perf_counter()
    n_col = cost.size
    n_row = rows.shape[0]
    h = _new_highs()
    if relax:
        h.setOptionValue("solver", "ipm")  # with crossover: far faster here than dual simplex
    h.setOptionValue("presolve", presolve)
    h.setOptionValue("time_limit", float(time_limit))
    h.setOptionValue("mip_rel_gap", float(rel_gap))
    h.setOptionValue("threads", int(threads))
    if cutoff is not None:
        h.setOptionValue("objective_bound", float(cutoff))
    if heuristic_effort is not None:
        h.setOptionValue("mip_heuristic_effort", float(heuristic_effort))
    integrality = np.zeros(n_col, dtype=np.int32) if relax else integer.astype(np.int32)
    h.passModel(
        int(n_col),
        int(n_row),
        int(rows.nnz),
        _ROWWISE,
        -1 if maximize else 1,
        float(offset),
        np.ascontiguousarray(cost, dtype=np.float64),
        _finite(col_lower),
        _finite(col_upper),
        _finite(row_lower),
        _finite(row_upper),
        rows.indptr[:-1].astype(np.int32),
        rows.indices.astype(np.int32),
        rows.data.astype(np.float64),
        integrality,
    )
    if start is not None and not relax:
        incumbent = highspy.HighsSolution()
        incumbent.col_value = np.asarray(start, dtype=np.float64).tolist()
        incumbent.value_valid = True
        h.setSolution(incumbent)
    h.run()
    model_status = h.getModelStatus()
    word = h.modelStatusToString(model_status)
    info = h.getInfo()
    seconds = time.perf_counter() - began
    if model_status == highspy.HighsModelStatus.kInfeasible:
        return MipOutcome(None, np.nan, np.nan, INFEASIBLE, seconds, word)
    has_solution = info.primal_solution_status == 2  # kSolutionStatusFeasible
    x = np.asarray(h.getSolution().col_value) if has_solution else None
    objective = info.objective_function_value if has_solution else np.nan
    if relax:
        bound = objective
    else:
        bound = info.mip_dual_bound
    if model_status == highspy.HighsModelStatus.kOptimal:
        status = OPTIMAL
        if relax or not np.isfinite(bound):
            bound = objective
    else:
        status = FEASIBLE if has_solution else NO_ANSWER
    duals = row_duals = None
    if relax and has_solution:
        duals = np.asarray(h.getSolution().col_dual)
        row_duals = np.asarray(h.getSolution().row_dual)
    return MipOutcome(x, objective, bound, status, seconds, word, duals, row_duals)


_banner_shown = False


def _new_highs() -> highspy.Highs:
    """A silent HiGHS instance; the copyright banner of the first one would corrupt stdout
    (JSON output of the CLI), so it goes to /dev/null."""
    global _banner_shown
    if not _banner_shown:
        sys.stdout.flush()
        saved = os.dup(1)
        try:
            with open(os.devnull, "w") as null:
                os.dup2(null.fileno(), 1)
                h = highspy.Highs()
        finally:
            os.dup2(saved, 1)
            os.close(saved)
        _banner_shown = True
    else:
        h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    return h


def _finite(values: np.ndarray) -> np.ndarray:
    """Replace ±inf by HiGHS's infinity."""
    values = np.asarray(values, dtype=np.float64)
    return np.clip(values, -_INF, _INF)


def stack(blocks: list[sparse.spmatrix], n_col: int) -> sparse.csr_matrix:
    """Vertically stack row blocks into one CSR matrix with n_col columns."""
    blocks = [sparse.csr_matrix(b) for b in blocks if b.shape[0] > 0]
    if not blocks:
        return sparse.csr_matrix((0, n_col))
    return sparse.vstack(blocks, format="csr")
