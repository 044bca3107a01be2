"""Dashboard: open and overdue requests, today's duty, inspections due, rectifications overdue."""

from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from lifecircle.ops import inspections as ops_inspections
from lifecircle.ops import requests as ops_requests
from lifecircle.store.inspections.models import InspectionTask
from lifecircle.store.requests.models import OPEN_STATUSES
from lifecircle.web.pages.common import actor
from lifecircle.web.pages.roster.views import duty_today

DUE_SOON_DAYS = 7


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    who = actor(request)
    now = timezone.now()
    today = timezone.localdate()
    open_requests = ops_requests.visible_requests(who).filter(status__in=OPEN_STATUSES)
    overdue = ops_requests.overdue_requests(who, now)
    inspections = ops_inspections.visible_tasks(who).filter(
        status=InspectionTask.Status.PLANNED, due_date__lte=today + timedelta(days=DUE_SOON_DAYS)
    )
    rectifications = ops_inspections.overdue_orders(who, today)
    return render(
        request,
        "pages/dashboard/dashboard.html",
        {
            "now": now,
            "today": today,
            "open_count": open_requests.count(),
            "open_requests": open_requests.order_by("expected_datetime")[:10],
            "overdue_count": overdue.count(),
            "overdue": overdue[:10],
            "duties": duty_today(who, today),
            "inspections": inspections,
            "rectifications": rectifications,
            "due_soon_days": DUE_SOON_DAYS,
        },
    )
