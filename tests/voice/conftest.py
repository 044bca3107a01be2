"""Fixtures for the residents' voice tests: the small demo sub-district (the voice demo seeded
on it by `seed_demo`) and signed-in clients (`as_user` from tests/conftest.py)."""

import pytest

from lifecircle.ops.demo import seed_demo

STATIONS = [
    {"name": "东安一村居委会睦邻点", "lat": 31.1954, "lon": 121.4557, "opening_hours": "8:30-17:00", "floor_area_m2": 120.0},
    {"name": "枫林佳苑居委会睦邻点", "lat": 31.1891, "lon": 121.4493, "opening_hours": "9:00-18:00", "floor_area_m2": 110.0},
]  # fmt: skip


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def demo(db):
    return seed_demo(STATIONS, "示意街道")


@pytest.fixture
def live_demo(transactional_db):
    return seed_demo(STATIONS, "示意街道")
