"""Volunteer teams, activities, sign-up (within capacity, once per person) and confirmed hours."""

from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, QuerySet, Sum

from lifecircle.ops.access import MANAGERS, Actor, managed_unit
from lifecircle.ops.audit import record, save_audited, snapshot
from lifecircle.ops.errors import Conflict, Forbidden, Invalid, NotFound
from lifecircle.store.org.models import Role
from lifecircle.store.volunteers.models import Activity, SignUp, Team

JOINERS = frozenset({Role.VOLUNTEER, Role.RESIDENT})


def visible_activities(actor: Actor) -> QuerySet:
    return (
        Activity.objects.filter(actor.scope({r for r, _ in actor.grants()}, "team__unit"))
        .select_related("team", "station")
        .annotate(signed_up=Count("signups"))
    )


def create_team(actor: Actor, unit_id: int, *, name: str, description: str = "") -> Team:
    """A volunteer team of a sub-district, committee or station."""
    with transaction.atomic():
        unit = managed_unit(actor, unit_id, "无权建立志愿队伍 may not create teams here")
        return save_audited(
            actor, "volunteer.team", Team(unit=unit, name=name, description=description), unit=unit
        )


def join_team(actor: Actor, team_id: int) -> Team:
    """A volunteer or resident of the team's area joins it."""
    with transaction.atomic():
        team = Team.objects.select_related("unit").filter(pk=team_id).first()
        if team is None or not actor.roles_on(team.unit):
            raise NotFound(f"team_id: 队伍不存在 no team {team_id}", field="team_id")
        if actor.user is None or not actor.has(JOINERS, team.unit):
            raise Forbidden("只有志愿者或居民可加入 only volunteers and residents join")
        if team.members.filter(pk=actor.user.pk).exists():
            raise Conflict("team_id: 已是队员 already a member", field="team_id")
        before = snapshot(team)
        team.members.add(actor.user)
        record(actor, "volunteer.join", team, before=before, unit=team.unit, note=actor.label)
        return team


def create_activity(
    actor: Actor,
    team_id: int,
    *,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    capacity: int,
    station_id: int | None = None,
) -> Activity:
    with transaction.atomic():
        team = Team.objects.select_related("unit").filter(pk=team_id).first()
        if team is None or not actor.roles_on(team.unit):
            raise NotFound(f"team_id: 队伍不存在 no team {team_id}", field="team_id")
        if not actor.has(MANAGERS, team.unit):
            raise Forbidden("无权发布活动 may not publish activities for this team")
        if ends_at <= starts_at:
            raise Invalid("ends_at: 须晚于开始时间 must be after starts_at", field="ends_at")
        activity = Activity(
            team=team,
            title=title,
            starts_at=starts_at,
            ends_at=ends_at,
            capacity=capacity,
            station_id=station_id,
        )
        return save_audited(actor, "volunteer.activity", activity, unit=team.unit)


def sign_up(actor: Actor, activity_id: int) -> SignUp:
    """Join an activity: volunteers and residents of the team's area, while places remain."""
    with transaction.atomic():
        activity = (
            Activity.objects.select_for_update(of=("self",))
            .select_related("team__unit")
            .filter(pk=activity_id)
            .first()
        )
        if activity is None or not actor.roles_on(activity.team.unit):
            raise NotFound(
                f"activity_id: 活动不存在 no activity {activity_id}", field="activity_id"
            )
        if actor.user is None or not actor.has(JOINERS, activity.team.unit):
            raise Forbidden("只有志愿者或居民可报名 only volunteers and residents sign up")
        if activity.signups.filter(user=actor.user).exists():
            raise Conflict("activity_id: 已报名 already signed up", field="activity_id")
        if activity.signups.count() >= activity.capacity:
            raise Conflict("activity_id: 名额已满 the activity is full", field="activity_id")
        return save_audited(
            actor,
            "volunteer.signup",
            SignUp(activity=activity, user=actor.user),
            unit=activity.team.unit,
        )


def record_hours(actor: Actor, signup_id: int, hours: Decimal) -> SignUp:
    """The organiser confirms the hours served (at most the activity's length)."""
    with transaction.atomic():
        signup = SignUp.objects.select_related("activity__team__unit").filter(pk=signup_id).first()
        if signup is None or not actor.roles_on(signup.activity.team.unit):
            raise NotFound(f"signup_id: 报名不存在 no sign-up {signup_id}", field="signup_id")
        unit = signup.activity.team.unit
        if not actor.has(MANAGERS, unit):
            raise Forbidden("无权确认时长 may not confirm hours")
        length = (signup.activity.ends_at - signup.activity.starts_at).total_seconds() / 3600
        if not 0 < hours <= Decimal(str(round(length, 2))):
            raise Invalid(
                f"hours: 须在 0–{length:g} 小时之间 must be within the activity's {length:g} h",
                "hours",
            )
        before = snapshot(signup)
        signup.hours, signup.confirmed_by = hours, actor.user
        return save_audited(actor, "volunteer.hours", signup, unit=unit, before=before)


def hours_by_person(actor: Actor) -> list[dict]:
    """Confirmed hours per person over the caller's activities."""
    rows = (
        SignUp.objects.filter(
            activity__in=visible_activities(actor).values("pk"), hours__isnull=False
        )
        .values("user__username")
        .annotate(total=Sum("hours"), activities=Count("id"))
        .order_by("-total")
    )
    return [
        {"username": r["user__username"], "hours": r["total"], "activities": r["activities"]}
        for r in rows
    ]
