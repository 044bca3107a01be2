"""Every permission boundary, one test each: the role tries what it must not do, gets 403/404,
and nothing is written (row counts and the audit log unchanged)."""

import pytest
from ops_helpers import file_request

from lifecircle.store.org.models import ApiKey, AppendOnlyError, AuditEntry
from lifecircle.store.requests.models import RequestEvent, ServiceRequest
from lifecircle.store.stations.models import CatalogueItem, Station


def counts() -> tuple[int, ...]:
    return (
        AuditEntry.objects.count(),
        ServiceRequest.objects.count(),
        RequestEvent.objects.count(),
        Station.objects.count(),
        CatalogueItem.objects.count(),
    )


def refused(response, status: int, before: tuple[int, ...]) -> None:
    assert response.status_code == status, response.content
    assert counts() == before


def post(client, url, data):
    return client.post(url, data, content_type="application/json")


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
    ApiKey.objects.create(
        key="tok-juwei1", name="juwei1 token", unit=demo.committees[0], user=demo.users["juwei1"]
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
