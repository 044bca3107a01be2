"""Fixtures shared by the Django test folders (tests/ops, tests/web); each folder seeds its `demo`."""

import pytest

from browsers import CHROMIUM, LAUNCH_ARGS, require_chromium


@pytest.fixture
def as_user(demo):
    """as_user("juwei1") -> a Django test client signed in as that demo user."""
    from django.test import Client

    def client_for(username: str) -> Client:
        client = Client()
        client.force_login(demo.users[username])
        return client

    return client_for


@pytest.fixture(scope="session", autouse=True)
def _audit_log_purged_between_tests():
    """Flushing the test database between transactional tests empties the audit log, which
    its triggers refuse: like the owner would, the flush drops them and puts them back."""
    from django.db.backends.sqlite3.base import DatabaseWrapper as SqliteWrapper

    try:
        from django.db.backends.postgresql.base import DatabaseWrapper as PostgresWrapper
    except ImportError:  # no psycopg: SQLite only
        PostgresWrapper = None
    SqliteOperations = SqliteWrapper.ops_class
    PostgresOperations = PostgresWrapper.ops_class if PostgresWrapper else None

    from lifecircle.store.org import audit_triggers

    patched = []
    for operations in (SqliteOperations, PostgresOperations):
        if operations is None:
            continue
        original = operations.sql_flush

        def sql_flush(self, style, tables, *args, _original=original, **kwargs):
            statements = _original(self, style, tables, *args, **kwargs)
            if audit_triggers.TABLE not in tables:
                return statements
            vendor = self.connection.vendor
            return (
                audit_triggers.drop_statements(vendor)
                + statements
                + audit_triggers.create_statements(vendor)
            )

        operations.sql_flush = sql_flush
        patched.append((operations, original))
    yield
    for operations, original in patched:
        operations.sql_flush = original


@pytest.fixture
def browser(monkeypatch):
    """Debian's Chromium under Playwright, closed after the test (see tests/browsers.py)."""
    require_chromium()
    # Playwright's sync API runs an event loop in this thread; the ORM calls here are safe.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        yield chromium
        chromium.close()
