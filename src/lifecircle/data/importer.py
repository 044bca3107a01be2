"""Import one file of compounds, facilities, candidate sites or gates into a checked table.

Every row either lands in the table or is reported (file, row, column, value, reason); a whole
file that cannot be used raises DataFileError. Coordinates are converted from the declared `crs`
(wgs84 | gcj02 | bd09) to WGS-84; polygons (GeoJSON / GeoPackage) give their centroid as the
point and are kept in a `geometry` column (WGS-84 lon/lat until projected).
"""

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

from lifecircle.data.area import CANDIDATE_COLUMNS, COMPOUND_COLUMNS, FACILITY_COLUMNS, GATE_COLUMNS
from lifecircle.data.categories import CategoryMapper
from lifecircle.data.columns import FIELDS, KINDS, match_headers
from lifecircle.data.read import RawTable, read_table
from lifecircle.data.report import DataFileError, ImportResult, Issue
from lifecircle.data.validate import (
    FAR_KM,
    Invalid,
    coordinate_problem,
    distance_from_median_km,
    great_circle_km,
    is_blank,
    parse_count,
    parse_list,
    parse_number,
    parse_year,
    show,
)
from lifecircle.geo.chinese import CRS_NAMES, to_wgs84
from lifecircle.standards import Standard, load_standard

OUTPUT_COLUMNS = {
    "compounds": COMPOUND_COLUMNS,
    "facilities": FACILITY_COLUMNS,
    "candidates": CANDIDATE_COLUMNS,
    "gates": GATE_COLUMNS,
    "points": ("id", "name", "address", "lon", "lat"),
}
_COUNT_FIELDS = {
    "population",
    "households",
    "pop_60_plus",
    "pop_0_6",
    "pop_7_14",
    "floor_area",
    "capacity",
    "cost",
}
_UNIQUE_NAMES = {"compounds", "candidates", "points"}
_SAME_PLACE_M = 50.0


@dataclass
class _Row:
    file: str
    number: int
    values: dict[str, object] = field(default_factory=dict)
    problems: list[Issue] = field(default_factory=list)
    geometry: object = None

    def reject(self, column: str, value: object, reason: str) -> None:
        self.problems.append(Issue(self.file, self.number, column, show(value), reason))


def import_file(
    path: Path | str,
    kind: str,
    crs: str = "wgs84",
    standard: Standard | str | Path = "gb50180-2018",
    mapping: dict[str, str] | str | Path | None = None,
) -> ImportResult:
    """Read and check one file of `kind` (compounds | facilities | candidates | gates | points).

    `standard` is a Standard, a preset name or a user TOML file; `mapping` adds free-text
    category names → codes to the standard's aliases: a dict or the path of a mapping file
    (TOML or CSV, see `read_mapping`), for every kind.
    """
    _check_kind_and_crs(kind, crs)
    return import_raw(read_table(path), kind, crs, standard, mapping)


def _check_kind_and_crs(kind: str, crs: str) -> None:
    if kind not in KINDS:
        raise DataFileError(
            kind, f"未知数据类型 unknown kind {kind!r}; 可选 choose from: {', '.join(KINDS)}"
        )
    if crs.lower() not in CRS_NAMES:
        raise DataFileError(
            crs, f"未知坐标系 unknown crs {crs!r}; 可选 choose from: {', '.join(CRS_NAMES)}"
        )


def import_raw(
    raw: RawTable,
    kind: str,
    crs: str = "wgs84",
    standard: Standard | str | Path = "gb50180-2018",
    mapping: dict[str, str] | str | Path | None = None,
) -> ImportResult:
    """Check cells already read (from a file or a DataFrame) with the rules of `import_file`."""
    _check_kind_and_crs(kind, crs)
    crs = crs.lower()
    if not isinstance(standard, Standard):
        standard = load_standard(standard)
    if not raw.records:
        raise DataFileError(raw.file, "没有数据行 no data rows")
    name = str(raw.file)
    headers, notes = _match_columns(raw, kind)
    mapper = CategoryMapper(standard, mapping)
    categories: dict[str, str] = {}
    position = {h: i for i, h in enumerate(raw.headers)}
    columns = {f: (h, position[h]) for f, h in headers.items()}
    rows = [_parse_row(raw, i, kind, columns, mapper, categories) for i in range(len(raw.records))]
    _locate(rows, raw, headers, crs)
    _check_far(rows, headers)
    _check_duplicates(rows, kind, headers)
    good = [r for r in rows if not r.problems]
    table = _table(good, kind, raw.geometry is not None)
    issues = notes + [p for r in rows for p in r.problems]
    return ImportResult(name, kind, len(rows), table, issues, categories)


def _match_columns(raw: RawTable, kind: str) -> tuple[dict[str, str], list[Issue]]:
    """{field: header} for the fields found; DataFileError naming a missing required column."""
    mapping, unused = match_headers(raw.headers, kind)
    by_field = {f: h for h, f in mapping.items()}
    spec = KINDS[kind]
    has_geometry = raw.geometry is not None
    for f in spec.required:
        if f in by_field or (has_geometry and f in ("lon", "lat")):
            continue
        accepted = " / ".join(FIELDS[f].aliases)
        raise DataFileError(
            raw.file,
            f"缺少必需列「{FIELDS[f].label_zh}」 missing required column {f!r} "
            f"(可用列名 accepted headers: {accepted}); "
            f"文件中的列 headers found: {', '.join(h for h in raw.headers if h) or '(无 none)'}",
        )
    notes = [
        Issue(str(raw.file), None, h, "", "未使用的列，已忽略 column not used, ignored", False)
        for h in unused
        if h
    ]
    return by_field, notes


def _parse_row(
    raw: RawTable,
    index: int,
    kind: str,
    columns: dict[str, tuple[str, int]],
    mapper: CategoryMapper,
    categories: dict[str, str],
) -> _Row:
    """Parse the cells of record `index`; `columns` is {field: (header, position)}."""
    row = _Row(str(raw.file), raw.row_numbers[index])
    record = raw.records[index]
    required = KINDS[kind].required

    def reject(field_name: str, value: object, reason: str) -> None:
        row.reject(columns[field_name][0], value, reason)

    for field_name, (_header, i) in columns.items():
        value = record[i] if i < len(record) else None
        spec = FIELDS[field_name]
        if is_blank(value):
            if field_name in required:
                reject(field_name, value, "缺少值 missing value")
            continue
        try:
            if field_name in _COUNT_FIELDS:
                row.values[field_name] = parse_count(value)
            elif spec.kind == "number":
                row.values[field_name] = parse_number(value)
            elif spec.kind == "year":
                row.values[field_name] = parse_year(value)
            elif field_name == "category":
                row.values[field_name] = _category(value, mapper, categories)
            elif field_name == "allowed_functions":
                row.values[field_name] = tuple(
                    _category(item, mapper, categories) for item in parse_list(value)
                )
            else:
                row.values[field_name] = str(value).strip()
        except Invalid as exc:
            reject(field_name, value, str(exc))
    if kind == "compounds":
        _check_population(row, reject)
    if raw.geometry is not None:
        row.geometry = raw.geometry[index]
    return row


def _category(value: object, mapper: CategoryMapper, seen: dict[str, str]) -> str:
    text = str(value).strip()
    code = mapper.code(text)
    if code is None:
        raise Invalid(
            f"未知类别「{text}」，请用类别映射文件指定 (--mapping) unknown category {text!r} "
            f"in standard {mapper.standard.name}; map it in a mapping file (--mapping)"
        )
    seen[text] = code
    return code


def _check_population(row: _Row, reject) -> None:
    values = row.values
    population = values.get("population")
    if population is None:
        return
    for part in ("pop_60_plus", "pop_0_6", "pop_7_14", "households"):
        if values.get(part, 0.0) > population:
            reject(
                part,
                values[part],
                f"大于总人口 {population:g} greater than the population {population:g}",
            )
    groups = sum(values.get(p, 0.0) for p in ("pop_60_plus", "pop_0_6", "pop_7_14"))
    if groups > population and not row.problems:
        reject(
            "population",
            population,
            f"小于各年龄组之和 {groups:g} less than the sum of the age groups {groups:g}",
        )


def _locate(rows: list[_Row], raw: RawTable, headers: dict[str, str], crs: str) -> None:
    """Fill lon/lat (WGS-84) of every row from its geometry or lon/lat cells; reject bad ones."""
    for row in rows:
        if raw.geometry is not None:
            geom = row.geometry
            if geom is None or shapely.is_empty(geom):
                row.reject("geometry", None, "没有几何 no geometry")
                continue
            point = geom if geom.geom_type == "Point" else geom.centroid
            row.values["lon"], row.values["lat"] = point.x, point.y
        if "lon" not in row.values or "lat" not in row.values:
            continue
        problem = coordinate_problem(row.values["lon"], row.values["lat"])
        if problem:
            column = _coordinate_column(headers)
            shown = f"{show(row.values['lon'])}, {show(row.values['lat'])}"
            row.reject(column, shown, problem)
    if crs == "wgs84":
        return
    located = [r for r in rows if not r.problems and "lon" in r.values]
    if not located:
        return
    lon, lat = to_wgs84(
        np.array([r.values["lon"] for r in located]),
        np.array([r.values["lat"] for r in located]),
        crs,
    )
    for r, x, y in zip(located, lon, lat, strict=True):
        r.values["lon"], r.values["lat"] = float(x), float(y)
        if r.geometry is not None and r.geometry.geom_type != "Point":
            r.geometry = shapely.transform(
                r.geometry, lambda xy: np.column_stack(to_wgs84(xy[:, 0], xy[:, 1], crs))
            )


def _coordinate_column(headers: dict[str, str]) -> str:
    """How to name the location in a report: the lon/lat headers, or `geometry`."""
    if "lon" in headers and "lat" in headers:
        return f"{headers['lon']}/{headers['lat']}"
    return "geometry"


def _check_far(rows: list[_Row], headers: dict[str, str]) -> None:
    located = [r for r in rows if not r.problems]
    if len(located) < 3:
        return
    lon = np.array([r.values["lon"] for r in located])
    lat = np.array([r.values["lat"] for r in located])
    for r, km in zip(located, distance_from_median_km(lon, lat), strict=True):
        if km > FAR_KM:
            r.reject(
                _coordinate_column(headers),
                f"{show(r.values['lon'])}, {show(r.values['lat'])}",
                f"离本文件其他点的中位位置 {km:.0f} km，可能输错 "
                f"{km:.0f} km from the median point of this file (> {FAR_KM:g} km): likely a typo",
            )


def _check_duplicates(rows: list[_Row], kind: str, headers: dict[str, str]) -> None:
    """Reject later rows repeating an id, a name (compounds, candidates), or a facility listed
    twice (same name and category within 50 m); the first occurrence is kept."""
    keys = ["id"] + (["name"] if kind in _UNIQUE_NAMES else [])
    for key in keys:
        first: dict[str, int] = {}
        for row in rows:
            value = row.values.get(key)
            if row.problems or value is None:
                continue
            if value in first:
                row.reject(
                    headers.get(key, key),
                    value,
                    f"与第{first[value]}行重复 duplicates row {first[value]}",
                )
            else:
                first[value] = row.number
    if kind == "facilities":
        seen: dict[tuple[str, str], list[_Row]] = {}
        for row in rows:
            if row.problems:
                continue
            key = (row.values["name"], row.values["category"])
            for earlier in seen.get(key, []):
                if _metres_apart(earlier, row) <= _SAME_PLACE_M:
                    row.reject(
                        headers["name"],
                        row.values["name"],
                        f"与第{earlier.number}行重复（同名同类，相距 ≤{_SAME_PLACE_M:g} m）"
                        f" duplicates row {earlier.number} (same name and category within "
                        f"{_SAME_PLACE_M:g} m)",
                    )
                    break
            else:
                seen.setdefault(key, []).append(row)


def _metres_apart(a: _Row, b: _Row) -> float:
    km = great_circle_km(a.values["lon"], a.values["lat"], b.values["lon"], b.values["lat"])
    return float(km) * 1000.0


def _table(rows: list[_Row], kind: str, with_geometry: bool) -> pd.DataFrame:
    """The good rows in the Area column contract (x, y are filled when projected), plus `row`.

    Without an id column, a compound or candidate is identified by its name (names are unique),
    a facility by `f<row>`.
    """
    columns = OUTPUT_COLUMNS[kind]
    records = []
    for row in rows:
        record = {c: row.values.get(c, np.nan) for c in columns}
        record["row"] = row.number
        if "id" in columns and "id" not in row.values:
            record["id"] = f"f{row.number}" if kind == "facilities" else row.values["name"]
        if kind == "candidates":
            record["allowed_functions"] = row.values.get("allowed_functions", ())
        if with_geometry and kind == "compounds":
            geom = row.geometry
            record["geometry"] = None if geom is None or geom.geom_type == "Point" else geom
        records.append(record)
    extra = ["row"] + (["geometry"] if with_geometry and kind == "compounds" else [])
    return pd.DataFrame(records, columns=list(columns) + extra)
