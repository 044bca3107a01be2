"""Areas of a city: boundary polygons read from GeoJSON, and each area's buffered cut of the city.

A cut keeps every street edge with at least one end inside the area's polygon buffered by the
largest walking distance of the standard, and the facilities inside that buffer: every walk from a
compound inside the area that is no longer than that distance stays inside the buffer (a walk is
never shorter than the straight line), so the cut gives the same answers as the whole city.
"""

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import shapely
from shapely.geometry import shape
from shapely.validation import explain_validity

from lifecircle.data.area import Area
from lifecircle.geo.chinese import to_wgs84
from lifecircle.geo.projection import LocalProjection
from lifecircle.network.graph import WalkGraph

ID_PROPERTIES = ("id", "code", "编号", "代码")
NAME_PROPERTIES = ("name", "名称", "街道", "name_zh")
UNSAFE_KEY_CHARACTERS = set('/\\=:*?"<>|')


class BoundaryError(ValueError):
    """The boundary file cannot be used at all (missing, not GeoJSON, no features)."""


@dataclass
class Boundary:
    """One area of the city: its key (folder-safe id), name and WGS-84 polygon.

    `problem` is set (in words) when the feature cannot be used; the batch reports it as a failed
    area and carries on with the others.
    """

    key: str
    name: str
    polygon: shapely.Geometry | None
    feature: int
    problem: str = ""


def _first(properties: dict, names: tuple[str, ...]) -> str:
    for name in names:
        value = properties.get(name)
        if value is not None and str(value).strip():
            return str(value).strip()
    return ""


def _to_wgs84(geometry: shapely.Geometry, crs: str) -> shapely.Geometry:
    def convert(xy: np.ndarray) -> np.ndarray:
        return np.column_stack(to_wgs84(xy[:, 0], xy[:, 1], crs))

    return shapely.transform(geometry, convert)


def read_boundaries(path: str | Path, crs: str = "wgs84") -> list[Boundary]:
    """Area polygons from a GeoJSON FeatureCollection in `crs` (wgs84 | gcj02 | bd09).

    The key is the feature's `id`/`code`/`编号` property (else its `id`, else its position); the
    name its `name`/`名称`. A feature whose geometry is missing, not a polygon or not valid, or
    whose key repeats or cannot name a folder, comes back with `problem` saying so.

    Example
    -------
    >>> areas = read_boundaries("districts.geojson", crs="gcj02")  # doctest: +SKIP
    >>> [a.key for a in areas if a.problem]  # doctest: +SKIP
    []
    """
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise BoundaryError(f"{path}: 文件不存在 file not found") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BoundaryError(f"{path}: 不是 GeoJSON 文件 not a GeoJSON file: {exc}") from exc
    features = data.get("features") if isinstance(data, dict) else None
    if not features:
        raise BoundaryError(
            f"{path}: 没有区域（需要 FeatureCollection 的 features） no features in the file"
        )
    out: list[Boundary] = []
    seen: set[str] = set()
    for number, feature in enumerate(features, start=1):
        properties = feature.get("properties") or {}
        key = _first(properties, ID_PROPERTIES) or str(feature.get("id") or f"area{number:04d}")
        name = _first(properties, NAME_PROPERTIES) or key
        where = f"{path.name} 第 {number} 个区域 feature {number} ({key} {name})"
        boundary = Boundary(key=key, name=name, polygon=None, feature=number)
        if set(key) & UNSAFE_KEY_CHARACTERS or key.startswith("."):
            boundary.problem = f"{where}: 编号含有不能作文件夹名的字符 id cannot name a folder"
        elif key in seen:
            boundary.problem = f"{where}: 编号重复 the id repeats an earlier feature"
        else:
            boundary.polygon, boundary.problem = _polygon(feature.get("geometry"), crs, where)
        seen.add(key)
        out.append(boundary)
    return out


def _polygon(geometry: dict | None, crs: str, where: str) -> tuple[shapely.Geometry | None, str]:
    if not geometry:
        return None, f"{where}: 没有几何 no geometry"
    try:
        polygon = shape(geometry)
    except (ValueError, TypeError, AttributeError, KeyError) as exc:
        return None, f"{where}: 几何无法读取 geometry cannot be read: {exc}"
    if polygon.geom_type not in ("Polygon", "MultiPolygon"):
        return None, f"{where}: 几何不是多边形 geometry is a {polygon.geom_type}, not a polygon"
    if not polygon.is_valid:
        return None, (
            f"{where}: 多边形无效 the polygon is not valid: {explain_validity(polygon)}"
            "（请先修复，例如在 QGIS 中“修复几何” fix it first, e.g. QGIS Fix geometries）"
        )
    return _to_wgs84(polygon, crs), ""


def largest_distance(area: Area) -> float:
    """The largest walking distance the standard asks about (category thresholds and levels)."""
    standard = area.standard
    return float(
        max(
            [c.threshold_m for c in standard.categories.values()] + list(standard.level_distances())
        )
    )


def project_polygon(polygon: shapely.Geometry, crs: str) -> shapely.Geometry:
    """A WGS-84 polygon in the metric `crs`."""
    projection = LocalProjection(crs)
    return shapely.transform(
        polygon, lambda xy: np.column_stack(projection.to_metres(xy[:, 0], xy[:, 1]))
    )


def cut_graph(graph: WalkGraph, region: shapely.Geometry) -> WalkGraph:
    """The edges of `graph` with at least one end inside `region` (metres), renumbered.

    Node order (the reader's Z-order) is kept, so nearby nodes stay close in memory.
    """
    xmin, ymin, xmax, ymax = region.bounds
    box = np.flatnonzero(
        (graph.x >= xmin) & (graph.x <= xmax) & (graph.y >= ymin) & (graph.y <= ymax)
    )
    inside = box[shapely.contains_xy(region, graph.x[box], graph.y[box])]
    starts, ends = graph.indptr[inside], graph.indptr[inside + 1]
    degree = ends - starts
    offsets = np.repeat(starts - np.cumsum(degree) + degree, degree) + np.arange(degree.sum())
    source = np.repeat(inside, degree)
    target = graph.indices[offsets].astype(np.int64)
    nodes = np.union1d(inside, target)
    return WalkGraph.from_edges(
        graph.x[nodes],
        graph.y[nodes],
        np.searchsorted(nodes, source),
        np.searchsorted(nodes, target),
        graph.crs,
        graph.weights[offsets],
    )


def _rows_in(table: pd.DataFrame, region: shapely.Geometry) -> pd.DataFrame:
    if table.empty:
        return table.copy()
    x, y = table["x"].to_numpy(float), table["y"].to_numpy(float)
    ok = np.isfinite(x) & np.isfinite(y)
    keep = np.zeros(len(table), dtype=bool)
    keep[ok] = shapely.contains_xy(region, x[ok], y[ok])
    return table[keep].reset_index(drop=True)


def cut_area(city: Area, boundary: Boundary, buffer_m: float | None = None) -> Area:
    """The area's own compounds and candidate sites, with the city's streets and facilities
    within `buffer_m` (default: the standard's largest walking distance) of its polygon.

    Example
    -------
    >>> area = cut_area(city, boundaries[0])  # doctest: +SKIP
    """
    if boundary.polygon is None:
        raise ValueError(boundary.problem or f"{boundary.key}: 没有多边形 no polygon")
    own = project_polygon(boundary.polygon, city.crs)
    buffered = own.buffer(largest_distance(city) if buffer_m is None else buffer_m)
    shapely.prepare(own)
    shapely.prepare(buffered)
    compounds = _rows_in(city.compounds, own)
    gates = city.gates[city.gates["compound_id"].isin(compounds["id"])].reset_index(drop=True)
    return Area(
        name=boundary.name,
        crs=city.crs,
        graph=cut_graph(city.graph, buffered),
        standard=city.standard,
        compounds=compounds,
        facilities=_rows_in(city.facilities, buffered),
        candidates=_rows_in(city.candidates, own),
        gates=gates,
        note=boundary.key,
    )
