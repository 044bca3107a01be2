"""Every permission boundary, one test each: the role tries what it must not do, gets 403/404,
and nothing is written (row counts and the audit log unchanged)."""

import pytest
from django.apps import apps
from ops_helpers import file_request

from lifecircle.store.inspections.models import ChecklistTemplate, InspectionTask
from lifecircle.store.org.models import ApiKey, AppendOnlyError, AuditEntry
from lifecircle.store.volunteers.models import Activity, Team

STORE_APPS = ("org", "stations", "requests", "roster", "inspections", "volunteers")


def counts() -> tuple[int, ...]:
    """Row counts of every table of the store (the audit log included)."""
    return tuple(
        model.objects.count()
        for label in STORE_APPS
        for model in apps.get_app_config(label).get_models()
    )


def refused(response, status: int, before: tuple[int, ...]) -> None:
    assert response.status_code == status, response.content
    assert counts() == before


def post(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json")


@pytest.fixture
def station1_request(demo, as_user):
    """A counter request at station 1 (committee 1), assigned to property staff wuye1."""
    staff = as_user("juwei1")
    rid = file_request(staff, demo.stations[0].pk)["id"]
    post(
        staff,
        f"/api/requests/{rid}/assign",
        {"version": 1, "party": "property", "assignee_id": demo.users["wuye1"].pk},
    )
    return rid


@pytest.fixture
def resident_request(demo, as_user):
    return file_request(as_user("jumin1"), demo.stations[0].pk, channel="resident")["id"]


def test_anonymous_gets_401_and_writes_nothing(demo, client):
    before = counts()
    r = post(
        client,
        "/api/requests",
        {"station_id": demo.stations[0].pk, "service_code": "consultation", "description": "x"},
    )
    refused(r, 401, before)


def test_a_wrong_bearer_token_is_401_and_a_personal_token_works(demo, client):
    ApiKey.issue(
        secret="tok-juwei1", name="juwei1 token", unit=demo.committees[0], user=demo.users["juwei1"]
    )
    assert client.get("/api/requests", HTTP_AUTHORIZATION="Bearer nope").status_code == 401
    assert client.get("/api/requests", HTTP_AUTHORIZATION="Bearer tok-juwei1").status_code == 200


def test_resident_cannot_see_another_residents_request(as_user, resident_request):
    other = as_user("jumin2")
    assert other.get(f"/api/requests/{resident_request}").status_code == 404
    assert other.get("/api/requests").json() == []


def test_resident_cannot_rate_another_residents_request(as_user, resident_request):
    before = counts()
    r = post(
        as_user("jumin2"), f"/api/requests/{resident_request}/rate", {"version": 1, "rating": 1}
    )
    refused(r, 404, before)


def test_resident_cannot_assign_their_own_request(as_user, resident_request):
    before = counts()
    r = post(
        as_user("jumin1"),
        f"/api/requests/{resident_request}/assign",
        {"version": 1, "party": "committee"},
    )
    refused(r, 403, before)


def test_resident_cannot_file_as_counter_staff(demo, as_user):
    before = counts()
    r = post(
        as_user("jumin1"),
        "/api/requests",
        {
            "station_id": demo.stations[0].pk,
            "service_code": "consultation",
            "description": "x",
            "channel": "counter",
        },
    )
    refused(r, 403, before)


def test_other_committee_cannot_see_or_touch_the_request(as_user, station1_request):
    other = as_user("juwei2")
    assert other.get(f"/api/requests/{station1_request}").status_code == 404
    assert station1_request not in [r["id"] for r in other.get("/api/requests").json()]
    before = counts()
    r = post(other, f"/api/requests/{station1_request}/start", {"version": 2})
    refused(r, 404, before)


def test_other_committee_cannot_file_at_a_station_not_theirs(demo, as_user):
    before = counts()
    r = post(
        as_user("juwei2"),
        "/api/requests",
        {
            "station_id": demo.stations[0].pk,
            "service_code": "consultation",
            "description": "x",
            "channel": "counter",
        },
    )
    refused(r, 403, before)


def test_property_staff_cannot_assign(as_user, station1_request):
    before = counts()
    r = post(
        as_user("wuye1"),
        f"/api/requests/{station1_request}/assign",
        {"version": 2, "party": "owners"},
    )
    refused(r, 403, before)


def test_owners_member_cannot_work_a_request_given_to_property(as_user, station1_request):
    before = counts()
    r = post(as_user("yewei1"), f"/api/requests/{station1_request}/start", {"version": 2})
    refused(r, 403, before)


def test_property_staff_cannot_reject(as_user, station1_request):
    before = counts()
    r = post(
        as_user("wuye1"),
        f"/api/requests/{station1_request}/reject",
        {"version": 2, "reason": "不想办"},
    )
    refused(r, 403, before)


def test_property_staff_cannot_rate_for_the_resident(as_user, station1_request):
    staff, handler = as_user("juwei1"), as_user("wuye1")
    post(handler, f"/api/requests/{station1_request}/start", {"version": 2})
    post(
        handler, f"/api/requests/{station1_request}/resolve", {"version": 3, "resolution": "已修好"}
    )
    before = counts()
    r = post(handler, f"/api/requests/{station1_request}/rate", {"version": 4, "rating": 5})
    refused(r, 403, before)
    assert (
        post(
            staff, f"/api/requests/{station1_request}/rate", {"version": 4, "rating": 4}
        ).status_code
        == 200
    )


def test_safety_inspector_sees_no_requests_and_cannot_take_one_in(demo, as_user, station1_request):
    inspector = as_user("anquan")
    assert inspector.get(f"/api/requests/{station1_request}").status_code == 404
    before = counts()
    r = post(
        inspector,
        "/api/requests",
        {
            "station_id": demo.stations[0].pk,
            "service_code": "consultation",
            "description": "x",
            "channel": "counter",
        },
    )
    refused(r, 403, before)


def test_volunteer_cannot_take_in_a_phone_request(demo, as_user):
    before = counts()
    r = post(
        as_user("zhiyuan"),
        "/api/requests",
        {
            "station_id": demo.stations[0].pk,
            "service_code": "consultation",
            "description": "x",
            "channel": "phone",
        },
    )
    refused(r, 403, before)


def test_phone_is_masked_except_to_the_handling_staff(demo, as_user, station1_request):
    def phone(username):
        return as_user(username).get(f"/api/requests/{station1_request}").json()["phone"]

    assert phone("wuye1") == "13812345678"  # the assignee
    assert phone("jiedao") == "138****5678"  # sub-district admin: not handling it
    assert phone("juwei1") == "138****5678"  # committee, once it is assigned to someone else
    assert phone("yewei1") == "138****5678"


def test_committee_staff_cannot_change_another_committees_station(demo, as_user):
    before = counts()
    r = as_user("juwei2").patch(
        f"/api/stations/{demo.stations[0].pk}",
        {"opening_hours": "全天"},
        content_type="application/json",
    )
    refused(r, 404, before)


def test_property_staff_cannot_change_their_station(demo, as_user):
    before = counts()
    r = as_user("wuye1").patch(
        f"/api/stations/{demo.stations[0].pk}",
        {"opening_hours": "全天"},
        content_type="application/json",
    )
    refused(r, 403, before)


def test_owners_member_cannot_create_a_station(demo, as_user):
    before = counts()
    r = post(
        as_user("yewei1"),
        "/api/stations",
        {"parent_unit_id": demo.committees[0].pk, "name": "新驿站"},
    )
    refused(r, 403, before)


def test_committee_staff_cannot_add_to_another_committees_service_list(demo, as_user):
    before = counts()
    r = post(
        as_user("juwei2"),
        f"/api/stations/{demo.stations[0].pk}/catalogue",
        {"kind": "legal", "title": "法律咨询"},
    )
    refused(r, 404, before)


def test_committee_sees_only_its_own_stations(demo, as_user):
    names = [s["name"] for s in as_user("juwei2").get("/api/stations").json()]
    assert names == [demo.stations[1].name]
    assert len(as_user("jiedao").get("/api/stations").json()) == len(demo.stations)


def test_audit_log_cannot_be_edited_or_deleted(demo):
    entry = AuditEntry.objects.first()
    entry.note = "改写"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().update(note="x")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.get(pk=entry.pk).note != "改写"


@pytest.fixture
def duty(demo, as_user):
    """One generated week at station 1; returns the first duty (committee week)."""
    r = post(
        as_user("juwei1"),
        f"/api/stations/{demo.stations[0].pk}/roster",
        {"start": "2026-12-07", "end": "2026-12-12"},
    )
    return r.json()["created"][0]


def test_safety_inspector_cannot_make_the_roster(demo, as_user):
    before = counts()
    r = post(
        as_user("anquan"),
        f"/api/stations/{demo.stations[0].pk}/roster",
        {"start": "2026-12-07", "end": "2026-12-12"},
    )
    refused(r, 403, before)


def test_other_committee_cannot_see_the_roster(demo, as_user, duty):
    r = as_user("juwei2").get(
        f"/api/stations/{demo.stations[0].pk}/roster", {"start": "2026-12-07", "end": "2026-12-12"}
    )
    assert r.status_code == 404


def test_owners_member_cannot_swap_someone_elses_duty(demo, as_user, duty):
    before = counts()
    r = post(
        as_user("yewei1"),
        "/api/roster/swaps",
        {"assignment_id": duty["id"], "replacement_id": demo.users["yewei1"].pk},
    )
    refused(r, 403, before)


def test_owners_member_cannot_approve_a_swap(demo, as_user, duty):
    swap = post(
        as_user("juwei1"),
        "/api/roster/swaps",
        {"assignment_id": duty["id"], "replacement_id": demo.users["wuye1"].pk},
    ).json()
    before = counts()
    r = post(as_user("yewei1"), f"/api/roster/swaps/{swap['id']}/decide", {"approve": True})
    refused(r, 403, before)


@pytest.fixture
def joint_task(demo):
    return InspectionTask.objects.create(
        station=demo.stations[0],
        template=ChecklistTemplate.objects.get(kind="food"),
        mode="joint",
        due_date="2026-12-01",
    )


def results_for(task) -> list[dict]:
    return [{"item_id": i.pk, "passed": False} for i in task.template.items.all()]


def test_resident_cannot_record_an_inspection(as_user, joint_task):
    before = counts()
    body = {
        "results": results_for(joint_task),
        "rectification_deadline": "2099-01-01",
        "responsible_party": "property",
    }
    refused(
        post(as_user("jumin1"), f"/api/inspections/tasks/{joint_task.pk}/record", body), 404, before
    )


def test_other_committee_cannot_record_a_self_inspection_here(demo, as_user):
    task = InspectionTask.objects.create(
        station=demo.stations[0],
        template=ChecklistTemplate.objects.get(kind="fire"),
        mode="self",
        due_date="2026-12-01",
    )
    before = counts()
    body = {"results": [{"item_id": i.pk, "passed": True} for i in task.template.items.all()]}
    refused(post(as_user("wuye2"), f"/api/inspections/tasks/{task.pk}/record", body), 404, before)


@pytest.fixture
def order(as_user, joint_task):
    body = {
        "results": results_for(joint_task),
        "rectification_deadline": "2099-01-01",
        "responsible_party": "property",
    }
    post(as_user("anquan"), f"/api/inspections/tasks/{joint_task.pk}/record", body)
    return as_user("anquan").get("/api/rectifications").json()[0]


def test_owners_member_cannot_answer_a_property_rectification(as_user, order):
    before = counts()
    refused(
        post(
            as_user("yewei1"), f"/api/rectifications/{order['id']}/evidence", {"evidence": "已整改"}
        ),
        403,
        before,
    )


def test_property_staff_cannot_pass_their_own_rectification(as_user, order):
    post(as_user("wuye1"), f"/api/rectifications/{order['id']}/evidence", {"evidence": "已整改"})
    before = counts()
    refused(
        post(as_user("wuye1"), f"/api/rectifications/{order['id']}/reinspect", {"passed": True}),
        403,
        before,
    )


def test_volunteer_cannot_publish_an_activity(as_user):
    before = counts()
    body = {
        "team_id": Team.objects.get().pk,
        "title": "x",
        "starts_at": "2026-12-05T09:00:00+08:00",
        "ends_at": "2026-12-05T10:00:00+08:00",
        "capacity": 5,
    }
    refused(post(as_user("zhiyuan"), "/api/volunteers/activities", body), 403, before)


def test_volunteer_cannot_confirm_their_own_hours(demo, as_user):
    activity = Activity.objects.create(
        team=Team.objects.get(),
        title="x",
        starts_at="2026-12-05T09:00:00+08:00",
        ends_at="2026-12-05T11:00:00+08:00",
        capacity=5,
    )
    signup = post(as_user("zhiyuan"), f"/api/volunteers/activities/{activity.pk}/signup").json()
    before = counts()
    refused(
        post(as_user("zhiyuan"), f"/api/volunteers/signups/{signup['id']}/hours", {"hours": 2}),
        403,
        before,
    )


def test_committee_cannot_record_a_meeting_for_the_sub_district(demo, as_user):
    before = counts()
    refused(
        post(
            as_user("juwei1"),
            "/api/meetings",
            {"unit_id": demo.subdistrict.pk, "held_on": "2026-11-20", "title": "x"},
        ),
        404,
        before,
    )


def test_only_sub_district_admins_read_the_audit_log(as_user, station1_request):
    assert as_user("juwei1").get("/api/audit").json() == []
    assert as_user("wuye1").get("/api/audit").json() == []
    entries = as_user("jiedao").get("/api/audit", {"model": "requests.servicerequest"}).json()
    assert [e["action"] for e in entries] == ["request.assign", "request.file"]
