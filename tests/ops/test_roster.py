"""Duty roster through the API: weekly party rotation, holidays, unavailability, swaps, exports."""

import io
from datetime import date, timedelta

import openpyxl
from icalendar import Calendar

from lifecircle.store.org.models import AuditEntry, Role, RoleGrant
from lifecircle.store.roster.models import DutyAssignment, SwapRequest

MONDAY = date(2026, 12, 7)


def post(client, url, data):
    return client.post(url, data, content_type="application/json")


def make_roster(client, station_id, weeks=3, **extra):
    body = {"start": str(MONDAY), "end": str(MONDAY + timedelta(days=7 * weeks - 1)), **extra}
    response = post(client, f"/api/stations/{station_id}/roster", body)
    assert response.status_code == 201, response.content
    return response.json()


def test_weekly_rotation_of_the_three_parties_over_mon_to_sat(demo, as_user):
    station = demo.stations[0]
    result = make_roster(as_user("juwei1"), station.pk)
    duties = result["created"]
    # independent count: Monday to Saturday over three weeks
    expected_days = [
        MONDAY + timedelta(days=d) for d in range(21) if (MONDAY + timedelta(days=d)).weekday() < 6
    ]
    assert [d["date"] for d in duties] == [str(d) for d in expected_days]
    weeks = {}
    for d in duties:
        weeks.setdefault((date.fromisoformat(d["date"]) - MONDAY).days // 7, set()).add(d["party"])
    assert weeks == {0: {"committee"}, 1: {"owners"}, 2: {"property"}}
    assert {d["person"] for d in duties} == {"juwei1", "yewei1", "wuye1"}
    assert result["uncovered"] == [] and result["holidays"] == []
    # running it again adds nothing (one person, station, date, task at most once)
    again = make_roster(as_user("juwei1"), station.pk)
    assert again["created"] == [] and DutyAssignment.objects.count() == len(duties)


def test_holidays_and_unavailable_days_are_honoured_and_gaps_reported(demo, as_user):
    station, staff = demo.stations[0], as_user("juwei1")
    holiday = MONDAY + timedelta(days=2)
    assert (
        post(
            staff,
            "/api/holidays",
            {"unit_id": demo.subdistrict.pk, "date": str(holiday), "name": "调休"},
        ).status_code
        == 404  # the sub-district is above the committee: not theirs
    )
    assert (
        post(
            as_user("jiedao"),
            "/api/holidays",
            {"unit_id": demo.subdistrict.pk, "date": str(holiday), "name": "调休"},
        ).status_code
        == 201
    )
    away = MONDAY + timedelta(days=8)  # owners' week: yewei1 is the only owners member
    assert post(as_user("yewei1"), "/api/me/unavailable", {"date": str(away)}).status_code == 201
    result = make_roster(staff, station.pk, weeks=2)
    dates = [d["date"] for d in result["created"]]
    assert str(holiday) not in dates and result["holidays"] == [str(holiday)]
    assert str(away) not in dates and result["uncovered"] == [str(away)]
    gaps = staff.get(
        f"/api/stations/{station.pk}/roster/uncovered",
        {"start": str(MONDAY), "end": str(MONDAY + timedelta(days=13))},
    ).json()
    assert gaps == [str(away)]
    # the committee covers the gap by hand; the same person twice that day is refused
    cover = {"date": str(away), "person_id": demo.users["wuye1"].pk}
    r = post(staff, f"/api/stations/{station.pk}/roster/assign", cover)
    assert r.status_code == 201 and r.json()["party"] == "property"
    assert post(staff, f"/api/stations/{station.pk}/roster/assign", cover).status_code == 409
    span = {"start": str(MONDAY), "end": str(MONDAY + timedelta(days=13))}
    assert staff.get(f"/api/stations/{station.pk}/roster/uncovered", span).json() == []


def test_members_of_a_party_take_the_days_in_turn(demo, as_user):
    station = demo.stations[0]
    second = type(demo.users["juwei1"]).objects.create(username="juwei1b")
    RoleGrant.objects.create(user=second, unit=demo.committees[0], role=Role.COMMITTEE_STAFF)
    duties = make_roster(as_user("juwei1"), station.pk, weeks=1)["created"]
    assert [d["person"] for d in duties] == ["juwei1", "juwei1b"] * 3


def test_swap_needs_approval_then_the_replacement_is_on_duty(demo, as_user):
    station = demo.stations[0]
    duties = make_roster(as_user("juwei1"), station.pk, weeks=2)["created"]
    owners_day = next(d for d in duties if d["person"] == "yewei1")
    r = post(
        as_user("yewei1"),
        "/api/roster/swaps",
        {"assignment_id": owners_day["id"], "replacement_id": demo.users["wuye1"].pk},
    )
    assert r.status_code == 201 and r.json()["status"] == "pending"
    swap_id = r.json()["id"]
    before = AuditEntry.objects.count()
    assert (
        post(as_user("wuye1"), f"/api/roster/swaps/{swap_id}/decide", {"approve": True}).status_code
        == 403
    )
    assert (
        AuditEntry.objects.count() == before
        and SwapRequest.objects.get(pk=swap_id).status == "pending"
    )
    r = post(as_user("juwei1"), f"/api/roster/swaps/{swap_id}/decide", {"approve": True})
    assert r.json()["status"] == "approved"
    duty = DutyAssignment.objects.get(pk=owners_day["id"])
    assert (duty.person.username, duty.party) == ("wuye1", "property")
    r = post(
        as_user("yewei1"),
        "/api/roster/swaps",
        {"assignment_id": owners_day["id"], "replacement_id": demo.users["jumin1"].pk},
    )
    assert r.status_code == 403  # the day is no longer theirs to give away


def test_xlsx_and_ical_exports_read_back(demo, as_user):
    station, staff = demo.stations[0], as_user("juwei1")
    duties = make_roster(staff, station.pk, weeks=1)["created"]
    span = {"start": str(MONDAY), "end": str(MONDAY + timedelta(days=6))}
    xlsx = staff.get(f"/api/stations/{station.pk}/roster.xlsx", span)
    assert xlsx.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == len(duties) and rows[0][5] == "juwei1" and rows[0][0].date() == MONDAY
    ics = staff.get(f"/api/stations/{station.pk}/roster.ics", span)
    events = Calendar.from_ical(ics.content).walk("VEVENT")
    assert len(events) == len(duties)
    assert events[0].decoded("dtstart") == MONDAY and "juwei1" in str(events[0]["summary"])


def test_bad_rrule_and_range_are_named(demo, as_user):
    staff, sid = as_user("juwei1"), demo.stations[0].pk
    r = post(
        staff,
        f"/api/stations/{sid}/roster",
        {"start": "2026-12-07", "end": "2026-12-20", "rrule": "FREQ=SECONDLY"},
    )
    assert r.status_code == 422 and r.json()["field"] == "rrule"
    r = post(staff, f"/api/stations/{sid}/roster", {"start": "2026-12-07", "end": "2026-12-01"})
    assert r.status_code == 422 and r.json()["field"] == "end"


def test_property_staff_cannot_make_the_roster(demo, as_user):
    before = (DutyAssignment.objects.count(), AuditEntry.objects.count())
    r = post(
        as_user("wuye1"),
        f"/api/stations/{demo.stations[0].pk}/roster",
        {"start": "2026-12-07", "end": "2026-12-20"},
    )
    assert r.status_code == 403
    assert (DutyAssignment.objects.count(), AuditEntry.objects.count()) == before
