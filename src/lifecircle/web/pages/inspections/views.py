"""Safety inspections: tasks due, checklist results, rectification orders (整改单)."""

from datetime import date

from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from lifecircle.ops.access import Actor
from lifecircle.store.inspections.models import InspectionTask, RectificationOrder
from lifecircle.web.pages.common import actor
from lifecircle.web.pages.roster.views import work_stations


def tasks_due(who: Actor, until: date) -> QuerySet:
    """Planned inspection tasks due on or before `until` (overdue ones included)."""
    return InspectionTask.objects.filter(
        station__in=work_stations(who),
        status=InspectionTask.Status.PLANNED,
        due_date__lte=until,
    ).select_related("station", "template")


def open_rectifications(who: Actor) -> QuerySet:
    return (
        RectificationOrder.objects.filter(
            station__in=work_stations(who),
        )
        .exclude(status=RectificationOrder.Status.CLOSED)
        .select_related("station", "result__item")
    )


def overdue_rectifications(who: Actor, today: date) -> QuerySet:
    return open_rectifications(who).filter(deadline__lt=today)


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    who = actor(request)
    today = timezone.localdate()
    stations = work_stations(who)
    return render(
        request,
        "pages/inspections/overview.html",
        {
            "today": today,
            "planned": InspectionTask.objects.filter(
                station__in=stations, status=InspectionTask.Status.PLANNED
            ).select_related("station", "template")[:50],
            "done": InspectionTask.objects.filter(
                station__in=stations, status=InspectionTask.Status.DONE
            )
            .select_related("station", "template", "inspector")
            .order_by("-performed_at")[:20],
            "rectifications": open_rectifications(who),
        },
    )


@login_required
def task_page(request: HttpRequest, task_id: int) -> HttpResponse:
    """One inspection: the checklist with each item's result and the orders it opened."""
    who = actor(request)
    task = (
        InspectionTask.objects.filter(pk=task_id, station__in=work_stations(who))
        .select_related("station", "template", "inspector")
        .first()
    )
    if task is None:
        raise Http404(f"检查任务不存在 no inspection task {task_id}")
    results = {r.item_id: r for r in task.results.select_related("rectification")}
    items = [(item, results.get(item.pk)) for item in task.template.items.all()]
    return render(
        request,
        "pages/inspections/task.html",
        {"task": task, "items": items, "today": timezone.localdate()},
    )


@login_required
def rectification_page(request: HttpRequest, order_id: int) -> HttpResponse:
    who = actor(request)
    order = (
        RectificationOrder.objects.filter(pk=order_id, station__in=work_stations(who))
        .select_related("station", "result__item", "result__task", "reinspected_by")
        .first()
    )
    if order is None:
        raise Http404(f"整改单不存在 no rectification order {order_id}")
    return render(
        request,
        "pages/inspections/rectification.html",
        {"order": order, "today": timezone.localdate()},
    )
