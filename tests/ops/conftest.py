"""Fixtures for the station-operations tests: the demo sub-district, clients per user."""

import pytest

from lifecircle.ops.demo import DEMO_API_KEY, seed_demo

# Three small stations keep the tests independent of the demo area's numbers.
STATIONS = [
    {
        "name": "东安一村居委会睦邻点",
        "lat": 31.1954,
        "lon": 121.4557,
        "opening_hours": "8:30-17:00",
        "floor_area_m2": 120.0,
    },
    {
        "name": "瑞金花园居委会睦邻点",
        "lat": 31.1920,
        "lon": 121.4648,
        "opening_hours": "8:30-17:00",
        "floor_area_m2": 100.0,
    },
    {
        "name": "枫林佳苑居委会睦邻点",
        "lat": 31.1891,
        "lon": 121.4493,
        "opening_hours": "8:30-17:00",
        "floor_area_m2": 110.0,
    },
]


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def demo(db):
    return seed_demo(STATIONS, "示意街道")


@pytest.fixture
def api_key():
    return DEMO_API_KEY
