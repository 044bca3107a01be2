"""`lifecircle.Area`: load an area once, then measure access and plan sites on it.

The loaders read files or DataFrames with the same row rules (every rejected row is kept in
`Area.issues` with its file, row and field); `access()` and `plan()` run the engines and return
typed results. The CLI commands are thin faces over these calls.
"""

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

from lifecircle.access.area import analyse, attach, equity
from lifecircle.access.measures import supply_ratios
from lifecircle.data.area import Area as AreaData
from lifecircle.data.build import build_area, link_gates
from lifecircle.data.categories import read_mapping
from lifecircle.data.importer import import_file, import_raw
from lifecircle.data.priorities import parse_targets, read_weights, weights_table
from lifecircle.data.report import ImportResult, Issue
from lifecircle.errors import InputError, RowsRejectedError
from lifecircle.library import analysis
from lifecircle.library.frames import raw_table, street_graph
from lifecircle.library.results import Accessibility, PlanResult
from lifecircle.network.osm import load_category_mapping, read_osm
from lifecircle.plan.area import AREA_MODELS, coverage_before_after, plan_area_model, plan_hubs
from lifecircle.plan.result import INFEASIBLE
from lifecircle.plan.result import PlanResult as EnginePlan
from lifecircle.progress import Progress, silent
from lifecircle.standards import Standard, load_standard

AREA_FILES = ("compounds", "facilities", "candidates", "gates")
"""The tables of an area folder, each as `<kind>.csv|.xlsx|.geojson|.gpkg`."""
TABLE_SUFFIXES = (".csv", ".xlsx", ".geojson", ".gpkg")
OSM_SUFFIXES = (".pbf", ".osm", ".bz2")
OBJECTIVES = ("normalised", "heads")


def _standard(standard: Standard | str | Path) -> Standard:
    return standard if isinstance(standard, Standard) else load_standard(standard)


def _mapping(mapping: dict[str, str] | str | Path | None) -> dict[str, str] | None:
    if mapping is None or isinstance(mapping, dict):
        return mapping
    return read_mapping(mapping)


def _compound_outlines(table: pd.DataFrame | None) -> shapely.Geometry | None:
    """Union of the compounds' polygons (WGS-84), where the table gives them."""
    if table is None or "geometry" not in table:
        return None
    polygons = [g for g in table["geometry"] if isinstance(g, shapely.Geometry) and g.area > 0]
    return shapely.union_all(polygons) if polygons else None


@dataclasses.dataclass
class Area(AreaData):
    """One sub-district: walk graph, compounds, facilities, candidate sites and the standard.

    Build one with `Area.from_folder`, `Area.from_files`, `Area.from_frames` or `Area.demo`.
    ``issues`` holds every row the loaders rejected (file, row, field, value, reason) and
    ``warnings`` everything else a planner should know (OSM notes, unused columns).

    Examples
    --------
    >>> import lifecircle as lc
    >>> area = lc.Area.demo()
    >>> area
    Area('示意街道 Demo sub-district (illustrative)', compounds=21, facilities=37, candidates=8, gates=17, standard='gb50180-2018', issues=0)
    """

    issues: list[Issue] = dataclasses.field(default_factory=list)
    warnings: list[str] = dataclasses.field(default_factory=list)
    _cache: dict = dataclasses.field(default_factory=dict, init=False, repr=False, compare=False)

    def __repr__(self) -> str:
        return (
            f"Area({self.name!r}, compounds={len(self.compounds)}, "
            f"facilities={len(self.facilities)}, candidates={len(self.candidates)}, "
            f"gates={len(self.gates)}, standard={self.standard.name!r}, issues={len(self.issues)})"
        )

    # ---- loaders -------------------------------------------------------------------------------

    @classmethod
    def from_data(cls, area: AreaData, issues=(), warnings=()) -> "Area":
        """Wrap an engine-level `lifecircle.data.Area` (e.g. one built by hand)."""
        values = {f.name: getattr(area, f.name) for f in dataclasses.fields(AreaData)}
        return cls(**values, issues=list(issues), warnings=list(warnings))

    @classmethod
    def demo(cls, standard: Standard | str | Path = "gb50180-2018") -> "Area":
        """The built-in illustrative sub-district (示意数据, invented).

        Examples
        --------
        >>> import lifecircle as lc
        >>> lc.Area.demo().standard.name
        'gb50180-2018'
        """
        from lifecircle.data.demo import build_demo_area

        name = standard.name if isinstance(standard, Standard) else standard
        return cls.from_data(build_demo_area(name))

    @classmethod
    def from_folder(
        cls,
        path: str | Path,
        crs: str = "wgs84",
        standard: Standard | str | Path = "gb50180-2018",
        mapping: dict[str, str] | str | Path | None = None,
        osm_categories: str | Path | None = None,
        strict: bool = False,
        progress: Progress = silent,
    ) -> "Area":
        """Read an area folder: one OSM file and `compounds`, `facilities`, `candidates`,
        `gates` tables (.csv, .xlsx, .geojson or .gpkg; only compounds is required — facilities
        default to the OSM file's).

        Parameters
        ----------
        path : folder holding the files.
        crs : coordinate system of the tables: "wgs84", "gcj02" (AMap, Tencent) or "bd09".
        standard : a Standard, a preset name or a TOML file.
        mapping : free-text category name → code, as a dict or a TOML / CSV file.
        osm_categories : a TOML file overriding the OSM tag → category table.
        strict : raise `RowsRejectedError` when any row is rejected (default: keep the good rows
            and list the others in ``issues``).

        Raises
        ------
        InputError
            The folder, the OSM file or a table cannot be used (names the file and reason).

        Examples
        --------
        >>> import lifecircle as lc
        >>> lc.Area.from_folder("no/such/folder")
        Traceback (most recent call last):
        ...
        lifecircle.errors.InputError: no/such/folder: 不是目录 not a folder
        """
        folder = Path(path)
        if not folder.is_dir():
            raise InputError(f"{folder}: 不是目录 not a folder")
        osm = [f for f in sorted(folder.iterdir()) if f.suffix.lower() in OSM_SUFFIXES]
        if not osm:
            raise InputError(f"{folder}: 没有 OSM 文件 no OSM file (.osm, .osm.pbf, .osm.bz2)")
        found = {}
        for kind in AREA_FILES:
            files = [
                folder / f"{kind}{s}" for s in TABLE_SUFFIXES if (folder / f"{kind}{s}").exists()
            ]
            if files:
                found[kind] = files[0]
        if "compounds" not in found:
            raise InputError(
                f"{folder}: 缺少小区文件 missing compounds.csv / .xlsx / .geojson / .gpkg"
            )
        return cls.from_files(osm[0], **found, crs=crs, standard=standard, mapping=mapping,
                              osm_categories=osm_categories, strict=strict, progress=progress,
                              name=folder.name)  # fmt: skip

    @classmethod
    def from_files(
        cls,
        osm: str | Path,
        compounds: str | Path | None = None,
        facilities: str | Path | None = None,
        candidates: str | Path | None = None,
        gates: str | Path | None = None,
        crs: str = "wgs84",
        standard: Standard | str | Path = "gb50180-2018",
        mapping: dict[str, str] | str | Path | None = None,
        osm_categories: str | Path | None = None,
        strict: bool = False,
        progress: Progress = silent,
        name: str | None = None,
    ) -> "Area":
        """An area from an OSM file and table files; compounds default to the OSM file's
        residential buildings and facilities to its amenities. Parameters as `from_folder`.

        Examples
        --------
        >>> import lifecircle as lc
        >>> lc.Area.from_files("missing.osm.pbf")
        Traceback (most recent call last):
        ...
        lifecircle.network.osm.OsmError: missing.osm.pbf: 文件不存在 file not found
        """
        rules, names = _standard(standard), _mapping(mapping)
        imported = {
            kind: import_file(path, kind, crs=crs, standard=rules, mapping=names)
            for kind, path in (("compounds", compounds), ("facilities", facilities),
                               ("candidates", candidates), ("gates", gates))
            if path is not None
        }  # fmt: skip
        compound_table = imported["compounds"].table if "compounds" in imported else None
        extract = read_osm(osm, load_category_mapping(osm_categories), progress,
                           _compound_outlines(compound_table))  # fmt: skip
        warnings = [extract.report.lines()[0], *extract.warnings]
        if compound_table is None:
            compound_table = extract.buildings
            warnings.append(
                f"需求点：OSM 住宅建筑 {len(compound_table)} 栋 demand points: "
                f"{len(compound_table)} residential buildings of the OSM file"
            )
        if "facilities" not in imported:
            warnings.append(
                f"设施：OSM 中的 {len(extract.facilities)} 处 facilities: "
                f"{len(extract.facilities)} from the OSM file"
            )
        return cls._assemble(name or Path(osm).name, extract.graph, rules, compound_table,
                             imported, extract.facilities, warnings, strict)  # fmt: skip

    @classmethod
    def from_frames(
        cls,
        compounds: pd.DataFrame,
        facilities: pd.DataFrame,
        candidates: pd.DataFrame | None = None,
        gates: pd.DataFrame | None = None,
        streets=None,
        crs: str = "wgs84",
        standard: Standard | str | Path = "gb50180-2018",
        mapping: dict[str, str] | str | Path | None = None,
        name: str = "area",
        strict: bool = False,
    ) -> "Area":
        """An area from DataFrames (lon/lat columns) or GeoDataFrames, checked row by row with
        the same rules as files (headers in Chinese or English).

        Parameters
        ----------
        compounds, facilities, candidates, gates : DataFrame or GeoDataFrame
            As the files of `from_folder`; rows are numbered from 1 in ``issues``.
        streets : WalkGraph, GeoDataFrame / GeoSeries of lines, or an OSM file path
            The walk network.
        crs, standard, mapping, strict
            As `from_folder`.

        Raises
        ------
        InputError
            A required column is missing (``DataFileError``), no streets are given, or with
            ``strict=True`` any row is rejected (``RowsRejectedError``, rows in ``problems``).

        Examples
        --------
        >>> import pandas as pd
        >>> import lifecircle as lc
        >>> demo = lc.Area.demo()
        >>> compounds = demo.compounds[["name", "lon", "lat", "population"]].astype(object)
        >>> compounds.loc[3, "population"] = "many"
        >>> facilities = demo.facilities[["id", "name", "category", "lon", "lat"]]
        >>> area = lc.Area.from_frames(compounds, facilities, streets=demo.graph)
        >>> len(area.compounds), [(i.row, i.column) for i in area.issues]
        (20, [(4, 'population')])
        >>> lc.Area.from_frames(compounds, facilities, streets=demo.graph, strict=True)
        Traceback (most recent call last):
        ...
        lifecircle.errors.RowsRejectedError: 1 行被拒绝 rows rejected: compounds 第4行 row 4 [population] = 'many': 不是数字 not a number
        """
        rules, names = _standard(standard), _mapping(mapping)
        imported = {
            kind: import_raw(raw_table(frame, kind), kind, crs, rules, names)
            for kind, frame in (("compounds", compounds), ("facilities", facilities),
                                ("candidates", candidates), ("gates", gates))
            if frame is not None
        }  # fmt: skip
        compound_table = imported["compounds"].table
        if streets is None:
            raise InputError("streets: 需要步行路网 a walk network is needed (streets=…)")
        warnings = []
        if isinstance(streets, str | Path):
            extract = read_osm(streets, None, silent, _compound_outlines(compound_table))
            graph, warnings = extract.graph, list(extract.warnings)
        else:
            graph = street_graph(streets, compound_table["lon"], compound_table["lat"])
        return cls._assemble(name, graph, rules, compound_table, imported, None, warnings, strict)

    @classmethod
    def _assemble(
        cls, name, graph, rules, compound_table, imported: dict[str, ImportResult],
        osm_facilities, warnings, strict,
    ) -> "Area":  # fmt: skip
        if "gates" in imported:
            imported["gates"] = link_gates(imported["gates"], compound_table)
        issues = [i for result in imported.values() for i in result.issues]
        rejected = [i for i in issues if i.rejected]
        if strict and rejected:
            listed = "; ".join(str(i) for i in rejected[:5])
            more = f" … (+{len(rejected) - 5})" if len(rejected) > 5 else ""
            raise RowsRejectedError(
                f"{len(rejected)} 行被拒绝 rows rejected: {listed}{more}", problems=rejected
            )
        facilities = imported["facilities"].table if "facilities" in imported else osm_facilities
        table = {k: imported[k].table if k in imported else None for k in ("candidates", "gates")}
        area = build_area(name, graph, rules, compound_table, facilities, table["candidates"],
                          table["gates"])  # fmt: skip
        warnings = warnings + [str(i) for i in issues]
        return cls.from_data(area, issues, warnings)

    # ---- analysis ------------------------------------------------------------------------------

    def access(
        self,
        max_offset_m: float = 300.0,
        warn_offset_m: float = 50.0,
        progress: Progress = silent,
        measures: list[str] | tuple[str, ...] | None = None,
        capacity_column: str = "floor_area",
        catchment_m: float | None = None,
    ) -> Accessibility:
        """Walking access from every compound to every category of the standard.

        Every distance includes the walk from each point to its street. Points farther than
        `max_offset_m` from any street are left out, and those farther than `warn_offset_m` named,
        in ``warnings``. The result is kept per argument set, so `plan` reuses it.

        Parameters
        ----------
        max_offset_m, warn_offset_m : float
            Farthest a point may lie from a street (m), and the offset beyond which it is named.
        measures : list of str, optional
            Supply–demand measures ("fca", "2sfca", "e2sfca", "g2sfca", "3sfca", "raam"; see
            `lifecircle.access.measures.supply_ratios`). With them the result's
            ``supply_ratios`` is the long table ``compound_id, category, measure, value`` (the
            CLI's supply_ratio.csv); categories without any capacity are left out and named in
            ``warnings``.
        capacity_column : str
            Facility column holding each facility's supply (floor area m², places, seats).
        catchment_m : float, optional
            One catchment for every category; default each category's walking threshold.

        Raises
        ------
        NoCompoundsError, NoFacilitiesError
            The area has no compounds, or no facility of any category of the standard.
        MeasureError
            An unknown measure, a missing capacity column or a catchment that is not positive.

        Examples
        --------
        >>> import lifecircle as lc
        >>> result = lc.Area.demo().access()
        >>> row = result.coverage.query("category == 'service_station' and group == 'all'")
        >>> f"{row['share'].iloc[0]:.1%}"
        '20.2%'
        >>> sorted(result.table.columns)[:3]
        ['category', 'compound_id', 'compound_name']

        Floor area (m²) within walking reach per resident of the target group, by 2SFCA:

        >>> ratios = lc.Area.demo().access(measures=["2sfca"]).supply_ratios
        >>> list(ratios.columns)
        ['compound_id', 'category', 'measure', 'value']
        >>> row = ratios.query("compound_id == 'C17' and category == 'elderly_daycare'")
        >>> f"{row['value'].iloc[0] * 1000:,.0f} m² per 1,000 aged 60+"
        '571 m² per 1,000 aged 60+'
        """
        key = (max_offset_m, warn_offset_m)
        if key not in self._cache:
            attached = attach(self, max_offset_m, warn_offset_m)
            engine = analyse(self, progress, attached)
            self._cache[key] = Accessibility(self, engine.access, engine.coverage, engine.gaps,
                                             equity(self, engine), list(engine.warnings),
                                             engine)  # fmt: skip
        base = self._cache[key]
        if not measures:
            return base
        names = tuple(dict.fromkeys(m.strip().lower() for m in measures if m.strip()))
        key = (max_offset_m, warn_offset_m, names, capacity_column, catchment_m)
        if key not in self._cache:
            ratios = supply_ratios(self, names, capacity_column, catchment_m,
                                   base.engine.attached, progress=progress)  # fmt: skip
            self._cache[key] = dataclasses.replace(
                base, warnings=base.warnings + ratios.warnings, supply_ratios=ratios.table
            )
        return self._cache[key]

    def closures(self) -> pd.DataFrame:
        """做减法: existing facilities that could close with nobody losing coverage.

        See `lifecircle.library.analysis.closures` for the columns.

        Examples
        --------
        >>> import lifecircle as lc
        >>> table = lc.Area.demo().closures()
        >>> sorted(table.loc[table["can_close"], "id"])
        ['F08', 'F11', 'F34']
        """
        return analysis.closures(self, self.access())

    def merges(self) -> pd.DataFrame:
        """归并: candidates that could replace several same-audience sites as one complex.

        See `lifecircle.library.analysis.merges` for the columns.

        Examples
        --------
        >>> import lifecircle as lc
        >>> lc.Area.demo().merges()[["candidate", "sites_merged", "facilities"]]
          candidate  sites_merged  facilities
        0       S05             2  [F08, F13]
        """
        return analysis.merges(self, self.access())

    def plan(
        self,
        model: str = "hub",
        budget: float | None = None,
        targets: dict[str, float] | list[str] | None = None,
        weights: pd.DataFrame | str | Path | None = None,
        objective: str = "normalised",
        p: int | None = None,
        radius: float | None = None,
        category: str = "service_station",
        max_functions: int | None = None,
        min_coverage: float | None = None,
        mapping: dict[str, str] | str | Path | None = None,
        time_limit: float = 60.0,
        progress: Progress = silent,
    ) -> PlanResult:
        """Choose candidate sites (and, for the hub model, the functions in each).

        Parameters
        ----------
        model : "hub" (sites × functions within floor areas and a budget) or a single-function
            model "mclp", "lscp", "pmedian", "pcenter" placing `category`.
        budget : total conversion cost allowed (hub model; the candidates' cost unit).
        targets : coverage targets, {category: share 0..1} or ["日间照料=80%", …]; category
            names in Chinese or English, mapped like data files (`mapping`).
        weights : priority per category, optionally per compound and category: a DataFrame with
            columns category, weight[, compound_id] or a file (CSV / XLSX) with those columns.
        objective : "normalised" (the sum over functions of the newly covered share of each
            function's target group, in percentage points; the default) or "heads" (residents
            newly covered), see docs/plan.md.
        p, radius, category : for the single-function models.
        max_functions, min_coverage : functions per site; per-compound coverage floor (0–1).

        Raises
        ------
        InputError
            Unknown model or objective, bad targets or weights (rows named), no candidate on
            the walk network.

        Examples
        --------
        >>> import lifecircle as lc
        >>> plan = lc.Area.demo().plan(budget=500)
        >>> plan.status, len(plan.sites), plan.cost <= 500
        ('optimal', 5, True)
        >>> row = plan.coverage.query("category == 'canteen' and group == 'elderly'")
        >>> f"{row['share_before'].iloc[0]:.1%} → {row['share_after'].iloc[0]:.1%}"
        '3.8% → 32.3%'
        """
        if model not in AREA_MODELS:
            raise InputError(f"未知模型 unknown model {model!r}; 可选 choose from {AREA_MODELS}")
        if objective not in OBJECTIVES:
            raise InputError(
                f"未知目标 unknown objective {objective!r}; 可选 choose from {OBJECTIVES}"
            )
        names = _mapping(mapping)
        goals = parse_targets(targets, self.standard, names) if targets else {}
        priorities = self._weights(weights, names)
        access = self.access(progress=progress)
        if model == "hub":
            engine = plan_hubs(self, access.engine, budget, max_functions, min_coverage,
                               time_limit=time_limit, progress=progress, targets=goals or None,
                               weights=priorities, objective=objective)  # fmt: skip
        else:
            if goals or priorities is not None:
                raise InputError(
                    "覆盖目标与权重只适用于 hub 模型 targets and weights apply to the hub model only"
                )
            engine = plan_area_model(self, access.engine, model, p, radius, category,
                                     time_limit, progress)  # fmt: skip
        return self._plan_result(engine, access, budget, priorities)

    def _weights(self, weights, names) -> pd.DataFrame | None:
        """The weights table checked against this area (codes, compound ids), or None."""
        if weights is None:
            return None
        if isinstance(weights, str | Path):
            table = read_weights(weights, self.standard, names)
            label = str(weights)
        else:
            table = weights_table(raw_table(weights, "weights"), self.standard, names)
            label = "weights"
        known = set(map(str, self.compounds["id"])) | set(map(str, self.compounds["name"]))
        by_name = dict(zip(map(str, self.compounds["name"]), map(str, self.compounds["id"]),
                           strict=True))  # fmt: skip
        problems = [
            Issue(label, int(row), "compound_id", str(cid), "没有这个小区 no such compound")
            for row, cid in zip(table["row"], table["compound_id"], strict=True)
            if cid is not None and str(cid) not in known
        ]
        if problems:
            raise InputError(f"{label}: " + "; ".join(map(str, problems)), problems=problems)
        table["compound_id"] = [None if c is None else by_name.get(str(c), str(c))
                                for c in table["compound_id"]]  # fmt: skip
        return table

    def _plan_result(
        self, engine: EnginePlan, access: Accessibility, budget, priorities=None
    ) -> PlanResult:
        feasible = engine.status != INFEASIBLE
        coverage = coverage_before_after(self, access.engine, engine)
        candidates = self.candidates.set_index("id", drop=False)
        sites = candidates.loc[list(engine.sites)] if feasible else candidates.iloc[:0]
        columns = [c for c in ("id", "name", "address", "lon", "lat", "floor_area", "cost")
                   if c in candidates.columns]  # fmt: skip
        sites = sites[columns].reset_index(drop=True)
        sites["functions"] = [tuple(engine.functions.get(s, ())) for s in sites["id"]]
        table = access.table[["compound_id", "category", "covered"]].rename(
            columns={"covered": "covered_before"}
        )
        row_of = {cid: i for i, cid in enumerate(self.compounds["id"])}
        rows = table["compound_id"].map(row_of).to_numpy()
        after = table["covered_before"].to_numpy(bool).copy()
        for code, flags in engine.covered_after_by_category.items():
            pick = np.flatnonzero(table["category"].to_numpy() == code)
            after[pick] = np.asarray(flags, bool)[rows[pick]]
        covered = table.assign(covered_after=after)
        return PlanResult(
            model=engine.model, status=engine.status, objective=engine.objective,
            bound=engine.bound, gap=engine.gap, method=engine.method,
            solve_seconds=engine.solve_seconds, sites=sites, functions=engine.table,
            coverage=coverage, covered=covered, budget=budget,
            cost=float(engine.cost) if feasible and np.isfinite(engine.cost) else 0.0,
            targets=tuple(getattr(engine, "targets", ())),
            excluded_sites=list(engine.excluded_sites), priorities=priorities,
            explanation=engine.explanation,
            warnings=list(engine.warnings), engine=engine,
        )  # fmt: skip
