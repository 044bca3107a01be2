"""Monthly operations meetings (月度运营例会): minutes and action items with owner and due date."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lifecircle.ops import inspections as ops
from lifecircle.ops.access import MANAGERS, Actor
from lifecircle.ops.errors import Invalid, OpsError
from lifecircle.store.org.models import OrgUnit, Party, RoleGrant
from lifecircle.web.pages.common import actor, choices, perform, scoped

ACTION_ROWS = 3


def managed_units(who: Actor) -> list[OrgUnit]:
    """The sub-districts and committees the caller manages (meetings are held there)."""
    query = Q(pk__in=[])
    for path in who.paths(MANAGERS):
        query |= Q(path__startswith=path)
    return list(OrgUnit.objects.filter(query).exclude(kind=OrgUnit.Kind.STATION))


def unit_people(who: Actor) -> list:
    """People who may own an action item in the caller's units."""
    grants = RoleGrant.objects.filter(who.scope(MANAGERS, "unit")).select_related("user")
    people = {g.user.pk: g.user for g in grants}
    return sorted(people.values(), key=lambda u: u.get_username())


@login_required
@scoped
def meeting_list(request: HttpRequest) -> HttpResponse:
    who = actor(request)
    meetings = list(ops.visible_meetings(who).prefetch_related("actions__owner")[:24])
    for meeting in meetings:
        meeting.rows = [(a, ops.can_complete(who, a)) for a in meeting.actions.all()]
    units = managed_units(who)
    return render(
        request,
        "pages/meetings/list.html",
        {
            "meetings": meetings,
            "units": units,
            "people": unit_people(who) if units else [],
            "parties": choices(Party.choices),
            "rows": range(ACTION_ROWS),
            "today": timezone.localdate(),
        },
    )


def _actions(post) -> list[dict]:
    """The filled action rows of the form (a row without text is skipped)."""
    rows = []
    for n in range(ACTION_ROWS):
        text = post.get(f"action-{n}-text", "").strip()
        if not text:
            continue
        owner = post.get(f"action-{n}-owner", "")
        due = post.get(f"action-{n}-due", "")
        if due and parse_date(due) is None:
            raise Invalid(f"actions[{n}].due: 日期格式 YYYY-MM-DD", field=f"actions[{n}].due")
        rows.append(
            {
                "text": text,
                "owner_id": int(owner) if owner.isdigit() else None,
                "owner_party": post.get(f"action-{n}-party", ""),
                "due": parse_date(due) if due else None,
            }
        )
    return rows


@login_required
@require_POST
@scoped
def meeting_create(request: HttpRequest) -> HttpResponse:
    who = actor(request)
    held_on = parse_date(request.POST.get("held_on", ""))
    unit = request.POST.get("unit", "")
    try:
        if held_on is None:
            raise Invalid("held_on: 请填写日期 the date is required", field="held_on")
        if not unit.isdigit():
            raise Invalid("unit: 请选择单位 choose a unit", field="unit")
        actions = _actions(request.POST)
    except OpsError as exc:
        messages.error(request, exc.message)
        return redirect("pages:meetings")
    return perform(
        request,
        lambda: ops.create_meeting(
            who,
            int(unit),
            held_on=held_on,
            title=request.POST.get("title", "").strip() or _("Monthly operations meeting"),
            minutes=request.POST.get("minutes", ""),
            actions=actions,
        ),
        _("Meeting recorded."),
        "/meetings/",
    )


@login_required
@require_POST
@scoped
def action_done(request: HttpRequest, action_id: int) -> HttpResponse:
    who = actor(request)
    return perform(
        request,
        lambda: ops.complete_action(who, action_id),
        _("Action item done."),
        f"/meetings/#action-{action_id}",
    )
