"""Rooms of a station: the week's calendar, booking, approval; the service log in two taps."""

from datetime import datetime, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_time
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lifecircle.ops import rooms as ops
from lifecircle.ops.access import MANAGERS, OPERATORS, STAFF_ROLES
from lifecircle.ops.stations import get_station_for
from lifecircle.store.stations.models import Booking
from lifecircle.web.pages.common import actor, choices, perform, scoped


def week_calendar(station, start) -> list[tuple]:
    """(day, [bookings]) for the seven days from `start`."""
    bookings = list(ops.calendar(station, start))
    days = [start + timedelta(days=i) for i in range(7)]
    return [(d, [b for b in bookings if timezone.localtime(b.starts).date() == d]) for d in days]


@login_required
@scoped
def rooms(request: HttpRequest, station_id: int) -> HttpResponse:
    who = actor(request)
    station = get_station_for(who, station_id)
    today = timezone.localdate()
    pending = Booking.objects.filter(
        room__station=station, status=Booking.Status.PENDING
    ).select_related("room", "booked_by")
    return render(
        request,
        "pages/rooms/rooms.html",
        {
            "station": station,
            "rooms": station.rooms.filter(active=True),
            "calendar": week_calendar(station, today),
            "pending": pending if who.has(MANAGERS, station.unit) else [],
            "kinds": choices(Booking.Booker.choices),
            "today": today,
            "is_staff": who.has(STAFF_ROLES, station.unit),
        },
    )


@login_required
@require_POST
@scoped
def book(request: HttpRequest, station_id: int) -> HttpResponse:
    who = actor(request)
    back = f"/stations/{station_id}/rooms/"
    post = request.POST
    day = parse_date(post.get("day", "") or "")
    start, end = parse_time(post.get("from", "") or ""), parse_time(post.get("to", "") or "")
    if not (post.get("room", "").isdigit() and day and start and end):
        messages.error(request, _("Choose a room, a day and the times."))
        return redirect(back)
    starts = timezone.make_aware(datetime.combine(day, start))
    ends = timezone.make_aware(datetime.combine(day, end))
    return perform(
        request,
        lambda: ops.book(
            who,
            int(post["room"]),
            starts=starts,
            ends=ends,
            purpose=post.get("purpose", ""),
            booker_kind=post.get("kind", ""),
        ),
        _("Booked; waiting for approval."),
        back,
    )


@login_required
@require_POST
@scoped
def decide(request: HttpRequest, station_id: int, booking_id: int) -> HttpResponse:
    who = actor(request)
    approve = request.POST.get("decision") == "approve"
    return perform(
        request,
        lambda: ops.decide(who, booking_id, approve=approve),
        _("Booking approved.") if approve else _("Booking rejected."),
        f"/stations/{station_id}/rooms/",
    )


@login_required
@scoped
def service_log(request: HttpRequest, station_id: int) -> HttpResponse:
    """One tap per service delivered: the station's list as big buttons, today's tally below."""
    who = actor(request)
    station = get_station_for(who, station_id)
    if request.method == "POST":
        item = request.POST.get("item", "")
        people = request.POST.get("people", "1")
        return perform(
            request,
            lambda: ops.log_service(
                who,
                int(item) if item.isdigit() else 0,
                people=int(people) if people.isdigit() else 0,
            ),
            _("Recorded."),
            f"/stations/{station_id}/log/",
        )
    today = timezone.localdate()
    entries = station.service_log.filter(at__date=today).select_related("item", "recorded_by")
    return render(
        request,
        "pages/rooms/log.html",
        {
            "station": station,
            "items": station.catalogue.filter(active=True),
            "entries": entries,
            "can_log": who.has(OPERATORS | MANAGERS, station.unit),
        },
    )
