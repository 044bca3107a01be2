"""/api/stations/{id}/roster (+ .xlsx, .ics, uncovered), swaps, holidays, unavailability."""

from datetime import date

from django.http import HttpResponse
from ninja import Router, Status

from lifecircle.ops import roster as ops
from lifecircle.web.api.auth import actor
from lifecircle.web.api.schemas import (
    DecisionIn,
    DutyIn,
    DutyOut,
    Error,
    HolidayIn,
    IdOut,
    RosterIn,
    RosterOut,
    SwapIn,
    SwapOut,
    UnavailableIn,
)

router = Router(tags=["roster 值班"])
ERRORS = {403: Error, 404: Error, 409: Error, 422: Error}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def duty_out(duty) -> dict:
    return {
        "id": duty.pk,
        "station_id": duty.station_id,
        "date": duty.date,
        "task": duty.task,
        "party": duty.party,
        "person": duty.person.get_username() if duty.person else None,
    }


def file_response(content: bytes, media_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=media_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def binary(media_type: str) -> dict:
    return {"responses": {200: {"description": "file", "content": {media_type: {}}}}}


@router.post("/stations/{station_id}/roster", response={201: RosterOut, **ERRORS})
def generate(request, station_id: int, payload: RosterIn):
    """Rotate the three parties week by week over the RRULE duty days from start to end."""
    result = ops.generate(actor(request), station_id, **payload.dict())
    return Status(
        201,
        {
            "created": [duty_out(d) for d in result.created],
            "uncovered": result.uncovered,
            "holidays": result.holidays,
        },
    )


@router.post("/stations/{station_id}/roster/assign", response={201: DutyOut, **ERRORS})
def assign_duty(request, station_id: int, payload: DutyIn):
    """Put a person on duty by hand (override), e.g. to cover an uncovered day."""
    duty = ops.assign_duty(
        actor(request), station_id, day=payload.date, task=payload.task, person_id=payload.person_id
    )
    return Status(201, duty_out(duty))


@router.get("/stations/{station_id}/roster", response={200: list[DutyOut], **ERRORS})
def roster(request, station_id: int, start: date, end: date):
    return [duty_out(d) for d in ops.assignments(actor(request), station_id, start, end)]


@router.get("/stations/{station_id}/roster/uncovered", response={200: list[date], **ERRORS})
def uncovered(request, station_id: int, start: date, end: date):
    """Duty days nobody is assigned to (holidays excepted)."""
    return ops.uncovered_days(actor(request), station_id, start, end)


@router.get(
    "/stations/{station_id}/roster.xlsx",
    response={403: Error, 404: Error, 422: Error},
    openapi_extra=binary(XLSX),
)
def roster_xlsx(request, station_id: int, start: date, end: date):
    rows = ops.assignments(actor(request), station_id, start, end)
    return file_response(ops.to_xlsx(rows), XLSX, f"roster-{station_id}-{start}-{end}.xlsx")


@router.get(
    "/stations/{station_id}/roster.ics",
    response={403: Error, 404: Error, 422: Error},
    openapi_extra=binary("text/calendar"),
)
def roster_ics(request, station_id: int, start: date, end: date):
    rows = ops.assignments(actor(request), station_id, start, end)
    name = f"值班表 roster {station_id}"
    return file_response(
        ops.to_ical(rows, name), "text/calendar", f"roster-{station_id}-{start}-{end}.ics"
    )


@router.post("/roster/swaps", response={201: SwapOut, **ERRORS})
def request_swap(request, payload: SwapIn):
    swap = ops.request_swap(actor(request), **payload.dict())
    return Status(201, swap)


@router.post("/roster/swaps/{swap_id}/decide", response={200: SwapOut, **ERRORS})
def decide_swap(request, swap_id: int, payload: DecisionIn):
    return ops.decide_swap(actor(request), swap_id, payload.approve)


@router.post("/holidays", response={201: IdOut, **ERRORS})
def add_holiday(request, payload: HolidayIn):
    return Status(201, ops.add_holiday(actor(request), payload.unit_id, payload.date, payload.name))


@router.post("/me/unavailable", response={201: IdOut, **ERRORS})
def mark_unavailable(request, payload: UnavailableIn):
    return Status(201, ops.mark_unavailable(actor(request), payload.date, payload.reason))
