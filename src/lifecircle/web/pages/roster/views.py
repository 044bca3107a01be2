"""Duty roster: a week per station (three parties in rotation), swap requests and approvals."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lifecircle.ops import roster as ops
from lifecircle.ops.access import MANAGERS, STAFF_ROLES, Actor
from lifecircle.ops.stations import visible_stations
from lifecircle.store.roster.models import SwapRequest
from lifecircle.web.pages.common import actor, perform, scoped


def work_stations(who: Actor) -> QuerySet:
    """Stations where the caller is staff: only they see the roster with names."""
    return visible_stations(who).filter(who.scope(STAFF_ROLES, "unit"))


@login_required
@scoped
def week(request: HttpRequest) -> HttpResponse:
    """Stations × the seven days of a week (Monday first), uncovered days flagged."""
    who = actor(request)
    today = timezone.localdate()
    asked = parse_date(request.GET.get("week", "") or "") or today
    monday = asked - timedelta(days=asked.weekday())
    days = [monday + timedelta(days=i) for i in range(7)]
    stations = list(work_stations(who))
    rows, swappable = [], []
    manager_units = []
    for station in stations:
        duties = list(ops.assignments(who, station.pk, days[0], days[-1]))
        uncovered = set(ops.uncovered_days(who, station.pk, days[0], days[-1]))
        closed = ops.holidays_for(station.unit, days[0], days[-1])
        manager = who.has(MANAGERS, station.unit)
        if manager:
            manager_units.append(station.pk)
        swappable += [d for d in duties if manager or d.person_id == request.user.pk]
        cells = [
            {
                "date": day,
                "duties": [d for d in duties if d.date == day],
                "uncovered": day in uncovered,
                "holiday": day in closed,
            }
            for day in days
        ]
        rows.append({"station": station, "days": cells})
    swaps = (
        SwapRequest.objects.filter(assignment__station__in=stations)
        .select_related("assignment__station", "replacement", "requested_by")
        .order_by("-created")[:20]
    )
    people = {
        person.pk: person
        for station in stations
        for party in ops.DEFAULT_PARTIES
        for person in ops.party_members(station, party)
    }
    return render(
        request,
        "pages/roster/week.html",
        {
            "days": days,
            "rows": rows,
            "today": today,
            "monday": monday,
            "export_end": monday + timedelta(days=27),
            "previous": monday - timedelta(days=7),
            "next": monday + timedelta(days=7),
            "swaps": swaps,
            "swappable": swappable,
            "people": sorted(people.values(), key=lambda p: p.get_username()),
            "manager_stations": manager_units,
        },
    )


def _week_url(request: HttpRequest) -> str:
    week = request.POST.get("week", "")
    return reverse("pages:roster") + (f"?week={week}" if parse_date(week) else "")


@login_required
@require_POST
@scoped
def swap_request(request: HttpRequest) -> HttpResponse:
    """Ask for someone else to take a duty (the person on it, or the committee)."""
    who = actor(request)
    try:
        duty_id = int(request.POST.get("assignment", ""))
        replacement_id = int(request.POST.get("replacement", ""))
    except ValueError:
        messages.error(request, _("Choose a duty and a replacement."))
        return redirect(_week_url(request))
    return perform(
        request,
        lambda: ops.request_swap(who, duty_id, replacement_id, request.POST.get("reason", "")),
        _("Swap requested; waiting for approval."),
        _week_url(request),
    )


@login_required
@require_POST
@scoped
def swap_decide(request: HttpRequest, swap_id: int) -> HttpResponse:
    approve = request.POST.get("decision") == "approve"
    return perform(
        request,
        lambda: ops.decide_swap(actor(request), swap_id, approve),
        _("Swap approved.") if approve else _("Swap rejected."),
        _week_url(request),
    )
