"""Stations and their service list through the API."""

from lifecircle.store.org.models import AuditEntry, OrgUnit


def post(client, url, data):
    return client.post(url, data, content_type="application/json")


def test_committee_opens_a_station_publishes_its_service_list_and_edits_it(demo, as_user):
    staff = as_user("juwei1")
    r = post(
        staff,
        "/api/stations",
        {
            "parent_unit_id": demo.committees[0].pk,
            "name": "东安二村睦邻驿站",
            "address": "零陵路404号",
            "lat": 31.19,
            "lon": 121.45,
            "opening_hours": "8:30-20:00",
            "floor_area_m2": 180,
            "functions": ["service_station", "canteen", "elderly_daycare"],
        },
    )
    assert r.status_code == 201, r.content
    station = r.json()
    unit = OrgUnit.objects.get(pk=station["unit_id"])
    assert (unit.kind, unit.parent_id) == ("station", demo.committees[0].pk)
    assert {s["name"] for s in staff.get("/api/stations").json()} == {
        demo.stations[0].name,
        "东安二村睦邻驿站",
    }
    r = post(
        staff,
        f"/api/stations/{station['id']}/catalogue",
        {
            "kind": "health",
            "title": "血压测量",
            "schedule": "每周二 9:00-11:00",
            "provider": "社区卫生服务中心",
            "service_code": "elderly_care",
        },
    )
    assert r.status_code == 201 and r.json()["service_code"] == "elderly_care"
    catalogue = staff.get(f"/api/stations/{station['id']}/catalogue").json()
    assert [c["title"] for c in catalogue] == ["血压测量"]
    r = staff.patch(
        f"/api/stations/{station['id']}",
        {"opening_hours": "7:30-20:00"},
        content_type="application/json",
    )
    assert r.json()["opening_hours"] == "7:30-20:00"
    entry = AuditEntry.objects.filter(action="station.update").get()
    assert (entry.before["opening_hours"], entry.after["opening_hours"]) == (
        "8:30-20:00",
        "7:30-20:00",
    )
    assert entry.actor_label == "juwei1"


def test_bad_station_fields_are_named(demo, as_user):
    staff = as_user("juwei1")
    before = AuditEntry.objects.count()
    r = post(
        staff,
        "/api/stations",
        {"parent_unit_id": demo.committees[0].pk, "name": "x", "functions": ["casino"]},
    )
    assert r.status_code == 422 and r.json()["field"] == "functions"
    r = post(
        staff,
        "/api/stations",
        {"parent_unit_id": demo.committees[0].pk, "name": "x", "floor_area_m2": -5},
    )
    assert r.status_code == 422 and r.json()["field"] == "floor_area_m2"
    r = post(
        staff,
        f"/api/stations/{demo.stations[0].pk}/catalogue",
        {"kind": "legal", "title": "x", "service_code": "nope"},
    )
    assert r.status_code == 404 and r.json()["field"] == "service_code"
    assert AuditEntry.objects.count() == before
