"""OR-Library p-median instances (Beasley 1990): graph file → all-pairs shortest-path costs."""

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import sparse
from scipy.sparse import csgraph

from lifecircle.plan.result import PlanInputError


@dataclass
class OrlibInstance:
    """n vertices (each a client and a candidate), p medians, the shortest-path cost matrix."""

    name: str
    n: int
    p: int
    cost: np.ndarray


def read_orlib(path: str | Path) -> OrlibInstance:
    """Read `n m p` then m lines `i j cost` (1-based, undirected).

    An edge listed more than once keeps its LAST cost (the convention that reproduces the
    published optima, see shared/data/orlib-pmed/SOURCE.md). Costs = all-pairs shortest paths.
    """
    path = Path(path)
    try:
        lines = path.read_text().split("\n")
    except OSError as exc:
        raise PlanInputError(f"{path}: 无法读取 cannot read ({exc.strerror})") from None
    header = lines[0].split()
    if len(header) != 3 or not all(t.isdigit() for t in header):
        raise PlanInputError(
            f"{path}: 第 1 行 row 1 应为 'n m p' must be 'n m p', got {lines[0]!r}"
        )
    n, m, p = (int(t) for t in header)
    edges = np.zeros((m, 3), dtype=np.int64)
    count = 0
    for number, line in enumerate(lines[1:], start=2):
        fields = line.split()
        if not fields:
            continue
        if count == m:
            raise PlanInputError(
                f"{path}: 第 {number} 行 row {number}: 边数多于 more edges than {m}"
            )
        if len(fields) != 3 or not all(f.lstrip("-").isdigit() for f in fields):
            raise PlanInputError(
                f"{path}: 第 {number} 行 row {number}: 应为 'i j cost' must be 'i j cost', got {line!r}"
            )
        i, j, c = (int(f) for f in fields)
        if not (1 <= i <= n and 1 <= j <= n) or c < 0:
            raise PlanInputError(
                f"{path}: 第 {number} 行 row {number}: 顶点须在 1..{n}、费用非负 "
                f"vertices must be in 1..{n} and cost ≥ 0, got {line!r}"
            )
        edges[count] = (i - 1, j - 1, c)
        count += 1
    if count != m:
        raise PlanInputError(f"{path}: 只有 {count} 条边 only {count} edges, header says {m}")
    lo, hi = np.minimum(edges[:, 0], edges[:, 1]), np.maximum(edges[:, 0], edges[:, 1])
    key = lo * n + hi
    _, last_from_end = np.unique(key[::-1], return_index=True)
    last = m - 1 - last_from_end  # the last occurrence of each undirected edge wins
    u, v, c = lo[last], hi[last], edges[last, 2].astype(np.float64)
    graph = sparse.csr_matrix((np.concatenate([c, c]), (np.concatenate([u, v]), np.concatenate([v, u]))),
                              shape=(n, n))  # fmt: skip
    cost = csgraph.shortest_path(graph, method="D", directed=False)
    return OrlibInstance(path.stem, n, p, cost)
