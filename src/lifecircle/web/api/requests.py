"""/api/requests: intake and the whole life of a resident's request."""

from django.http import FileResponse
from django.utils import timezone
from ninja import File, Query, Router, Status
from ninja.files import UploadedFile

from lifecircle.ops import requests as ops
from lifecircle.ops.access import Actor, mask_phone
from lifecircle.store.requests.models import OPEN_STATUSES, ServiceRequest
from lifecircle.store.requests.models import Status as RequestStatus
from lifecircle.web.api.auth import actor
from lifecircle.web.api.schemas import (
    AssignIn,
    Error,
    IdOut,
    RateIn,
    RejectIn,
    RequestIn,
    RequestOut,
    ResolveIn,
    VersionIn,
)

router = Router(tags=["requests 诉求"])
ERRORS = {403: Error, 404: Error, 409: Error, 422: Error}


def request_out(who: Actor, req: ServiceRequest, with_events: bool = False) -> dict:
    """The request as the caller may see it (phone masked unless they handle it)."""
    now = timezone.now()
    phone = req.phone if ops.can_see_phone(who, req) else mask_phone(req.phone)
    data = {
        "id": req.pk,
        "station_id": req.station_id,
        "station_name": req.station.name,
        "service_code": req.category.code,
        "status": req.status,
        "channel": req.channel,
        "description": req.description,
        "address": req.address,
        "lat": req.lat,
        "lon": req.lon,
        "contact_name": req.contact_name,
        "phone": phone,
        "assigned_party": req.assigned_party,
        "assignee_id": req.assignee_id,
        "requested_datetime": req.requested_datetime,
        "updated_datetime": req.updated_datetime,
        "expected_datetime": req.expected_datetime,
        "overdue": req.status in OPEN_STATUSES and req.expected_datetime < now,
        "due_soon": req.status in OPEN_STATUSES
        and req.warning_datetime <= now <= req.expected_datetime,
        "resolution": req.resolution,
        "reject_reason": req.reject_reason,
        "rating": req.rating,
        "rating_comment": req.rating_comment,
        "closed_datetime": req.closed_datetime,
        "version": req.version,
    }
    if with_events:
        data["events"] = [
            {
                "at": e.at,
                "actor": e.actor_label,
                "from_status": e.from_status,
                "to_status": e.to_status,
                "note": e.note,
            }
            for e in req.events.all()
        ]
    return data


@router.post("/requests", response={200: RequestOut, 201: RequestOut, **ERRORS})
def file_request(request, payload: RequestIn):
    """Take in a request: counter, phone or staff on behalf (staff), resident self-service.

    With an `Idempotency-Key` header a retry returns the first request (200), never a second."""
    who = actor(request)
    req = ops.file_request(
        who, **payload.dict(), idempotency_key=request.headers.get("Idempotency-Key")
    )
    return Status(200 if req.replayed else 201, request_out(who, req, with_events=True))


@router.get("/requests", response={200: list[RequestOut], **ERRORS})
def list_requests(
    request,
    status: RequestStatus | None = None,
    station_id: int | None = None,
    overdue: bool = False,
    due_soon: bool = False,
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0, le=2**63 - 1),
):
    """Requests the caller may see, newest first; `overdue=true`: open and past due, `due_soon=true`:
    inside the category's warning time (both soonest first)."""
    who = actor(request)
    if overdue:
        rows = ops.overdue_requests(who)
    elif due_soon:
        rows = ops.due_soon_requests(who)
    else:
        rows = ops.visible_requests(who)
    if status:
        rows = rows.filter(status=status)
    if station_id is not None:
        rows = rows.filter(station_id=station_id)
    return [request_out(who, r) for r in rows[offset : offset + limit]]


@router.get("/requests/{request_id}", response={200: RequestOut, **ERRORS})
def get_request(request, request_id: int):
    who = actor(request)
    return request_out(who, ops.get_request(who, request_id), with_events=True)


@router.post("/requests/{request_id}/assign", response={200: RequestOut, **ERRORS})
def assign(request, request_id: int, payload: AssignIn):
    who = actor(request)
    return request_out(who, ops.assign(who, request_id, **payload.dict()), with_events=True)


@router.post("/requests/{request_id}/start", response={200: RequestOut, **ERRORS})
def start(request, request_id: int, payload: VersionIn):
    who = actor(request)
    return request_out(who, ops.start(who, request_id, **payload.dict()), with_events=True)


@router.post("/requests/{request_id}/resolve", response={200: RequestOut, **ERRORS})
def resolve(request, request_id: int, payload: ResolveIn):
    who = actor(request)
    return request_out(who, ops.resolve(who, request_id, **payload.dict()), with_events=True)


@router.post("/requests/{request_id}/reject", response={200: RequestOut, **ERRORS})
def reject(request, request_id: int, payload: RejectIn):
    who = actor(request)
    return request_out(who, ops.reject(who, request_id, **payload.dict()), with_events=True)


@router.post("/requests/{request_id}/reopen", response={200: RequestOut, **ERRORS})
def reopen(request, request_id: int, payload: VersionIn):
    who = actor(request)
    return request_out(who, ops.reopen(who, request_id, **payload.dict()), with_events=True)


@router.post("/requests/{request_id}/rate", response={200: RequestOut, **ERRORS})
def rate(request, request_id: int, payload: RateIn):
    who = actor(request)
    return request_out(who, ops.rate(who, request_id, **payload.dict()), with_events=True)


@router.post("/requests/{request_id}/close", response={200: RequestOut, **ERRORS})
def close(request, request_id: int, payload: VersionIn):
    who = actor(request)
    return request_out(who, ops.close(who, request_id, **payload.dict()), with_events=True)


@router.post("/requests/{request_id}/photos", response={201: IdOut, **ERRORS})
def add_photo(request, request_id: int, photo: File[UploadedFile]):
    """Attach a photo (JPEG/PNG/WebP, at most 5 MB)."""
    return Status(201, ops.add_photo(actor(request), request_id, photo))


@router.get(
    "/requests/{request_id}/photos/{photo_id}",
    response={403: Error, 404: Error, 422: Error},
    openapi_extra={"responses": {200: {"description": "image", "content": {"image/*": {}}}}},
)
def get_photo(request, request_id: int, photo_id: int):
    """The photo itself, to those who may see the request."""
    photo = ops.get_photo(actor(request), request_id, photo_id)
    return FileResponse(photo.image.open("rb"))
