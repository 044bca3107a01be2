"""Fixtures shared by the Django test folders (tests/ops, tests/web); each folder seeds its `demo`."""

import pytest


@pytest.fixture
def as_user(demo):
    """as_user("juwei1") -> a Django test client signed in as that demo user."""
    from django.test import Client

    def client_for(username: str) -> Client:
        client = Client()
        client.force_login(demo.users[username])
        return client

    return client_for
