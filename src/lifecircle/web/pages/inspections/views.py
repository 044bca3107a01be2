"""Safety inspections: tasks, checklist results, rectification orders (整改单)."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lifecircle.ops import inspections as ops
from lifecircle.ops.access import INSPECTORS, MANAGERS, OPERATORS, ROLE_PARTY
from lifecircle.ops.stations import visible_stations
from lifecircle.store.inspections.models import (
    ChecklistTemplate,
    InspectionPlan,
    InspectionTask,
    Mode,
    RectificationOrder,
)
from lifecircle.store.org.models import PARTY_ROLE, Party
from lifecircle.web.pages.common import actor, choices, perform, scoped


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    who = actor(request)
    tasks = ops.visible_tasks(who)
    return render(
        request,
        "pages/inspections/overview.html",
        {
            "today": timezone.localdate(),
            "planned": tasks.filter(status=InspectionTask.Status.PLANNED)[:50],
            "done": tasks.filter(status=InspectionTask.Status.DONE)
            .select_related("inspector")
            .order_by("-performed_at")[:20],
            "rectifications": ops.visible_orders(who).exclude(
                status=RectificationOrder.Status.CLOSED
            ),
        },
    )


@login_required
@scoped
def task_page(request: HttpRequest, task_id: int) -> HttpResponse:
    """One inspection: the checklist to fill in, or its results and the orders they opened."""
    who = actor(request)
    task = ops.visible_tasks(who).select_related("inspector").filter(pk=task_id).first()
    if task is None:
        raise Http404(f"检查任务不存在 no inspection task {task_id}")
    checklist = list(task.template.items.all())
    back = reverse("pages:inspection", args=[task_id])
    if request.method == "POST":
        results = []
        for item in checklist:
            verdict = request.POST.get(f"item-{item.pk}")
            if verdict not in ("pass", "fail"):
                continue
            result = {
                "item_id": item.pk,
                "passed": verdict == "pass",
                "note": request.POST.get(f"note-{item.pk}", ""),
            }
            if verdict == "fail":
                result["deadline"] = parse_date(request.POST.get(f"deadline-{item.pk}", "") or "")
                result["party"] = request.POST.get(f"party-{item.pk}") or None
            results.append(result)

        def record():
            with transaction.atomic():  # the results and their photos together, or nothing
                done = ops.record_inspection(
                    who,
                    task_id,
                    results=results,
                    rectification_deadline=parse_date(request.POST.get("deadline", "") or ""),
                    responsible_party=request.POST.get("party") or None,
                )
                for saved in done.results.all():
                    upload = request.FILES.get(f"photo-{saved.item_id}")
                    if upload is not None:
                        ops.add_result_photo(who, saved.pk, upload)
            return done

        return perform(request, record, _("Inspection recorded."), back)
    results = {r.item_id: r for r in task.results.select_related("rectification")}
    can_record = task.status == InspectionTask.Status.PLANNED and who.has(
        ops.PERFORMERS[task.mode], task.station.unit
    )
    confirmed = {c.party: c for c in task.confirmations.select_related("user")}
    my_parties = {ROLE_PARTY[r] for r in who.roles_on(task.station.unit) if r in ROLE_PARTY}
    return render(
        request,
        "pages/inspections/task.html",
        {
            "task": task,
            "items": [(item, results.get(item.pk)) for item in checklist],
            "today": timezone.localdate(),
            "can_record": can_record,
            "parties": choices(Party.choices),
            "confirmations": [(v, label, confirmed.get(v)) for v, label in choices(Party.choices)],
            "can_confirm": task.mode == "joint"
            and task.status == InspectionTask.Status.DONE
            and bool(my_parties - set(confirmed)),
        },
    )


@login_required
@require_POST
@scoped
def confirm(request: HttpRequest, task_id: int) -> HttpResponse:
    """One of the three parties signs the joint inspection."""
    who = actor(request)
    return perform(
        request,
        lambda: ops.confirm_joint(who, task_id),
        _("Confirmed."),
        reverse("pages:inspection", args=[task_id]),
    )


@login_required
@scoped
def task_print(request: HttpRequest, task_id: int) -> HttpResponse:
    """The inspection record sheet (检查记录表) on A4, to print and sign."""
    who = actor(request)
    task = ops.visible_tasks(who).select_related("inspector").filter(pk=task_id).first()
    if task is None:
        raise Http404(f"检查任务不存在 no inspection task {task_id}")
    results = {r.item_id: r for r in task.results.select_related("rectification")}
    return render(
        request,
        "pages/inspections/print.html",
        {
            "task": task,
            "items": [(item, results.get(item.pk)) for item in task.template.items.all()],
            "confirmations": {c.party: c for c in task.confirmations.select_related("user")},
            "parties": choices(Party.choices),
        },
    )


@login_required
@scoped
def plans(request: HttpRequest) -> HttpResponse:
    """Inspection plans (monthly self-checks, quarterly joint inspections) and a form to add one."""
    who = actor(request)
    if request.method == "POST":
        post = request.POST
        starts = parse_date(post.get("starts", "") or "")
        if not (
            post.get("station", "").isdigit() and post.get("template", "").isdigit() and starts
        ):
            messages.error(request, _("Choose a station, a checklist and a start date."))
            return redirect("pages:inspection_plans")

        def create():
            plan = ops.create_plan(
                who,
                int(post["station"]),
                template_id=int(post["template"]),
                mode=post.get("mode", ""),
                interval=post.get("interval", ""),
                starts=starts,
            )
            ops.generate_tasks(who, timezone.localdate() + timedelta(days=92))
            return plan

        return perform(
            request, create, _("Plan saved; its tasks are scheduled."), "/inspections/plans/"
        )
    visible = InspectionPlan.objects.filter(
        who.scope(INSPECTORS | MANAGERS | OPERATORS, "station__unit")
    ).select_related("station", "template")
    stations = [s for s in visible_stations(who) if who.has(INSPECTORS, s.unit)]
    return render(
        request,
        "pages/inspections/plans.html",
        {
            "plans": visible.order_by("station__name", "starts"),
            "stations": stations,
            "templates": ChecklistTemplate.objects.all(),
            "modes": choices(Mode.choices),
            "intervals": choices(InspectionPlan.Interval.choices),
            "today": timezone.localdate(),
        },
    )


@login_required
@scoped
def rectification_page(request: HttpRequest, order_id: int) -> HttpResponse:
    """The order, its evidence and re-inspection; the forms for the next step."""
    who = actor(request)
    order = (
        ops.visible_orders(who)
        .select_related("result__task", "reinspected_by")
        .filter(pk=order_id)
        .first()
    )
    if order is None:
        raise Http404(f"整改单不存在 no rectification order {order_id}")
    back = reverse("pages:rectification", args=[order_id])
    if request.method == "POST":

        def evidence():
            return ops.submit_evidence(who, order_id, request.POST.get("evidence", ""))

        def reinspection():
            return ops.reinspect(
                who,
                order_id,
                passed=request.POST.get("passed") == "yes",
                note=request.POST.get("note", ""),
                new_deadline=parse_date(request.POST.get("deadline", "") or ""),
            )

        steps = {"evidence": evidence, "reinspect": reinspection}
        step = steps.get(request.POST.get("step", ""))
        if step is None:
            messages.error(request, _("Unknown step."))
            return redirect(back)
        return perform(request, step, _("Saved."), back)
    unit = order.station.unit
    responsible = {PARTY_ROLE[order.responsible_party]} | MANAGERS
    return render(
        request,
        "pages/inspections/rectification.html",
        {
            "order": order,
            "today": timezone.localdate(),
            "can_submit": order.status == RectificationOrder.Status.OPEN
            and who.has(responsible, unit),
            "can_reinspect": order.status == RectificationOrder.Status.SUBMITTED
            and who.has(INSPECTORS, unit),
        },
    )
