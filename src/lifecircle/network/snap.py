"""Attach points to the walk graph: a straight connector to their projection on the nearest edge.

A point's projection becomes a node that splits its edge, so distances from it are exact network
distances, not distances from the nearest existing node. The point itself becomes a node joined to
that projection by a connector edge as long as the straight line between them, so every walk is
connector + network + connector and never shorter than the straight line.
"""

from dataclasses import dataclass

import numpy as np
import shapely

from lifecircle.network.graph import WalkGraph

SNAP_TOLERANCE_M = 1e-6
"""Projections closer than this to an edge end reuse the end node; points closer than this to the
street need no connector."""


@dataclass(frozen=True)
class Snapped:
    """Where each point joined the graph.

    `node[i]` is the graph node of point i itself (-1 where it lies farther than the snapping
    limit); it hangs on the street by a connector edge of `offset_m[i]` metres, unless it lies on
    the street. `street_node[i]` is its projection on the street (equal to `node[i]` for a point on
    the street). `offset_m[i]` is the straight distance from the point to the network (also for
    points too far to attach), `edge[i]` the edge of the input graph it was projected on (-1 if
    none).
    """

    graph: WalkGraph
    node: np.ndarray
    street_node: np.ndarray
    offset_m: np.ndarray
    edge: np.ndarray


def attach_points(
    graph: WalkGraph, px: np.ndarray, py: np.ndarray, max_offset_m: float = 300.0
) -> Snapped:
    """Project points onto their nearest edge segments, split those edges at the projections and
    join each point to its projection by a straight connector edge.

    Points farther than `max_offset_m` from every edge are not attached: their node is -1 and
    their offset the true distance to the nearest edge (or inf for an empty graph).

    Examples
    --------
    >>> import numpy as np
    >>> from lifecircle.network.graph import WalkGraph
    >>> street = WalkGraph.from_edges(
    ...     np.array([0.0, 100.0]), np.array([0.0, 0.0]), [0], [1], "EPSG:32651"
    ... )
    >>> snapped = attach_points(street, np.array([30.0, 80.0]), np.array([40.0, -20.0]))
    >>> snapped.offset_m.tolist()
    [40.0, 20.0]
    >>> from scipy.sparse.csgraph import dijkstra
    >>> float(dijkstra(snapped.graph.csr_matrix(), indices=snapped.node[0])[snapped.node[1]])
    110.0
    """
    px = np.asarray(px, dtype=np.float64)
    py = np.asarray(py, dtype=np.float64)
    k = px.shape[0]
    node = np.full(k, -1, dtype=np.int64)
    edge = np.full(k, -1, dtype=np.int64)
    offset = np.full(k, np.inf)
    if k == 0 or graph.n_edges == 0:
        return Snapped(graph, node, node.copy(), offset, edge)

    ax, ay = graph.x[graph.edge_u], graph.y[graph.edge_u]
    bx, by = graph.x[graph.edge_v], graph.y[graph.edge_v]
    lines = shapely.linestrings(np.stack([np.stack([ax, ay], 1), np.stack([bx, by], 1)], 1))
    tree = shapely.STRtree(lines)
    points = shapely.points(px, py)
    (pi, ei), dist = tree.query_nearest(points, return_distance=True, all_matches=False)
    offset[pi] = dist
    edge[pi] = ei
    near = dist <= max_offset_m
    pi, ei = pi[near], ei[near]

    # Position along the edge, from its u end, in metres.
    dx, dy = bx[ei] - ax[ei], by[ei] - ay[ei]
    seg = np.hypot(dx, dy)
    t = np.clip(((px[pi] - ax[ei]) * dx + (py[pi] - ay[ei]) * dy) / (seg * seg), 0.0, 1.0)
    along = t * graph.edge_length[ei]
    length = graph.edge_length[ei]

    at_u = along <= SNAP_TOLERANCE_M
    at_v = along >= length - SNAP_TOLERANCE_M
    node[pi[at_u]] = graph.edge_u[ei[at_u]]
    node[pi[at_v & ~at_u]] = graph.edge_v[ei[at_v & ~at_u]]
    inner = ~(at_u | at_v)
    x, y = graph.x, graph.y
    edge_u, edge_v, edge_length = graph.edge_u, graph.edge_v, graph.edge_length
    if inner.any():
        x, y, edge_u, edge_v, edge_length = _split_edges(
            graph, pi[inner], ei[inner], along[inner], t[inner], node
        )
    street_node = node.copy()
    x, y, edge_u, edge_v, edge_length = _connectors(node, px, py, x, y, edge_u, edge_v, edge_length)
    if x.shape[0] == graph.n_nodes:
        return Snapped(graph, node, street_node, offset, edge)
    new_graph = WalkGraph.from_edges(x, y, edge_u, edge_v, graph.crs, edge_length)
    return Snapped(new_graph, node, street_node, offset, edge)


def _split_edges(graph, pi, ei, along, t, node):
    """Split edges at the inner projections; writes each point's projection node into `node`.

    Returns the new (x, y, edge_u, edge_v, edge_length) arrays.
    """
    ax, ay = graph.x[graph.edge_u], graph.y[graph.edge_u]
    bx, by = graph.x[graph.edge_v], graph.y[graph.edge_v]
    order = np.lexsort((along, ei))
    pi, ei, along, t = pi[order], ei[order], along[order], t[order]
    # One new node per distinct position on an edge; coincident points share it.
    new_pos = np.ones(pi.shape[0], dtype=bool)
    new_pos[1:] = (ei[1:] != ei[:-1]) | (along[1:] - along[:-1] > SNAP_TOLERANCE_M)
    new_id = graph.n_nodes + np.cumsum(new_pos) - 1
    node[pi] = new_id
    first = new_pos
    e_new, a_new, t_new, id_new = ei[first], along[first], t[first], new_id[first]
    nx_new = ax[e_new] + t_new * (bx[e_new] - ax[e_new])
    ny_new = ay[e_new] + t_new * (by[e_new] - ay[e_new])

    # Chains along every split edge: u -> p1 -> ... -> pk -> v.
    start = np.ones(e_new.shape[0], dtype=bool)
    start[1:] = e_new[1:] != e_new[:-1]
    end = np.ones(e_new.shape[0], dtype=bool)
    end[:-1] = e_new[1:] != e_new[:-1]
    prev_node = np.where(start, graph.edge_u[e_new], np.roll(id_new, 1))
    prev_pos = np.where(start, 0.0, np.roll(a_new, 1))
    chain_u = np.concatenate([prev_node, id_new[end]])
    chain_v = np.concatenate([id_new, graph.edge_v[e_new[end]]])
    chain_len = np.concatenate([a_new - prev_pos, graph.edge_length[e_new[end]] - a_new[end]])

    keep = np.ones(graph.n_edges, dtype=bool)
    keep[np.unique(e_new)] = False
    return (
        np.concatenate([graph.x, nx_new]),
        np.concatenate([graph.y, ny_new]),
        np.concatenate([graph.edge_u[keep], chain_u]),
        np.concatenate([graph.edge_v[keep], chain_v]),
        np.concatenate([graph.edge_length[keep], chain_len]),
    )


def _connectors(node, px, py, x, y, edge_u, edge_v, edge_length):
    """A node at every attached point off the street, joined to its projection `node[i]` by a
    straight edge; `node` is rewritten to the point's own node. Returns the grown arrays."""
    attached = np.flatnonzero(node >= 0)
    leg = np.hypot(px[attached] - x[node[attached]], py[attached] - y[node[attached]])
    off = attached[leg > SNAP_TOLERANCE_M]
    if off.size == 0:
        return x, y, edge_u, edge_v, edge_length
    own = x.shape[0] + np.arange(off.size)
    street = node[off]
    node[off] = own
    return (
        np.concatenate([x, px[off]]),
        np.concatenate([y, py[off]]),
        np.concatenate([edge_u, street]),
        np.concatenate([edge_v, own]),
        np.concatenate([edge_length, leg[leg > SNAP_TOLERANCE_M]]),
    )
