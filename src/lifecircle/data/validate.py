"""Checks on single values and on coordinates; each returns the value or a reason (Chinese first).

The rules:
- numbers accept `1,234`, full-width digits, surrounding spaces and a trailing unit that does not
  change the value (人, 户, 个, 张, ㎡, m2, 平方米, 平米, 元); anything else is a bad number (`1.2万`
  too: the unit would change the value);
- counts, areas and costs must not be negative;
- a year is four digits (`1978`, `1978年`) or a decade (`1970年代`, `70年代`, `1970s`, taken as its
  first year), between 1800 and next year;
- coordinates must be degrees inside China (lon 72.004–137.8347, lat 0.8293–55.8271); numbers
  beyond ±180/±90 that look like metres are reported as a projected grid, (lat, lon) given in the
  wrong order as swapped;
- a point more than `FAR_KM` from the median point of its file is reported as a likely typo.
"""

import datetime
import math
import re
import unicodedata

import numpy as np

from lifecircle.geo.chinese import CHINA_BOX

FAR_KM = 150.0
"""A point this far from the median point of its file is rejected as a likely typo."""

_EARTH_RADIUS_KM = 6371.0088
_SPLIT_LIST = re.compile(r"[,，;；、/|\s]+")
_PLAIN_UNIT = re.compile(r"(人|户|个|张|m2|平方米|平米|元)$")


class Invalid(ValueError):
    """A value that fails a check; the message is the reason shown to the user."""


def is_blank(value: object) -> bool:
    """None, NaN or an empty / whitespace-only string."""
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    return isinstance(value, str) and not value.strip()


def parse_number(value: object) -> float:
    """A float from a cell; Invalid with the reason when it is not a number."""
    if isinstance(value, bool):
        raise Invalid("不是数字 not a number")
    if isinstance(value, int | float):
        return float(value)
    text = unicodedata.normalize("NFKC", str(value)).strip().replace(",", "").replace(" ", "")
    text = _PLAIN_UNIT.sub("", text)
    try:
        number = float(text)
    except ValueError:
        raise Invalid("不是数字 not a number") from None
    if not math.isfinite(number):
        raise Invalid("不是有限的数 not a finite number")
    return number


def parse_count(value: object) -> float:
    """A number that must not be negative (people, households, m², cost)."""
    number = parse_number(value)
    if number < 0:
        raise Invalid("不能为负数 must not be negative")
    return number


def parse_year(value: object) -> float:
    """A year or decade (see module docstring)."""
    if isinstance(value, datetime.date):  # an Excel date cell
        year = value.year
    elif isinstance(value, int | float) and not isinstance(value, bool):
        year = int(value)
    else:
        text = unicodedata.normalize("NFKC", str(value)).strip().lower()
        match = re.fullmatch(r"(\d{4})\s*(年|年代|s)?", text) or re.fullmatch(
            r"(\d{2})\s*(年代|s)", text
        )
        if not match:
            raise Invalid("不是年份 not a year (e.g. 1978, 1970年代, 1970s)")
        year = int(match.group(1))
        year += 1900 if year < 100 else 0
    if not 1800 <= year <= datetime.date.today().year + 1:
        raise Invalid("年份不合理 implausible year")
    return float(year)


def parse_list(value: object) -> list[str]:
    """Items of a list cell, split on commas (, ，), semicolons, 、, / or |."""
    return [item for item in _SPLIT_LIST.split(str(value).strip()) if item]


def _in_china(lon: float, lat: float) -> bool:
    """Scalar form of `lifecircle.geo.chinese.in_china` (one row at a time, no numpy overhead)."""
    lon_min, lon_max, lat_min, lat_max = CHINA_BOX
    return lon_min <= lon <= lon_max and lat_min <= lat <= lat_max


def coordinate_problem(lon: float, lat: float) -> str | None:
    """Why (lon, lat) in degrees cannot be a point in China, or None if it can."""
    if not (math.isfinite(lon) and math.isfinite(lat)):
        return "坐标不是有限的数 coordinates are not finite numbers"
    if _in_china(lon, lat):
        return None
    if _in_china(lat, lon):
        return (
            "经纬度可能填反了 longitude and latitude look swapped (lon 72–138, lat 1–56 in China)"
        )
    if max(abs(lon), abs(lat)) > 1000:
        return (
            "像是投影坐标（米）而不是经纬度；请给出经纬度（度）"
            " looks like projected metres (a UTM / CGCS2000 grid), not degrees;"
            " give longitude and latitude in degrees"
        )
    if abs(lon) > 180 or abs(lat) > 90:
        return "超出经纬度范围 outside the range of degrees (lon ±180, lat ±90)"
    return "不在中国范围内 outside China (lon 72–138, lat 1–56): check the numbers and the columns"


def show(value: object) -> str:
    """A value as the user typed it: floats without a spurious `.0` or exponent."""
    if value is None:
        return ""
    if isinstance(value, float):
        return np.format_float_positional(value, trim="-")
    return str(value)


def great_circle_km(lon1, lat1, lon2, lat2) -> np.ndarray:
    """Haversine distance in km between points given in degrees (arrays broadcast)."""
    lon1, lat1, lon2, lat2 = (
        np.radians(np.asarray(v, dtype=float)) for v in (lon1, lat1, lon2, lat2)
    )
    h = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * _EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


def distance_from_median_km(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Distance of each point from the median point of all of them, km."""
    return great_circle_km(lon, lat, np.median(lon), np.median(lat))
