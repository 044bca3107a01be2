"""Attach points to the walk graph by projection onto the nearest edge segment.

A snapped point becomes a node that splits its edge, so distances from it are exact network
distances, not distances from the nearest existing node.
"""

from dataclasses import dataclass

import numpy as np
import shapely

from lifecircle.network.graph import WalkGraph

SNAP_TOLERANCE_M = 1e-6
"""Projections closer than this to an edge end reuse the end node."""


@dataclass(frozen=True)
class Snapped:
    """Where each point joined the graph.

    `node[i]` is the graph node of point i (-1 where it lies farther than the snapping limit),
    `offset_m[i]` the straight distance from the point to the network, `edge[i]` the edge of the
    input graph it was projected on (-1 if none).
    """

    graph: WalkGraph
    node: np.ndarray
    offset_m: np.ndarray
    edge: np.ndarray


def attach_points(
    graph: WalkGraph, px: np.ndarray, py: np.ndarray, max_offset_m: float = 300.0
) -> Snapped:
    """Project points onto their nearest edge segments and split those edges at the projections.

    Points farther than `max_offset_m` from every edge are not attached: their node is -1 and
    their offset the true distance to the nearest edge (or inf for an empty graph).
    """
    px = np.asarray(px, dtype=np.float64)
    py = np.asarray(py, dtype=np.float64)
    k = px.shape[0]
    node = np.full(k, -1, dtype=np.int64)
    edge = np.full(k, -1, dtype=np.int64)
    offset = np.full(k, np.inf)
    if k == 0 or graph.n_edges == 0:
        return Snapped(graph, node, offset, edge)

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
    if not inner.any():
        return Snapped(graph, node, offset, edge)

    pi, ei, along, t = pi[inner], ei[inner], along[inner], t[inner]
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
    new_graph = WalkGraph.from_edges(
        np.concatenate([graph.x, nx_new]),
        np.concatenate([graph.y, ny_new]),
        np.concatenate([graph.edge_u[keep], chain_u]),
        np.concatenate([graph.edge_v[keep], chain_v]),
        graph.crs,
        np.concatenate([graph.edge_length[keep], chain_len]),
    )
    return Snapped(new_graph, node, offset, edge)
