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

GROUNDS = frozenset({"university", "college", "hospital"})
"""amenity values whose grounds are not public community space: the facilities inside them (campus
libraries, pitches, canteens) serve students and patients, not the residents."""
BY_SCHOOL_LEVEL = "by_level"
"""Mapping value for schools: the category comes from `school_levels`, not from the tag alone."""
SCHOOL_WORDS = {
    "kindergarten": "kindergarten",
    "preschool": "kindergarten",
    "primary": "primary_school",
    "elementary": "primary_school",
    "secondary": "middle_school",
    "lower_secondary": "middle_school",
    "middle": "middle_school",
    "junior": "middle_school",
    "junior_high": "middle_school",
    "upper_secondary": "",
    "high": "",
    "senior": "",
    "senior_high": "",
}
"""Values of school=* and suffixes of school:*=yes; "" marks an upper-secondary (high) school."""
ISCED_CATEGORY = {0: "kindergarten", 1: "primary_school", 2: "middle_school"}
"""ISCED 2011 levels (isced:level) a life circle serves; 3 and above are high school and beyond."""

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
    excluded_facilities: pd.DataFrame = field(default_factory=pd.DataFrame)
    """Facilities left out (inside university, college or hospital grounds), with `reason`."""


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


def _isced_levels(value: str) -> set[int]:
    levels = set()
    for part in value.replace(",", ";").split(";"):
        ends = part.strip().split("-")
        try:
            low, high = int(ends[0]), int(ends[-1])
        except ValueError:
            continue
        levels.update(range(low, high + 1))
    return levels


def _levels_from_name(name: str) -> list[str] | None:
    """Categories a school serves by its Chinese name; None when the name does not say.

    附属 (affiliated) says nothing itself: the rest of the name decides, so 复旦大学附属中学 is a
    middle school and 华东师范大学附属小学 a primary school. A 中学 counts as a junior middle school
    unless its name says it is a 高中 / 高级中学 only.
    """
    codes = []
    if "幼儿园" in name:
        codes.append("kindergarten")
    if "一贯制" in name or "小学" in name or "附小" in name:
        codes.append("primary_school")
    high = "高中" in name or "高级中学" in name
    junior = (
        "一贯制" in name
        or "初中" in name
        or "初级中学" in name
        or "完全中学" in name
        or ("中学" in name.replace("高级中学", ""))
        or ("附中" in name and not high)
    )
    if junior:
        codes.append("middle_school")
    if codes or high:
        return codes
    return None


def school_levels(tags: Mapping[str, str]) -> tuple[list[str], str]:
    """The life-circle categories a school serves and what says so.

    Read in order: `isced:level` (0 kindergarten, 1 primary, 2 junior middle, 3+ not served);
    `school=*` or `school:*=yes` (primary, secondary/middle/junior, upper_secondary/high); the
    Chinese name (小学, 初中, 中学, 高中, 一贯制, 附小, 附中). An empty list with evidence is a school
    the life circle does not count (a high school only); with evidence "" the level is unknown.

    Examples
    --------
    >>> school_levels({"amenity": "school", "name": "复旦大学附属中学"})
    (['middle_school'], 'name')
    >>> school_levels({"amenity": "school", "isced:level": "1;2"})
    (['primary_school', 'middle_school'], 'isced:level=1;2')
    >>> school_levels({"amenity": "school", "name": "上海市七宝高级中学"})
    ([], 'name')
    """
    if "isced:level" in tags:
        levels = _isced_levels(tags["isced:level"])
        if levels:
            codes = [ISCED_CATEGORY[level] for level in sorted(levels) if level in ISCED_CATEGORY]
            return codes, f"isced:level={tags['isced:level']}"
    words = []
    for key, value in tags.items():
        if key == "school":
            words.extend((w.strip(), f"school={value}") for w in value.split(";"))
        elif key.startswith("school:") and value == "yes":
            words.append((key.removeprefix("school:"), f"{key}=yes"))
    known = [(SCHOOL_WORDS[w], why) for w, why in words if w in SCHOOL_WORDS]
    if known:
        codes = list(dict.fromkeys(code for code, _ in known if code))
        return codes, ", ".join(dict.fromkeys(why for _, why in known))
    for key in ("name:zh", "name", "official_name"):
        codes = _levels_from_name(tags.get(key, ""))
        if codes is not None:
            return codes, "name"
    return [], ""


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
        self.grounds: list[tuple[str, str, shapely.Geometry]] = []
        self.schools_not_counted: list[tuple[str, str, str]] = []

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

    def area(self, obj) -> None:
        """University, college and hospital grounds (closed ways and multipolygons)."""
        if obj.tags.get("amenity") not in GROUNDS:
            return
        polygons = []
        for outer in obj.outer_rings():
            shell = [(n.lon, n.lat) for n in outer]
            holes = [[(n.lon, n.lat) for n in inner] for inner in obj.inner_rings(outer)]
            if len(shell) >= 4:
                polygons.append(shapely.Polygon(shell, [h for h in holes if len(h) >= 4]))
        if polygons:
            oid = f"{'w' if obj.from_way() else 'r'}{obj.orig_id()}"
            name = obj.tags.get("name:zh") or obj.tags.get("name") or oid
            ground = shapely.make_valid(shapely.MultiPolygon(polygons))
            self.grounds.append((oid, f"{name} (amenity={obj.tags['amenity']})", ground))

    def _facility(self, oid: str, tags, category: str, tag: str, lon: float, lat: float) -> None:
        name = tags.get("name:zh") or tags.get("name") or ""
        codes = [category]
        if category == BY_SCHOOL_LEVEL:
            codes, evidence = school_levels({tag.k: tag.v for tag in tags})
            if not codes:
                why = (
                    "高中或以上 high school or beyond"
                    if evidence
                    else "级别不明 level unknown (no isced:level, school=* or 小学/中学 in the name)"
                )
                self.schools_not_counted.append((oid, name, why))
                return
            tag = f"{tag}; {evidence}"
        for code in codes:
            self.facilities.append(
                {
                    "id": oid if len(codes) == 1 else f"{oid}:{code}",
                    "osm_id": oid,
                    "name": name,
                    "category": code,
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
    processor = processor.with_areas()
    handlers = {
        "n": collector.node,
        "w": collector.way,
        "r": collector.relation,
        "a": collector.area,
    }
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
    facilities, excluded, ground_warnings = _outside_grounds(facilities, collector.grounds)
    buildings = _building_frame(collector, projection)
    warnings = [line for line in collector.report.lines()[1:]]
    if collector.skipped_relations:
        warnings.append(
            f"{collector.skipped_relations} 个带设施标签的关系（多边形）未读取 "
            f"{collector.skipped_relations} relations with facility tags (multipolygons) not read"
        )
    warnings.extend(ground_warnings)
    if collector.schools_not_counted:
        listed = "; ".join(f"{oid} {name}: {why}".replace("  ", " ") for oid, name, why in
                           collector.schools_not_counted)  # fmt: skip
        warnings.append(
            f"{len(collector.schools_not_counted)} 所学校未计为小学/初中 schools not counted as "
            f"primary or junior middle schools: {listed}"
        )
    progress("设施与建筑 facilities and buildings", 3, 3)
    return OsmExtract(
        graph, projection, facilities, buildings, collector.report, warnings, excluded
    )


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
    columns = ["id", "name", "category", "lon", "lat", "osm_tag", "osm_id"]
    frame = pd.DataFrame(collector.facilities, columns=columns)
    x, y = projection.to_metres(frame["lon"].to_numpy(float), frame["lat"].to_numpy(float))
    frame["x"], frame["y"] = x, y
    return frame[[*FACILITY_FIELDS, "osm_tag", "osm_id"]]


def _outside_grounds(
    facilities: pd.DataFrame, grounds: list[tuple[str, str, shapely.Geometry]]
) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """Facilities outside university, college and hospital grounds; those inside; warnings.

    A ground's own feature (the hospital itself) stays; everything else inside it is left out.
    """
    inside = np.zeros(len(facilities), dtype=bool)
    reason = np.full(len(facilities), "", dtype=object)
    warnings = []
    lon, lat = facilities["lon"].to_numpy(float), facilities["lat"].to_numpy(float)
    own = facilities["osm_id"].to_numpy()
    for oid, label, ground in grounds:
        hit = shapely.contains_xy(ground, lon, lat) & (own != oid) & ~inside
        if not hit.any():
            continue
        inside |= hit
        reason[hit] = f"位于 inside {label}"
        names = ", ".join(
            f"{i} {n}".strip()
            for i, n in zip(facilities["id"][hit], facilities["name"][hit], strict=True)
        )
        warnings.append(
            f"{label} 内的 {int(hit.sum())} 个设施不计为社区公共设施 {int(hit.sum())} facilities "
            f"inside {label} are not public community facilities; left out: {names}"
        )
    excluded = facilities[inside].assign(reason=reason[inside]).reset_index(drop=True)
    return facilities[~inside].reset_index(drop=True), excluded, warnings


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
