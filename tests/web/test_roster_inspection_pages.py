"""Roster and inspection pages: the week view, swaps, an inspection with a failed item, its
rectification order from evidence to closure; forbidden steps write nothing."""

import re
from datetime import timedelta

from django.utils import timezone

from lifecircle.ops import inspections, roster
from lifecircle.ops.access import Actor
from lifecircle.store.inspections.models import (
    ChecklistTemplate,
    InspectionTask,
    RectificationOrder,
)
from lifecircle.store.org.models import AuditEntry
from lifecircle.store.roster.models import DutyAssignment, SwapRequest


def this_week():
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    return monday, monday + timedelta(days=6)


def test_week_view_swap_and_approval(demo, as_user):
    monday, sunday = this_week()
    station = demo.stations[0]
    owners = demo.users["yewei1"]
    # last week was the committee's, this week is the owners' committee's
    roster.mark_unavailable(Actor(owners), monday + timedelta(days=2), "出差")
    roster.generate(
        Actor(demo.users["juwei1"]), station.pk, start=monday - timedelta(days=7), end=sunday
    )
    page = as_user("juwei1").get("/roster/").content.decode()
    assert page.count("yewei1") >= 5 and "无人值班" in page  # Wednesday: nobody can take it
    link = re.search(r'href="(/api/stations/\d+/roster\.ics\?[^"]+)"', page).group(1)
    calendar = as_user("juwei1").get(link.replace("&amp;", "&"))
    assert calendar.status_code == 200 and b"yewei1" in calendar.content
    other = as_user("juwei2").get("/roster/").content.decode()
    assert "yewei1" not in other  # another committee's roster is not shown

    duty = DutyAssignment.objects.filter(station=station, person=owners).first()
    swap = {"assignment": duty.pk, "replacement": demo.users["wuye1"].pk, "reason": "家中有事"}
    assert as_user("yewei1").post("/roster/swaps/", swap).status_code == 302
    request = SwapRequest.objects.get()
    before = AuditEntry.objects.count()
    refused = as_user("yewei1").post(f"/roster/swaps/{request.pk}/", {"decision": "approve"})
    assert refused.status_code == 403 and AuditEntry.objects.count() == before
    as_user("juwei1").post(f"/roster/swaps/{request.pk}/", {"decision": "approve"})
    duty.refresh_from_db()
    assert duty.person == demo.users["wuye1"] and duty.party == "property"
    assert SwapRequest.objects.get().status == "approved"


def test_inspection_failed_item_to_closed_order(demo, as_user):
    today = timezone.localdate()
    station = demo.stations[0]
    inspector = Actor(demo.users["anquan"])
    fire = ChecklistTemplate.objects.get(kind="fire")
    inspections.create_plan(
        inspector, station.pk, template_id=fire.pk, mode="joint", interval="quarterly", starts=today
    )
    task = inspections.generate_tasks(inspector, today)[0]
    dashboard = as_user("juwei1").get("/").content.decode()
    assert fire.name.split()[0] in dashboard  # due today, on the committee's dashboard

    url = f"/inspections/{task.pk}/"
    items = list(fire.items.all())
    form = {f"item-{i.pk}": "pass" for i in items}
    form[f"item-{items[1].pk}"] = "fail"
    form[f"note-{items[1].pk}"] = "楼道堆放杂物"
    # property staff may not carry out a joint inspection: refused, nothing written
    before = AuditEntry.objects.count()
    assert as_user("wuye1").post(url, form).status_code == 403
    assert AuditEntry.objects.count() == before
    # a failed item without a deadline is refused with the field named
    shown = as_user("anquan").post(url, form, follow=True).content.decode()
    assert "rectification_deadline" in shown and not RectificationOrder.objects.exists()
    deadline = (today + timedelta(days=7)).isoformat()
    as_user("anquan").post(url, {**form, "deadline": deadline, "party": "property"})
    assert InspectionTask.objects.get(pk=task.pk).status == "done"
    order = RectificationOrder.objects.get()
    assert "楼道堆放杂物" in as_user("anquan").get(url).content.decode()

    order_url = f"/inspections/rectifications/{order.pk}/"
    page = as_user("wuye1").get(order_url).content.decode()
    assert 'id="form-evidence"' in page and 'id="form-reinspect"' not in page
    as_user("wuye1").post(order_url, {"step": "evidence", "evidence": "杂物已清理，见照片"})
    assert RectificationOrder.objects.get().status == "submitted"
    assert (
        as_user("wuye1").post(order_url, {"step": "reinspect", "passed": "yes"}).status_code == 403
    )
    as_user("anquan").post(order_url, {"step": "reinspect", "passed": "yes", "note": "已复查"})
    order.refresh_from_db()
    assert order.status == "closed" and order.reinspected_by == demo.users["anquan"]
    # a resident sees no inspection records
    assert as_user("jumin1").get(order_url).status_code == 404


def test_dashboard_lists_overdue_rectifications(demo, as_user):
    today = timezone.localdate()
    inspector = Actor(demo.users["anquan"])
    food = ChecklistTemplate.objects.get(kind="food")
    inspections.create_plan(
        inspector,
        demo.stations[0].pk,
        template_id=food.pk,
        mode="joint",
        interval="monthly",
        starts=today,
    )
    task = inspections.generate_tasks(inspector, today)[0]
    results = [{"item_id": i.pk, "passed": i.order != 1} for i in food.items.all()]
    inspections.record_inspection(
        inspector,
        task.pk,
        results=results,
        rectification_deadline=today,
        responsible_party="property",
    )
    RectificationOrder.objects.update(deadline=today - timedelta(days=1))
    html = as_user("juwei1").get("/").content.decode()
    first_item = food.items.get(order=1).text
    assert first_item in html.split("超期整改单")[1]
