"""Requests: list, detail with history, intake, and each state change through ops.requests."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from lifecircle.ops import requests as ops
from lifecircle.ops.access import MANAGERS, STAFF_ROLES, mask_phone
from lifecircle.ops.errors import Invalid
from lifecircle.ops.roster import party_members
from lifecircle.ops.stations import visible_stations
from lifecircle.store.org.models import Party
from lifecircle.store.requests.models import OPEN_STATUSES, TRANSITIONS, ServiceRequest, Status
from lifecircle.store.stations.models import ServiceCategory
from lifecircle.web.pages.common import actor, choices, perform, scoped, zh_en
from lifecircle.web.pages.requests.forms import (
    AssignForm,
    IntakeForm,
    NoteForm,
    RateForm,
    RejectForm,
    ResolveForm,
)
from lifecircle.web.pages.workorders.views import available_steps


@login_required
def request_list(request: HttpRequest) -> HttpResponse:
    """The caller's requests (staff: their stations'), filtered by state, station or overdue."""
    who = actor(request)
    overdue = request.GET.get("overdue") == "1"
    rows = ops.overdue_requests(who) if overdue else ops.visible_requests(who)
    status = request.GET.get("status", "")
    if status in Status.values:
        rows = rows.filter(status=status)
    elif status == "open":
        rows = rows.filter(status__in=OPEN_STATUSES)
    station = request.GET.get("station", "")
    if station.isdigit():
        rows = rows.filter(station_id=int(station))
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    filters = request.GET.copy()
    filters.pop("page", None)
    return render(
        request,
        "pages/requests/list.html",
        {
            "page": page,
            "now": timezone.now(),
            "statuses": choices(Status.choices),
            "status": status,
            "stations": visible_stations(who),
            "station": station,
            "overdue": overdue,
            "filters": filters.urlencode(),
        },
    )


@login_required
@scoped
def request_new(request: HttpRequest) -> HttpResponse:
    """Intake: staff at the counter or on the phone, or the resident for themselves."""
    who = actor(request)
    staff_stations = list(visible_stations(who).filter(who.scope(STAFF_ROLES, "unit")))
    staff = bool(staff_stations)
    stations = staff_stations if staff else list(visible_stations(who))
    categories = list(ServiceCategory.objects.filter(active=True).prefetch_related("attributes"))
    form = IntakeForm(
        request.POST or None,
        request.FILES or None,
        stations=stations,
        categories=categories,
        staff=staff,
        initial={"station": request.GET.get("station")},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        code = data["service"]
        attributes = {
            key.removeprefix(f"attr-{code}-"): value
            for key, value in request.POST.items()
            if key.startswith(f"attr-{code}-")
        }
        requester_id = None
        if data.get("resident"):
            requester_id = (
                get_user_model()
                .objects.filter(username=data["resident"])
                .values_list("pk", flat=True)
                .first()
            )
            if requester_id is None:
                form.add_error("resident", _("No such user."))
        if form.is_valid():
            try:  # the request and its photo are filed together, or neither is
                req = ops.file_request(
                    who,
                    station_id=data["station"],
                    service_code=code,
                    description=data["description"],
                    channel=data["channel"],
                    address=data["address"],
                    lat=data["lat"],
                    lon=data["lon"],
                    contact_name=data["contact_name"],
                    phone=data["phone"],
                    attributes=attributes,
                    requester_id=requester_id,
                    public=data.get("public", False),
                    photo=data.get("photo"),
                )
            except Invalid as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, _("Request #%(id)s received.") % {"id": req.pk})
                return redirect("pages:request", request_id=req.pk)
    points = [{"name": s.name, "lat": s.lat, "lon": s.lon} for s in stations]
    return render(
        request,
        "pages/requests/new.html",
        {"form": form, "categories": categories, "points": points},
    )


def _assignees(req: ServiceRequest) -> list[tuple[int | str, str]]:
    """People of the three parties who serve this station (for the assign form)."""
    people: list[tuple[int | str, str]] = [("", "—")]
    for party, label in Party.choices:
        people += [
            (p.pk, f"{p.get_username()} ({zh_en(label)})")
            for p in party_members(req.station, party)
        ]
    return people


@login_required
@scoped
def request_detail(request: HttpRequest, request_id: int) -> HttpResponse:
    who = actor(request)
    req = ops.get_request(who, request_id)
    unit = req.station.unit
    manager = who.has(MANAGERS, unit)
    staff = who.has(STAFF_ROLES, unit)
    mine = req.requester_id == request.user.pk
    following = TRANSITIONS[req.status]
    initial = {"version": req.version}
    forms = {}
    if manager and Status.ASSIGNED in following:
        forms["assign"] = AssignForm(initial={**initial, "party": req.assigned_party or None})
        forms["assign"].fields["assignee"].choices = _assignees(req)
    if staff and req.status == Status.ASSIGNED:
        forms["start"] = NoteForm(initial=initial)
    if staff and req.status == Status.IN_PROGRESS:
        forms["resolve"] = ResolveForm(initial=initial)
    if manager and Status.REJECTED in following:
        forms["reject"] = RejectForm(initial=initial)
    can_add_photo = mine or staff
    if (mine or manager) and req.status == Status.RESOLVED:
        if req.rating is None:
            forms["rate"] = RateForm(initial=initial)
        forms["reopen"] = NoteForm(initial=initial)
    if manager and req.status == Status.RESOLVED and req.rating is not None:
        forms["close"] = NoteForm(initial=initial)
    return render(
        request,
        "pages/requests/detail.html",
        {
            "req": req,
            "phone": req.phone if ops.can_see_phone(who, req) else mask_phone(req.phone),
            "overdue": req.status in OPEN_STATUSES and req.expected_datetime < timezone.now(),
            "events": req.events.all(),
            "answers": _answers(req),
            "photos": req.photos.all(),
            "points": [{"name": f"#{req.pk}", "lat": req.lat, "lon": req.lon, "current": True}]
            if req.lat is not None and req.lon is not None
            else [],
            "can_add_photo": can_add_photo,
            "forms": forms,
            "rate_first": "rate" in forms and mine,
            "steps": available_steps(who, req),
            "extensions": req.extensions.select_related("requested_by"),
            "can_decide_extension": manager,
        },
    )


def _answers(req: ServiceRequest) -> list[tuple[str, str]]:
    """The answers to the category's extra questions, with the questions' and values' names."""
    answers = []
    for question in req.category.attributes.all():
        if question.code not in req.attributes:
            continue
        names = {str(v["key"]): v["name"] for v in question.values}
        value = req.attributes[question.code]
        values = value if isinstance(value, list) else [value]
        shown = "、".join(zh_en(names.get(str(v), str(v))) for v in values)
        answers.append((zh_en(question.description), shown))
    return answers


# action → (form, service call with the form's cleaned data, message when done)
CHANGES = {
    "assign": (
        AssignForm,
        lambda who, rid, d: ops.assign(
            who,
            rid,
            version=d["version"],
            party=d["party"],
            assignee_id=d["assignee"],
            note=d["note"],
        ),
        gettext_lazy("Assigned."),
    ),
    "start": (
        NoteForm,
        lambda who, rid, d: ops.start(who, rid, version=d["version"], note=d["note"]),
        gettext_lazy("Work started."),
    ),
    "resolve": (
        ResolveForm,
        lambda who, rid, d: ops.resolve(who, rid, version=d["version"], resolution=d["resolution"]),
        gettext_lazy("Resolved; waiting for the resident's rating."),
    ),
    "reject": (
        RejectForm,
        lambda who, rid, d: ops.reject(who, rid, version=d["version"], reason=d["reason"]),
        gettext_lazy("Rejected."),
    ),
    "rate": (
        RateForm,
        lambda who, rid, d: ops.rate(
            who, rid, version=d["version"], rating=d["rating"], comment=d["comment"]
        ),
        gettext_lazy("Thank you for your rating."),
    ),
    "reopen": (
        NoteForm,
        lambda who, rid, d: ops.reopen(who, rid, version=d["version"], note=d["note"]),
        gettext_lazy("Sent back for more work."),
    ),
    "close": (
        NoteForm,
        lambda who, rid, d: ops.close(who, rid, version=d["version"], note=d["note"]),
        gettext_lazy("Closed."),
    ),
}


@login_required
@require_POST
@scoped
def request_change(request: HttpRequest, request_id: int, action: str) -> HttpResponse:
    """One state change; the service checks role, version and the transition map."""
    if action not in CHANGES:
        raise Http404(action)
    form_class, change, done = CHANGES[action]
    back = redirect("pages:request", request_id=request_id).url
    form = form_class(request.POST)
    if action == "assign":
        form.fields["assignee"].choices = _assignees(ops.get_request(actor(request), request_id))
    if not form.is_valid():
        for field, errors in form.errors.items():
            messages.error(request, f"{field}: {' '.join(errors)}")
        return redirect(back)
    who = actor(request)
    return perform(request, lambda: change(who, request_id, form.cleaned_data), str(done), back)


@login_required
@require_POST
@scoped
def request_photo(request: HttpRequest, request_id: int) -> HttpResponse:
    """Attach a photo (the service checks who may, the type, the content and the size)."""
    back = redirect("pages:request", request_id=request_id).url
    upload = request.FILES.get("photo")
    if upload is None:
        messages.error(request, _("Choose a photo."))
        return redirect(back)
    who = actor(request)
    return perform(request, lambda: ops.add_photo(who, request_id, upload), _("Photo added."), back)
