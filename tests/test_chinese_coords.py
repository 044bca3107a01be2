"""WGS-84 ⇄ GCJ-02 ⇄ BD-09: published reference pairs, round trips, the outside-China rule."""

import numpy as np
import pytest

from lifecircle.geo.chinese import (
    bd09_to_gcj02,
    bd09_to_wgs84,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    to_wgs84,
    wgs84_to_bd09,
    wgs84_to_gcj02,
)


def metres(lon1, lat1, lon2, lat2) -> np.ndarray:
    """Great-circle distance in metres (haversine), independent of the code under test."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    h = (
        np.sin((p2 - p1) / 2) ** 2
        + np.cos(p1) * np.cos(p2) * np.sin(np.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371008.8 * np.arcsin(np.sqrt(h))


# (wgs_lat, wgs_lng, gcj_lat, gcj_lng) from the test suite of googollee/eviltransform
# (go/transform_test.go, javascript/test.js): Shanghai, Shenzhen, Beijing.
EVILTRANSFORM = np.array(
    [
        [31.1774276, 121.5272106, 31.17530398364597, 121.531541859215],
        [22.543847, 113.912316, 22.540796131694766, 113.9171764808363],
        [39.911954, 116.377817, 39.91334545536069, 116.38404722455657],
    ]
)


def test_wgs84_to_gcj02_matches_eviltransform():
    lon, lat = wgs84_to_gcj02(EVILTRANSFORM[:, 1], EVILTRANSFORM[:, 0])
    np.testing.assert_allclose(lon, EVILTRANSFORM[:, 3], atol=1e-9)
    np.testing.assert_allclose(lat, EVILTRANSFORM[:, 2], atol=1e-9)


def test_gcj02_to_wgs84_within_half_a_metre_of_eviltransform():
    lon, lat = gcj02_to_wgs84(EVILTRANSFORM[:, 3], EVILTRANSFORM[:, 2])
    assert metres(lon, lat, EVILTRANSFORM[:, 1], EVILTRANSFORM[:, 0]).max() < 0.5


# wandergis/coordtransform README "result" block, input (116.404, 39.915) for each function.
def test_matches_coordtransform_readme():
    np.testing.assert_allclose(
        wgs84_to_gcj02(116.404, 39.915), (116.41024449916938, 39.91640428150164), atol=1e-9
    )
    np.testing.assert_allclose(
        gcj02_to_bd09(116.404, 39.915), (116.41036949371029, 39.92133699351021), atol=1e-9
    )
    # coordtransform inverts BD-09 with a one-step formula; ours iterates to the exact inverse,
    # which differs from the one-step value by ~4e-7 degree (≈ 5 cm).
    lon, lat = bd09_to_gcj02(116.404, 39.915)
    assert metres(lon, lat, 116.39762729119315, 39.90865673957631) < 0.1


@pytest.fixture(scope="module")
def china_points():
    rng = np.random.default_rng(7)
    return rng.uniform(74.0, 134.0, 20_000), rng.uniform(18.0, 53.0, 20_000)


@pytest.mark.parametrize(
    ("forward", "inverse"),
    [
        (wgs84_to_gcj02, gcj02_to_wgs84),
        (gcj02_to_bd09, bd09_to_gcj02),
        (wgs84_to_bd09, bd09_to_wgs84),
    ],
)
def test_round_trips_over_china(china_points, forward, inverse):
    lon, lat = china_points
    flon, flat = forward(lon, lat)
    moved = metres(lon, lat, flon, flat)
    assert moved.min() > 1.0  # the forward step really moves every point in China
    blon, blat = inverse(flon, flat)
    assert metres(lon, lat, blon, blat).max() < 0.01
    # and the other way round: inverse first, then forward
    ilon, ilat = inverse(lon, lat)
    f2lon, f2lat = forward(ilon, ilat)
    assert metres(lon, lat, f2lon, f2lat).max() < 0.01


def test_gcj02_offset_is_hundreds_of_metres_in_shanghai():
    lon, lat = wgs84_to_gcj02(121.47, 31.23)
    assert 300 < metres(121.47, 31.23, lon, lat) < 800


def test_points_outside_china_pass_through_gcj02_unchanged():
    lon = np.array([2.35, -74.0, 139.69, 151.2])  # Paris, New York, Tokyo, Sydney
    lat = np.array([48.85, 40.7, 35.69, -33.87])
    for convert in (wgs84_to_gcj02, gcj02_to_wgs84):
        out_lon, out_lat = convert(lon, lat)
        np.testing.assert_array_equal(out_lon, lon)
        np.testing.assert_array_equal(out_lat, lat)


def test_to_wgs84_by_name_and_unknown_name():
    lon, lat = wgs84_to_bd09(121.47, 31.23)
    np.testing.assert_allclose(to_wgs84(lon, lat, "BD-09"), (121.47, 31.23), atol=1e-8)
    with pytest.raises(ValueError, match="wgs84, gcj02, bd09"):
        to_wgs84(lon, lat, "cgcs2000")
