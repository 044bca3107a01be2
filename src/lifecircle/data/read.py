"""Read a table from CSV, XLSX, GeoJSON or GeoPackage, keeping each row's number in the file.

CSV text is decoded as UTF-8 (with or without BOM), UTF-16 (with BOM), or else GB18030 (a superset
of GBK and GB2312, what Excel on Chinese Windows writes); anything else is an error naming the
file. Geometry files give one geometry per feature (WGS-84 lon/lat if the file declares another
CRS it is reprojected; GeoJSON without a CRS is taken as lon/lat).
"""

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely

from lifecircle.data.report import DataFileError

CSV_SUFFIXES = (".csv", ".txt", ".tsv")
XLSX_SUFFIXES = (".xlsx", ".xlsm")
GEO_SUFFIXES = (".geojson", ".json", ".gpkg")


@dataclass
class RawTable:
    """Cells as read (str, int, float or None), the row number of each record, and geometries."""

    file: Path
    headers: list[str]
    records: list[list[object]]
    row_numbers: list[int]
    geometry: np.ndarray | None = None  # shapely geometries in lon/lat, one per record


def read_table(path: Path | str) -> RawTable:
    """Read any supported file; DataFileError if it cannot be read or holds no data rows."""
    path = Path(path)
    if not path.is_file():
        raise DataFileError(path, "文件不存在 file not found")
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        table = _read_csv(path)
    elif suffix in XLSX_SUFFIXES:
        table = _read_xlsx(path)
    elif suffix in GEO_SUFFIXES:
        table = _read_geo(path)
    else:
        known = ", ".join(CSV_SUFFIXES + XLSX_SUFFIXES + GEO_SUFFIXES)
        raise DataFileError(
            path, f"不支持的文件类型 unsupported file type {suffix!r}; 支持 supported: {known}"
        )
    if not table.records:
        raise DataFileError(path, "文件为空，没有数据行 the file is empty: no data rows")
    return table


def decode_text(path: Path, data: bytes) -> str:
    """Decode CSV bytes: UTF-8 (BOM optional), UTF-16 with BOM, else GB18030 (GBK)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise DataFileError(
            path,
            "无法识别文件编码（试过 UTF-8、UTF-16、GBK/GB18030）; 请另存为 UTF-8 "
            f"cannot decode the file (tried UTF-8, UTF-16, GBK/GB18030) at byte {exc.start}; "
            "save it as UTF-8",
        ) from None


def _read_csv(path: Path) -> RawTable:
    text = decode_text(path, path.read_bytes())
    if not text.strip():
        raise DataFileError(path, "文件为空 the file is empty")
    first_line = text.splitlines()[0]
    delimiter = max(",\t;", key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    headers: list[str] | None = None
    records, rows = [], []
    start = 1
    for record in reader:
        if headers is None:
            if any(cell.strip() for cell in record):
                headers = [cell.strip() for cell in record]
        elif any(cell.strip() for cell in record):
            records.append([cell.strip() for cell in record])
            rows.append(start)
        start = reader.line_num + 1
    return RawTable(path, headers or [], records, rows)


def _read_xlsx(path: Path) -> RawTable:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several types for a broken file
        raise DataFileError(
            path, f"无法读取 Excel 文件 cannot read the Excel file: {exc}"
        ) from None
    try:
        for sheet in book.worksheets:  # the first sheet holding anything
            headers, records, rows = _read_sheet(sheet)
            if headers:
                break
    finally:
        book.close()
    return RawTable(path, headers or [], records, rows)


def _read_sheet(sheet) -> tuple[list[str] | None, list[list[object]], list[int]]:
    """Header (first non-empty row), records and their sheet row numbers; blank rows skipped."""
    headers: list[str] | None = None
    records, rows = [], []
    for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        cells = [v.strip() if isinstance(v, str) else v for v in values]
        if all(c is None or c == "" for c in cells):
            continue
        if headers is None:
            headers = ["" if c is None else str(c) for c in cells]
        else:
            records.append(cells)
            rows.append(number)
    return headers, records, rows


def _read_geo(path: Path) -> RawTable:
    import pyogrio.raw
    from pyproj import CRS, Transformer

    try:
        meta, _fids, wkb, field_data = pyogrio.raw.read(path)
    except Exception as exc:  # GDAL errors come in several types
        raise DataFileError(path, f"无法读取地理文件 cannot read the geodata file: {exc}") from None
    headers = [str(name) for name in meta["fields"]]
    n = 0 if wkb is None else len(wkb)
    records = [[_plain(column[i]) for column in field_data] for i in range(n)]
    geometry = shapely.from_wkb(wkb) if n else np.empty(0, dtype=object)
    crs = meta.get("crs")
    if (
        n
        and crs
        and not CRS.from_user_input(crs).equals(CRS.from_epsg(4326), ignore_axis_order=True)
    ):
        to_wgs84 = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
        geometry = shapely.transform(
            geometry, lambda xy: np.column_stack(to_wgs84.transform(xy[:, 0], xy[:, 1]))
        )
    return RawTable(path, headers, records, list(range(1, n + 1)), geometry)


def _plain(value: object) -> object:
    """numpy scalars and masked values to plain Python, for uniform parsing."""
    if value is None or value is np.ma.masked:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and np.isnan(value):
        return None
    return value
