"""Fixtures for the page tests: a small demo sub-district and signed-in clients."""

import pytest

from demo_fixtures import seed_two_stations


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def demo(db):
    return seed_two_stations()


@pytest.fixture
def live_demo(transactional_db):
    """The demo data committed for real, so that a live server thread sees it."""
    return seed_two_stations()
