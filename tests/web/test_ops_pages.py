"""The operations pages through the Django test client: roster wizard, meetings, volunteers,
inspection plans and checklist cards, the resident QR form with its SMS code, statistics and
exports, the to-do list; and for every action a refusal (403/404) that writes nothing."""

import io
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook
from ops_helpers import store_counts

from lifecircle.ops.sms import ConsoleSMSBackend
from lifecircle.store.inspections.models import (
    ActionItem,
    ChecklistTemplate,
    InspectionPlan,
    InspectionTask,
    JointConfirmation,
    Meeting,
)
from lifecircle.store.requests.models import ServiceRequest
from lifecircle.store.roster.models import DutyAssignment, Holiday
from lifecircle.store.volunteers.models import Activity, SignUp


def refused(response, status: int, before) -> None:
    assert response.status_code == status, response.content[:500]
    assert store_counts() == before


def next_monday():
    today = timezone.localdate()
    return today + timedelta(days=7 - today.weekday())


def wizard(demo, **extra) -> dict:
    data = {
        "station": demo.stations[0].pk,
        "weekday": ["0", "1", "2", "3", "4"],
        "from": "08:30",
        "to": "17:00",
        "order_0": "property",
        "order_1": "committee",
        "order_2": "owners",
        "start": next_monday().isoformat(),
        "weeks": "4",
        "holidays": f"{(next_monday() + timedelta(days=2)).isoformat()} 调休",
        "do": "preview",
    }
    data.update(extra)
    return data


def test_roster_wizard_previews_then_saves_duties(demo, as_user):
    staff = as_user("juwei1")
    page = staff.get("/roster/setup/")
    assert page.status_code == 200 and "RRULE" not in page.content.decode()
    before = store_counts()
    preview = staff.post("/roster/setup/", wizard(demo))
    html = preview.content.decode()
    assert preview.status_code == 200 and 'id="preview"' in html
    assert store_counts() == before  # a preview writes nothing
    saved = staff.post("/roster/setup/", wizard(demo, do="save"))
    assert saved.status_code == 302
    duties = DutyAssignment.objects.filter(station=demo.stations[0]).order_by("date")
    # 4 weeks × 5 days, less the holiday; week 1 property, week 2 committee, week 3 owners
    assert duties.count() == 19
    assert [d.party for d in duties[:4]] == ["property"] * 4
    assert {d.party for d in duties if d.date >= next_monday() + timedelta(days=7)} >= {
        "committee",
        "owners",
    }
    assert Holiday.objects.filter(date=next_monday() + timedelta(days=2)).exists()
    assert duties.first().plan.hours == "08:30-17:00"


def test_roster_wizard_refusals_write_nothing(demo, as_user):
    before = store_counts()
    # a committee cannot set up another committee's station: it is not even offered
    refused(as_user("juwei2").post("/roster/setup/", wizard(demo, do="save")), 404, before)
    refused(as_user("wuye1").post("/roster/setup/", wizard(demo, do="save")), 403, before)
    refused(as_user("jumin1").get("/roster/setup/"), 403, before)
    bad = as_user("juwei1").post("/roster/setup/", wizard(demo, do="save", holidays="next friday"))
    assert "holidays" in bad.content.decode() and store_counts() == before


def test_meeting_with_action_items_and_completion(demo, as_user):
    staff = as_user("juwei1")
    due = (timezone.localdate() + timedelta(days=10)).isoformat()
    r = staff.post(
        "/meetings/new/",
        {
            "unit": demo.committees[0].pk,
            "held_on": timezone.localdate().isoformat(),
            "title": "十二月运营例会",
            "minutes": "通报诉求办理情况",
            "action-0-text": "更换灭火器",
            "action-0-owner": demo.users["wuye1"].pk,
            "action-0-due": due,
            "action-1-text": "公示服务清单",
            "action-1-party": "committee",
        },
    )
    assert r.status_code == 302
    meeting = Meeting.objects.get(title="十二月运营例会")
    first, second = meeting.actions.order_by("id")
    assert (first.owner, first.owner_party, str(first.due)) == (
        demo.users["wuye1"],
        "property",
        due,
    )
    assert second.owner is None and second.owner_party == "committee"
    page = as_user("wuye1").get("/meetings/").content.decode()
    assert "更换灭火器" in page and f"/meetings/actions/{first.pk}/done/" in page
    assert "更换灭火器" in as_user("wuye1").get("/todo/").content.decode()
    before = store_counts()
    refused(as_user("yewei1").post(f"/meetings/actions/{first.pk}/done/"), 403, before)
    refused(as_user("juwei2").post(f"/meetings/actions/{first.pk}/done/"), 404, before)
    assert as_user("wuye1").post(f"/meetings/actions/{first.pk}/done/").status_code == 302
    assert ActionItem.objects.get(pk=first.pk).done


def test_meeting_refusals_write_nothing(demo, as_user):
    before = store_counts()
    data = {"unit": demo.committees[0].pk, "held_on": "2026-12-01", "title": "x"}
    refused(as_user("wuye1").post("/meetings/new/", data), 403, before)
    refused(as_user("juwei2").post("/meetings/new/", data), 404, before)
    refused(as_user("jumin1").post("/meetings/new/", data), 403, before)


def test_volunteer_activity_signup_and_hours(demo, as_user):
    admin = as_user("jiedao")
    team = demo.users["zhiyuan"].teams.get()
    start = timezone.localtime() + timedelta(days=3)
    r = admin.post(
        "/volunteers/activities/new/",
        {
            "team": team.pk,
            "title": "楼道清洁日",
            "starts_at": start.strftime("%Y-%m-%dT09:00"),
            "ends_at": start.strftime("%Y-%m-%dT11:00"),
            "capacity": "1",
            "station": demo.stations[0].pk,
        },
    )
    assert r.status_code == 302
    activity = Activity.objects.get()
    assert (
        as_user("jumin1").post(f"/volunteers/activities/{activity.pk}/signup/").status_code == 302
    )
    before = store_counts()
    full = as_user("zhiyuan").post(f"/volunteers/activities/{activity.pk}/signup/")
    assert full.status_code == 302 and store_counts() == before  # full: refused with a message
    signup = SignUp.objects.get()
    refused(
        as_user("juwei1").post(f"/volunteers/signups/{signup.pk}/hours/", {"hours": "2"}),
        404,  # a committee does not see the sub-district's team
        before,
    )
    refused(
        as_user("jumin1").post(f"/volunteers/signups/{signup.pk}/hours/", {"hours": "2"}),
        403,
        before,
    )
    assert admin.post(f"/volunteers/signups/{signup.pk}/hours/", {"hours": "2"}).status_code == 302
    page = as_user("jumin1").get("/volunteers/").content.decode()
    assert re.search(r'id="own-hours">2<', page)


def test_volunteer_refusals_write_nothing(demo, as_user):
    team = demo.users["zhiyuan"].teams.get()
    before = store_counts()
    data = {
        "team": team.pk,
        "title": "x",
        "starts_at": "2027-01-01T09:00",
        "ends_at": "2027-01-01T10:00",
        "capacity": "3",
    }
    refused(as_user("jumin1").post("/volunteers/activities/new/", data), 403, before)
    refused(as_user("juwei1").post(f"/volunteers/teams/{team.pk}/join/"), 404, before)
    refused(as_user("zhiyuan").post(f"/volunteers/teams/{team.pk}/join/"), 302, before)  # a member
    refused(as_user("jumin1").post("/volunteers/activities/999/signup/"), 404, before)


def test_inspection_plan_page_refuses_a_duplicate(demo, as_user):
    inspector = as_user("anquan")
    fire = ChecklistTemplate.objects.get(kind="fire")
    data = {
        "station": demo.stations[0].pk,
        "template": fire.pk,
        "mode": "self",
        "interval": "monthly",
        "starts": timezone.localdate().isoformat(),
    }
    assert inspector.post("/inspections/plans/", data).status_code == 302
    assert InspectionPlan.objects.count() == 1 and InspectionTask.objects.count() >= 3
    before = store_counts()
    again = inspector.post("/inspections/plans/", data, follow=True)
    assert "已有" in again.content.decode() and store_counts() == before
    refused(as_user("juwei1").post("/inspections/plans/", data), 403, before)
    refused(as_user("jumin1").post("/inspections/plans/", {**data, "mode": "joint"}), 403, before)


def test_checklist_cards_per_item_deadline_photo_and_three_party_confirmation(
    demo, as_user, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    from django.core.files.uploadedfile import SimpleUploadedFile
    from ops_helpers import PNG

    fire = ChecklistTemplate.objects.get(kind="fire")
    task = InspectionTask.objects.create(
        station=demo.stations[0], template=fire, mode="joint", due_date=timezone.localdate()
    )
    items = list(fire.items.all())
    soon = timezone.localdate() + timedelta(days=7)
    data = {f"item-{i.pk}": "pass" for i in items}
    data[f"item-{items[0].pk}"] = "fail"
    data[f"deadline-{items[0].pk}"] = soon.isoformat()
    data[f"party-{items[0].pk}"] = "owners"
    data[f"item-{items[1].pk}"] = "fail"
    data["deadline"] = (soon + timedelta(days=7)).isoformat()
    data["party"] = "property"
    data[f"photo-{items[0].pk}"] = SimpleUploadedFile("a.png", PNG, content_type="image/png")
    page = as_user("anquan").get(f"/inspections/{task.pk}/").content.decode()
    assert 'class="card check-card"' in page and 'name="photo-' in page
    assert as_user("anquan").post(f"/inspections/{task.pk}/", data).status_code == 302
    first, second = (task.results.get(item=i) for i in items[:2])
    assert (first.rectification.responsible_party, first.rectification.deadline) == ("owners", soon)
    assert (second.rectification.responsible_party, second.rectification.deadline) == (
        "property",
        soon + timedelta(days=7),
    )
    assert first.photo and not second.photo
    before = store_counts()
    refused(as_user("anquan").post(f"/inspections/{task.pk}/confirm/"), 403, before)
    refused(as_user("juwei2").post(f"/inspections/{task.pk}/confirm/"), 404, before)
    for name in ("juwei1", "yewei1", "wuye1"):
        assert as_user(name).post(f"/inspections/{task.pk}/confirm/").status_code == 302
    assert sorted(JointConfirmation.objects.values_list("party", flat=True)) == [
        "committee",
        "owners",
        "property",
    ]
    before = store_counts()
    again = as_user("wuye1").post(f"/inspections/{task.pk}/confirm/", follow=True)
    assert again.status_code == 200 and store_counts() == before
    sheet = as_user("anquan").get(f"/inspections/{task.pk}/print/").content.decode()
    assert "print.css" in sheet and "wuye1" in sheet


def test_a_bad_photo_keeps_nothing_of_the_inspection(demo, as_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    from django.core.files.uploadedfile import SimpleUploadedFile

    fire = ChecklistTemplate.objects.get(kind="fire")
    task = InspectionTask.objects.create(
        station=demo.stations[0], template=fire, mode="self", due_date=timezone.localdate()
    )
    data = {f"item-{i.pk}": "pass" for i in fire.items.all()}
    data[f"photo-{fire.items.first().pk}"] = SimpleUploadedFile(
        "a.png", b"not an image", content_type="image/png"
    )
    before = store_counts()
    assert as_user("wuye1").post(f"/inspections/{task.pk}/", data).status_code == 302
    assert store_counts() == before
    assert InspectionTask.objects.get(pk=task.pk).status == "planned"


def sent_code() -> str:
    return re.search(r"\d{6}", ConsoleSMSBackend.outbox[-1].text).group()


def test_resident_files_by_qr_with_an_sms_code_and_gets_status_by_sms(
    demo, as_user, django_capture_on_commit_callbacks
):
    station = demo.stations[0]
    poster = Client().get(f"/stations/{station.pk}/poster/").content.decode()
    assert "<svg" in poster and f"/s/{station.pk}/" in poster
    resident = Client()
    form = resident.get(f"/s/{station.pk}/")
    assert form.status_code == 200 and "Dashboard" not in form.content.decode()
    ConsoleSMSBackend.outbox.clear()
    resident.post(f"/s/{station.pk}/", {"do": "send", "phone": "13911112222"})
    code = sent_code()
    before = store_counts()
    wrong = resident.post(
        f"/s/{station.pk}/",
        {
            "do": "file",
            "phone": "13911112222",
            "code": "000000" if code != "000000" else "111111",
            "service": "sanitation",
            "description": "楼道堆物",
        },
    )
    assert "验证码" in wrong.content.decode()
    assert ServiceRequest.objects.count() == 0
    filed = resident.post(
        f"/s/{station.pk}/",
        {
            "do": "file",
            "phone": "13911112222",
            "code": code,
            "service": "sanitation",
            "description": "垃圾房没清运",
        },
    )
    html = filed.content.decode()
    assert 'id="next-steps"' in html and "139****2222" in html
    req = ServiceRequest.objects.get()
    assert (req.channel, req.phone, req.requester) == ("resident", "13911112222", None)
    assert store_counts() != before
    ConsoleSMSBackend.outbox.clear()
    staff = as_user("juwei1")
    with django_capture_on_commit_callbacks(execute=True):
        staff.post(
            f"/requests/{req.pk}/assign/",
            {"version": 1, "party": "property", "assignee": "", "note": ""},
        )
    assert [s.phone for s in ConsoleSMSBackend.outbox] == ["13911112222"]
    assert f"#{req.pk}" in ConsoleSMSBackend.outbox[0].text


def test_elderly_switch_sets_a_cookie_and_the_class(demo):
    client = Client()
    r = client.post("/display/", {"elderly": "1", "next": "/stations/"})
    assert r.status_code == 302 and r["Location"] == "/stations/"
    assert 'class="elderly"' in client.get("/stations/").content.decode()
    assert (
        client.post("/display/", {"elderly": "1", "next": "https://evil.example/"})["Location"]
        == "/"
    )
    client.post("/display/", {"elderly": "0", "next": "/"})
    assert 'class="elderly"' not in client.get("/stations/").content.decode()


def test_resident_menu_has_no_staff_items(demo, as_user):
    resident = as_user("jumin1").get("/todo/").content.decode()
    staff = as_user("juwei1").get("/todo/").content.decode()
    for link in ("/roster/", "/inspections/", "/meetings/", "/stats/"):
        assert f'href="{link}"' not in resident and f'href="{link}"' in staff
    assert 'href="/requests/new/"' in resident


def test_stats_page_and_exports_with_chinese_headers(demo, as_user):
    from lifecircle.ops.demo_history import seed_history

    seed_history(demo)
    staff = as_user("juwei1")
    page = staff.get("/stats/").content.decode()
    assert "<svg" in page and 'id="rates"' in page and "%" in page
    found = staff.get("/stats/", {"q": "楼道"}).content.decode()
    assert "/requests/" in found
    for what, header in (("requests", "编号"), ("inspections", "检查项"), ("rosters", "日期")):
        r = staff.get(f"/stats/{what}.xlsx")
        assert r.status_code == 200
        sheet = load_workbook(io.BytesIO(r.content)).active
        assert str(sheet["A1"].value).startswith(header) or header in [
            str(c.value) for c in sheet[1]
        ]
        assert sheet.max_row > 1
    # another committee's rows never leave in the export
    rows = load_workbook(io.BytesIO(staff.get("/stats/requests.xlsx").content)).active
    assert {r[1] for r in rows.iter_rows(min_row=2, values_only=True)} == {demo.stations[0].name}
    assert as_user("jumin1").get("/stats/").status_code == 403
    assert as_user("jumin1").get("/stats/requests.xlsx").status_code == 403


def test_door_roster_poster_for_staff_only(demo, as_user):
    station = demo.stations[0]
    assert as_user("juwei1").get(f"/stations/{station.pk}/duty-poster/").status_code == 200
    assert as_user("jumin1").get(f"/stations/{station.pk}/duty-poster/").status_code == 403
    assert as_user("juwei2").get(f"/stations/{station.pk}/duty-poster/").status_code == 404


def test_work_order_page_steps_and_refusals(demo, as_user):
    staff = as_user("juwei1")
    staff.post("/requests/new/", {})  # the intake form is tested elsewhere
    from lifecircle.ops import requests as ops
    from lifecircle.ops.access import Actor

    req = ops.file_request(
        Actor(demo.users["juwei1"]),
        station_id=demo.stations[0].pk,
        service_code="repair",
        description="灯坏",
        channel="counter",
        attributes={"place": "shared"},
    )
    ops.assign(
        Actor(demo.users["juwei1"]),
        req.pk,
        version=1,
        party="property",
        assignee_id=demo.users["wuye1"].pk,
    )
    page = as_user("wuye1").get(f"/requests/{req.pk}/").content.decode()
    assert 'id="form-accept"' in page and 'id="form-chase"' not in page
    before = store_counts()
    refused(
        as_user("yewei1").post(f"/requests/{req.pk}/order/accept/", {"version": 2}), 403, before
    )
    refused(
        as_user("juwei2").post(f"/requests/{req.pk}/order/accept/", {"version": 2}), 404, before
    )
    refused(
        as_user("wuye1").post(f"/requests/{req.pk}/order/nonsense/", {"version": 2}), 404, before
    )
    assert (
        as_user("wuye1").post(f"/requests/{req.pk}/order/accept/", {"version": 2}).status_code
        == 302
    )
    assert ServiceRequest.objects.get(pk=req.pk).accepted_at is not None
    assert (
        as_user("wuye1")
        .post(f"/requests/{req.pk}/order/extend/", {"hours": "24", "reason": "等配件"})
        .status_code
        == 302
    )
    ext = ServiceRequest.objects.get(pk=req.pk).extensions.get()
    before = store_counts()
    refused(as_user("wuye1").post(f"/extensions/{ext.pk}/", {"decision": "approve"}), 403, before)
    refused(as_user("juwei2").post(f"/extensions/{ext.pk}/", {"decision": "approve"}), 404, before)
    assert (
        staff.post(
            f"/extensions/{ext.pk}/", {"decision": "approve", "back": f"/requests/{req.pk}/"}
        )["Location"]
        == f"/requests/{req.pk}/"
    )


def test_todo_preferences_are_ones_own(demo, as_user):
    r = as_user("wuye1").post("/todo/preferences/", {"by_sms": "on", "phone": "13900001111"})
    assert r.status_code == 302
    from lifecircle.store.notify.models import Preference

    pref = Preference.objects.get()
    assert pref.user == demo.users["wuye1"] and pref.by_sms and not pref.by_email
    before = store_counts()
    bad = as_user("wuye1").post("/todo/preferences/", {"by_sms": "on", "phone": "123"}, follow=True)
    assert "11" in bad.content.decode() and store_counts() == before
    assert Client().post("/todo/preferences/", {"by_sms": "on"}).status_code == 302  # to log in
    assert store_counts() == before


def test_room_booking_approval_and_service_log_pages(demo, as_user):
    station = demo.stations[0]
    room = station.rooms.first()
    day = (timezone.localdate() + timedelta(days=2)).isoformat()
    data = {
        "room": room.pk,
        "day": day,
        "from": "14:00",
        "to": "15:30",
        "kind": "resident",
        "purpose": "合唱排练",
    }
    assert as_user("jumin1").post(f"/stations/{station.pk}/rooms/book/", data).status_code == 302
    booking = room.bookings.get()
    assert booking.slots.count() == 3
    before = store_counts()
    clash = as_user("jumin2").post(
        f"/stations/{station.pk}/rooms/book/", {**data, "from": "15:00", "to": "16:00"}, follow=True
    )
    assert "已被预约" in clash.content.decode() and store_counts() == before
    refused(
        as_user("jumin1").post(
            f"/stations/{station.pk}/rooms/{booking.pk}/", {"decision": "approve"}
        ),
        403,
        before,
    )
    refused(
        as_user("juwei2").post(
            f"/stations/{station.pk}/rooms/{booking.pk}/", {"decision": "approve"}
        ),
        404,
        before,
    )
    refused(
        as_user("juwei2").post(
            f"/stations/{station.pk}/rooms/book/", {**data, "kind": "committee"}
        ),
        404,
        before,
    )
    assert (
        as_user("juwei1")
        .post(f"/stations/{station.pk}/rooms/{booking.pk}/", {"decision": "approve"})
        .status_code
        == 302
    )
    public = Client().get(f"/stations/{station.pk}/").content.decode()
    assert 'id="calendar"' in public and "14:00–15:30" in public and "合唱排练" not in public
    item = station.catalogue.first()
    before = store_counts()
    refused(as_user("jumin1").post(f"/stations/{station.pk}/log/", {"item": item.pk}), 403, before)
    refused(as_user("wuye2").post(f"/stations/{station.pk}/log/", {"item": item.pk}), 404, before)
    log = as_user("wuye1")
    assert (
        log.post(f"/stations/{station.pk}/log/", {"item": item.pk, "people": "1"}).status_code
        == 302
    )
    assert re.search(r'id="log-count">1<', log.get(f"/stations/{station.pk}/log/").content.decode())


def test_bar_geometry_keeps_every_bar_and_label_inside_the_chart():
    from lifecircle.web.pages.stats.views import bars

    chart = bars([0, 3, 12, 6], ["09", "10", "11", "12"], width=300, height=90)
    tallest = max(chart["bars"], key=lambda b: b["value"])
    assert tallest["y"] - 12 >= 0  # the value label (font 11) fits above it
    assert all(b["y"] + b["h"] == pytest.approx(chart["axis"]) for b in chart["bars"])
    assert chart["bars"][2]["h"] == pytest.approx(2 * chart["bars"][3]["h"])  # heights ∝ values
    assert chart["bars"][0]["h"] == 0
