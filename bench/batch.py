"""Batch benchmark: a synthetic city split into areas, every area's access as a Dask task.

    python bench/batch.py [--nodes 3000000] [--areas 200] [--workers 2] [--out DIR]

The city is a perturbed 60 m street grid (bench/synthetic.py) with compounds, facilities of every
category of GB 50180-2018 and a grid of rectangular areas. Reports wall time (city build, batch),
cost per area, and peak memory of the coordinator and of each worker. A second run on the same
--out measures the resume (every area skipped).
"""

import argparse
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parent))

from lifecircle.data.area import Area  # noqa: E402
from lifecircle.geo.projection import LocalProjection  # noqa: E402
from lifecircle.scale.areas import Boundary  # noqa: E402
from lifecircle.scale.batch import dask_client, run_batch  # noqa: E402
from lifecircle.standards import load_standard  # noqa: E402
from synthetic import synthetic_city  # noqa: E402

ORIGIN = (121.0, 30.8)  # lon/lat of the synthetic city's corner: Shanghai's UTM zone 51N
COMPOUND_SPACING_M = 250.0
FACILITIES_PER_KM2 = 1.5  # per category


def _points(rng, n: int, xmin, ymin, xmax, ymax) -> tuple[np.ndarray, np.ndarray]:
    return rng.uniform(xmin, xmax, n), rng.uniform(ymin, ymax, n)


def synthetic_area(n_nodes: int, seed: int = 0) -> Area:
    """The synthetic city as one Area: streets, compounds every ~250 m, facilities per category."""
    graph = synthetic_city(n_nodes, seed=seed)
    projection = LocalProjection(graph.crs)
    x0, y0 = projection.to_metres(np.array([ORIGIN[0]]), np.array([ORIGIN[1]]))
    graph = type(graph)(**{**graph.__dict__, "x": graph.x + x0[0], "y": graph.y + y0[0]})
    xmin, ymin, xmax, ymax = graph.x.min(), graph.y.min(), graph.x.max(), graph.y.max()
    rng = np.random.default_rng(seed + 1)
    km2 = (xmax - xmin) * (ymax - ymin) / 1e6
    n_compounds = int((xmax - xmin) * (ymax - ymin) / COMPOUND_SPACING_M**2)
    cx, cy = _points(rng, n_compounds, xmin, ymin, xmax, ymax)
    population = rng.integers(300, 4000, n_compounds).astype(float)
    compounds = pd.DataFrame(
        {
            "id": [f"C{i}" for i in range(n_compounds)],
            "name": "",
            "x": cx,
            "y": cy,
            "population": population,
            "pop_60_plus": np.round(population * 0.25),
            "pop_0_6": np.round(population * 0.05),
            "pop_7_14": np.round(population * 0.07),
        }
    )
    standard = load_standard("gb50180-2018")
    frames = []
    for code in standard.categories:
        n = max(1, int(km2 * FACILITIES_PER_KM2))
        fx, fy = _points(rng, n, xmin, ymin, xmax, ymax)
        frames.append(pd.DataFrame({"id": [f"{code}-{i}" for i in range(n)], "name": "",
                                    "category": code, "x": fx, "y": fy}))  # fmt: skip
    facilities = pd.concat(frames, ignore_index=True)
    empty = pd.DataFrame(columns=["id", "name", "x", "y", "floor_area", "cost"])
    return Area("synthetic", graph.crs, graph, standard, compounds, facilities, empty)


def grid_boundaries(area: Area, n_areas: int) -> list[Boundary]:
    """About `n_areas` equal rectangles over the city, as WGS-84 polygons."""
    graph = area.graph
    xmin, ymin, xmax, ymax = graph.x.min(), graph.y.min(), graph.x.max(), graph.y.max()
    columns = int(np.ceil(np.sqrt(n_areas)))
    rows = int(np.ceil(n_areas / columns))
    xs, ys = np.linspace(xmin, xmax + 1, columns + 1), np.linspace(ymin, ymax + 1, rows + 1)
    projection = LocalProjection(area.crs)
    out = []
    for r in range(rows):
        for c in range(columns):
            box = shapely.box(xs[c], ys[r], xs[c + 1], ys[r + 1])
            lonlat = shapely.transform(
                box, lambda xy: np.column_stack(projection.to_lonlat(xy[:, 0], xy[:, 1]))
            )
            key = f"A{r:02d}{c:02d}"
            out.append(Boundary(key, key, lonlat, len(out) + 1))
    return out


def _peak_mb() -> float:
    """This process's peak resident memory (VmHWM: unlike ru_maxrss it restarts at exec, so a
    spawned worker does not inherit its parent's figure)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=3_000_000)
    parser.add_argument("--areas", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", type=Path, help="output folder (default: a temporary one)")
    args = parser.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="lifecircle-batch-"))

    with dask_client(workers=args.workers) as client:  # workers first: none holds the city
        started = time.perf_counter()
        city = synthetic_area(args.nodes)
        boundaries = grid_boundaries(city, args.areas)
        built = time.perf_counter() - started
        print(
            f"city: {city.graph.n_nodes:,} nodes, {city.graph.n_edges:,} edges, "
            f"{len(city.compounds):,} compounds, {len(city.facilities):,} facilities, "
            f"{len(boundaries)} areas; built in {built:.1f} s"
        )
        started = time.perf_counter()
        result = run_batch(city, boundaries, out, scheduler=client.scheduler.address)
        wall = time.perf_counter() - started
        worker_peaks = client.run(_peak_mb)
    for key, reason in list(result.failed.items())[:5]:
        print(f"failed {key}: {reason}")
    areas = result.areas[result.areas["status"] == "done"]
    print(
        f"batch: {len(result.done)} areas done, {len(result.failed)} failed, "
        f"{wall:.1f} s wall on {args.workers} workers; "
        f"{wall / max(1, len(result.done)):.2f} s wall per area; "
        f"per-area compute median {areas['seconds'].median():.2f} s, "
        f"max {areas['seconds'].max():.2f} s; cut nodes median {areas['nodes'].median():,.0f}"
    )
    print(
        f"peak memory: coordinator {_peak_mb():,.0f} MB; workers "
        + ", ".join(f"{mb:,.0f} MB" for mb in worker_peaks.values())
    )
    started = time.perf_counter()
    again = run_batch(city, boundaries, out, workers=args.workers)
    print(f"resume: {len(again.skipped)} skipped in {time.perf_counter() - started:.1f} s")
    if args.out is None:
        shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":
    main()
