"""Duty roster: a week per station (three parties in rotation), swap requests and approvals."""

from datetime import date, timedelta

from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.dateparse import parse_date

from lifecircle.ops.access import INSPECTORS, STAFF_ROLES, Actor
from lifecircle.ops.stations import visible_stations
from lifecircle.store.roster.models import DutyAssignment, Holiday, SwapRequest
from lifecircle.web.pages.common import actor

WORK_ROLES = STAFF_ROLES | INSPECTORS


def work_stations(who: Actor) -> QuerySet:
    """Stations where the caller works (staff or inspector), not merely lives."""
    return visible_stations(who).filter(who.scope(WORK_ROLES, "unit"))


def duties_between(who: Actor, first: date, last: date) -> QuerySet:
    return DutyAssignment.objects.filter(
        station__in=work_stations(who), date__range=(first, last)
    ).select_related("station", "person")


@login_required
def week(request: HttpRequest) -> HttpResponse:
    """Stations × the seven days of a week (Monday first)."""
    who = actor(request)
    today = timezone.localdate()
    asked = parse_date(request.GET.get("week", "") or "") or today
    monday = asked - timedelta(days=asked.weekday())
    days = [monday + timedelta(days=i) for i in range(7)]
    stations = list(work_stations(who))
    cells: dict[tuple[int, date], list] = {}
    for duty in duties_between(who, days[0], days[-1]):
        cells.setdefault((duty.station_id, duty.date), []).append(duty)
    holidays = {
        (h.unit.path, h.date): h.name
        for h in Holiday.objects.filter(date__range=(days[0], days[-1])).select_related("unit")
    }
    rows = []
    for station in stations:
        row = []
        for day in days:
            holiday = next(
                (
                    name
                    for (path, d), name in holidays.items()
                    if d == day and station.unit.path.startswith(path)
                ),
                "",
            )
            row.append(
                {"date": day, "duties": cells.get((station.pk, day), []), "holiday": holiday}
            )
        rows.append({"station": station, "days": row})
    swaps = (
        SwapRequest.objects.filter(assignment__station__in=stations)
        .select_related("assignment__station", "replacement", "requested_by")
        .order_by("-created")[:20]
    )
    return render(
        request,
        "pages/roster/week.html",
        {
            "days": days,
            "rows": rows,
            "today": today,
            "previous": monday - timedelta(days=7),
            "next": monday + timedelta(days=7),
            "swaps": swaps,
        },
    )
