"""The same analysis for every area of a city, each area a Dask task.

The coordinator reads the city once, cuts each area (its polygon buffered by the largest walking
distance) and submits the cuts a few at a time, so memory stays bounded on both sides: a worker
holds one area, the coordinator holds the city plus the areas in flight. Finished areas are written
at once (Parquet partitioned by area, then a marker), so a re-run skips them.

Workers are started with `spawn` (never `fork`: a forked child of a process that ran OpenMP
threads can hang), one Dask thread each, numba's `workqueue` threading layer (no OpenMP runtime
at all) and cores / workers numba threads per task, so kernels neither hang nor oversubscribe.
"""

import json
import os
import shutil
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

from lifecircle.data.area import Area
from lifecircle.library.area import Area as LibraryArea
from lifecircle.progress import Progress, silent
from lifecircle.scale.areas import Boundary, cut_area, project_polygon
from lifecircle.scale.evaluate import AreaError, AreaOutcome, HubPlanRequest, evaluate_area
from lifecircle.scale.export import write_city_map, write_workbook

AREA_STEP = "区域 areas"
MARKERS = "areas"
NUMBA_LAYER = "workqueue"


@dataclass
class CityInput:
    """The city as one Area (its whole walk graph and tables) and what loading it reported."""

    area: Area
    warnings: list[str] = field(default_factory=list)


def load_city(
    osm: str | Path,
    compounds: str | Path | None = None,
    facilities: str | Path | None = None,
    candidates: str | Path | None = None,
    gates: str | Path | None = None,
    crs: str = "wgs84",
    standard: str = "gb50180-2018",
    progress: Progress = silent,
) -> CityInput:
    """Read the city's OSM file and data files into one Area (`lifecircle.Area.from_files`).

    Without `compounds` the OSM residential buildings are the demand points; without
    `facilities` the OSM facilities are used. Every rejected row is kept in `warnings`.

    Example
    -------
    >>> city = load_city("shanghai.osm.pbf", compounds="compounds.xlsx", crs="gcj02")  # doctest: +SKIP
    """
    area = LibraryArea.from_files(osm, compounds, facilities, candidates, gates, crs=crs,
                                  standard=standard, progress=progress)  # fmt: skip
    warnings = [str(issue) for issue in area.issues] + list(area.warnings)
    return CityInput(area, warnings)


@dataclass
class BatchResult:
    """What a batch did: areas evaluated now, skipped as already done, and failed (with why).

    `summary` has one row per (area, category, group) over every finished area, old and new.
    """

    out: Path
    done: list[str]
    skipped: list[str]
    failed: dict[str, str]
    summary: pd.DataFrame
    areas: pd.DataFrame
    warnings: dict[str, list[str]] = field(default_factory=dict)


def worker_environment() -> dict[str, str]:
    """Environment for worker processes: numba's fork-safe threading layer, BLAS/OpenMP single."""
    return {
        "NUMBA_THREADING_LAYER": NUMBA_LAYER,
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
    }


def threads_per_worker(workers: int, cores: int | None = None) -> int:
    """numba threads each of `workers` processes may use: an even share of the cores."""
    return max(1, (cores or os.cpu_count() or 1) // max(1, workers))


@contextmanager
def dask_client(
    scheduler: str | None = None, workers: int = 2, memory_limit: str | float = "auto"
) -> Iterator[object]:
    """A distributed Client: to `scheduler` if given, else to a new LocalCluster of `workers`
    spawned processes with one thread each and `memory_limit` per worker."""
    import dask
    from distributed import Client, LocalCluster

    if scheduler:
        with Client(scheduler, timeout="30s") as client:
            yield client
        return
    config = {
        "distributed.worker.multiprocessing-method": "spawn",
        "distributed.worker.daemon": False,
    }
    with dask.config.set(config):
        cluster = LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            memory_limit=memory_limit,
            dashboard_address=None,
            env=worker_environment(),
        )
        try:
            with Client(cluster) as client:
                yield client
        finally:
            cluster.close()


def _evaluate_on_worker(area: Area, plan: HubPlanRequest | None, threads: int) -> AreaOutcome | str:
    """The Dask task: the per-area step, on `threads` numba threads at most, plus which numba
    threading layer the worker used.

    An area that cannot be evaluated comes back as the text saying why (not as a worker error).
    """
    import numba

    numba.set_num_threads(max(1, min(threads, numba.config.NUMBA_NUM_THREADS)))
    try:
        outcome = evaluate_area(area, plan)
    except AreaError as exc:
        return str(exc)
    try:
        outcome.facts["numba_threading_layer"] = numba.threading_layer()
    except ValueError:  # no parallel kernel ran in this process
        outcome.facts["numba_threading_layer"] = ""
    return outcome


def _marker(out: Path, key: str) -> Path:
    return out / MARKERS / f"{key}.json"


def finished_areas(out: str | Path) -> set[str]:
    """Keys of the areas whose results are complete in `out`."""
    folder = Path(out) / MARKERS
    return {p.stem for p in folder.glob("*.json")} if folder.is_dir() else set()


def _write_outcome(out: Path, outcome: AreaOutcome) -> None:
    """Write one area's tables (each table/area=KEY/part.parquet), then its marker, atomically."""
    staging = out / ".staging" / outcome.key
    shutil.rmtree(staging, ignore_errors=True)
    for name, table in outcome.tables.items():
        folder = staging / name
        folder.mkdir(parents=True, exist_ok=True)
        table.to_parquet(folder / "part.parquet", index=False)
    for name in outcome.tables:
        final = out / name / f"area={outcome.key}"
        shutil.rmtree(final, ignore_errors=True)
        final.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staging / name, final)
    shutil.rmtree(staging, ignore_errors=True)
    marker = _marker(out, outcome.key)
    marker.parent.mkdir(parents=True, exist_ok=True)
    record = {"key": outcome.key, "name": outcome.name, **outcome.facts}
    record["warnings"] = outcome.warnings
    temporary = marker.with_suffix(".tmp")
    temporary.write_text(json.dumps(record, ensure_ascii=False, default=float), "utf-8")
    os.replace(temporary, marker)


def _describe(exc: BaseException) -> str:
    text = str(exc).strip()
    if type(exc).__name__ == "KilledWorker":
        return (
            "工作进程在计算该区域时退出（内存超限？） the worker died on this area (memory limit?): "
            + text
        )
    if isinstance(exc, ValueError) and text:
        return text
    last = traceback.format_exception_only(type(exc), exc)[-1].strip()
    return f"计算出错 failed: {last}"


def run_batch(
    city: Area,
    boundaries: list[Boundary],
    out: str | Path,
    plan: HubPlanRequest | None = None,
    scheduler: str | None = None,
    workers: int = 2,
    memory_limit: str | float = "auto",
    in_flight: int | None = None,
    progress: Progress = silent,
) -> BatchResult:
    """Evaluate every area of `boundaries` on Dask and write the results under `out`.

    Writes `access/`, `coverage/`, `gaps/` (and with a plan `plan/`, `plan_coverage/`) as Parquet
    partitioned by area (`area=KEY`), one marker per finished area in `areas/`, the city
    summary (`summary.csv`, `summary.parquet`, `areas.csv`, `failed.csv`, `summary.xlsx`) and
    `city_map.html`. Areas already finished in `out` are
    skipped. An area that fails is named with its reason in `failed`; the others carry on.
    `in_flight` bounds the areas held at once (default: twice the workers).

    Example
    -------
    >>> city = load_city("city.osm.pbf").area  # doctest: +SKIP
    >>> result = run_batch(city, read_boundaries("areas.geojson"), "out/batch")  # doctest: +SKIP
    >>> result.failed  # doctest: +SKIP
    {}
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    already = finished_areas(out)
    usable = [b for b in boundaries if not b.problem]
    skipped = [b.key for b in usable if b.key in already]
    usable_keys = {b.key for b in usable}
    # a repeated id is named by its feature number, apart from the area that owns the id
    failed = {f"{b.key}#{b.feature}" if b.key in usable_keys else b.key: b.problem
              for b in boundaries if b.problem}  # fmt: skip
    todo = [b for b in usable if b.key not in already]
    total = len(boundaries)
    finished = len(skipped) + len(failed)
    progress(AREA_STEP, finished, total)
    done: list[str] = []
    warnings: dict[str, list[str]] = {}
    outside = compounds_outside(city, boundaries)
    if outside:
        shown = "、".join(outside[:10]) + (" …" if len(outside) > 10 else "")
        warnings[""] = [
            f"{len(outside)} 个小区不在任何区域内，未计入：{shown} "
            f"{len(outside)} compounds lie in no area and are left out: {shown}"
        ]
    if todo:
        with dask_client(scheduler, workers, memory_limit) as client:
            running = len(client.scheduler_info()["workers"]) or workers
            window = in_flight or 2 * running
            threads = threads_per_worker(running)
            for key, outcome in _run_all(client, city, todo, plan, window, threads):
                if isinstance(outcome, AreaOutcome):
                    _write_outcome(out, outcome)
                    done.append(key)
                    if outcome.warnings:
                        warnings[key] = outcome.warnings
                else:
                    failed[key] = outcome
                finished += 1
                progress(AREA_STEP, finished, total)
    summary, areas = write_summary(out, boundaries, failed)
    write_workbook(out / "summary.xlsx", summary, areas)
    write_city_map(out / "city_map.html", boundaries, summary)
    return BatchResult(out, done, skipped, failed, summary, areas, warnings)


def compounds_outside(city: Area, boundaries: list[Boundary]) -> list[str]:
    """Ids of the city's compounds inside none of the (usable) area polygons."""
    polygons = [project_polygon(b.polygon, city.crs) for b in boundaries if b.polygon is not None]
    x, y = city.compounds["x"].to_numpy(float), city.compounds["y"].to_numpy(float)
    inside = np.zeros(x.size, dtype=bool)
    for polygon in polygons:
        inside |= shapely.contains_xy(polygon, x, y)
    return [str(i) for i in city.compounds["id"][~inside]]


def _run_all(client, city: Area, todo: list[Boundary], plan, window: int, threads: int):
    """Yield (key, AreaOutcome or failure text) as areas finish, `window` in flight at most."""
    from distributed import as_completed

    queue = iter(todo)
    key_of = {}
    running = as_completed()

    def submit_next() -> tuple[str, str] | None:
        for boundary in queue:
            try:
                area = cut_area(city, boundary)
            except ValueError as exc:
                return boundary.key, str(exc)
            future = client.submit(_evaluate_on_worker, area, plan, threads, pure=False)
            key_of[future.key] = boundary.key
            running.add(future)
            return None
        return None

    for _ in range(window):
        early = submit_next()
        if early:
            yield early
    for future in running:
        key = key_of.pop(future.key)
        if future.status == "finished":
            yield key, future.result()
        else:
            yield key, _describe(future.exception())
        future.release()
        early = submit_next()
        if early:
            yield early


def _read_partitions(out: Path, name: str, keys: list[str]) -> pd.DataFrame:
    frames = []
    for key in keys:
        part = out / name / f"area={key}" / "part.parquet"
        if part.exists():
            frames.append(pd.read_parquet(part).assign(area=key))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def write_summary(
    out: str | Path, boundaries: list[Boundary], failed: dict[str, str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """City summary over every finished area in `out`: coverage per area, category and group
    (plus a city row per category and group), and one row of facts per area.

    Writes summary.csv / summary.parquet, areas.csv and failed.csv; returns (summary, areas).
    """
    out = Path(out)
    finished = finished_areas(out)
    keys = [b.key for b in boundaries if b.key in finished]
    coverage = _read_partitions(out, "coverage", keys)
    rows = []
    if not coverage.empty:
        columns = ["area", "area_name", "category", "category_name_zh", "threshold_m", "group"]
        rows.append(coverage[columns + ["population", "covered_population"]])
        city = (
            coverage.groupby(["category", "category_name_zh", "threshold_m", "group"], sort=False)[
                ["population", "covered_population"]
            ]
            .sum()
            .reset_index()
            .assign(area="", area_name="全市 city")
        )
        rows.append(city[columns + ["population", "covered_population"]])
    summary = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()
    if not summary.empty:
        population = summary["population"].where(summary["population"] > 0)
        summary["share"] = summary["covered_population"] / population
    facts = []
    for boundary in boundaries:
        if boundary.key in finished and not boundary.problem:
            record = json.loads(_marker(out, boundary.key).read_text("utf-8"))
            record.pop("warnings", None)
            facts.append({**record, "status": "done"})
            continue
        reason = boundary.problem or failed.get(boundary.key, "")
        facts.append(
            {
                "key": boundary.key,
                "name": boundary.name,
                "status": "failed" if reason else "pending",
                "reason": reason,
            }
        )
    areas = pd.DataFrame(facts)
    summary.to_csv(out / "summary.csv", index=False, encoding="utf-8-sig")
    summary.to_parquet(out / "summary.parquet", index=False)
    areas.to_csv(out / "areas.csv", index=False, encoding="utf-8-sig")
    pd.DataFrame(
        {"area": list(failed), "reason": list(failed.values())}, columns=["area", "reason"]
    ).to_csv(out / "failed.csv", index=False, encoding="utf-8-sig")
    return summary, areas
