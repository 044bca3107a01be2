"""A local metric projection for an area: the UTM zone of its centre, via pyproj."""

from dataclasses import dataclass

import numpy as np
from pyproj import CRS, Transformer


def utm_epsg(lon: float, lat: float) -> int:
    """EPSG code of the WGS-84 UTM zone containing (lon, lat)."""
    zone = int(np.floor((lon + 180.0) / 6.0)) % 60 + 1
    return (32600 if lat >= 0 else 32700) + zone


@dataclass(frozen=True)
class LocalProjection:
    """WGS-84 lon/lat <-> metres in the area's UTM zone, vectorised over numpy arrays."""

    crs: str

    @classmethod
    def for_points(cls, lon: np.ndarray, lat: np.ndarray) -> "LocalProjection":
        """The UTM zone of the centre of these points."""
        lon = np.asarray(lon, dtype=np.float64)
        lat = np.asarray(lat, dtype=np.float64)
        return cls(f"EPSG:{utm_epsg(float(np.nanmedian(lon)), float(np.nanmedian(lat)))}")

    def _transformer(self, inverse: bool) -> Transformer:
        wgs84, local = CRS.from_epsg(4326), CRS.from_user_input(self.crs)
        src, dst = (local, wgs84) if inverse else (wgs84, local)
        return Transformer.from_crs(src, dst, always_xy=True)

    def to_metres(self, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Project WGS-84 lon/lat to x/y metres."""
        x, y = self._transformer(False).transform(np.asarray(lon, float), np.asarray(lat, float))
        return np.asarray(x), np.asarray(y)

    def to_lonlat(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Back from x/y metres to WGS-84 lon/lat."""
        lon, lat = self._transformer(True).transform(np.asarray(x, float), np.asarray(y, float))
        return np.asarray(lon), np.asarray(lat)
