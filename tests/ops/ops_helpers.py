"""Helpers shared by the station-operations tests."""

from django.test import Client

from lifecircle.store.org.models import AuditEntry


def audit_count() -> int:
    return AuditEntry.objects.count()


def file_request(client: Client, station_id: int, **extra) -> dict:
    payload = {
        "station_id": station_id,
        "service_code": "consultation",
        "description": "想了解高龄津贴怎么申请",
        "channel": "counter",
        "contact_name": "王阿姨",
        "phone": "13812345678",
    }
    payload.update(extra)
    response = client.post("/api/requests", payload, content_type="application/json")
    assert response.status_code == 201, response.content
    return response.json()


# a valid 1×1 PNG (one orange pixel), for photo uploads
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS"
    b"\xde\x00\x00\x00\x0cIDATx\x9cc8\x11 \x02\x00\x03\x10\x01-t\xfdg\xa7\x00\x00\x00\x00IEND\xaeB`\x82"
)


STORE_APPS = ("org", "stations", "requests", "roster", "inspections", "volunteers", "notify")


def store_counts() -> tuple[int, ...]:
    """Row counts of every table of the store (audit log and notices included)."""
    from django.apps import apps

    return tuple(
        model.objects.count()
        for label in STORE_APPS
        for model in apps.get_app_config(label).get_models()
    )
