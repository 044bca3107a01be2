"""Safety inspections: tasks, checklist results, rectification orders (整改单)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from lifecircle.ops import inspections as ops
from lifecircle.ops.access import INSPECTORS, MANAGERS
from lifecircle.store.inspections.models import InspectionTask, RectificationOrder
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
        results = [
            {
                "item_id": item.pk,
                "passed": request.POST.get(f"item-{item.pk}") == "pass",
                "note": request.POST.get(f"note-{item.pk}", ""),
            }
            for item in checklist
            if request.POST.get(f"item-{item.pk}") in ("pass", "fail")
        ]
        return perform(
            request,
            lambda: ops.record_inspection(
                who,
                task_id,
                results=results,
                rectification_deadline=parse_date(request.POST.get("deadline", "") or ""),
                responsible_party=request.POST.get("party") or None,
            ),
            _("Inspection recorded."),
            back,
        )
    results = {r.item_id: r for r in task.results.select_related("rectification")}
    can_record = task.status == InspectionTask.Status.PLANNED and who.has(
        ops.PERFORMERS[task.mode], task.station.unit
    )
    return render(
        request,
        "pages/inspections/task.html",
        {
            "task": task,
            "items": [(item, results.get(item.pk)) for item in checklist],
            "today": timezone.localdate(),
            "can_record": can_record,
            "parties": choices(Party.choices),
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
