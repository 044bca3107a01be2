"""Work-order steps as 12345 hotline workers know them: accept or refuse an assignment
(签收/退单), ask for more time (延期, the committee decides), chase (催办), escalate (督办),
merge duplicates (合并) and transfer to another committee's station (转办).

Each step is one transaction through `lifecircle.ops.requests.change_request` (row lock,
version check, transition map, history event with its kind, audit entry) and tells the people
it concerns through `lifecircle.ops.notices`.
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from lifecircle.ops import notices
from lifecircle.ops.access import MANAGERS, Actor
from lifecircle.ops.audit import save_audited, snapshot
from lifecircle.ops.errors import Conflict, Forbidden, Invalid, NotFound
from lifecircle.ops.requests import (
    change_request,
    get_station,
    handlers_of,
    is_handler,
    is_manager,
    visible_requests,
)
from lifecircle.ops.roster import party_members
from lifecircle.store.org.models import Party, Role
from lifecircle.store.requests.models import (
    OPEN_STATUSES,
    EventKind,
    ExtensionRequest,
    RequestEvent,
    ServiceRequest,
    Status,
)

MAX_EXTENSION_HOURS = 24 * 30


def _is_assignee_side(actor: Actor, req: ServiceRequest) -> bool:
    """The assigned person, or any member of the assigned party when no one is named."""
    return is_handler(actor, req) and not (
        req.assignee_id is not None
        and actor.user is not None
        and req.assignee_id != actor.user.pk
        and not is_manager(actor, req)
    )


def _need(reason: str, field: str = "reason") -> str:
    if not reason.strip():
        raise Invalid(f"{field}: 请说明理由 a reason is required", field=field)
    return reason.strip()


def _in_state(*states: str):
    def check(req: ServiceRequest) -> None:
        if req.status not in states:
            raise Conflict(
                f"status: 当前状态 now {req.status}，须为 must be one of {sorted(states)}",
                field="status",
            )

    return check


def accept(actor: Actor, request_id: int, *, version: int) -> ServiceRequest:
    """签收: the assignee takes the work order."""

    def check(req: ServiceRequest) -> None:
        _in_state(Status.ASSIGNED)(req)
        if req.accepted_at is not None:
            raise Conflict("accepted_at: 已签收 already accepted", field="accepted_at")

    def mutate(req: ServiceRequest) -> None:
        req.accepted_at = timezone.now()

    return change_request(
        actor,
        request_id,
        version,
        action="request.accept",
        allowed=_is_assignee_side,
        to_status=None,
        check=check,
        mutate=mutate,
        kind=EventKind.ACCEPT,
        note="签收 accepted",
    )


def refuse(actor: Actor, request_id: int, *, version: int, reason: str) -> ServiceRequest:
    """退单: the assignee sends it back to the committee, with a reason, to be reassigned."""
    reason = _need(reason)

    def mutate(req: ServiceRequest) -> None:
        req.assigned_party, req.assignee, req.accepted_at = "", None, None

    with transaction.atomic():
        req = change_request(
            actor,
            request_id,
            version,
            action="request.refuse",
            allowed=_is_assignee_side,
            to_status=Status.RECEIVED,
            check=_in_state(Status.ASSIGNED),
            mutate=mutate,
            kind=EventKind.REFUSE,
            note=reason,
        )
        notices.notify_users(
            party_members(req.station, Party.COMMITTEE),
            "request.refused",
            f"退单 Sent back #{req.pk}",
            f"{actor.label} 退单：{reason}",
            f"/requests/{req.pk}/",
        )
    return req


def ask_extension(actor: Actor, request_id: int, *, hours: int, reason: str) -> ExtensionRequest:
    """延期申请: the handler asks for `hours` more; the committee decides."""
    reason = _need(reason)
    if not 1 <= hours <= MAX_EXTENSION_HOURS:
        raise Invalid(
            f"hours: 须在 1–{MAX_EXTENSION_HOURS} 小时之间 1 to {MAX_EXTENSION_HOURS}", "hours"
        )
    with transaction.atomic():
        req = visible_requests(actor).select_for_update(of=("self",)).filter(pk=request_id).first()
        if req is None:
            raise NotFound(f"request_id: 诉求不存在 no request {request_id}", field="request_id")
        if not is_handler(actor, req):
            raise Forbidden("只有经办人可申请延期 only the handler asks for more time")
        if req.status not in OPEN_STATUSES:
            raise Conflict(f"status: 诉求已{req.status} the request is {req.status}", "status")
        if req.extensions.filter(status=ExtensionRequest.Status.PENDING).exists():
            raise Conflict("hours: 已有待批的延期申请 an extension is already pending", "hours")
        ext = save_audited(
            actor,
            "request.extension_ask",
            ExtensionRequest(request=req, hours=hours, reason=reason, requested_by=actor.user),
            unit=req.station.unit,
        )
        notices.notify_users(
            party_members(req.station, Party.COMMITTEE),
            "request.extension",
            f"延期申请 Extension asked #{req.pk}",
            f"{actor.label} 申请延期 {hours} 小时：{reason}",
            f"/requests/{req.pk}/",
        )
    return ext


def decide_extension(actor: Actor, extension_id: int, *, approve: bool) -> ExtensionRequest:
    """The committee approves (the due date moves) or refuses an extension."""
    with transaction.atomic():
        ext = (
            ExtensionRequest.objects.select_for_update(of=("self",))
            .filter(pk=extension_id, request__in=visible_requests(actor))
            .select_related("request__station__unit", "request__category")
            .first()
        )
        if ext is None:
            raise NotFound(
                f"extension_id: 延期申请不存在 no extension {extension_id}", "extension_id"
            )
        req = ext.request
        if not is_manager(actor, req):
            raise Forbidden("只有居委会可审批延期 only the committee decides extensions")
        if ext.status != ExtensionRequest.Status.PENDING:
            raise Conflict(f"status: 已处理 already {ext.status}", field="status")
        before = snapshot(ext)
        ext.status = (
            ExtensionRequest.Status.APPROVED if approve else ExtensionRequest.Status.REJECTED
        )
        ext.decided_by, ext.decided_at = actor.user, timezone.now()
        save_audited(actor, "request.extension_decide", ext, unit=req.station.unit, before=before)
        if approve:

            def mutate(r: ServiceRequest) -> None:
                r.expected_datetime += timedelta(hours=ext.hours)
                r.warning_datetime += timedelta(hours=ext.hours)

            change_request(
                actor,
                req.pk,
                req.version,
                action="request.extend",
                allowed=is_manager,
                to_status=None,
                mutate=mutate,
                kind=EventKind.EXTEND,
                note=f"延期 {ext.hours} 小时 extended by {ext.hours} h: {ext.reason}",
            )
        notices.notify_users(
            [ext.requested_by],
            "request.extension_decided",
            f"延期{'已批准' if approve else '未批准'} #{req.pk}",
            f"延期 {ext.hours} 小时{'已批准 approved' if approve else '未批准 refused'}",
            f"/requests/{req.pk}/",
        )
    return ext


def _remind(actor, request_id, version, *, kind, action, note, allowed, tell) -> ServiceRequest:
    with transaction.atomic():
        req = change_request(
            actor,
            request_id,
            version,
            action=action,
            allowed=allowed,
            to_status=None,
            check=_in_state(*OPEN_STATUSES),
            kind=kind,
            note=note,
        )
        label = dict(EventKind.choices)[kind]
        notices.notify_users(
            tell(req), f"request.{kind}", f"{label} #{req.pk}", note, f"/requests/{req.pk}/"
        )
    return req


def chase(actor: Actor, request_id: int, *, version: int, note: str = "") -> ServiceRequest:
    """催办: the committee (or sub-district) reminds the handler; recorded in the history."""
    return _remind(
        actor,
        request_id,
        version,
        kind=EventKind.CHASE,
        action="request.chase",
        note=note.strip() or "请尽快办理 please hurry",
        allowed=is_manager,
        tell=handlers_of,
    )


def escalate(actor: Actor, request_id: int, *, version: int, note: str) -> ServiceRequest:
    """督办: the sub-district puts the request under supervision; the committee and the
    handler are told."""

    def allowed(who: Actor, req: ServiceRequest) -> bool:
        return who.has({Role.SUBDISTRICT_ADMIN}, req.station.unit)

    return _remind(
        actor,
        request_id,
        version,
        kind=EventKind.ESCALATE,
        action="request.escalate",
        note=_need(note, "note"),
        allowed=allowed,
        tell=lambda req: handlers_of(req) + party_members(req.station, Party.COMMITTEE),
    )


def merge(actor: Actor, request_id: int, *, version: int, into_id: int) -> ServiceRequest:
    """合并: close a duplicate into the request that carries on (both open, same manager)."""
    with transaction.atomic():
        target = visible_requests(actor).filter(pk=into_id).first()
        if target is None or into_id == request_id:
            raise NotFound(f"into_id: 诉求不存在 no other request {into_id}", field="into_id")
        if not is_manager(actor, target):
            raise Forbidden("无权合并到此诉求 may not merge into this request")
        if target.status not in OPEN_STATUSES:
            raise Conflict(f"into_id: #{into_id} 已{target.status} is {target.status}", "into_id")

        def mutate(req: ServiceRequest) -> None:
            req.duplicate_of = target
            req.reject_reason = f"与 #{into_id} 重复 duplicate of #{into_id}"
            req.closed_datetime = timezone.now()

        req = change_request(
            actor,
            request_id,
            version,
            action="request.merge",
            allowed=is_manager,
            to_status=Status.REJECTED,
            check=_in_state(*OPEN_STATUSES),
            mutate=mutate,
            kind=EventKind.MERGE,
            note=f"合并到 merged into #{into_id}",
        )
        RequestEvent.objects.create(
            request=target,
            actor=actor.user,
            actor_label=actor.label,
            from_status=target.status,
            to_status=target.status,
            kind=EventKind.MERGE,
            note=f"#{request_id} 合并至此 merged here",
        )
    return req


def transfer(
    actor: Actor, request_id: int, *, version: int, station_id: int, note: str
) -> ServiceRequest:
    """转办: hand a request not yet in progress to another station of the same sub-district;
    it goes back to `received` there, and that committee is told."""
    note = _need(note, "note")
    target = get_station(station_id)

    def check(req: ServiceRequest) -> None:
        _in_state(Status.RECEIVED, Status.ASSIGNED)(req)
        if target.pk == req.station_id:
            raise Invalid("station_id: 已在此驿站 already at this station", field="station_id")
        root = req.station.unit.ancestors_and_self()[0]
        if target.unit.ancestors_and_self()[0] != root:
            raise Invalid(
                "station_id: 须为同一街道的驿站 must be in the same sub-district", "station_id"
            )

    def mutate(req: ServiceRequest) -> None:
        req.station = target
        req.assigned_party, req.assignee, req.accepted_at = "", None, None
        req.status = Status.RECEIVED

    with transaction.atomic():
        req = change_request(
            actor,
            request_id,
            version,
            action="request.transfer",
            allowed=is_manager,
            to_status=None,
            check=check,
            mutate=mutate,
            kind=EventKind.TRANSFER,
            note=f"转办至 transferred to {target.name}: {note}",
        )
        notices.notify_users(
            party_members(target, Party.COMMITTEE),
            "request.transferred",
            f"转办 Transferred #{req.pk}",
            f"{actor.label} 转来：{note}",
            f"/requests/{req.pk}/",
        )
    return req


def pending_extensions(actor: Actor):
    """Extensions waiting for a committee the caller manages."""
    return ExtensionRequest.objects.filter(
        status=ExtensionRequest.Status.PENDING,
        request__in=visible_requests(actor).filter(actor.scope(MANAGERS, "station__unit")),
    ).select_related("request__station", "requested_by")
