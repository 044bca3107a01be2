"""Schemathesis against the Ninja OpenAPI schema, in-process over WSGI, bounded examples."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi import checks

from lifecircle.store.org.models import ApiKey
from lifecircle.web.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)


@pytest.fixture
def token(demo):
    """A sub-district admin's bearer token; the WSGI calls share the test's transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    ApiKey.issue(
        secret="schema-token", name="schemathesis", unit=demo.subdistrict, user=demo.users["jiedao"]
    )
    yield "schema-token"
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(max_examples=10, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema(case, token):
    # ignored_auth would swap our token for junk but keep the explicit header (the wrong-token
    # case is its own test in test_permissions.py); positive_data_acceptance counts a 422 for a
    # rule the schema cannot express (end before start, a failed item without a deadline) as a
    # failure: those rules have their own tests naming the field; negative_data_rejection counts
    # a repeated query key (Django keeps the last value) as accepted bad input. Server errors,
    # undocumented status codes and response shapes are all still checked.
    case.call_and_validate(
        headers={"Authorization": f"Bearer {token}"},
        excluded_checks=[
            checks.ignored_auth,
            checks.positive_data_acceptance,
            checks.negative_data_rejection,
        ],
    )
