"""Local UTM projection."""

import numpy as np

from lifecircle.geo.projection import LocalProjection, utm_epsg


def test_shanghai_is_utm_51n_and_round_trips():
    assert utm_epsg(121.47, 31.23) == 32651
    lon = np.array([121.40, 121.47, 121.50])
    lat = np.array([31.20, 31.23, 31.30])
    proj = LocalProjection.for_points(lon, lat)
    assert proj.crs == "EPSG:32651"
    x, y = proj.to_metres(lon, lat)
    back_lon, back_lat = proj.to_lonlat(x, y)
    np.testing.assert_allclose(back_lon, lon, atol=1e-9)
    np.testing.assert_allclose(back_lat, lat, atol=1e-9)
    # 0.01 degree of latitude is about 1.11 km.
    _, y2 = proj.to_metres(np.array([121.47, 121.47]), np.array([31.23, 31.24]))
    assert 1100 < y2[1] - y2[0] < 1120
