"""Safety inspections: interval plans generate tasks; a failed item opens a rectification order
(deadline, responsible party, evidence, re-inspection, closure); monthly meetings and actions."""

from datetime import date

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from lifecircle.ops import notices
from lifecircle.ops.access import INSPECTORS, MANAGERS, OPERATORS, ROLE_PARTY, Actor, managed_unit
from lifecircle.ops.audit import record, save_audited, snapshot
from lifecircle.ops.errors import Conflict, Forbidden, Invalid, NotFound
from lifecircle.ops.files import checked_image_suffix
from lifecircle.ops.roster import party_members
from lifecircle.ops.stations import get_station_for
from lifecircle.store.inspections.models import (
    ActionItem,
    ChecklistTemplate,
    InspectionPlan,
    InspectionTask,
    ItemResult,
    JointConfirmation,
    Meeting,
    Mode,
    RectificationOrder,
)
from lifecircle.store.org.models import PARTY_ROLE, Party, Role, RoleGrant

MONTHS = {InspectionPlan.Interval.MONTHLY: 1, InspectionPlan.Interval.QUARTERLY: 3}
# who may carry out an inspection of each mode
PERFORMERS = {Mode.SELF: OPERATORS | INSPECTORS, Mode.JOINT: INSPECTORS}


def create_plan(
    actor: Actor, station_id: int, *, template_id: int, mode: str, interval: str, starts: date
) -> InspectionPlan:
    if mode not in Mode.values:
        raise Invalid(f"mode: 可选值 allowed values {Mode.values}", field="mode")
    if interval not in MONTHS:
        raise Invalid(f"interval: 可选值 allowed values {list(MONTHS)}", field="interval")
    with transaction.atomic():
        station = get_station_for(actor, station_id)
        if not actor.has(INSPECTORS, station.unit):
            raise Forbidden("只有安全检查员或街道可制定检查计划 only inspectors plan inspections")
        template = ChecklistTemplate.objects.filter(pk=template_id).first()
        if template is None:
            raise NotFound(
                f"template_id: 检查表不存在 no checklist {template_id}", field="template_id"
            )
        if InspectionPlan.objects.filter(
            station=station, template=template, mode=mode, starts=starts
        ).exists():
            raise Conflict(
                f"starts: 本驿站已有从 {starts} 开始的“{template.name}”同类计划"
                f" a plan for this station, checklist, mode and date already exists",
                field="starts",
            )
        plan = InspectionPlan(
            station=station, template=template, mode=mode, interval=interval, starts=starts
        )
        return save_audited(actor, "inspection.plan", plan, unit=station.unit)


def generate_tasks(actor: Actor, until: date) -> list[InspectionTask]:
    """Create the tasks of every plan in the caller's scope due on or before `until`."""
    created = []
    with transaction.atomic():
        plans = InspectionPlan.objects.filter(
            actor.scope(INSPECTORS | MANAGERS, "station__unit"), active=True
        ).select_related("station__unit")
        for plan in plans:
            existing = set(plan.tasks.values_list("due_date", flat=True))
            step = MONTHS[plan.interval]
            k, due = 0, plan.starts
            while due <= until:
                if due not in existing:
                    task = InspectionTask.objects.create(
                        plan=plan,
                        station=plan.station,
                        template_id=plan.template_id,
                        mode=plan.mode,
                        due_date=due,
                    )
                    record(actor, "inspection.task", task, before=None, unit=plan.station.unit)
                    created.append(task)
                k += 1
                due = plan.starts + relativedelta(months=step * k)
    return created


def visible_tasks(actor: Actor) -> QuerySet:
    roles = INSPECTORS | MANAGERS | OPERATORS
    return InspectionTask.objects.filter(actor.scope(roles, "station__unit")).select_related(
        "station", "template"
    )


def record_inspection(
    actor: Actor,
    task_id: int,
    *,
    results: list[dict],
    rectification_deadline: date | None = None,
    responsible_party: str | None = None,
) -> InspectionTask:
    """Record pass/fail for every checklist item; each failure opens a rectification order."""
    with transaction.atomic():
        task = visible_tasks(actor).select_for_update(of=("self",)).filter(pk=task_id).first()
        if task is None:
            raise NotFound(f"task_id: 检查任务不存在 no inspection task {task_id}", field="task_id")
        if not actor.has(PERFORMERS[task.mode], task.station.unit):
            raise Forbidden(f"无权执行{task.get_mode_display()} may not perform this inspection")
        if task.status == InspectionTask.Status.DONE:
            raise Conflict("status: 已检查 already done", field="status")
        items = {i.pk: i for i in task.template.items.all()}
        given = [r["item_id"] for r in results]
        if sorted(given) != sorted(items):
            missing = sorted(set(items) - set(given)) or sorted(set(given) - set(items))
            raise Invalid(
                f"results: 须逐项填写检查表 every checklist item exactly once (item {missing[0]})",
                field="results",
            )
        for r in results:
            if r["passed"]:
                continue
            # each failed item may carry its own deadline and party; the task-wide ones fill in
            r["deadline"] = r.get("deadline") or rectification_deadline
            r["party"] = r.get("party") or responsible_party
            if r["deadline"] is None:
                raise Invalid(
                    "rectification_deadline: 有不合格项须定整改期限 required",
                    "rectification_deadline",
                )
            if r["deadline"] < timezone.localdate():
                raise Invalid(
                    "rectification_deadline: 不能早于今天 cannot be in the past",
                    "rectification_deadline",
                )
            if r["party"] not in Party.values:
                raise Invalid(
                    f"responsible_party: 可选值 allowed values {Party.values}", "responsible_party"
                )
        before = snapshot(task)
        for r in results:
            result = ItemResult.objects.create(
                task=task, item=items[r["item_id"]], passed=r["passed"], note=r.get("note", "")
            )
            record(actor, "inspection.result", result, before=None, unit=task.station.unit)
            if not r["passed"]:
                order = RectificationOrder.objects.create(
                    result=result,
                    station=task.station,
                    deadline=r["deadline"],
                    responsible_party=r["party"],
                )
                record(actor, "rectification.open", order, before=None, unit=task.station.unit)
                notices.notify_users(
                    party_members(task.station, r["party"]),
                    "rectification.open",
                    f"整改单 Rectification order #{order.pk}",
                    f"{task.station.name}：{result.item.text}，请于 {order.deadline} 前整改",
                    f"/inspections/rectifications/{order.pk}/",
                )
        task.status = InspectionTask.Status.DONE
        task.inspector = actor.user
        task.performed_at = timezone.now()
        save_audited(actor, "inspection.done", task, unit=task.station.unit, before=before)
    return task


def visible_orders(actor: Actor) -> QuerySet:
    roles = INSPECTORS | MANAGERS | OPERATORS
    return RectificationOrder.objects.filter(actor.scope(roles, "station__unit")).select_related(
        "station__unit", "result__item"
    )


def _order_for_update(actor: Actor, order_id: int) -> RectificationOrder:
    order = visible_orders(actor).select_for_update(of=("self",)).filter(pk=order_id).first()
    if order is None:
        raise NotFound(
            f"order_id: 整改单不存在 no rectification order {order_id}", field="order_id"
        )
    return order


def submit_evidence(actor: Actor, order_id: int, evidence: str) -> RectificationOrder:
    """The responsible party (or the committee) reports the fix."""
    if not evidence.strip():
        raise Invalid("evidence: 请说明整改情况 must not be empty", field="evidence")
    with transaction.atomic():
        order = _order_for_update(actor, order_id)
        allowed = {PARTY_ROLE[order.responsible_party]} | MANAGERS
        if not actor.has(allowed, order.station.unit):
            raise Forbidden("只有责任方可提交整改材料 only the responsible party submits evidence")
        if order.status != RectificationOrder.Status.OPEN:
            raise Conflict(
                f"status: 当前状态 now {order.status}, 须为 must be open", field="status"
            )
        before = snapshot(order)
        order.evidence = evidence.strip()
        order.evidence_at = timezone.now()
        order.status = RectificationOrder.Status.SUBMITTED
        return save_audited(
            actor, "rectification.evidence", order, unit=order.station.unit, before=before
        )


def reinspect(
    actor: Actor, order_id: int, *, passed: bool, note: str = "", new_deadline: date | None = None
) -> RectificationOrder:
    """An inspector checks the fix: passed closes the order, failed sends it back (销号/退回)."""
    with transaction.atomic():
        order = _order_for_update(actor, order_id)
        if not actor.has(INSPECTORS, order.station.unit):
            raise Forbidden("只有安全检查员可复查 only an inspector re-inspects")
        if order.status != RectificationOrder.Status.SUBMITTED:
            raise Conflict(
                f"status: 当前状态 now {order.status}, 须为 must be submitted", field="status"
            )
        before = snapshot(order)
        order.reinspection_note = note
        order.reinspected_by = actor.user
        if passed:
            order.status = RectificationOrder.Status.CLOSED
            order.closed_at = timezone.now()
        else:
            order.status = RectificationOrder.Status.OPEN
            if new_deadline is not None:
                order.deadline = new_deadline
        return save_audited(
            actor, "rectification.reinspect", order, unit=order.station.unit, before=before
        )


def overdue_tasks(actor: Actor, today: date | None = None) -> QuerySet:
    today = today or timezone.localdate()
    return visible_tasks(actor).filter(status=InspectionTask.Status.PLANNED, due_date__lt=today)


def overdue_orders(actor: Actor, today: date | None = None) -> QuerySet:
    today = today or timezone.localdate()
    return (
        visible_orders(actor)
        .exclude(status=RectificationOrder.Status.CLOSED)
        .filter(deadline__lt=today)
    )


def create_meeting(
    actor: Actor, unit_id: int, *, held_on: date, title: str, minutes: str, actions: list[dict]
) -> Meeting:
    """The monthly operations meeting: minutes and action items (owner, party, due date)."""
    with transaction.atomic():
        unit = managed_unit(actor, unit_id, "无权记录例会 may not record meetings here")
        meeting = save_audited(
            actor,
            "meeting.create",
            Meeting(unit=unit, held_on=held_on, title=title, minutes=minutes),
            unit=unit,
        )
        for n, spec in enumerate(actions):
            try:
                add_action(actor, meeting, **spec)
            except Invalid as exc:
                raise Invalid(
                    f"actions[{n}].{exc.message}", field=f"actions[{n}].{exc.field}"
                ) from None
    return meeting


def add_action(
    actor: Actor,
    meeting: Meeting,
    *,
    text: str,
    owner_party: str = "",
    owner_id: int | None = None,
    due: date | None = None,
) -> ActionItem:
    """One action item of a meeting (or of any decision recorded as a meeting): what, whose,
    by when. The owner must hold a role in the meeting's unit; they are told.

    Example
    -------
    >>> add_action(actor, meeting, text="更换灭火器", owner_party="property",
    ...            due=date(2026, 1, 31))  # doctest: +SKIP
    """
    unit = meeting.unit
    if not actor.has(MANAGERS, unit):
        raise Forbidden("无权布置事项 may not add action items here")
    owner = None
    if owner_id is not None:
        near = Q(unit__path__startswith=unit.path) | Q(unit_id__in=unit.ancestors_and_self())
        grant = RoleGrant.objects.filter(near, user_id=owner_id).select_related("user").first()
        if grant is None:
            raise Invalid(f"owner_id: 用户 {owner_id} 不在本单位 is not in this unit", "owner_id")
        owner = grant.user
        owner_party = owner_party or ROLE_PARTY.get(grant.role, "")
    action = ActionItem(meeting=meeting, text=text, owner_party=owner_party, owner=owner, due=due)
    save_audited(actor, "meeting.action", action, unit=unit)
    told = [owner] if owner else _unit_party_members(unit, owner_party)
    notices.notify_users(
        told,
        "meeting.action",
        f"待办事项 Action item: {text[:40]}",
        f"{meeting.title}：{text}" + (f"，{due} 前完成" if due else ""),
        "/meetings/",
    )
    return action


def _unit_party_members(unit, party: str) -> list:
    if not party:
        return []
    return [
        g.user
        for g in RoleGrant.objects.filter(
            role=PARTY_ROLE[party], unit_id__in=unit.ancestors_and_self()
        ).select_related("user")
    ]


def visible_meetings(actor: Actor) -> QuerySet:
    return Meeting.objects.filter(
        actor.scope({r for r, _ in actor.grants()} - {Role.RESIDENT, Role.VOLUNTEER}, "unit")
    ).select_related("unit")


def can_complete(actor: Actor, action: ActionItem) -> bool:
    if actor.has(MANAGERS, action.meeting.unit):
        return True
    if actor.user is not None and action.owner_id == actor.user.pk:
        return True
    return bool(action.owner_party) and actor.has(
        {PARTY_ROLE[action.owner_party]}, action.meeting.unit
    )


def complete_action(actor: Actor, action_id: int) -> ActionItem:
    with transaction.atomic():
        action = ActionItem.objects.select_related("meeting__unit").filter(pk=action_id).first()
        if action is None or not actor.roles_on(action.meeting.unit):
            raise NotFound(f"action_id: 事项不存在 no action item {action_id}", field="action_id")
        if not can_complete(actor, action):
            raise Forbidden("无权办结此事项 may not complete this action")
        if action.done:
            raise Conflict("done: 已办结 already done", field="done")
        before = snapshot(action)
        action.done, action.done_at = True, timezone.now()
        return save_audited(
            actor, "meeting.action_done", action, unit=action.meeting.unit, before=before
        )


def confirm_joint(actor: Actor, task_id: int) -> JointConfirmation:
    """Each of the three parties signs a done joint inspection (三方确认), once per party."""
    with transaction.atomic():
        task = visible_tasks(actor).filter(pk=task_id).first()
        if task is None:
            raise NotFound(f"task_id: 检查任务不存在 no inspection task {task_id}", field="task_id")
        if task.mode != Mode.JOINT:
            raise Conflict("mode: 只有联合检查需三方确认 only joint inspections", field="mode")
        if task.status != InspectionTask.Status.DONE:
            raise Conflict("status: 检查完成后才能确认 record the inspection first", "status")
        parties = sorted(
            ROLE_PARTY[r] for r in actor.roles_on(task.station.unit) if r in ROLE_PARTY
        )
        if actor.user is None or not parties:
            raise Forbidden("只有三方人员可确认 only the three parties confirm")
        done = set(task.confirmations.values_list("party", flat=True))
        open_parties = [p for p in parties if p not in done]
        if not open_parties:
            raise Conflict("party: 本方已确认 your party has confirmed", field="party")
        return save_audited(
            actor,
            "inspection.confirm",
            JointConfirmation(task=task, party=open_parties[0], user=actor.user),
            unit=task.station.unit,
        )


def add_result_photo(actor: Actor, result_id: int, upload) -> ItemResult:
    """A photo of what was found at one checklist item (by whoever may perform that inspection)."""
    with transaction.atomic():
        result = (
            ItemResult.objects.select_related("task__station__unit")
            .filter(pk=result_id, task__in=visible_tasks(actor))
            .first()
        )
        if result is None:
            raise NotFound(f"result_id: 检查结果不存在 no result {result_id}", field="result_id")
        if not actor.has(PERFORMERS[result.task.mode], result.task.station.unit):
            raise Forbidden("无权上传检查照片 may not add photos to this inspection")
        before = snapshot(result)
        upload.name = f"inspection-{result.task_id}-{result.pk}{checked_image_suffix(upload)}"
        result.photo = upload
        return save_audited(
            actor, "inspection.photo", result, unit=result.task.station.unit, before=before
        )
