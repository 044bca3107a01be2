"""Volunteers: teams, activities, sign-up, hours confirmed by staff, each volunteer's own hours."""

from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lifecircle.ops import volunteers as ops
from lifecircle.ops.access import MANAGERS
from lifecircle.ops.stations import visible_stations
from lifecircle.store.volunteers.models import SignUp, Team
from lifecircle.web.pages.common import actor, perform, scoped

BACK = "/volunteers/"


@login_required
@scoped
def overview(request: HttpRequest) -> HttpResponse:
    who = actor(request)
    now = timezone.now()
    teams = list(
        Team.objects.filter(who.scope({r for r, _ in who.grants()}, "unit")).prefetch_related(
            "members"
        )
    )
    joinable = who.has(ops.JOINERS, teams[0].unit) if teams else False
    activities = list(ops.visible_activities(who).order_by("-starts_at")[:30])
    mine = set(SignUp.objects.filter(user=request.user).values_list("activity_id", flat=True))
    managed = [t for t in teams if who.has(MANAGERS, t.unit)]
    to_confirm = (
        SignUp.objects.filter(
            activity__team__in=managed, hours__isnull=True, activity__ends_at__lte=now
        )
        .select_related("activity", "user")
        .order_by("activity__starts_at")[:30]
    )
    own = SignUp.objects.filter(user=request.user).select_related("activity")
    return render(
        request,
        "pages/volunteers/overview.html",
        {
            "teams": [(t, request.user in t.members.all()) for t in teams],
            "joinable": joinable,
            "activities": [(a, a.pk in mine, a.starts_at > now) for a in activities],
            "managed": managed,
            "stations": visible_stations(who) if managed else [],
            "to_confirm": to_confirm,
            "own": own.order_by("-activity__starts_at")[:20],
            "own_hours": own.aggregate(total=Sum("hours"))["total"] or 0,
            "by_person": ops.hours_by_person(who) if managed else [],
        },
    )


@login_required
@require_POST
@scoped
def join(request: HttpRequest, team_id: int) -> HttpResponse:
    who = actor(request)
    return perform(request, lambda: ops.join_team(who, team_id), _("You joined the team."), BACK)


@login_required
@require_POST
@scoped
def sign_up(request: HttpRequest, activity_id: int) -> HttpResponse:
    who = actor(request)
    return perform(request, lambda: ops.sign_up(who, activity_id), _("Signed up."), BACK)


def _when(value: str) -> datetime | None:
    try:
        return timezone.make_aware(datetime.fromisoformat(value))
    except ValueError:
        return None


@login_required
@require_POST
@scoped
def activity_new(request: HttpRequest) -> HttpResponse:
    who = actor(request)
    post = request.POST
    starts, ends = _when(post.get("starts_at", "")), _when(post.get("ends_at", ""))
    if not (
        post.get("team", "").isdigit() and starts and ends and post.get("capacity", "").isdigit()
    ):
        messages.error(request, _("Fill in team, start, end and places."))
        return redirect(BACK)
    station = post.get("station", "")
    return perform(
        request,
        lambda: ops.create_activity(
            who,
            int(post["team"]),
            title=post.get("title", "").strip(),
            starts_at=starts,
            ends_at=ends,
            capacity=int(post["capacity"]),
            station_id=int(station) if station.isdigit() else None,
        ),
        _("Activity published."),
        BACK,
    )


@login_required
@require_POST
@scoped
def confirm_hours(request: HttpRequest, signup_id: int) -> HttpResponse:
    who = actor(request)
    try:
        hours = Decimal(request.POST.get("hours", ""))
    except InvalidOperation:
        messages.error(request, _("Hours must be a number."))
        return redirect(BACK)
    return perform(
        request, lambda: ops.record_hours(who, signup_id, hours), _("Hours confirmed."), BACK
    )
