"""Duty roster: a week per station (three parties in rotation), swap requests and approvals."""

from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lifecircle.ops import roster as ops
from lifecircle.ops.access import MANAGERS, STAFF_ROLES, Actor
from lifecircle.ops.errors import Forbidden, Invalid, NotFound, OpsError
from lifecircle.ops.stations import visible_stations
from lifecircle.store.org.models import Party
from lifecircle.store.roster.models import SwapRequest
from lifecircle.web.pages.common import actor, choices, perform, scoped


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


A_MONDAY = date(2024, 1, 1)  # named by the date filter in the reader's language


def _setup_from(data) -> ops.Setup:
    """The wizard's fields as a Setup; a bad field raises Invalid naming it."""
    start = parse_date(data.get("start", "") or "")
    if start is None:
        raise Invalid("start: 请填写开始日期 the start date is required", field="start")
    weeks = data.get("weeks", "4")
    if not weeks.isdigit():
        raise Invalid("weeks: 须为整数 a whole number", field="weeks")
    holidays = []
    for n, line in enumerate(data.get("holidays", "").splitlines(), start=1):
        if not line.strip():
            continue
        day_text, _sep, name = line.strip().partition(" ")
        day = parse_date(day_text)
        if day is None:
            raise Invalid(
                f"holidays: 第 {n} 行日期应为 YYYY-MM-DD line {n}: date as YYYY-MM-DD",
                field="holidays",
            )
        holidays.append((day, name.strip()))
    parties = [p for p in (data.get(f"order_{k}", "") for k in range(3)) if p]
    hours_from, hours_to = data.get("from", ""), data.get("to", "")
    return ops.Setup(
        weekdays=[int(d) for d in data.getlist("weekday") if d.isdigit()],
        start=start,
        weeks=int(weeks),
        parties=parties,
        people={p: [int(i) for i in data.getlist(f"people_{p}") if i.isdigit()] for p in parties},
        hours=f"{hours_from}-{hours_to}" if hours_from and hours_to else "",
        holidays=holidays,
    )


@login_required
@scoped
def setup(request: HttpRequest) -> HttpResponse:
    """Roster wizard: station, days and hours, the parties' people and order, start, holidays;
    preview four weeks, then save to create the duties."""
    who = actor(request)
    stations = [s for s in work_stations(who) if who.has(MANAGERS, s.unit)]
    data = request.POST if request.method == "POST" else request.GET
    if not stations:
        raise PermissionDenied("无权排班 you manage no station")
    chosen = data.get("station", "")
    station = next((s for s in stations if str(s.pk) == chosen), None)
    if chosen and station is None:
        raise Http404(f"驿站不存在 unknown station {chosen}")
    station = station or stations[0]
    context = {
        "stations": stations,
        "station": station,
        "weekday_names": [(i, A_MONDAY + timedelta(days=i)) for i in range(7)],
        "parties": choices(Party.choices),
        "today": timezone.localdate(),
        "start": data.get("start") or f"{timezone.localdate():%Y-%m-%d}",
        "data": data,
        "checked_days": data.getlist("weekday") or [str(d) for d in range(6)],
        "order": [data.get(f"order_{k}", p) for k, p in enumerate(ops.DEFAULT_PARTIES)],
    }
    context["members"] = [
        (value, label, ops.party_members(station, value), data.getlist(f"people_{value}"))
        for value, label in choices(Party.choices)
    ]
    if "start" not in data:
        return render(request, "pages/roster/setup.html", context)
    try:
        wanted = _setup_from(data)
        if request.method == "POST" and data.get("do") == "save":
            result = ops.set_up(who, station.pk, wanted)
            messages.success(
                request,
                _("Roster saved: %(n)d duties created, %(u)d days uncovered.")
                % {"n": len(result.created), "u": len(result.uncovered)},
            )
            return redirect(f"{reverse('pages:roster')}?week={wanted.start:%Y-%m-%d}")
        slots = ops.preview(who, station.pk, wanted)
    except OpsError as exc:
        if isinstance(exc, NotFound | Forbidden):
            raise
        messages.error(request, exc.message)
        return render(request, "pages/roster/setup.html", context)
    monday = wanted.start - timedelta(days=wanted.start.weekday())
    weeks = []
    for w in range(min(wanted.weeks, 4) + 1):
        days = [monday + timedelta(days=7 * w + i) for i in range(7)]
        if days[0] > wanted.end:
            break
        weeks.append([(day, [s for s in slots if s.day == day]) for day in days])
    context.update(preview=weeks, slots=slots, hours=wanted.hours)
    return render(request, "pages/roster/setup.html", context)
