"""/api/volunteers: activities, sign-up, confirmed hours."""

from decimal import Decimal

from ninja import Router, Status

from lifecircle.ops import volunteers as ops
from lifecircle.web.api.auth import actor
from lifecircle.web.api.schemas import (
    ActivityIn,
    ActivityOut,
    Error,
    HoursIn,
    HoursOut,
    IdOut,
    TeamIn,
    TeamOut,
)

router = Router(tags=["volunteers 志愿服务"])
ERRORS = {403: Error, 404: Error, 409: Error, 422: Error}


def activity_out(activity) -> dict:
    return {
        "id": activity.pk,
        "team": activity.team.name,
        "title": activity.title,
        "starts_at": activity.starts_at,
        "ends_at": activity.ends_at,
        "capacity": activity.capacity,
        "signed_up": getattr(activity, "signed_up", activity.signups.count()),
    }


@router.post("/volunteers/teams", response={201: TeamOut, **ERRORS})
def create_team(request, payload: TeamIn):
    data = payload.dict()
    return Status(201, ops.create_team(actor(request), data.pop("unit_id"), **data))


@router.post("/volunteers/teams/{team_id}/join", response={200: TeamOut, **ERRORS})
def join_team(request, team_id: int):
    return ops.join_team(actor(request), team_id)


@router.get("/volunteers/activities", response={200: list[ActivityOut], **ERRORS})
def activities(request):
    return [activity_out(a) for a in ops.visible_activities(actor(request))[:1000]]


@router.post("/volunteers/activities", response={201: ActivityOut, **ERRORS})
def create_activity(request, payload: ActivityIn):
    data = payload.dict()
    return Status(
        201, activity_out(ops.create_activity(actor(request), data.pop("team_id"), **data))
    )


@router.post("/volunteers/activities/{activity_id}/signup", response={201: IdOut, **ERRORS})
def sign_up(request, activity_id: int):
    return Status(201, ops.sign_up(actor(request), activity_id))


@router.post("/volunteers/signups/{signup_id}/hours", response={200: IdOut, **ERRORS})
def record_hours(request, signup_id: int, payload: HoursIn):
    return ops.record_hours(actor(request), signup_id, Decimal(str(payload.hours)))


@router.get("/volunteers/hours", response={200: list[HoursOut], **ERRORS})
def hours(request):
    """Confirmed hours per person."""
    return ops.hours_by_person(actor(request))
