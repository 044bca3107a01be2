"""What waits on a user (待办): new assignments, rectification orders, swaps to decide or stand
in for, extensions to decide, requests to rate, action items, and anything overdue — each
only where the user holds the role that must act."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from lifecircle.ops import inspections, requests, workorders
from lifecircle.ops.access import INSPECTORS, MANAGERS, Actor
from lifecircle.store.inspections.models import ActionItem, InspectionTask, RectificationOrder
from lifecircle.store.org.models import PARTY_ROLE
from lifecircle.store.requests.models import Status
from lifecircle.store.roster.models import SwapRequest


@dataclass
class Todo:
    """One thing to do: what kind, a line of text, where to do it, by when."""

    kind: str
    title: str
    link: str
    due: date | datetime | None = None
    overdue: bool = False


KIND_LABELS = {
    "assignment": "新派单 new assignment",
    "triage": "待派单 to assign",
    "rectification": "整改单 rectification",
    "reinspection": "待复查 to re-inspect",
    "swap_decide": "换班待批 swap to decide",
    "swap_standin": "替班 stand in",
    "extension": "延期待批 extension to decide",
    "rate": "待评价 to rate",
    "action": "会议事项 action item",
    "inspection": "待检查 inspection",
    "overdue": "超期诉求 overdue request",
    "update": "办理进展 progress",
}
RECENT = timedelta(days=7)


def _party_q(actor: Actor, field_party: str, unit_field: str) -> Q:
    """Rows whose party field names a party the caller serves on the row's unit."""
    query = Q(pk__in=[])
    for party, role in PARTY_ROLE.items():
        scope = actor.scope({role}, unit_field)
        if scope != Q(pk__in=[]):
            query |= Q(**{field_party: party}) & scope
    return query


def todo_for(actor: Actor, now: datetime | None = None) -> list[Todo]:
    """Everything waiting on the caller, overdue first, then by due date.

    Example
    -------
    >>> [t.kind for t in todo_for(Actor(worker))]  # doctest: +SKIP
    ['assignment', 'rectification']
    """
    if actor.user is None:
        return []
    now = now or timezone.now()
    today = timezone.localdate(now)
    me = actor.user
    items: list[Todo] = []
    visible = requests.visible_requests(actor)

    mine = visible.filter(status=Status.ASSIGNED).filter(
        Q(assignee=me)
        | (Q(assignee__isnull=True) & _party_q(actor, "assigned_party", "station__unit"))
    )
    for req in mine:
        items.append(
            Todo(
                "assignment",
                f"#{req.pk} {req.station.name} {req.category.name_zh}",
                f"/requests/{req.pk}/",
                req.expected_datetime,
                req.expected_datetime < now,
            )
        )
    for req in visible.filter(actor.scope(MANAGERS, "station__unit"), status=Status.RECEIVED):
        items.append(
            Todo(
                "triage",
                f"#{req.pk} {req.station.name} {req.category.name_zh}",
                f"/requests/{req.pk}/",
                req.expected_datetime,
                req.expected_datetime < now,
            )
        )
    for req in visible.filter(requester=me, status=Status.RESOLVED, rating__isnull=True):
        items.append(Todo("rate", f"#{req.pk} {req.category.name_zh}", f"/requests/{req.pk}/"))
    # what moved lately on the caller's own requests (the rating awaited is listed above)
    for req in visible.filter(
        requester=me, updated_datetime__gte=now - RECENT, version__gt=1
    ).exclude(status=Status.RESOLVED, rating__isnull=True):
        label = str(dict(Status.choices)[req.status]).split(" ")[0]
        items.append(
            Todo("update", f"#{req.pk} {req.category.name_zh}：{label}", f"/requests/{req.pk}/")
        )
    handled = {t.link for t in items}
    for req in requests.overdue_requests(actor, now).filter(
        Q(assignee=me)
        | actor.scope(MANAGERS, "station__unit")
        | _party_q(actor, "assigned_party", "station__unit")
    ):
        if f"/requests/{req.pk}/" not in handled:
            items.append(
                Todo(
                    "overdue",
                    f"#{req.pk} {req.station.name} {req.category.name_zh}",
                    f"/requests/{req.pk}/",
                    req.expected_datetime,
                    True,
                )
            )

    orders = inspections.visible_orders(actor)
    for order in orders.filter(
        Q(status=RectificationOrder.Status.OPEN)
        & _party_q(actor, "responsible_party", "station__unit")
    ):
        items.append(
            Todo(
                "rectification",
                f"{order.station.name}：{order.result.item.text}",
                f"/inspections/rectifications/{order.pk}/",
                order.deadline,
                order.deadline < today,
            )
        )
    for order in orders.filter(
        actor.scope(INSPECTORS, "station__unit"), status=RectificationOrder.Status.SUBMITTED
    ):
        items.append(
            Todo(
                "reinspection",
                f"{order.station.name}：{order.result.item.text}",
                f"/inspections/rectifications/{order.pk}/",
                order.deadline,
            )
        )
    for task in inspections.visible_tasks(actor).filter(
        actor.scope(INSPECTORS, "station__unit") | Q(mode="self") & _operator_q(actor),
        status=InspectionTask.Status.PLANNED,
        due_date__lte=today,
    ):
        items.append(
            Todo(
                "inspection",
                f"{task.station.name}：{task.template.name}",
                f"/inspections/{task.pk}/",
                task.due_date,
                task.due_date < today,
            )
        )

    swaps = SwapRequest.objects.filter(status=SwapRequest.Status.PENDING).select_related(
        "assignment__station", "replacement"
    )
    for swap in swaps.filter(actor.scope(MANAGERS, "assignment__station__unit")):
        items.append(
            Todo(
                "swap_decide",
                f"{swap.assignment.station.name} {swap.assignment.date} → {swap.replacement.get_username()}",
                "/roster/#swaps",
                swap.assignment.date,
            )
        )
    for swap in swaps.filter(replacement=me).exclude(
        actor.scope(MANAGERS, "assignment__station__unit")
    ):
        items.append(
            Todo(
                "swap_standin",
                f"{swap.assignment.station.name} {swap.assignment.date}",
                "/roster/#swaps",
                swap.assignment.date,
            )
        )
    for ext in workorders.pending_extensions(actor):
        items.append(
            Todo(
                "extension",
                f"#{ext.request_id} +{ext.hours} h：{ext.reason}",
                f"/requests/{ext.request_id}/",
                ext.request.expected_datetime,
            )
        )

    actions = ActionItem.objects.filter(done=False).select_related("meeting__unit")
    for action in actions.filter(
        Q(owner=me) | Q(owner__isnull=True) & _party_q(actor, "owner_party", "meeting__unit")
    ):
        items.append(
            Todo(
                "action",
                action.text,
                f"/meetings/#action-{action.pk}",
                action.due,
                action.due is not None and action.due < today,
            )
        )

    def order(t: Todo):
        when = t.due
        if isinstance(when, datetime):
            when = timezone.localdate(when)
        return (not t.overdue, when or date.max, t.kind)

    return sorted(items, key=order)


def _operator_q(actor: Actor) -> Q:
    """Self-inspections are done by the station's operators (the three parties)."""
    return actor.scope(set(PARTY_ROLE.values()), "station__unit")
