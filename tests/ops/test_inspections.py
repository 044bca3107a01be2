"""Inspections through the API: plans → tasks → results → rectification → re-inspection → closure;
overdue lists; monthly meeting with action items."""

from datetime import date, timedelta

from django.utils import timezone

from lifecircle.store.inspections.models import (
    ChecklistTemplate,
    InspectionTask,
    RectificationOrder,
)
from lifecircle.store.org.models import AuditEntry


def post(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json")


def fire_template() -> ChecklistTemplate:
    return ChecklistTemplate.objects.get(kind="fire")


def test_plans_generate_monthly_self_and_quarterly_joint_tasks(demo, as_user):
    inspector, station = as_user("anquan"), demo.stations[0]
    for mode, interval in (("self", "monthly"), ("joint", "quarterly")):
        r = post(
            inspector,
            "/api/inspections/plans",
            {
                "station_id": station.pk,
                "template_id": fire_template().pk,
                "mode": mode,
                "interval": interval,
                "starts": "2026-01-15",
            },
        )
        assert r.status_code == 201
    tasks = post(inspector, "/api/inspections/generate", {"until": "2026-12-31"}).json()
    self_dates = [t["due_date"] for t in tasks if t["mode"] == "self"]
    joint_dates = [t["due_date"] for t in tasks if t["mode"] == "joint"]
    assert self_dates == [f"2026-{m:02d}-15" for m in range(1, 13)]
    assert joint_dates == ["2026-01-15", "2026-04-15", "2026-07-15", "2026-10-15"]
    assert post(inspector, "/api/inspections/generate", {"until": "2026-12-31"}).json() == []
    overdue = inspector.get("/api/inspections/tasks", {"overdue": True}).json()
    today = timezone.localdate().isoformat()
    assert overdue and all(t["due_date"] < today for t in overdue)


def _joint_task(demo, due=None) -> InspectionTask:
    return InspectionTask.objects.create(
        station=demo.stations[0],
        template=fire_template(),
        mode="joint",
        due_date=due or timezone.localdate(),
    )


def test_failed_item_opens_a_rectification_order_that_closes_after_reinspection(demo, as_user):
    inspector, property_staff = as_user("anquan"), as_user("wuye1")
    task = _joint_task(demo)
    items = [i.pk for i in fire_template().items.all()]
    results = [
        {"item_id": i, "passed": i != items[1], "note": "" if i != items[1] else "通道堆放杂物"}
        for i in items
    ]
    deadline = (timezone.localdate() + timedelta(days=7)).isoformat()
    r = post(inspector, f"/api/inspections/tasks/{task.pk}/record", {"results": results})
    assert r.status_code == 422 and r.json()["field"] == "rectification_deadline"
    r = post(
        inspector,
        f"/api/inspections/tasks/{task.pk}/record",
        {
            "results": results[:-1],
            "rectification_deadline": deadline,
            "responsible_party": "property",
        },
    )
    assert r.status_code == 422 and r.json()["field"] == "results"
    r = post(
        inspector,
        f"/api/inspections/tasks/{task.pk}/record",
        {"results": results, "rectification_deadline": deadline, "responsible_party": "property"},
    )
    assert r.status_code == 200 and r.json()["status"] == "done"
    (order,) = inspector.get("/api/rectifications").json()
    assert (order["status"], order["responsible_party"], order["deadline"]) == (
        "open",
        "property",
        deadline,
    )
    assert order["item"] == "疏散通道畅通"
    oid = order["id"]
    assert (
        post(
            as_user("yewei1"), f"/api/rectifications/{oid}/evidence", {"evidence": "x"}
        ).status_code
        == 403
    )
    r = post(
        property_staff, f"/api/rectifications/{oid}/evidence", {"evidence": "杂物已清走，附照片"}
    )
    assert r.json()["status"] == "submitted"
    assert (
        post(property_staff, f"/api/rectifications/{oid}/reinspect", {"passed": True}).status_code
        == 403
    )
    r = post(
        inspector, f"/api/rectifications/{oid}/reinspect", {"passed": False, "note": "仍有电动车"}
    )
    assert r.json()["status"] == "open"
    post(property_staff, f"/api/rectifications/{oid}/evidence", {"evidence": "电动车已移走"})
    r = post(
        inspector, f"/api/rectifications/{oid}/reinspect", {"passed": True, "note": "复查合格"}
    )
    assert r.json()["status"] == "closed"
    actions = list(
        AuditEntry.objects.filter(model="inspections.rectificationorder").values_list(
            "action", flat=True
        )
    )
    assert sorted(actions) == sorted(
        ["rectification.open"] + ["rectification.evidence", "rectification.reinspect"] * 2
    )


def test_overdue_rectifications_are_listed(demo, as_user):
    inspector = as_user("anquan")
    task = _joint_task(demo)
    items = list(fire_template().items.all())
    results = [{"item_id": i.pk, "passed": False} for i in items]
    deadline = (timezone.localdate() + timedelta(days=1)).isoformat()
    post(
        inspector,
        f"/api/inspections/tasks/{task.pk}/record",
        {"results": results, "rectification_deadline": deadline, "responsible_party": "committee"},
    )
    RectificationOrder.objects.filter(pk=RectificationOrder.objects.first().pk).update(
        deadline=date(2026, 1, 1)
    )
    overdue = inspector.get("/api/rectifications", {"overdue": True}).json()
    assert [o["deadline"] for o in overdue] == ["2026-01-01"]


def test_operator_may_self_inspect_but_not_do_the_joint_inspection(demo, as_user):
    staff = as_user("wuye1")
    items = [{"item_id": i.pk, "passed": True} for i in fire_template().items.all()]
    joint = _joint_task(demo)
    before = AuditEntry.objects.count()
    r = post(staff, f"/api/inspections/tasks/{joint.pk}/record", {"results": items})
    assert r.status_code == 403 and AuditEntry.objects.count() == before
    own = InspectionTask.objects.create(
        station=demo.stations[0],
        template=fire_template(),
        mode="self",
        due_date=timezone.localdate(),
    )
    assert (
        post(staff, f"/api/inspections/tasks/{own.pk}/record", {"results": items}).status_code
        == 200
    )


def test_committee_cannot_plan_inspections(demo, as_user):
    before = AuditEntry.objects.count()
    r = post(
        as_user("juwei1"),
        "/api/inspections/plans",
        {
            "station_id": demo.stations[0].pk,
            "template_id": fire_template().pk,
            "mode": "joint",
            "interval": "quarterly",
            "starts": "2026-01-01",
        },
    )
    assert r.status_code == 403 and AuditEntry.objects.count() == before


def test_monthly_meeting_with_action_items(demo, as_user):
    staff = as_user("juwei1")
    r = post(
        staff,
        "/api/meetings",
        {
            "unit_id": demo.committees[0].pk,
            "held_on": "2026-11-20",
            "title": "11月运营例会",
            "minutes": "讨论食堂排队问题",
            "actions": [{"text": "增加午餐窗口", "owner_party": "property", "due": "2026-12-01"}],
        },
    )
    assert r.status_code == 201
    from lifecircle.store.inspections.models import ActionItem

    action = ActionItem.objects.get(meeting_id=r.json()["id"])
    assert post(as_user("yewei1"), f"/api/meetings/actions/{action.pk}/done").status_code == 403
    assert post(as_user("wuye1"), f"/api/meetings/actions/{action.pk}/done").status_code == 200
    assert (
        post(
            as_user("juwei2"),
            "/api/meetings",
            {"unit_id": demo.committees[0].pk, "held_on": "2026-11-20", "title": "x"},
        ).status_code
        == 404
    )
