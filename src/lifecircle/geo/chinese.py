"""Chinese map coordinate systems: WGS-84 ⇄ GCJ-02 ⇄ BD-09, vectorised over numpy arrays.

GCJ-02 (国测局坐标, used by AMap/高德 and Tencent/腾讯) is WGS-84 plus a smooth nonlinear offset of
a few hundred metres; BD-09 (百度坐标) is a further rotation-and-scale of GCJ-02. Chinese POI lists
arrive in one of them and land ~500 m off OSM streets unless converted.

Rule outside China: the GCJ-02 offset applies only inside the rectangle lon 72.004–137.8347,
lat 0.8293–55.8271 (the bounding box the published open implementations use). Points outside it
pass through the GCJ-02 step unchanged; the BD-09 step is applied everywhere, as Baidu does.

Inverse directions are solved by fixed-point iteration on the forward formula: the result, sent
forward again, reproduces the input to better than 1e-9 degree (≈0.1 mm).
"""

import numpy as np

_A = 6378245.0  # semi-major axis of Krasovsky 1940, as used by GCJ-02
_EE = 0.00669342162296594323  # first eccentricity squared of Krasovsky 1940
_X_PI = np.pi * 3000.0 / 180.0
_BD_DLON, _BD_DLAT = 0.0065, 0.006
_TOL_DEG = 1e-10
_MAX_ITER = 30

CHINA_BOX = (72.004, 137.8347, 0.8293, 55.8271)
"""lon_min, lon_max, lat_min, lat_max of the GCJ-02 area."""


def _arrays(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    lon = np.asarray(lon, dtype=np.float64)
    lat = np.asarray(lat, dtype=np.float64)
    return np.broadcast_arrays(lon, lat)


def in_china(lon, lat) -> np.ndarray:
    """True where the point lies in the GCJ-02 rectangle (see module docstring)."""
    lon, lat = _arrays(lon, lat)
    lon_min, lon_max, lat_min, lat_max = CHINA_BOX
    return (lon >= lon_min) & (lon <= lon_max) & (lat >= lat_min) & (lat <= lat_max)


def _gcj_offset(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """GCJ-02 offset (dlon, dlat) in degrees at a WGS-84 point."""
    x, y = lon - 105.0, lat - 35.0
    ripple = (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
    dlat += ripple
    dlat += (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
    dlat += (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
    dlon += ripple
    dlon += (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
    dlon += (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    rad_lat = lat / 180.0 * np.pi
    magic = 1.0 - _EE * np.sin(rad_lat) ** 2
    sqrt_magic = np.sqrt(magic)
    dlat = dlat * 180.0 / ((_A * (1.0 - _EE)) / (magic * sqrt_magic) * np.pi)
    dlon = dlon * 180.0 / (_A / sqrt_magic * np.cos(rad_lat) * np.pi)
    inside = in_china(lon, lat)
    return np.where(inside, dlon, 0.0), np.where(inside, dlat, 0.0)


def wgs84_to_gcj02(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    """WGS-84 → GCJ-02 (AMap, Tencent). Points outside China pass through unchanged."""
    lon, lat = _arrays(lon, lat)
    dlon, dlat = _gcj_offset(lon, lat)
    return lon + dlon, lat + dlat


def _invert(forward, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Solve forward(p) = (lon, lat) for p by fixed-point iteration (the offset is smooth)."""
    guess_lon, guess_lat = lon.copy(), lat.copy()
    for _ in range(_MAX_ITER):
        got_lon, got_lat = forward(guess_lon, guess_lat)
        err_lon, err_lat = got_lon - lon, got_lat - lat
        guess_lon = guess_lon - err_lon
        guess_lat = guess_lat - err_lat
        if np.all(np.abs(err_lon) < _TOL_DEG) and np.all(np.abs(err_lat) < _TOL_DEG):
            break
    return guess_lon, guess_lat


def gcj02_to_wgs84(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    """GCJ-02 → WGS-84 by iteration (error well under 0.5 m). Outside China: unchanged."""
    lon, lat = _arrays(lon, lat)
    return _invert(wgs84_to_gcj02, lon, lat)


def gcj02_to_bd09(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    """GCJ-02 → BD-09 (Baidu)."""
    lon, lat = _arrays(lon, lat)
    z = np.hypot(lon, lat) + 0.00002 * np.sin(lat * _X_PI)
    theta = np.arctan2(lat, lon) + 0.000003 * np.cos(lon * _X_PI)
    return z * np.cos(theta) + _BD_DLON, z * np.sin(theta) + _BD_DLAT


def bd09_to_gcj02(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    """BD-09 → GCJ-02, the exact inverse of `gcj02_to_bd09` (by iteration)."""
    lon, lat = _arrays(lon, lat)
    return _invert(gcj02_to_bd09, lon, lat)


def wgs84_to_bd09(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    """WGS-84 → BD-09 (via GCJ-02)."""
    return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))


def bd09_to_wgs84(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    """BD-09 → WGS-84 (via GCJ-02)."""
    return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))


CRS_NAMES = ("wgs84", "gcj02", "bd09")

_TO_WGS84 = {
    "wgs84": lambda lon, lat: _arrays(lon, lat),
    "gcj02": gcj02_to_wgs84,
    "bd09": bd09_to_wgs84,
}


def to_wgs84(lon, lat, crs: str) -> tuple[np.ndarray, np.ndarray]:
    """Convert from `crs` (wgs84 | gcj02 | bd09) to WGS-84."""
    key = crs.lower().replace("-", "").replace("_", "")
    if key not in _TO_WGS84:
        raise ValueError(
            f"未知坐标系 unknown coordinate system {crs!r}; 可选 choose from: {', '.join(CRS_NAMES)}"
        )
    return _TO_WGS84[key](lon, lat)
