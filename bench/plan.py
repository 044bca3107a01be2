"""Site-selection benchmark: one command, peers in the same run, ratios printed.

    python bench/plan.py [PMED_DIR] [--only pmed,euclid,mclp,hub] [--methods exact,benders]
                         [--spopt-limit SECONDS (0: skip spopt)]

1. every OR-Library pmed*.txt in PMED_DIR to proven optimum (time each; compared with
   pmedopt.txt when present), with the existing exact solver and with Benders (--methods);
   then Euclidean TSPLIB-style instances (floor distances), n = 1,000–3,000, p = 5–500;
2. MCLP, 20,000 demand points × 2,000 candidates, p = 50, synthetic city (Benders and the
   existing exact solver), against spopt's MCLP
   with its default PuLP/CBC (in a child process with a wall-clock limit);
3. the hub model, 5,000 compounds × 500 candidate sites × 12 functions;
4. (--only mclp1m) MCLP with 1,000,000 demand points × 5,000 sites, p = 200, limit 300 s;
5. (--only hubref) the LP over every hub site's enumerated function sets (the floor of the hub
   model's Lagrangian bound) and the exact method with 300 s.
Shares 2 cores with others: run it once.
"""

import argparse
import multiprocessing
import re
import time
from pathlib import Path

import numpy as np
from scipy import sparse
from scipy.spatial import cKDTree

from lifecircle.plan.coverage import Coverage
from lifecircle.plan.hub import HubModel, HubRule
from lifecircle.plan.models import MCLP, PMedian
from lifecircle.plan.orlib import read_orlib

SHARED_PMED = next(
    (
        folder / "shared" / "data" / "orlib-pmed"
        for folder in Path(__file__).resolve().parents[1:]
        if (folder / "shared" / "data" / "orlib-pmed").is_dir()
    ),
    Path(__file__).resolve().parents[2] / "shared" / "data" / "orlib-pmed",
)
"""OR-Library instances in shared/data beside the repository (or beside a folder above it)."""

MCLP_SIZE = (20_000, 2_000, 50, 500.0)  # demand, candidates, p, radius (m): the 10-min level
HUB_SIZE = (5_000, 500, 12)


def city(n_demand: int, n_sites: int, side_m: float, seed: int):
    """Clustered compounds (40 neighbourhoods) and candidate sites near them, metres."""
    rng = np.random.default_rng(seed)
    centres = rng.uniform(0, side_m, (40, 2))
    demand = centres[rng.integers(0, 40, n_demand)] + rng.normal(0, side_m / 15, (n_demand, 2))
    sites = demand[rng.choice(n_demand, n_sites, replace=False)] + rng.normal(0, 80, (n_sites, 2))
    weight = rng.integers(50, 3000, n_demand).astype(float)
    return demand, sites, weight


def within(demand: np.ndarray, sites: np.ndarray, radius: float) -> sparse.csr_matrix:
    lists = cKDTree(sites).query_ball_point(demand, radius)
    rows = np.repeat(np.arange(len(lists)), [len(x) for x in lists])
    cols = np.concatenate([np.asarray(x, dtype=np.int64) for x in lists])
    return sparse.csr_matrix(
        (np.ones(rows.size, bool), (rows, cols)), shape=(len(demand), len(sites))
    )


def bench_pmed(folder: Path, methods: list[str]) -> None:
    files = [f for f in folder.glob("pmed*.txt") if re.fullmatch(r"pmed\d+", f.stem)]
    files.sort(key=lambda f: int(f.stem[4:]))
    opt_file = folder / "pmedopt.txt"
    published = {}
    if opt_file.exists():
        published = {k: float(v) for k, v in re.findall(r"(pmed\d+)\s+(\d+)", opt_file.read_text())}
    print(f"\n== OR-Library p-median ({folder}), methods {', '.join(methods)}, limit 60 s each")
    print(f"{'instance':9} {'n':>4} {'p':>4} {'published':>9} "
          + " ".join(f"{m + ' objective':>18} {'or gap':>9} {'s':>7}" for m in methods))  # fmt: skip
    total = dict.fromkeys(methods, 0.0)
    proven = dict.fromkeys(methods, 0)
    for f in files:
        inst = read_orlib(f)
        same = published.get(inst.name)
        cells = []
        for method in methods:
            result = PMedian.from_cost_matrix(inst.cost, inst.p).solve(60.0, method=method)
            total[method] += result.solve_seconds
            proven[method] += result.status == "optimal" and (same in (None, result.objective))
            status = result.status if result.status == "optimal" else f"{result.gap:.3%}"
            cells.append(f"{result.objective:18.0f} {status:>9} {result.solve_seconds:7.2f}")
        print(f"{inst.name:9} {inst.n:4d} {inst.p:4d} "
              f"{same if same is not None else float('nan'):9.0f} " + " ".join(cells), flush=True)  # fmt: skip
    for method in methods:
        print(f"{method}: proven optimal and equal to the published value: "
              f"{proven[method]}/{len(files)}; total {total[method]:.1f} s")  # fmt: skip


def bench_euclid(methods: list[str], sizes: list[int], ps: list[int]) -> None:
    """TSPLIB-style Euclidean p-median: n random points in a square, each a client and a site,
    distances rounded down to integers (floor)."""
    print(f"\n== Euclidean p-median (floor distances), n × n, methods {', '.join(methods)}, "
          "limit 60 s each")  # fmt: skip
    for n in sizes:
        points = np.random.default_rng(n).uniform(0, 10_000, (n, 2))
        cost = np.floor(np.hypot(*(points[:, None, :] - points[None, :, :]).transpose(2, 0, 1)))
        for p in ps:
            cells = []
            for method in methods:
                result = PMedian.from_cost_matrix(cost, p).solve(60.0, method=method)
                cells.append(f"{method} {result.objective:,.0f} {result.status} gap "
                             f"{result.gap:.3%} {result.solve_seconds:.1f} s")  # fmt: skip
            print(f"n={n} p={p}: " + "; ".join(cells), flush=True)


def _spopt_worker(path: str, radius: float, p: int, limit: float, queue) -> None:
    import pulp
    from spopt.locate import MCLP as SpoptMCLP

    data = np.load(path)
    began = time.perf_counter()
    cost = np.hypot(*(data["demand"][:, None, :] - data["sites"][None, :, :]).transpose(2, 0, 1))
    model = SpoptMCLP.from_cost_matrix(cost, data["weight"], radius, p)
    built = time.perf_counter() - began
    model.solve(pulp.PULP_CBC_CMD(msg=False, timeLimit=limit))
    value = pulp.value(model.problem.objective)
    queue.put((time.perf_counter() - began, built, value, pulp.LpStatus[model.problem.status]))


def bench_mclp(spopt_limit: float, workdir: Path) -> None:
    n, m, p, radius = MCLP_SIZE
    demand, sites, weight = city(n, m, 15_000.0, seed=1)
    cover = within(demand, sites, radius)
    print(f"\n== MCLP {n:,} demand × {m:,} candidates, p = {p}, radius {radius:g} m "
          f"(synthetic city 15 × 15 km, {cover.nnz:,} covering pairs)")  # fmt: skip
    model = MCLP(Coverage(cover, weight, np.arange(n), np.arange(m)), p)
    benders = model.solve(time_limit=30.0, method="benders")
    print(f"lifecircle Benders (HiGHS master, warm start): objective {benders.objective:,.0f}, "
          f"bound {benders.bound:,.0f}, gap {benders.gap:.4%}, {benders.status}, "
          f"{benders.solve_seconds:.1f} s", flush=True)  # fmt: skip
    ours = model.solve(time_limit=30.0, method="exact")
    rows = ours.rows_after_merge
    print(f"lifecircle (HiGHS, merged rows {n:,}→{rows:,}, warm start): objective "
          f"{ours.objective:,.0f}, bound {ours.bound:,.0f}, gap {ours.gap:.4%}, "
          f"{ours.status}, {ours.solve_seconds:.1f} s", flush=True)  # fmt: skip
    if spopt_limit <= 0:
        return
    path = workdir / "mclp_city.npz"
    np.savez(path, demand=demand, sites=sites, weight=weight)
    queue = multiprocessing.Queue()
    worker = multiprocessing.Process(
        target=_spopt_worker, args=(str(path), radius, p, spopt_limit, queue)
    )
    began = time.perf_counter()
    worker.start()
    worker.join(spopt_limit * 2 + 120)
    if worker.is_alive():
        worker.terminate()
        worker.join()
        waited = time.perf_counter() - began
        print(f"spopt {_spopt_version()} (PuLP/CBC, timeLimit {spopt_limit:g} s): did not finish "
              f"in {waited:.0f} s wall clock; stopped. ratio ≥ {waited / ours.solve_seconds:.0f}×")  # fmt: skip
        return
    seconds, built, value, status = queue.get()
    print(f"spopt {_spopt_version()} (PuLP/CBC, timeLimit {spopt_limit:g} s): objective "
          f"{value:,.0f} ({status}), {seconds:.1f} s (model build {built:.1f} s)")  # fmt: skip
    print(f"ratio spopt / lifecircle time: {seconds / ours.solve_seconds:.1f}×; objective "
          f"difference {ours.objective - value:+,.0f}")  # fmt: skip


def bench_mclp_city(time_limit: float) -> None:
    """MCLP at the size of a whole city's buildings: 1,000,000 demand points × 5,000 sites."""
    import resource

    n, m, p, radius = 1_000_000, 5_000, 200, 500.0
    began = time.perf_counter()
    demand, sites, weight = city(n, m, 40_000.0, seed=4)
    cover = within(demand, sites, radius)
    print(f"\n== MCLP {n:,} demand × {m:,} candidates, p = {p}, radius {radius:g} m (synthetic "
          f"city 40 × 40 km, {cover.nnz:,} covering pairs; built in "
          f"{time.perf_counter() - began:.1f} s)", flush=True)  # fmt: skip
    model = MCLP(Coverage(cover, weight, np.arange(n), np.arange(m)), p)
    for method in ("benders", "heuristic"):
        result = model.solve(time_limit=time_limit, method=method)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"lifecircle {method}: objective {result.objective:,.0f}, bound {result.bound:,.0f}, "
              f"gap {result.gap:.3%}, {result.status}, {result.solve_seconds:.1f} s; peak memory "
              f"so far {peak:,.0f} MB", flush=True)  # fmt: skip


def _spopt_version() -> str:
    import spopt

    return spopt.__version__


def hub_model():
    """The hub benchmark instance: 5,000 compounds × 500 sites × 12 functions."""
    n, m, nf = HUB_SIZE
    demand, sites, weight = city(n, m, 8_000.0, seed=2)
    rng = np.random.default_rng(3)
    thresholds = np.array([300.0] * 8 + [500.0] * 4)
    codes = ("elderly_daycare", "nursery", "after_school", "canteen", "service_station",
             "culture_station", "health_station", "fitness_room", "food_market", "clinic",
             "library", "sports_hall")  # fmt: skip
    reach = [within(demand, sites, t) for t in thresholds]
    model = HubModel(
        compound_ids=np.arange(n), functions=codes,
        function_area=rng.choice([100.0, 150.0, 200.0, 250.0, 350.0], nf),
        weight=weight[:, None] * rng.uniform(0.05, 1.0, (n, nf)).round(2),
        covered_before=rng.random((n, nf)) < 0.4,
        site_ids=np.arange(m), site_area=rng.choice([150.0, 300.0, 600.0, 900.0, 1400.0], m),
        site_cost=rng.uniform(10, 100, m).round(1), reach=reach, budget=3000.0,
        max_functions_per_site=6, objective="heads",
        hub_rule=HubRule(600.0, 3, ("elderly_daycare", "nursery", "after_school", "canteen"), 2),
    )  # fmt: skip
    return model


def bench_hub() -> None:
    n, m, nf = HUB_SIZE
    model = hub_model()
    print(f"\n== hub model {n:,} compounds × {m} candidate sites × {nf} functions "
          f"(synthetic city 8 × 8 km; 8 functions at 300 m, 4 at 500 m; budget 3000, ≤ 6 per "
          f"site, embedded-service rule)")  # fmt: skip
    greedy = model.solve(method="heuristic")
    print(
        f"greedy + local search (heuristic): objective {greedy.objective:,.0f}, bound "
        f"{greedy.bound:,.0f}, gap {greedy.gap:.3%}, {greedy.solve_seconds:.1f} s"
    )
    exact = model.solve(time_limit=60.0)
    print(f"lifecircle exact (LP-neighbourhood sub-MIP, Lagrangian bound, HiGHS): objective "
          f"{exact.objective:,.0f}, bound "
          f"{exact.bound:,.0f}, gap {exact.gap:.3%}, {exact.status}, {exact.solve_seconds:.1f} s, "
          f"{len(exact.sites)} sites opened")  # fmt: skip


def bench_hub_reference() -> None:
    """The strongest bound the hub model's Lagrangian can give: the LP over every site's
    enumerated function sets (columns z_js, Σ_s z_js ≤ 1, x_jf ≤ Σ_{s ∋ f} z_js, the budget)."""
    from lifecircle.plan.highs import solve_mip
    from lifecircle.plan.hub_lagrange import SitePatterns

    model = hub_model()
    began = time.perf_counter()
    m = len(model.site_ids)
    pair_site, pair_function = model._pairs()
    rows, _, row_of = model._demand_rows(pair_site, pair_function)
    cost, *_ = model._matrix(pair_site, pair_function, rows, row_of)
    patterns = SitePatterns.from_model(model)
    set_site = np.concatenate(
        [np.full(patterns.sets[g].shape[0], j) for j, g in enumerate(patterns.group)]
    )
    members = np.vstack([patterns.sets[g] for g in patterns.group])  # sets × functions
    n_pairs, k, n_sets = pair_site.size, rows.shape[0], set_site.size
    pair_col = np.full((m, len(model.functions)), -1)
    pair_col[pair_site, pair_function] = np.arange(n_pairs)
    z, f = np.nonzero(members)
    zero = sparse.csr_matrix
    matrix = sparse.vstack([
        sparse.hstack([-rows, sparse.identity(k), zero((k, n_sets))]),
        sparse.hstack([sparse.identity(n_pairs), zero((n_pairs, k)),
                       zero((-np.ones(z.size), (pair_col[set_site[z], f], z)), (n_pairs, n_sets))]),
        sparse.hstack([zero((m, n_pairs + k)),
                       zero((np.ones(n_sets), (set_site, np.arange(n_sets))), (m, n_sets))]),
        sparse.hstack([zero((1, n_pairs + k)), zero(model.site_cost[set_site][None, :])]),
    ], format="csr")  # fmt: skip
    upper = np.concatenate([np.zeros(k + n_pairs), np.ones(m), [model.budget]])
    n_col = n_pairs + k + n_sets
    objective = np.concatenate([np.zeros(n_pairs), cost[-k:], np.zeros(n_sets)])
    lp = solve_mip(objective, matrix, np.full(upper.size, -np.inf), upper, np.zeros(n_col),
                   np.ones(n_col), np.zeros(n_col, bool), maximize=True, relax=True,
                   time_limit=600.0)  # fmt: skip
    print(f"\n== hub reference: LP over every site's enumerated function sets ({n_sets:,} set "
          f"columns): {lp.objective:,.0f} ({lp.highs_status}), {time.perf_counter() - began:.1f} s"
          " — no bound of the Lagrangian with the knapsack's LP can go lower")  # fmt: skip
    longer = model.solve(time_limit=300.0)
    print(f"the exact method with 300 s instead of 60: objective {longer.objective:,.0f}, bound "
          f"{longer.bound:,.0f}, gap {longer.gap:.3%}, {longer.solve_seconds:.1f} s; the "
          f"enumerated-set LP is {lp.objective / longer.objective - 1:.2%} above this plan")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pmed_dir", nargs="?", default=SHARED_PMED, type=Path)
    parser.add_argument("--only", default="pmed,euclid,mclp,hub")
    parser.add_argument("--methods", default="exact,benders", help="p-median methods to compare")
    parser.add_argument("--euclid-n", default="1000,1500,3000", help="Euclidean sizes")
    parser.add_argument("--euclid-p", default="5,20,100,500", help="Euclidean p values")
    parser.add_argument("--spopt-limit", type=float, default=300.0)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp"))
    args = parser.parse_args()
    only = set(args.only.split(","))
    methods = args.methods.split(",")
    if "pmed" in only:
        bench_pmed(args.pmed_dir, methods)
    if "euclid" in only:
        sizes = [int(v) for v in args.euclid_n.split(",")]
        bench_euclid(methods, sizes, [int(v) for v in args.euclid_p.split(",")])
    if "mclp" in only:
        bench_mclp(args.spopt_limit, args.workdir)
    if "hub" in only:
        bench_hub()
    if "mclp1m" in only:
        bench_mclp_city(300.0)
    if "hubref" in only:
        bench_hub_reference()


if __name__ == "__main__":
    main()
