"""Statistics (/stats/): monthly charts per category and station as server-drawn SVG (no
script), the three rates, inspection pass rates, open rectification orders, search, exports."""

from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from lifecircle.ops import inspections, rooms, stats
from lifecircle.ops.access import WORKERS
from lifecircle.ops.roster import to_xlsx as roster_xlsx
from lifecircle.store.roster.models import DutyAssignment
from lifecircle.web.pages.common import actor
from lifecircle.web.pages.roster.views import work_stations

MONTHS = 6
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def bars(values: list[int], labels: list[str], width: int = 300, height: int = 90) -> dict:
    """Geometry of a small bar chart (SVG units): one bar per value, labelled below."""
    top = max(values) if values and max(values) > 0 else 1
    step = width / max(len(values), 1)
    headroom = 14  # room for the value above the tallest bar
    plot = height - 18
    span = plot - headroom
    return {
        "width": width,
        "height": height,
        "bars": [
            {
                "x": round(i * step + step * 0.15, 1),
                "w": round(step * 0.7, 1),
                "y": round(plot - span * v / top, 1),
                "h": round(span * v / top, 1),
                "value": v,
                "label": labels[i],
                "cx": round(i * step + step / 2, 1),
            }
            for i, v in enumerate(values)
        ],
        "axis": plot,
    }


def _workers_only(request: HttpRequest):
    who = actor(request)
    if not who.paths(WORKERS):
        raise PermissionDenied("只有工作人员可看统计 statistics are for staff")
    return who


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    who = _workers_only(request)
    months = stats.months_back(MONTHS)
    labels = [m.strftime("%m") for m in months]
    rows = stats.request_rows(who)
    by_category = stats.monthly_counts(rows, "category__name_zh", months)
    by_station = stats.monthly_counts(rows, "station__name", months)
    totals = [sum(series[i] for series in by_category.values()) for i in range(len(months))]
    query = request.GET.get("q", "")
    return render(
        request,
        "pages/stats/overview.html",
        {
            "months": months,
            "total_chart": bars(totals, labels, width=480, height=140),
            "by_category": [(k, sum(v), bars(v, labels)) for k, v in by_category.items()],
            "by_station": [(k, sum(v), bars(v, labels)) for k, v in by_station.items()],
            "rates": stats.rates(rows.filter(requested_datetime__date__gte=months[0])),
            "pass_rates": stats.inspection_pass_rates(who, months),
            "open_orders": stats.open_rectifications(who).select_related("result__item")[:50],
            "q": query,
            "found": stats.search_requests(who, query)[:50] if query else None,
            "room_use": rooms.room_use_by_month(work_stations(who), months[0]),
            "service_use": rooms.service_use_by_month(work_stations(who), months[0]),
        },
    )


@login_required
def export(request: HttpRequest, what: str) -> HttpResponse:
    """Excel exports with Chinese headers: requests, inspections, rosters (next 4 weeks)."""
    who = _workers_only(request)
    today = timezone.localdate()
    if what == "requests":
        body = stats.requests_xlsx(stats.request_rows(who)[:20000])
    elif what == "inspections":
        tasks = inspections.visible_tasks(who).order_by("-due_date")[:2000]
        body = stats.inspections_xlsx(tasks)
    elif what == "rosters":
        duties = (
            DutyAssignment.objects.filter(
                who.scope(WORKERS, "station__unit"),
                date__gte=today - timedelta(days=today.weekday()),
                date__lte=today + timedelta(days=27),
            )
            .select_related("station", "person")
            .order_by("date", "station__name")
        )
        body = roster_xlsx(duties)
    else:
        raise PermissionDenied(_("Unknown export."))
    response = HttpResponse(body, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{what}-{today:%Y%m%d}.xlsx"'
    return response
