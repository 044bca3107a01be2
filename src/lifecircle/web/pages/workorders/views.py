"""Work-order steps on the request page: accept/refuse (签收/退单), extension (延期), chase
(催办), escalate (督办), merge duplicates, transfer to another station's committee."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST

from lifecircle.ops import workorders as ops
from lifecircle.ops.access import Actor
from lifecircle.ops.requests import is_handler, is_manager
from lifecircle.ops.stations import public_stations
from lifecircle.store.org.models import Role
from lifecircle.store.requests.models import OPEN_STATUSES, ServiceRequest, Status
from lifecircle.web.pages.common import actor, perform, scoped


def _int(post, name: str) -> int | None:
    value = post.get(name, "")
    return int(value) if value.isdigit() else None


# step → (service call from the posted fields, message when done)
STEPS = {
    "accept": (
        lambda who, rid, p: ops.accept(who, rid, version=_int(p, "version")),
        gettext_noop("Accepted."),
    ),
    "refuse": (
        lambda who, rid, p: ops.refuse(
            who, rid, version=_int(p, "version"), reason=p.get("reason", "")
        ),
        gettext_noop("Sent back to the committee."),
    ),
    "extend": (
        lambda who, rid, p: ops.ask_extension(
            who, rid, hours=_int(p, "hours") or 0, reason=p.get("reason", "")
        ),
        gettext_noop("Extension asked; the committee decides."),
    ),
    "chase": (
        lambda who, rid, p: ops.chase(who, rid, version=_int(p, "version"), note=p.get("note", "")),
        gettext_noop("Reminder sent."),
    ),
    "escalate": (
        lambda who, rid, p: ops.escalate(
            who, rid, version=_int(p, "version"), note=p.get("note", "")
        ),
        gettext_noop("Put under supervision."),
    ),
    "merge": (
        lambda who, rid, p: ops.merge(
            who, rid, version=_int(p, "version"), into_id=_int(p, "into") or 0
        ),
        gettext_noop("Merged as a duplicate."),
    ),
    "transfer": (
        lambda who, rid, p: ops.transfer(
            who,
            rid,
            version=_int(p, "version"),
            station_id=_int(p, "station") or 0,
            note=p.get("note", ""),
        ),
        gettext_noop("Transferred."),
    ),
}


def available_steps(who: Actor, req: ServiceRequest) -> dict:
    """Which work-order steps the caller may take now, with what the forms need."""
    steps: dict = {}
    if req.status not in OPEN_STATUSES:
        return steps
    handler, manager = is_handler(who, req), is_manager(who, req)
    if req.status == Status.ASSIGNED and handler:
        if req.accepted_at is None:
            steps["accept"] = True
        steps["refuse"] = True
    if handler:
        steps["extend"] = True
    if manager:
        steps["chase"] = req.status != Status.RECEIVED
        steps["merge"] = True
        if req.status in (Status.RECEIVED, Status.ASSIGNED):
            steps["transfer"] = [
                s
                for s in public_stations()
                if s.pk != req.station_id
                and s.unit.ancestors_and_self()[0] == req.station.unit.ancestors_and_self()[0]
            ]
    if who.has({Role.SUBDISTRICT_ADMIN}, req.station.unit):
        steps["escalate"] = True
    return {k: v for k, v in steps.items() if v}


@login_required
@require_POST
@scoped
def step(request: HttpRequest, request_id: int, step: str) -> HttpResponse:
    if step not in STEPS:
        raise Http404(step)
    change, done = STEPS[step]
    who = actor(request)
    back = f"/requests/{request_id}/"
    if step not in ("extend",) and _int(request.POST, "version") is None:
        messages.error(request, _("The page is out of date; reload it."))
        return redirect(back)
    return perform(request, lambda: change(who, request_id, request.POST), _(done), back)


def _back(path: str) -> str:
    """Back to the request page the form came from, else the to-do list."""
    tail = path.removeprefix("/requests/").rstrip("/")
    return path if path.startswith("/requests/") and tail.isdigit() else "/todo/"


@login_required
@require_POST
@scoped
def decide(request: HttpRequest, extension_id: int) -> HttpResponse:
    who = actor(request)
    approve = request.POST.get("decision") == "approve"
    return perform(
        request,
        lambda: ops.decide_extension(who, extension_id, approve=approve),
        _("Extension approved.") if approve else _("Extension refused."),
        _back(request.POST.get("back", "")),
    )
