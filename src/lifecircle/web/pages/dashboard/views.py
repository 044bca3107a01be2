"""Dashboard: open and overdue requests, today's duty, inspections due, rectifications overdue."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from lifecircle.ops import dashboard as ops
from lifecircle.ops import requests as ops_requests
from lifecircle.ops.todo import todo_for
from lifecircle.store.requests.models import OPEN_STATUSES
from lifecircle.web.pages.common import actor
from lifecircle.web.pages.todo.views import labelled

DUE_SOON_DAYS = 7
SHOWN = 10


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    who = actor(request)
    today = timezone.localdate()
    summary = ops.dashboard(who, today, due_within_days=DUE_SOON_DAYS)
    open_requests = (
        ops_requests.visible_requests(who)
        .filter(status__in=OPEN_STATUSES)
        .order_by("expected_datetime")
    )
    todo = todo_for(who)
    return render(
        request,
        "pages/dashboard/dashboard.html",
        {
            "todo": labelled(todo[:SHOWN]),
            "todo_count": len(todo),
            "now": timezone.now(),
            "today": today,
            "summary": summary,
            "open_requests": open_requests[:SHOWN],
            "overdue": summary.overdue_requests[:SHOWN],
            "overdue_count": ops_requests.overdue_requests(who).count(),
            "duties": [duty for _, duties in summary.duty_today for duty in duties],
            "due_soon_days": DUE_SOON_DAYS,
        },
    )
