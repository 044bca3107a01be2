"""What a signed-in user's dashboard shows: open and overdue requests, today's duty,
inspections due, rectifications overdue — all within the caller's scope."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone

from lifecircle.ops import inspections, requests, roster, stations
from lifecircle.ops.access import Actor
from lifecircle.store.inspections.models import InspectionTask
from lifecircle.store.requests.models import OPEN_STATUSES


@dataclass
class Dashboard:
    open_requests: int
    overdue_requests: list
    duty_today: list  # (station, [DutyAssignment])
    inspections_due: list
    rectifications_overdue: list


def dashboard(actor: Actor, today: date | None = None, due_within_days: int = 7) -> Dashboard:
    today = today or timezone.localdate()
    visible = requests.visible_requests(actor)
    return Dashboard(
        open_requests=visible.filter(status__in=OPEN_STATUSES).count(),
        overdue_requests=list(requests.overdue_requests(actor)[:50]),
        duty_today=[(s, list(roster.duty_on(s, today))) for s in stations.visible_stations(actor)],
        inspections_due=list(
            inspections.visible_tasks(actor).filter(
                status=InspectionTask.Status.PLANNED,
                due_date__lte=today + timedelta(days=due_within_days),
            )[:50]
        ),
        rectifications_overdue=list(inspections.overdue_orders(actor, today)[:50]),
    )
