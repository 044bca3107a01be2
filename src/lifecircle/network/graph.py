"""The walk graph: undirected, lengths in metres in a local projection, stored as CSR arrays."""

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from lifecircle.errors import InputError


class GraphError(InputError):
    """A graph cannot be built or read."""


@dataclass(frozen=True)
class WalkGraph:
    """Undirected walk graph.

    Nodes have projected coordinates `x`, `y` (metres, in `crs`). Each undirected edge `i` joins
    `edge_u[i]` and `edge_v[i]` with a straight segment of `edge_length[i]` metres. The CSR arrays
    (`indptr`, `indices`, `weights`) hold every edge in both directions, ready for Dijkstra.
    """

    x: np.ndarray
    y: np.ndarray
    edge_u: np.ndarray
    edge_v: np.ndarray
    edge_length: np.ndarray
    indptr: np.ndarray
    indices: np.ndarray
    weights: np.ndarray
    crs: str

    @property
    def n_nodes(self) -> int:
        return int(self.x.shape[0])

    @property
    def n_edges(self) -> int:
        return int(self.edge_u.shape[0])

    @classmethod
    def from_edges(
        cls,
        x: np.ndarray,
        y: np.ndarray,
        u: np.ndarray,
        v: np.ndarray,
        crs: str,
        length: np.ndarray | None = None,
    ) -> "WalkGraph":
        """Build from node coordinates and an undirected edge list.

        Lengths default to the straight-line segment length. Self-loops are dropped; of parallel
        edges the shortest is kept. Zero-length edges are an error: merge coincident nodes first.
        """
        x = np.ascontiguousarray(x, dtype=np.float64)
        y = np.ascontiguousarray(y, dtype=np.float64)
        u = np.asarray(u, dtype=np.int64)
        v = np.asarray(v, dtype=np.int64)
        if x.shape != y.shape or u.shape != v.shape:
            raise GraphError("坐标或边数组长度不一致 coordinate or edge arrays differ in length")
        n = x.shape[0]
        if u.size and (min(u.min(), v.min()) < 0 or max(u.max(), v.max()) >= n):
            raise GraphError("边引用了不存在的节点 an edge refers to a node that does not exist")
        if length is None:
            length = np.hypot(x[u] - x[v], y[u] - y[v])
        length = np.asarray(length, dtype=np.float64)
        keep = u != v
        u, v, length = u[keep], v[keep], length[keep]
        if np.any(~(length > 0)):
            raise GraphError(
                "存在零长度或无效长度的边 zero or invalid edge length; merge coincident nodes"
            )
        lo, hi = np.minimum(u, v), np.maximum(u, v)
        order = np.lexsort((length, hi, lo))
        lo, hi, length = lo[order], hi[order], length[order]
        first = np.ones(lo.shape[0], dtype=bool)
        first[1:] = (lo[1:] != lo[:-1]) | (hi[1:] != hi[:-1])
        lo, hi, length = lo[first], hi[first], length[first]
        indptr, indices, weights = _symmetric_csr(n, lo, hi, length)
        return cls(x, y, lo, hi, length, indptr, indices, weights, crs)

    def csr_matrix(self) -> sp.csr_matrix:
        """The symmetric adjacency as a scipy CSR matrix (lengths in metres)."""
        return sp.csr_matrix((self.weights, self.indices, self.indptr), shape=(self.n_nodes,) * 2)

    def save(self, path: str | Path) -> Path:
        """Write the graph to a .npz file that `load` reads without the OSM source."""
        path = Path(path)
        np.savez(
            path,
            x=self.x,
            y=self.y,
            edge_u=self.edge_u,
            edge_v=self.edge_v,
            edge_length=self.edge_length,
            indptr=self.indptr,
            indices=self.indices,
            weights=self.weights,
            crs=np.array(self.crs),
        )
        return path if path.suffix == ".npz" else path.with_suffix(path.suffix + ".npz")

    @classmethod
    def load(cls, path: str | Path) -> "WalkGraph":
        """Read a graph written by `save`."""
        try:
            with np.load(Path(path), allow_pickle=False) as data:
                fields = {name: data[name] for name in data.files}
        except (OSError, ValueError, KeyError) as exc:
            raise GraphError(
                f"{path}: 不是 lifecircle 路网文件 not a lifecircle graph file: {exc}"
            ) from exc
        missing = {
            "x",
            "y",
            "edge_u",
            "edge_v",
            "edge_length",
            "indptr",
            "indices",
            "weights",
            "crs",
        } - set(fields)
        if missing:
            raise GraphError(f"{path}: 缺少数组 missing arrays {sorted(missing)}")
        fields["crs"] = str(fields["crs"])
        return cls(**fields)


def _symmetric_csr(
    n: int, u: np.ndarray, v: np.ndarray, length: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    src = np.concatenate([u, v])
    dst = np.concatenate([v, u])
    w = np.concatenate([length, length])
    order = np.lexsort((dst, src))
    src, dst, w = src[order], dst[order], w[order]
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(src, minlength=n), out=indptr[1:])
    index_dtype = np.int32 if n < 2**31 else np.int64
    return indptr, dst.astype(index_dtype), w
