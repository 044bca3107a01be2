"""The request workflow through the JSON API: intake → assign → start → resolve → rate → close."""

import io
import threading
from datetime import timedelta

import pytest
from django.db import connection
from ops_helpers import PNG, audit_count, file_request
from PIL import Image

from lifecircle.ops import requests as ops
from lifecircle.ops.access import Actor
from lifecircle.ops.errors import Conflict
from lifecircle.store.requests.models import RequestEvent, ServiceRequest


def post(client, url, data):
    return client.post(url, data, content_type="application/json")


def test_full_workflow_with_history_audit_and_rating(demo, as_user):
    staff, handler, resident = as_user("juwei1"), as_user("wuye1"), as_user("jumin1")
    station = demo.stations[0]
    before = audit_count()
    req = file_request(resident, station.pk, channel="resident", service_code="sanitation")
    assert req["status"] == "received" and req["version"] == 1
    hours = (
        ServiceRequest.objects.get(pk=req["id"]).expected_datetime
        - ServiceRequest.objects.get(pk=req["id"]).requested_datetime
    ).total_seconds() / 3600
    assert hours == 48  # the sanitation SLA
    rid = req["id"]
    r = post(
        staff,
        f"/api/requests/{rid}/assign",
        {"version": 1, "party": "property", "assignee_id": demo.users["wuye1"].pk},
    )
    assert r.status_code == 200 and r.json()["status"] == "assigned"
    r = post(handler, f"/api/requests/{rid}/start", {"version": 2, "note": "已联系保洁"})
    assert r.json()["status"] == "in_progress"
    r = post(handler, f"/api/requests/{rid}/resolve", {"version": 3, "resolution": "楼道已清理"})
    assert r.json()["status"] == "resolved"
    r = post(staff, f"/api/requests/{rid}/close", {"version": 4})
    assert r.status_code == 409 and r.json()["field"] == "rating"  # not rated yet
    r = post(resident, f"/api/requests/{rid}/rate", {"version": 4, "rating": 5, "comment": "满意"})
    assert r.json()["rating"] == 5
    r = post(staff, f"/api/requests/{rid}/close", {"version": 5, "note": "回访满意"})
    body = r.json()
    assert body["status"] == "closed" and body["closed_datetime"]
    assert [e["to_status"] for e in body["events"]] == [
        "received",
        "assigned",
        "in_progress",
        "resolved",
        "resolved",
        "closed",
    ]
    assert [e["actor"] for e in body["events"]][-1] == "juwei1"
    assert audit_count() - before == 6
    # the resident sees it in their own list
    mine = resident.get("/api/requests").json()
    assert [m["id"] for m in mine] == [rid]


def test_reject_needs_a_reason_and_ends_the_request(demo, as_user):
    staff = as_user("juwei1")
    rid = file_request(staff, demo.stations[0].pk)["id"]
    r = post(staff, f"/api/requests/{rid}/reject", {"version": 1, "reason": ""})
    assert r.status_code == 422 and "reason" in str(r.json())
    r = post(staff, f"/api/requests/{rid}/reject", {"version": 1, "reason": "不属于驿站受理范围"})
    assert r.json()["status"] == "rejected"
    r = post(staff, f"/api/requests/{rid}/assign", {"version": 2, "party": "committee"})
    assert r.status_code == 409 and r.json()["field"] == "status"


def test_stale_version_is_refused_and_the_first_update_survives(demo, as_user):
    a, b = as_user("juwei1"), as_user("jiedao")
    rid = file_request(a, demo.stations[0].pk)["id"]
    first = post(a, f"/api/requests/{rid}/assign", {"version": 1, "party": "owners"})
    second = post(b, f"/api/requests/{rid}/assign", {"version": 1, "party": "property"})
    assert first.status_code == 200 and second.status_code == 409
    assert second.json()["field"] == "version"
    req = ServiceRequest.objects.get(pk=rid)
    assert (req.assigned_party, req.version) == ("owners", 2)


@pytest.mark.django_db(transaction=True)
def test_two_staff_updating_at_once_lose_nothing(demo):
    """Real concurrency: two threads, own connections; exactly one wins, history has one step."""

    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(
        "file:memorydb"
    ):
        pytest.skip("in-memory SQLite is shared by threads without locking; see the PostgreSQL run")
    req = ops.file_request(
        Actor(demo.users["juwei1"]),
        station_id=demo.stations[0].pk,
        service_code="consultation",
        description="x",
        channel="counter",
    )
    results = []
    barrier = threading.Barrier(2)

    def worker(username, party):
        barrier.wait()
        try:
            ops.assign(Actor(demo.users[username]), req.pk, version=1, party=party)
            results.append("ok")
        except Conflict:
            results.append("conflict")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=worker, args=a)
        for a in (("juwei1", "owners"), ("jiedao", "property"))
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["conflict", "ok"]
    assert RequestEvent.objects.filter(request_id=req.pk, to_status="assigned").count() == 1
    assert ServiceRequest.objects.get(pk=req.pk).version == 2


def test_overdue_list_holds_open_requests_past_their_sla(demo, as_user):
    staff = as_user("juwei1")
    old = file_request(staff, demo.stations[0].pk)["id"]
    file_request(staff, demo.stations[0].pk)
    ServiceRequest.objects.filter(pk=old).update(
        expected_datetime=ServiceRequest.objects.get(pk=old).requested_datetime.replace(year=2020)
    )
    overdue = staff.get("/api/requests?overdue=true").json()
    assert [r["id"] for r in overdue] == [old] and overdue[0]["overdue"] is True


def test_invalid_field_is_named(demo, as_user):
    staff = as_user("juwei1")
    r = post(
        staff,
        "/api/requests",
        {
            "station_id": demo.stations[0].pk,
            "service_code": "consultation",
            "description": "x",
            "lat": 200,
        },
    )
    assert r.status_code == 422 and "lat" in str(r.json()["detail"])
    r = post(
        staff,
        "/api/requests",
        {
            "station_id": demo.stations[0].pk,
            "service_code": "repair",
            "description": "灯坏了",
            "channel": "counter",
            "attributes": {"place": "roof"},
        },
    )
    assert r.status_code == 422 and r.json()["field"] == "attribute[place]"


def test_unknown_station_or_category_is_404(demo, as_user):
    staff = as_user("juwei1")
    before = ServiceRequest.objects.count()
    r = post(
        staff,
        "/api/requests",
        {
            "station_id": 99999,
            "service_code": "consultation",
            "description": "x",
            "channel": "counter",
        },
    )
    assert r.status_code == 404 and r.json()["field"] == "station_id"
    r = post(
        staff,
        "/api/requests",
        {
            "station_id": demo.stations[0].pk,
            "service_code": "nope",
            "description": "x",
            "channel": "counter",
        },
    )
    assert r.status_code == 404 and r.json()["field"] == "service_code"
    assert ServiceRequest.objects.count() == before


def test_photo_upload_and_read_back_only_by_those_who_see_the_request(demo, as_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    resident = as_user("jumin1")
    rid = file_request(resident, demo.stations[0].pk, channel="resident")["id"]
    fake = SimpleUploadedFile("a.png", b"not an image", content_type="image/png")
    r = resident.post(f"/api/requests/{rid}/photos", {"photo": fake})
    assert r.status_code == 422 and r.json()["field"] == "photo"
    good = SimpleUploadedFile("a.png", PNG, content_type="image/png")
    r = resident.post(f"/api/requests/{rid}/photos", {"photo": good})
    assert r.status_code == 201
    pid = r.json()["id"]
    got = resident.get(f"/api/requests/{rid}/photos/{pid}")
    assert got.status_code == 200
    with Image.open(io.BytesIO(b"".join(got.streaming_content))) as stored:  # re-encoded
        assert (stored.format, stored.size, stored.getpixel((0, 0))) == (
            "PNG",
            (1, 1),
            (200, 80, 20),
        )
    assert as_user("juwei1").get(f"/api/requests/{rid}/photos/{pid}").status_code == 200
    assert as_user("jumin2").get(f"/api/requests/{rid}/photos/{pid}").status_code == 404


def test_due_soon_list_uses_the_category_warning_time(demo, as_user):
    staff = as_user("juwei1")
    rid = file_request(staff, demo.stations[0].pk)["id"]  # consultation: SLA 8 h, warning 2 h
    req = ServiceRequest.objects.get(pk=rid)
    assert (req.expected_datetime - req.warning_datetime).total_seconds() == 2 * 3600
    assert staff.get("/api/requests?due_soon=true").json() == []
    ServiceRequest.objects.filter(pk=rid).update(
        warning_datetime=req.requested_datetime - timedelta(minutes=1)
    )
    (soon,) = staff.get("/api/requests?due_soon=true").json()
    assert soon["id"] == rid and soon["due_soon"] is True and soon["overdue"] is False
