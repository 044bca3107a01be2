"""Fixtures for the residents' voice tests: the small demo sub-district (the voice demo seeded
on it by `seed_demo`) and signed-in clients (`as_user` from tests/conftest.py)."""

import pytest

from demo_fixtures import seed_two_stations


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def demo(db):
    return seed_two_stations()


@pytest.fixture
def live_demo(transactional_db):
    return seed_two_stations()
