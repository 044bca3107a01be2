"""Compiled kernels against the scipy reference and graph properties, on random graphs."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.sparse import csgraph

from lifecircle.access import reference
from lifecircle.access.engine import (
    count_within,
    count_within_groups,
    count_within_many,
    nearest_and_counts_many,
    nearest_facility,
    nearest_facility_many,
)
from lifecircle.network.graph import WalkGraph


@st.composite
def graphs_with_facilities(draw):
    """A random (possibly disconnected) graph with tied and untied lengths, and facility nodes."""
    n = draw(st.integers(2, 25))
    m = draw(st.integers(1, 3 * n))
    u = draw(st.lists(st.integers(0, n - 1), min_size=m, max_size=m))
    v = draw(st.lists(st.integers(0, n - 1), min_size=m, max_size=m))
    lengths = draw(
        st.lists(
            st.one_of(st.integers(1, 4).map(float), st.floats(0.1, 500.0)),
            min_size=m,
            max_size=m,
        )
    )
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    graph = WalkGraph.from_edges(
        rng.uniform(0, 100, n), rng.uniform(0, 100, n), u, v, "EPSG:32651", lengths
    )
    facilities = np.array(
        draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=8)), dtype=np.int64
    )
    return graph, facilities


@settings(max_examples=60, deadline=None)
@given(graphs_with_facilities(), st.floats(0.5, 800.0))
def test_nearest_equals_scipy_and_is_a_lower_bound(case, limit):
    graph, facilities = case
    dist, which = nearest_facility(graph, facilities)
    ref_dist, _ = reference.nearest_facility(graph, facilities)
    np.testing.assert_array_equal(dist, ref_dist)
    full = csgraph.dijkstra(graph.csr_matrix(), indices=facilities)
    # The nearest is no farther than any facility, and the reported one is at that distance.
    assert (dist <= full.min(axis=0)).all() and (dist >= full.min(axis=0)).all()
    reached = which >= 0
    np.testing.assert_array_equal(full[which[reached], np.flatnonzero(reached)], dist[reached])
    assert ((which >= 0) == np.isfinite(dist)).all()
    bounded, _ = nearest_facility(graph, facilities, limit)
    np.testing.assert_array_equal(bounded, np.where(dist <= limit, dist, np.inf))


@settings(max_examples=60, deadline=None)
@given(graphs_with_facilities(), st.lists(st.floats(0.5, 600.0), min_size=1, max_size=4))
def test_counts_equal_scipy_and_grow_with_radius(case, radii):
    graph, facilities = case
    radii = np.sort(np.array(radii))
    counts = count_within(graph, facilities, radii)
    np.testing.assert_array_equal(counts, reference.count_within(graph, facilities, radii))
    assert (np.diff(counts, axis=1) >= 0).all()
    assert (counts <= facilities.size).all()


@settings(max_examples=40, deadline=None)
@given(graphs_with_facilities(), st.data())
def test_group_counts_take_the_nearest_member(case, data):
    graph, facilities = case
    n = graph.n_nodes
    members = np.array(data.draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=12)))
    owners = np.array(
        data.draw(st.lists(st.integers(0, 3), min_size=members.size, max_size=members.size))
    )
    radii = np.array([50.0, 300.0])
    got = count_within_groups(graph, facilities, radii, members, owners, 4)
    ref = reference.count_within_groups(graph, facilities, radii, members, owners, 4)
    np.testing.assert_array_equal(got, ref)


@settings(max_examples=30, deadline=None)
@given(graphs_with_facilities(), st.data())
def test_distances_are_symmetric(case, data):
    graph, _ = case
    a = data.draw(st.integers(0, graph.n_nodes - 1))
    b = data.draw(st.integers(0, graph.n_nodes - 1))
    from_a, _ = nearest_facility(graph, [a])
    from_b, _ = nearest_facility(graph, [b])
    assert from_a[b] == pytest.approx(from_b[a], rel=1e-12, abs=1e-9)


def test_many_sets_equal_one_at_a_time():
    rng = np.random.default_rng(5)
    n = 400
    u = rng.integers(0, n, 1200)
    v = rng.integers(0, n, 1200)
    graph = WalkGraph.from_edges(rng.uniform(0, 2000, n), rng.uniform(0, 2000, n), u, v, "X")
    sets = [rng.integers(0, n, k) for k in (1, 7, 0, 30)]
    dist, which = nearest_facility_many(graph, sets, limit=900.0)
    for k, nodes in enumerate(sets):
        one_dist, one_which = nearest_facility(graph, nodes, limit=900.0)
        np.testing.assert_array_equal(dist[k], one_dist)
        np.testing.assert_array_equal(which[k], one_which)
    assert np.isinf(dist[2]).all()


def test_parallel_counts_over_many_sets_equal_scipy():
    rng = np.random.default_rng(9)
    n = 600
    u = rng.integers(0, n, 1500)
    v = rng.integers(0, n, 1500)
    graph = WalkGraph.from_edges(rng.uniform(0, 3000, n), rng.uniform(0, 3000, n), u, v, "X")
    sets = [rng.integers(0, n, k) for k in (300, 5, 0, 250)]  # > PARALLEL_MIN_SOURCES in all
    radii = np.array([900.0, 250.0, 600.0])  # any order
    counts = count_within_many(graph, sets, radii)
    for k, nodes in enumerate(sets):
        np.testing.assert_array_equal(counts[k], reference.count_within(graph, nodes, radii))
    members = rng.integers(0, n, 80)
    owners = rng.integers(0, 30, 80)
    grouped = count_within_many(graph, sets, radii, members, owners, 30)
    for k, nodes in enumerate(sets):
        np.testing.assert_array_equal(
            grouped[k], reference.count_within_groups(graph, nodes, radii, members, owners, 30)
        )


@settings(max_examples=60, deadline=None)
@given(
    graphs_with_facilities(),
    st.lists(st.floats(0.5, 400.0), min_size=1, max_size=3),
    st.integers(0, 2**16),
)
def test_one_pass_nearest_and_counts_equal_separate_searches(case, radii, seed):
    graph, facilities = case
    radii = np.array(radii)
    rng = np.random.default_rng(seed)
    second = rng.integers(0, graph.n_nodes, rng.integers(0, 4))
    sets = [facilities, second]
    dist, which, counts = nearest_and_counts_many(graph, sets, radii)
    full = csgraph.dijkstra(graph.csr_matrix(), indices=np.concatenate(sets))
    for k, nodes in enumerate(sets):
        alone, _ = nearest_facility(graph, nodes)
        np.testing.assert_array_equal(dist[k], alone)
        np.testing.assert_array_equal(counts[k], reference.count_within(graph, nodes, radii))
        reached = np.flatnonzero(which[k] >= 0)
        offset = 0 if k == 0 else facilities.size
        np.testing.assert_array_equal(full[offset + which[k][reached], reached], dist[k][reached])
        assert ((which[k] >= 0) == np.isfinite(dist[k])).all()


def test_one_pass_on_many_sources_uses_threads_and_stays_exact():
    rng = np.random.default_rng(12)
    n = 800
    u = rng.integers(0, n, 1800)
    v = rng.integers(0, n, 1800)
    graph = WalkGraph.from_edges(rng.uniform(0, 4000, n), rng.uniform(0, 4000, n), u, v, "X")
    sets = [rng.integers(0, n, 200), rng.integers(0, n, 120), np.array([], dtype=np.int64)]
    radii = np.array([200.0, 450.0])
    members = rng.integers(0, n, 100)
    owners = rng.integers(0, 40, 100)
    dist, which, counts = nearest_and_counts_many(graph, sets, radii, members, owners, 40)
    expected, _ = nearest_facility_many(graph, sets)
    np.testing.assert_array_equal(dist, expected)
    for k, nodes in enumerate(sets):
        np.testing.assert_array_equal(
            counts[k], reference.count_within_groups(graph, nodes, radii, members, owners, 40)
        )
