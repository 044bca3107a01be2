"""Walk graph, facilities and residential buildings from an OpenStreetMap file (pyosmium).

Reads .osm.pbf, .osm and .osm.bz2. Every way node becomes a graph node, so each edge is a straight
segment and the street geometry is kept in full; nodes at the same coordinates are merged. Lengths
are metres in the local UTM projection; only the largest connected component is kept and the rest
is reported.
"""

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np
import osmium
import pandas as pd
import shapely
from scipy.sparse import csgraph

from lifecircle.errors import InputError
from lifecircle.geo.projection import LocalProjection
from lifecircle.network.graph import WalkGraph
from lifecircle.progress import Progress, silent

WALKABLE_HIGHWAYS = frozenset(
    {
        "footway",
        "path",
        "pedestrian",
        "steps",
        "living_street",
        "residential",
        "service",
        "unclassified",
        "tertiary",
        "secondary",
        "primary",
        "tertiary_link",
        "secondary_link",
        "primary_link",
    }
)
"""Highway values walked on unless foot=no. Any other highway counts only with foot=yes/designated/
permissive (e.g. a cycleway shared with pedestrians); motorways and motorroads never."""
FOOT_ALLOWED = frozenset({"yes", "designated", "permissive"})
NEVER_WALKABLE = frozenset({"motorway", "motorway_link", "trunk", "trunk_link", "construction"})

RESIDENTIAL_BUILDINGS = frozenset(
    {
        "residential",
        "apartments",
        "house",
        "detached",
        "semidetached_house",
        "terrace",
        "dormitory",
        "bungalow",
    }
)
FLOOR_AREA_PER_PERSON_M2 = 36.5
"""Gross housing floor area per person: China 2020 census, urban households (36.52 m²)."""
DEFAULT_LEVELS = {"house": 2, "detached": 2, "semidetached_house": 2, "bungalow": 1, "terrace": 3}
DEFAULT_LEVELS_OTHER = 6
"""Levels when building:levels is absent: 6 for blocks (the common walk-up of older compounds)."""
AGE_SHARES = {"pop_60_plus": 0.1870, "pop_0_6": 0.0838, "pop_7_14": 0.0957}
"""Shares of the 2020 census (60+: 18.70%; 0-14: 17.95%, split between 0-6 and 7-14 by years)."""

FACILITY_FIELDS = ("id", "name", "category", "lon", "lat", "x", "y")
"""Facility columns an OSM file gives; the Area builder adds the contract's other columns empty."""
BUILDING_FIELDS = ("id", "name", "lon", "lat", "x", "y", "population", *AGE_SHARES)
"""Demand-point columns an OSM file gives (estimates); the Area builder adds the rest empty."""

_READ_KEYS = (
    "highway",
    "amenity",
    "shop",
    "leisure",
    "healthcare",
    "social_facility",
    "building",
    "landuse",
)


class OsmError(InputError):
    """An OSM file cannot be read or holds no usable walk network."""


@dataclass
class NetworkReport:
    """What the build kept and dropped."""

    walkable_ways: int = 0
    excluded_ways: dict[str, int] = field(default_factory=dict)
    missing_node_locations: int = 0
    merged_nodes: int = 0
    private_ways_kept: int = 0
    components: int = 0
    kept_nodes: int = 0
    kept_edges: int = 0
    dropped_nodes: int = 0
    dropped_edges: int = 0
    dropped_length_m: float = 0.0

    def lines(self) -> list[str]:
        """Human-readable summary, Chinese first."""
        out = [
            f"步行道路 {self.walkable_ways} 条；路网 {self.kept_nodes} 个节点、{self.kept_edges} 条边 "
            f"walkable ways {self.walkable_ways}; graph {self.kept_nodes} nodes, "
            f"{self.kept_edges} edges"
        ]
        if self.components > 1:
            out.append(
                f"保留最大连通分量；舍弃 {self.components - 1} 个小分量：{self.dropped_nodes} 个节点、"
                f"{self.dropped_edges} 条边、{self.dropped_length_m:.0f} m "
                f"kept the largest component; dropped {self.components - 1} smaller ones: "
                f"{self.dropped_nodes} nodes, {self.dropped_edges} edges, "
                f"{self.dropped_length_m:.0f} m"
            )
        for reason, count in sorted(self.excluded_ways.items()):
            out.append(f"排除道路 excluded ways ({reason}): {count}")
        if self.missing_node_locations:
            out.append(
                f"{self.missing_node_locations} 个道路节点缺少坐标（文件边界外），相关线段已略去 "
                f"{self.missing_node_locations} way nodes have no location (outside the extract); "
                "their segments are left out"
            )
        if self.private_ways_kept:
            out.append(
                f"小区内的私有道路计入路网 private ways inside the compounds kept: "
                f"{self.private_ways_kept}"
            )
        if self.merged_nodes:
            out.append(
                f"合并同坐标节点 merged coincident nodes: {self.merged_nodes}",
            )
        return out


@dataclass
class OsmExtract:
    """What an OSM file gives: walk graph, facilities, residential buildings as demand points."""

    graph: WalkGraph
    projection: LocalProjection
    facilities: pd.DataFrame
    buildings: pd.DataFrame
    report: NetworkReport
    warnings: list[str]


def load_category_mapping(path: str | Path | None = None) -> dict[str, dict[str, str]]:
    """The OSM tag -> category mapping: the shipped table, with a user TOML file's entries over it."""
    text = resources.files("lifecircle.network").joinpath("osm_categories.toml").read_text("utf-8")
    mapping = {key: dict(values) for key, values in tomllib.loads(text).items()}
    if path is not None:
        try:
            user = tomllib.loads(Path(path).read_text("utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise OsmError(
                f"{path}: 无法读取类别映射 cannot read the category mapping: {exc}"
            ) from exc
        for key, values in user.items():
            if not isinstance(values, dict):
                raise OsmError(
                    f'{path}: {key} 应为表 [key] value = "category" '
                    f'{key} must be a table of value = "category"'
                )
            merged = mapping.setdefault(key, {})
            for value, category in values.items():
                if category:
                    merged[value] = str(category)
                else:
                    merged.pop(value, None)
    return mapping


def walk_exclusion(tags: Mapping[str, str]) -> str | None:
    """Why a highway is not walkable (a short reason), or None when it is."""
    highway = tags.get("highway")
    foot = tags.get("foot")
    if highway is None:
        return "no highway"
    if highway in NEVER_WALKABLE or tags.get("motorroad") == "yes":
        return f"highway={highway}" if highway in NEVER_WALKABLE else "motorroad=yes"
    if foot == "no":
        return "foot=no"
    if tags.get("access") in ("private", "no") and foot not in FOOT_ALLOWED:
        return f"access={tags.get('access')}"
    if highway in WALKABLE_HIGHWAYS or foot in FOOT_ALLOWED:
        return None
    return f"highway={highway}"


def _category(tags: Mapping[str, str], mapping: Mapping[str, Mapping[str, str]]) -> tuple[str, str]:
    for key, values in mapping.items():
        value = tags.get(key)
        if value is not None and value in values:
            return values[value], f"{key}={value}"
    return "", ""


def _levels(tags: Mapping[str, str]) -> float:
    try:
        levels = float(tags.get("building:levels", ""))
    except ValueError:
        levels = 0.0
    if levels > 0:
        return levels
    return float(DEFAULT_LEVELS.get(tags.get("building", ""), DEFAULT_LEVELS_OTHER))


class _Collector:
    """Accumulates segments, facilities and buildings while the file streams by."""

    def __init__(self, mapping: Mapping[str, Mapping[str, str]], own_compounds=None):
        self.mapping = mapping
        self.own_compounds = own_compounds
        self.seg_a: list[tuple[int, int]] = []
        self.seg_b: list[tuple[int, int]] = []
        self.refs: set[int] = set()
        self.report = NetworkReport()
        self.facilities: list[dict] = []
        self.building_rings: list[np.ndarray] = []
        self.buildings: list[dict] = []
        self.residential_areas: list[np.ndarray] = []
        self.skipped_relations = 0

    def node(self, obj) -> None:
        category, tag = _category(obj.tags, self.mapping)
        if category and obj.location.valid():
            self._facility(
                f"n{obj.id}", obj.tags, category, tag, obj.location.lon, obj.location.lat
            )

    def way(self, obj) -> None:
        tags = obj.tags
        points = [(n.location.x, n.location.y) if n.location.valid() else None for n in obj.nodes]
        if "highway" in tags and tags.get("area") != "yes":
            reason = walk_exclusion(tags)
            if reason == "access=private" and self._inside_own_compounds(points):
                reason = None
                self.report.private_ways_kept += 1
            if reason is None:
                self.report.walkable_ways += 1
                self.refs.update(n.ref for n in obj.nodes if n.location.valid())
                for a, b in zip(points[:-1], points[1:], strict=True):
                    if a is None or b is None:
                        self.report.missing_node_locations += 1
                    else:
                        self.seg_a.append(a)
                        self.seg_b.append(b)
            elif tags.get("highway") not in ("bus_stop", "platform"):
                self.report.excluded_ways[reason] = self.report.excluded_ways.get(reason, 0) + 1
        closed = len(points) >= 4 and points[0] == points[-1] and None not in points
        if not closed:
            return
        ring = np.array(points, dtype=np.float64) * 1e-7
        category, tag = _category(tags, self.mapping)
        if category:
            centre = shapely.centroid(shapely.polygons(ring))
            self._facility(f"w{obj.id}", tags, category, tag, centre.x, centre.y)
        if tags.get("landuse") == "residential":
            self.residential_areas.append(ring)
        if tags.get("building") in RESIDENTIAL_BUILDINGS or tags.get("building") == "yes":
            self.building_rings.append(ring)
            self.buildings.append(
                {
                    "id": f"w{obj.id}",
                    "name": tags.get("name:zh") or tags.get("name") or tags.get("addr:street", ""),
                    "building": tags.get("building"),
                    "levels": _levels(tags),
                }
            )

    def _inside_own_compounds(self, points) -> bool:
        """A private way counts as walkable when it lies wholly inside the area's own compounds."""
        if self.own_compounds is None or None in points:
            return False
        xy = np.array(points, dtype=np.float64) * 1e-7
        return bool(shapely.contains_xy(self.own_compounds, xy[:, 0], xy[:, 1]).all())

    def relation(self, obj) -> None:
        if _category(obj.tags, self.mapping)[0]:
            self.skipped_relations += 1

    def _facility(self, oid: str, tags, category: str, tag: str, lon: float, lat: float) -> None:
        self.facilities.append(
            {
                "id": oid,
                "name": tags.get("name:zh") or tags.get("name") or "",
                "category": category,
                "lon": lon,
                "lat": lat,
                "osm_tag": tag,
            }
        )


def _read(path: Path, collector: _Collector) -> None:
    processor = (
        osmium.FileProcessor(str(path))
        .with_locations()
        .with_filter(osmium.filter.KeyFilter(*_READ_KEYS))
    )
    handlers = {"n": collector.node, "w": collector.way, "r": collector.relation}
    for obj in processor:
        handlers[obj.type_str()](obj)


def read_osm(
    path: str | Path,
    category_mapping: Mapping[str, Mapping[str, str]] | None = None,
    progress: Progress = silent,
    own_compounds: shapely.Geometry | None = None,
) -> OsmExtract:
    """Read an OSM file into a walk graph (largest component), facilities and residential buildings.

    `own_compounds` (WGS-84 polygons of the area's compounds): access=private ways wholly inside
    them are walked (residents use their own compound's paths); elsewhere private ways are not.

    Raises OsmError naming the file when it is missing, empty, truncated or has no walkable ways.
    """
    path = Path(path)
    if not path.is_file():
        raise OsmError(f"{path}: 文件不存在 file not found")
    if path.stat().st_size == 0:
        raise OsmError(f"{path}: 文件为空 the file is empty")
    if own_compounds is not None:
        shapely.prepare(own_compounds)
    collector = _Collector(category_mapping or load_category_mapping(), own_compounds)
    progress("读取 OSM reading OSM", 0, 3)
    try:
        _read(path, collector)
    except RuntimeError as exc:
        raise OsmError(
            f"{path}: 无法读取 OSM 文件（文件损坏或被截断？）cannot read the OSM file "
            f"(damaged or truncated?): {exc}"
        ) from exc
    if not collector.seg_a:
        raise OsmError(
            f"{path}: 文件中没有可步行的道路 the file has no walkable ways "
            f"(highway in {sorted(WALKABLE_HIGHWAYS)}, not foot=no)"
        )
    progress("构建路网 building the walk graph", 1, 3)
    graph, projection = _build_graph(collector)
    progress("设施与建筑 facilities and buildings", 2, 3)
    facilities = _facility_frame(collector, projection)
    buildings = _building_frame(collector, projection)
    warnings = [line for line in collector.report.lines()[1:]]
    if collector.skipped_relations:
        warnings.append(
            f"{collector.skipped_relations} 个带设施标签的关系（多边形）未读取 "
            f"{collector.skipped_relations} relations with facility tags (multipolygons) not read"
        )
    progress("设施与建筑 facilities and buildings", 3, 3)
    return OsmExtract(graph, projection, facilities, buildings, collector.report, warnings)


def _build_graph(collector: _Collector) -> tuple[WalkGraph, LocalProjection]:
    report = collector.report
    ends = np.concatenate(
        [np.asarray(collector.seg_a, dtype=np.int64), np.asarray(collector.seg_b, dtype=np.int64)]
    )
    # One node per distinct OSM location (1e-7 degree integers): coincident nodes merge.
    keys = (ends[:, 0] + 2**31) * 2**32 + (ends[:, 1] + 2**31)
    unique_keys, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    report.merged_nodes = max(0, len(collector.refs) - unique_keys.size)
    lon = ends[first, 0] * 1e-7
    lat = ends[first, 1] * 1e-7
    projection = LocalProjection.for_points(lon, lat)
    x, y = projection.to_metres(lon, lat)
    m = len(collector.seg_a)
    graph = WalkGraph.from_edges(x, y, inverse[:m], inverse[m:], projection.crs)

    n_components, label = csgraph.connected_components(graph.csr_matrix(), directed=False)
    sizes = np.bincount(label)
    inside = label == np.argmax(sizes)
    both = inside[graph.edge_u]
    report.components = int(n_components)
    report.dropped_nodes = int((~inside).sum())
    report.dropped_edges = int((~both).sum())
    report.dropped_length_m = float(graph.edge_length[~both].sum())
    # Renumber the kept nodes along a Z-order curve: neighbours sit close together in memory.
    kx, ky = graph.x[inside], graph.y[inside]
    order = np.argsort(z_order(kx, ky), kind="stable")
    new_id = np.full(graph.n_nodes, -1, dtype=np.int64)
    new_id[np.flatnonzero(inside)[order]] = np.arange(order.size)
    kept = WalkGraph.from_edges(
        kx[order],
        ky[order],
        new_id[graph.edge_u[both]],
        new_id[graph.edge_v[both]],
        graph.crs,
        graph.edge_length[both],
    )
    report.kept_nodes, report.kept_edges = kept.n_nodes, kept.n_edges
    return kept, projection


def z_order(x: np.ndarray, y: np.ndarray, cell_m: float = 50.0) -> np.ndarray:
    """Morton code of 50 m cells (interleaved bits of the cell column and row)."""
    ix = ((x - x.min()) / cell_m).astype(np.uint64)
    iy = ((y - y.min()) / cell_m).astype(np.uint64)
    code = np.zeros(x.shape[0], dtype=np.uint64)
    for bit in range(21):
        b = np.uint64(bit)
        code |= ((ix >> b) & np.uint64(1)) << np.uint64(2 * bit)
        code |= ((iy >> b) & np.uint64(1)) << np.uint64(2 * bit + 1)
    return code


def _facility_frame(collector: _Collector, projection: LocalProjection) -> pd.DataFrame:
    frame = pd.DataFrame(collector.facilities, columns=["id", "name", "category", "lon", "lat"])
    frame["osm_tag"] = [f["osm_tag"] for f in collector.facilities]
    x, y = projection.to_metres(frame["lon"].to_numpy(float), frame["lat"].to_numpy(float))
    frame["x"], frame["y"] = x, y
    return frame[[*FACILITY_FIELDS, "osm_tag"]]


def _projected_polygons(rings: list[np.ndarray], projection: LocalProjection) -> np.ndarray:
    sizes = np.array([ring.shape[0] for ring in rings])
    coords = np.concatenate(rings)
    x, y = projection.to_metres(coords[:, 0], coords[:, 1])
    polygons = shapely.polygons(
        shapely.linearrings(np.stack([x, y], 1), indices=np.repeat(np.arange(sizes.size), sizes))
    )
    return shapely.make_valid(polygons)


def _building_frame(collector: _Collector, projection: LocalProjection) -> pd.DataFrame:
    """Residential buildings as demand points: population = footprint × levels / floor per person.

    Residential are buildings tagged as homes (apartments, residential, house, …) and untyped
    buildings (building=yes) standing inside a landuse=residential area.
    """
    columns = [*BUILDING_FIELDS, "building", "levels", "footprint_m2", "geometry"]
    if not collector.buildings:
        return pd.DataFrame(columns=columns)
    frame = pd.DataFrame(collector.buildings)
    polygons = _projected_polygons(collector.building_rings, projection)
    centres = shapely.point_on_surface(polygons)
    keep = frame["building"].isin(RESIDENTIAL_BUILDINGS).to_numpy(copy=True)
    if collector.residential_areas:
        areas = _projected_polygons(collector.residential_areas, projection)
        inside, _ = shapely.STRtree(areas).query(centres, predicate="within")
        keep[inside] = True
    frame, polygons, centres = frame[keep].reset_index(drop=True), polygons[keep], centres[keep]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    frame["x"], frame["y"] = shapely.get_x(centres), shapely.get_y(centres)
    frame["lon"], frame["lat"] = projection.to_lonlat(frame["x"].to_numpy(), frame["y"].to_numpy())
    frame["footprint_m2"] = shapely.area(polygons)
    frame["geometry"] = polygons
    frame["population"] = frame["footprint_m2"] * frame["levels"] / FLOOR_AREA_PER_PERSON_M2
    for column, share in AGE_SHARES.items():
        frame[column] = frame["population"] * share
    return frame[columns]
