"""Fixtures for the page tests: a small demo sub-district and signed-in clients."""

import pytest

from lifecircle.ops.demo import seed_demo

# Two stations under two committees: enough to test that a committee sees only its own.
STATIONS = [
    {
        "name": "东安一村居委会睦邻点",
        "lat": 31.1954,
        "lon": 121.4557,
        "opening_hours": "8:30-17:00",
        "floor_area_m2": 120.0,
    },
    {
        "name": "枫林佳苑居委会睦邻点",
        "lat": 31.1891,
        "lon": 121.4493,
        "opening_hours": "9:00-18:00",
        "floor_area_m2": 110.0,
    },
]


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def demo(db):
    return seed_demo(STATIONS, "示意街道")


@pytest.fixture
def live_demo(transactional_db):
    """The demo data committed for real, so that a live server thread sees it."""
    return seed_demo(STATIONS, "示意街道")
