"""Residents' requests: intake, assignment, progress, resolution, rating, closure.

Every change runs in one transaction, locks the row, checks the caller's role on the station,
the version the caller last saw (no lost update) and the transition map, then writes the
request, its history event and the audit entry together.
"""

import hashlib
import math
import unicodedata
from collections.abc import Callable
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from lifecircle.ops import notices
from lifecircle.ops.access import MANAGERS, STAFF_ROLES, Actor
from lifecircle.ops.audit import save_audited, snapshot
from lifecircle.ops.errors import Conflict, Forbidden, Invalid, NotFound
from lifecircle.ops.files import reencoded_photo
from lifecircle.ops.otp import normalise_phone, verify_code
from lifecircle.ops.roster import party_members
from lifecircle.store.org.models import PARTY_ROLE, Party, Role, RoleGrant
from lifecircle.store.requests.models import (
    OPEN_STATUSES,
    TRANSITIONS,
    Channel,
    EventKind,
    RequestEvent,
    RequestPhoto,
    ServiceRequest,
    Status,
)
from lifecircle.store.stations.models import ServiceAttribute, ServiceCategory, Station


def get_station(station_id: int) -> Station:
    station = Station.objects.select_related("unit").filter(pk=station_id, active=True).first()
    if station is None:
        raise NotFound(f"station_id: 驿站不存在 unknown station {station_id}", field="station_id")
    return station


def get_category(code: str) -> ServiceCategory:
    category = ServiceCategory.objects.filter(code=code, active=True).first()
    if category is None:
        raise NotFound(
            f"service_code: 服务类别不存在 unknown service {code!r}", field="service_code"
        )
    return category


def _check_attributes(category: ServiceCategory, values: dict) -> dict:
    """Validate answers to the service's extra questions by their Open311 datatype."""
    known = {a.code: a for a in category.attributes.all()}
    for code in values:
        if code not in known:
            raise Invalid(
                f"attribute[{code}]: 该服务没有此问题 no such question", field=f"attribute[{code}]"
            )
    clean = {}
    for code, attr in known.items():
        field = f"attribute[{code}]"
        value = values.get(code)
        if value in (None, "", []):
            if attr.required:
                raise Invalid(f"{field}: 必填 required", field=field)
            continue
        keys = {str(v["key"]) for v in attr.values}
        kind = attr.datatype
        if kind == ServiceAttribute.Datatype.NUMBER:
            try:
                value = float(value)
            except (TypeError, ValueError):
                raise Invalid(f"{field}: 需要数字 must be a number", field=field) from None
        elif kind == ServiceAttribute.Datatype.DATETIME:
            if not isinstance(value, str) or parse_datetime(value) is None:
                raise Invalid(
                    f"{field}: 需要 ISO 8601 时间 must be an ISO 8601 datetime", field=field
                )
        elif kind == ServiceAttribute.Datatype.SINGLEVALUELIST:
            if str(value) not in keys:
                raise Invalid(f"{field}: 可选值 allowed values {sorted(keys)}", field=field)
            value = str(value)
        elif kind == ServiceAttribute.Datatype.MULTIVALUELIST:
            value = [str(v) for v in (value if isinstance(value, list) else [value])]
            if not set(value) <= keys:
                raise Invalid(f"{field}: 可选值 allowed values {sorted(keys)}", field=field)
        else:
            value = str(value)
        clean[code] = value
    return clean


MAX_DESCRIPTION = 4000
# A point farther than this outside the box around the sub-district's stations is refused.
EXTENT_MARGIN_M = 2000


def meaningful_text(value: str, field: str, max_length: int) -> str:
    """The text stripped; refused when empty once spaces and invisible characters (U+3000,
    U+200B, controls…) are taken out, or longer than `max_length` characters."""
    text = value.strip()
    if not any(unicodedata.category(c)[0] not in "ZC" for c in text):
        raise Invalid(f"{field}: 不能为空 must not be empty", field=field)
    if len(text) > max_length:
        raise Invalid(
            f"{field}: 最多 {max_length} 字 at most {max_length} characters (got {len(text)})",
            field=field,
        )
    return text


def check_location(station: Station, lat: float | None, lon: float | None) -> None:
    """Both coordinates or neither, and within the sub-district's extent (the box around its
    located stations, widened by EXTENT_MARGIN_M): (0, 0) or a point in another city is refused."""
    if lat is None and lon is None:
        return
    if lat is None or lon is None:
        field = "lon" if lon is None else "lat"
        raise Invalid(f"{field}: 经纬度须成对给出 give both lat and lon", field=field)
    if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
        raise Invalid("lat/lon: 超出范围 out of range", field="lat")
    top = station.unit.path.split("/")[1]
    points = list(
        Station.objects.filter(
            unit__path__startswith=f"/{top}/", lat__isnull=False, lon__isnull=False
        ).values_list("lat", "lon")
    )
    if not points:
        return
    dlat = EXTENT_MARGIN_M / 111_320
    south, north = min(p[0] for p in points) - dlat, max(p[0] for p in points) + dlat
    dlon = dlat / max(0.01, math.cos(math.radians((south + north) / 2)))
    west, east = min(p[1] for p in points) - dlon, max(p[1] for p in points) + dlon
    if not (south <= lat <= north and west <= lon <= east):
        raise Invalid(
            f"lat/lon: ({lat:.5f}, {lon:.5f}) 不在本街道范围内 outside the sub-district"
            f" (lat {south:.4f}–{north:.4f}, lon {west:.4f}–{east:.4f})",
            field="lat",
        )


def idempotency_digest(actor: Actor, key: str | None) -> str | None:
    """What is stored for an Idempotency-Key: the key's hash together with the client's, so
    that two clients choosing the same key never meet."""
    if key is None:
        return None
    if not key or len(key) > 255 or not key.isascii() or not key.isprintable():
        raise Invalid(
            "Idempotency-Key: 须为 1–255 个可打印 ASCII 字符 1 to 255 printable ASCII characters",
            field="Idempotency-Key",
        )
    if actor.api_key is not None:
        client = f"key:{actor.api_key.pk}"
    elif actor.user is not None:
        client = f"user:{actor.user.pk}"
    else:
        client = "anonymous"
    return hashlib.sha256(f"{client}\n{key}".encode()).hexdigest()


def _replayed(digest: str | None) -> ServiceRequest | None:
    if digest is None:
        return None
    req = (
        ServiceRequest.objects.select_related("station__unit", "category")
        .filter(idempotency_key=digest)
        .first()
    )
    if req is not None:
        req.replayed = True
    return req


def file_request(
    actor: Actor,
    *,
    station_id: int,
    service_code: str,
    description: str,
    channel: str,
    address: str = "",
    lat: float | None = None,
    lon: float | None = None,
    contact_name: str = "",
    phone: str = "",
    email: str = "",
    attributes: dict | None = None,
    media_url: str = "",
    requester_id: int | None = None,
    public: bool = False,
    idempotency_key: str | None = None,
    photo=None,
) -> ServiceRequest:
    """Take in a request at the counter, by phone, from the resident, or from an Open311 client.

    Staff filing for a resident may link the resident's account (`requester_id`), so that the
    resident follows the request and rates it. `public` puts it in the public Open311 list
    (private by default). A retry with the same `idempotency_key` from the same client returns
    the first request (its `replayed` attribute is True) and files nothing. A `photo` is
    checked and re-encoded first and saved in the same transaction as the request.
    """
    digest = idempotency_digest(actor, idempotency_key)
    first = _replayed(digest)
    if first is not None:
        return first
    if channel not in Channel.values:
        raise Invalid(f"channel: 可选值 allowed values {Channel.values}", field="channel")
    description = meaningful_text(description, "description", MAX_DESCRIPTION)
    # Reads and checks first, so that the write transaction (a lock on SQLite) stays short.
    station = get_station(station_id)
    category = get_category(service_code)
    check_location(station, lat, lon)
    if channel == Channel.OPEN311:
        allowed = actor.api_key is not None and actor.has({Role.RESIDENT}, station.unit)
    elif channel == Channel.RESIDENT:
        allowed = actor.user is not None and bool(actor.roles_on(station.unit))
    else:
        allowed = actor.has(STAFF_ROLES, station.unit)
    if not allowed:
        raise Forbidden(f"无权在此驿站以{channel}渠道受理 may not file {channel} requests here")
    requester = actor.user if channel == Channel.RESIDENT else None
    if requester_id is not None and channel not in (Channel.RESIDENT, Channel.OPEN311):
        grant = (
            RoleGrant.objects.filter(
                user_id=requester_id,
                role=Role.RESIDENT,
                unit_id__in=station.unit.ancestors_and_self(),
            )
            .select_related("user")
            .first()
        )
        if grant is None:
            raise Invalid(
                f"requester_id: 不是该驿站的居民 user {requester_id} is not a resident here",
                field="requester_id",
            )
        requester = grant.user
    now = timezone.now()
    req = ServiceRequest(
        station=station,
        category=category,
        channel=channel,
        description=description,
        address=address,
        lat=lat,
        lon=lon,
        attributes=_check_attributes(category, attributes or {}),
        media_url=media_url,
        requester=requester,
        contact_name=contact_name,
        phone=phone,
        email=email,
        api_key=actor.api_key,
        public=public,
        idempotency_key=digest,
        **sla_dates(category, now),
    )
    image = reencoded_photo(photo) if photo is not None else None
    try:
        with transaction.atomic():
            first = _replayed(digest)  # a retry that raced past the check above
            if first is not None:
                return first
            save_audited(actor, "request.file", req, unit=station.unit)
            _open_history(actor, req)
            if image is not None:
                _save_photo(actor, req, image)
    except Conflict:
        first = _replayed(digest)  # PostgreSQL: the twin committed first
        if first is None:
            raise
        return first
    req.replayed = False
    return req


def sla_dates(category: ServiceCategory, now: datetime) -> dict:
    """Intake time, due date and warning time from the category's time limit (SLA)."""
    return {
        "requested_datetime": now,
        "updated_datetime": now,
        "expected_datetime": now + timedelta(hours=category.sla_hours),
        "warning_datetime": now
        + timedelta(hours=max(0, category.sla_hours - category.warning_hours)),
    }


def _open_history(actor: Actor, req: ServiceRequest) -> None:
    """The first history step of a new request, and a notice to the station's committee."""
    RequestEvent.objects.create(
        request=req,
        actor=actor.user,
        actor_label=actor.label,
        to_status=Status.RECEIVED,
        note=f"channel={req.channel}",
    )
    notices.notify_users(
        party_members(req.station, Party.COMMITTEE),
        "request.new",
        f"新诉求 New request #{req.pk}",
        f"{req.station.name}：{req.category.name_zh} — {req.description[:60]}",
        f"/requests/{req.pk}/",
    )


RESIDENT_CODE_PURPOSE = "request"


def file_by_phone(
    *, station_id: int, phone: str, code: str, service_code: str, description: str, **fields
) -> ServiceRequest:
    """A resident without an account files at a station's QR code, proving the phone by SMS.

    The phone must carry a one-time code sent by `lifecircle.ops.otp.issue_code(phone,
    RESIDENT_CODE_PURPOSE)`; status changes then reach that phone by SMS.

    Example
    -------
    >>> file_by_phone(station_id=1, phone="13800000000", code="123456",
    ...               service_code="repair", description="楼道灯坏了")  # doctest: +SKIP
    """
    phone = normalise_phone(phone)
    description = meaningful_text(description, "description", MAX_DESCRIPTION)
    station = get_station(station_id)
    category = get_category(service_code)
    attributes = _check_attributes(category, fields.pop("attributes", None) or {})
    if not verify_code(phone, RESIDENT_CODE_PURPOSE, code or ""):
        raise Invalid("code: 验证码错误或已过期 wrong or expired code", field="code")
    resident = Actor(None)
    req = ServiceRequest(
        station=station,
        category=category,
        channel=Channel.RESIDENT,
        description=description,
        attributes=attributes,
        phone=phone,
        contact_name=fields.get("contact_name", ""),
        address=fields.get("address", ""),
        **sla_dates(category, timezone.now()),
    )
    with transaction.atomic():
        save_audited(resident, "request.file", req, unit=station.unit)
        _open_history(resident, req)
    return req


def visible_requests(actor: Actor) -> QuerySet:
    """Staff see the requests of their stations; everyone sees the ones they filed."""
    scope = actor.scope(STAFF_ROLES, "station__unit")
    if actor.user is not None:
        scope |= Q(requester=actor.user)
    return ServiceRequest.objects.filter(scope).select_related("station__unit", "category")


def get_request(actor: Actor, request_id: int) -> ServiceRequest:
    req = visible_requests(actor).filter(pk=request_id).first()
    if req is None:
        raise NotFound(f"request_id: 诉求不存在 no request {request_id}", field="request_id")
    return req


def overdue_requests(actor: Actor, now: datetime | None = None) -> QuerySet:
    """Open requests past their expected date, oldest first."""
    now = now or timezone.now()
    return (
        visible_requests(actor)
        .filter(status__in=OPEN_STATUSES, expected_datetime__lt=now)
        .order_by("expected_datetime")
    )


def due_soon_requests(actor: Actor, now: datetime | None = None) -> QuerySet:
    """Open requests inside their category's warning time before the expected date."""
    now = now or timezone.now()
    return (
        visible_requests(actor)
        .filter(status__in=OPEN_STATUSES, warning_datetime__lte=now, expected_datetime__gte=now)
        .order_by("expected_datetime")
    )


def can_see_phone(actor: Actor, req: ServiceRequest) -> bool:
    """Only the handling staff (the assignee; before assignment the committee triaging it)
    and the requester see the phone number unmasked."""
    if actor.user is None:
        return False
    if req.requester_id == actor.user.pk:
        return True
    if req.status == Status.RESOLVED and is_manager(actor, req):
        return True  # the committee calls the resident back (回访) before closing
    if req.assignee_id is not None:
        return req.assignee_id == actor.user.pk
    return actor.has({Role.COMMITTEE_STAFF}, req.station.unit)


STATUS_NEXT = {
    Status.ASSIGNED: "已派给经办人，将按时限办理 handed to the staff who will do it",
    Status.IN_PROGRESS: "正在办理 work has started",
    Status.RESOLVED: "已办结，请评价 done — please rate it",
    Status.CLOSED: "已关闭，感谢您的评价 closed, thank you",
    Status.REJECTED: "不予受理 not taken on",
    Status.RECEIVED: "已退回居委会重新派单 back with the committee to be reassigned",
}


def tell_requester(req: ServiceRequest) -> None:
    """Queue a status notice to whoever filed the request (account or phone)."""
    text = (
        f"您的诉求 #{req.pk}（{req.category.name_zh}）：{STATUS_NEXT.get(req.status, req.status)}"
    )
    if req.requester_id is not None:
        notices.notify_users(
            [req.requester], "request.status", f"诉求 #{req.pk}", text, f"/requests/{req.pk}/"
        )
    elif req.channel == Channel.RESIDENT and req.phone:
        notices.notify_phone(req.phone, "request.status", text)


def handlers_of(req: ServiceRequest) -> list:
    """Who works on the request now: the named assignee, or every member of the party."""
    if req.assignee_id is not None:
        return [req.assignee]
    if req.assigned_party:
        return party_members(req.station, req.assigned_party)
    return []


def is_manager(actor: Actor, req: ServiceRequest) -> bool:
    return actor.has(MANAGERS, req.station.unit)


def is_handler(actor: Actor, req: ServiceRequest) -> bool:
    if is_manager(actor, req):
        return True
    if actor.user is not None and req.assignee_id == actor.user.pk:
        return True
    role = PARTY_ROLE.get(req.assigned_party)
    return role is not None and actor.has({role}, req.station.unit)


def _is_requester_or_manager(actor: Actor, req: ServiceRequest) -> bool:
    mine = actor.user is not None and req.requester_id == actor.user.pk
    return mine or is_manager(actor, req)


def change_request(
    actor: Actor,
    request_id: int,
    version: int,
    *,
    action: str,
    allowed: Callable[[Actor, ServiceRequest], bool],
    to_status: str | None,
    note: str = "",
    check: Callable[[ServiceRequest], None] | None = None,
    mutate: Callable[[ServiceRequest], None] | None = None,
    kind: str = EventKind.STATUS,
) -> ServiceRequest:
    with transaction.atomic():
        req = visible_requests(actor).select_for_update(of=("self",)).filter(pk=request_id).first()
        if req is None:
            raise NotFound(f"request_id: 诉求不存在 no request {request_id}", field="request_id")
        if not allowed(actor, req):
            raise Forbidden(f"无权执行 not allowed: {action}")
        if req.version != version:
            raise Conflict(
                f"version: 诉求已被他人修改，请刷新 changed meanwhile: now version {req.version},"
                f" you sent {version}",
                field="version",
            )
        if to_status is not None and to_status not in TRANSITIONS[req.status]:
            allowed_next = sorted(TRANSITIONS[req.status]) or "none"
            raise Conflict(
                f"status: 不能从 {req.status} 转到 {to_status} cannot go from {req.status}"
                f" to {to_status}; allowed: {allowed_next}",
                field="status",
            )
        if check is not None:
            check(req)
        before = snapshot(req)
        if mutate is not None:
            mutate(req)
        previous = req.status
        if to_status is not None:
            req.status = to_status
        req.version += 1
        req.updated_datetime = timezone.now()
        save_audited(actor, action, req, unit=req.station.unit, before=before, note=note)
        RequestEvent.objects.create(
            request=req,
            actor=actor.user,
            actor_label=actor.label,
            from_status=previous,
            to_status=req.status,
            kind=kind,
            note=note,
        )
        if req.status != previous:
            tell_requester(req)
    return req


def assign(
    actor: Actor,
    request_id: int,
    *,
    version: int,
    party: str,
    assignee_id: int | None = None,
    note: str = "",
) -> ServiceRequest:
    """Give the request to one of the three parties, optionally to one named person of it."""
    if party not in Party.values:
        raise Invalid(f"party: 可选值 allowed values {Party.values}", field="party")

    def check(req: ServiceRequest) -> None:
        if assignee_id is None:
            return
        paths = req.station.unit.ancestors_and_self()
        if not RoleGrant.objects.filter(
            user_id=assignee_id, role=PARTY_ROLE[party], unit_id__in=paths
        ).exists():
            raise Invalid(
                f"assignee_id: 此人不是该驿站的{party}成员 user {assignee_id} is not {party} staff here",
                field="assignee_id",
            )

    def mutate(req: ServiceRequest) -> None:
        req.assigned_party = party
        req.assignee_id = assignee_id
        req.accepted_at = None

    with transaction.atomic():
        req = change_request(
            actor,
            request_id,
            version,
            action="request.assign",
            allowed=is_manager,
            to_status=Status.ASSIGNED,
            note=note,
            check=check,
            mutate=mutate,
        )
        notices.notify_users(
            handlers_of(req),
            "request.assigned",
            f"新派单 New assignment #{req.pk}",
            f"{req.station.name}：{req.category.name_zh}，请于 {timezone.localtime(req.expected_datetime):%m-%d %H:%M} 前办结",
            f"/requests/{req.pk}/",
        )
    return req


def start(actor: Actor, request_id: int, *, version: int, note: str = "") -> ServiceRequest:
    return change_request(
        actor,
        request_id,
        version,
        action="request.start",
        allowed=is_handler,
        to_status=Status.IN_PROGRESS,
        note=note,
    )


def resolve(actor: Actor, request_id: int, *, version: int, resolution: str) -> ServiceRequest:
    if not resolution.strip():
        raise Invalid("resolution: 请填写办理结果 must not be empty", field="resolution")

    def mutate(req: ServiceRequest) -> None:
        req.resolution = resolution.strip()

    return change_request(
        actor,
        request_id,
        version,
        action="request.resolve",
        allowed=is_handler,
        to_status=Status.RESOLVED,
        note=resolution.strip(),
        mutate=mutate,
    )


def reject(actor: Actor, request_id: int, *, version: int, reason: str) -> ServiceRequest:
    if not reason.strip():
        raise Invalid("reason: 不予受理须说明理由 a rejection needs a reason", field="reason")

    def mutate(req: ServiceRequest) -> None:
        req.reject_reason = reason.strip()
        req.closed_datetime = timezone.now()

    return change_request(
        actor,
        request_id,
        version,
        action="request.reject",
        allowed=is_manager,
        to_status=Status.REJECTED,
        note=reason.strip(),
        mutate=mutate,
    )


def reopen(actor: Actor, request_id: int, *, version: int, note: str) -> ServiceRequest:
    """The resident (or the committee on a return visit) is not satisfied: back to work."""
    return change_request(
        actor,
        request_id,
        version,
        action="request.reopen",
        allowed=_is_requester_or_manager,
        to_status=Status.IN_PROGRESS,
        note=note,
    )


def rate(
    actor: Actor, request_id: int, *, version: int, rating: int, comment: str = ""
) -> ServiceRequest:
    """The resident's rating (or the committee's return-visit record of it), 1–5."""
    if not 1 <= rating <= 5:
        raise Invalid("rating: 评分须为 1–5 must be 1 to 5", field="rating")

    def check(req: ServiceRequest) -> None:
        if req.status != Status.RESOLVED:
            raise Conflict(
                f"status: 办结后才能评价 only a resolved request can be rated (now {req.status})",
                field="status",
            )

    def mutate(req: ServiceRequest) -> None:
        req.rating = rating
        req.rating_comment = comment

    return change_request(
        actor,
        request_id,
        version,
        action="request.rate",
        allowed=_is_requester_or_manager,
        to_status=None,
        note=f"rating={rating} {comment}".strip(),
        check=check,
        mutate=mutate,
    )


def close(actor: Actor, request_id: int, *, version: int, note: str = "") -> ServiceRequest:
    """Close after the return visit: only a rated request closes."""

    def check(req: ServiceRequest) -> None:
        if req.rating is None:
            raise Conflict("rating: 须先回访评价 the resident must rate it first", field="rating")

    def mutate(req: ServiceRequest) -> None:
        req.closed_datetime = timezone.now()

    return change_request(
        actor,
        request_id,
        version,
        action="request.close",
        allowed=is_manager,
        to_status=Status.CLOSED,
        note=note,
        check=check,
        mutate=mutate,
    )


def _save_photo(actor: Actor, req: ServiceRequest, image) -> RequestPhoto:
    image.name = f"request-{req.pk}{image.name}"
    photo = RequestPhoto(request=req, image=image, uploaded_by=actor.user)
    return save_audited(actor, "request.photo", photo, unit=req.station.unit)


def add_photo(actor: Actor, request_id: int, upload) -> RequestPhoto:
    """Attach a photo (JPEG/PNG/WebP, ≤ 5 MB, re-encoded without EXIF) — by the requester or
    the station's staff."""
    req = get_request(actor, request_id)
    mine = actor.user is not None and req.requester_id == actor.user.pk
    if not (mine or actor.has(STAFF_ROLES, req.station.unit)):
        raise Forbidden("无权上传照片 may not add photos to this request")
    image = reencoded_photo(upload)
    with transaction.atomic():
        return _save_photo(actor, req, image)


def get_photo(actor: Actor, request_id: int, photo_id: int) -> RequestPhoto:
    req = get_request(actor, request_id)
    photo = req.photos.filter(pk=photo_id).first()
    if photo is None:
        raise NotFound(f"photo_id: 照片不存在 no photo {photo_id}", field="photo_id")
    return photo
