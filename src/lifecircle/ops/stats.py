"""Operations statistics within the caller's scope: requests per month by category and by
station, the three rates (及时率 timely, 满意率 satisfied, 办结率 completed), inspection pass
rates, open rectification orders, search, and Excel exports with Chinese headers."""

import io
from dataclasses import dataclass
from datetime import date

from dateutil.relativedelta import relativedelta
from django.db.models import Count, Min, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from lifecircle.ops import inspections, requests
from lifecircle.ops.access import Actor
from lifecircle.store.inspections.models import ItemResult, RectificationOrder
from lifecircle.store.requests.models import Status

DONE = (Status.RESOLVED, Status.CLOSED)
SATISFIED_FROM = 4  # a rating of 4 or 5 counts as satisfied


@dataclass
class Rate:
    """A share with what it is made of, so a reader can check it (None when nothing to count)."""

    numerator: int
    denominator: int

    @property
    def share(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None


def months_back(n: int, today: date | None = None) -> list[date]:
    """The first days of the last `n` months, oldest first (this month included)."""
    first = (today or timezone.localdate()).replace(day=1)
    return [first - relativedelta(months=k) for k in range(n - 1, -1, -1)]


def monthly_counts(rows: QuerySet, key: str, months: list[date]) -> dict[str, list[int]]:
    """Requests per month for each value of `key` (e.g. the category's name)."""
    counts = (
        rows.filter(requested_datetime__date__gte=months[0])
        .annotate(month=TruncMonth("requested_datetime"))
        .values(key, "month")
        .annotate(n=Count("id"))
    )
    table: dict[str, list[int]] = {}
    index = {m: i for i, m in enumerate(months)}
    for row in counts:
        month = row["month"]
        month = (timezone.localtime(month) if hasattr(month, "hour") else month).replace(day=1)
        month = month.date() if hasattr(month, "date") else month
        if month in index:
            table.setdefault(row[key], [0] * len(months))[index[month]] += 1
    return dict(sorted(table.items(), key=lambda kv: -sum(kv[1])))


def rates(rows: QuerySet) -> dict[str, Rate]:
    """及时率: done by the due date among those done; 满意率: rated ≥ 4 among those rated;
    办结率: done among all taken on (rejected ones excluded)."""
    taken = rows.exclude(status=Status.REJECTED)
    done = taken.filter(status__in=DONE).annotate(
        done_at=Min("events__at", filter=Q(events__to_status=Status.RESOLVED))
    )
    timely = sum(1 for r in done if r.done_at is not None and r.done_at <= r.expected_datetime)
    rated = rows.filter(rating__isnull=False)
    return {
        "timely": Rate(timely, done.count()),
        "satisfied": Rate(rated.filter(rating__gte=SATISFIED_FROM).count(), rated.count()),
        "completed": Rate(done.count(), taken.count()),
    }


def inspection_pass_rates(actor: Actor, months: list[date]) -> dict[str, Rate]:
    """Share of checklist items passed, per station, over the months shown."""
    results = ItemResult.objects.filter(
        task__in=inspections.visible_tasks(actor), task__performed_at__date__gte=months[0]
    )
    out = {}
    for row in results.values("task__station__name").annotate(
        total=Count("id"), passed=Count("id", filter=Q(passed=True))
    ):
        out[row["task__station__name"]] = Rate(row["passed"], row["total"])
    return dict(sorted(out.items()))


def open_rectifications(actor: Actor) -> QuerySet:
    return inspections.visible_orders(actor).exclude(status=RectificationOrder.Status.CLOSED)


def search_requests(actor: Actor, text: str) -> QuerySet:
    """Requests whose number, description, place, category or station match `text`."""
    rows = requests.visible_requests(actor)
    text = text.strip()
    if not text:
        return rows.none()
    query = (
        Q(description__icontains=text)
        | Q(address__icontains=text)
        | Q(category__name_zh__icontains=text)
        | Q(category__name_en__icontains=text)
        | Q(station__name__icontains=text)
    )
    if text.lstrip("#").isdigit():
        query |= Q(pk=int(text.lstrip("#")))
    return rows.filter(query)


def _sheet(title: str, headers: list[str], rows) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = title
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    for n, header in enumerate(headers):
        sheet.column_dimensions[chr(ord("A") + n)].width = max(10, len(header) * 2 + 2)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _local(moment):
    return timezone.localtime(moment).replace(tzinfo=None) if moment else None


def requests_xlsx(rows) -> bytes:
    """Requests as an Excel sheet with Chinese headers (phone numbers left out)."""
    return _sheet(
        "诉求",
        ["编号", "驿站", "类别", "渠道", "状态", "受理时间", "期限", "办结时间", "评分", "描述"],
        (
            [
                r.pk,
                r.station.name,
                r.category.name_zh,
                str(r.get_channel_display()).split(" ")[0],
                str(r.get_status_display()).split(" ")[0],
                _local(r.requested_datetime),
                _local(r.expected_datetime),
                _local(r.closed_datetime),
                r.rating,
                r.description,
            ]
            for r in rows
        ),
    )


def inspections_xlsx(tasks) -> bytes:
    """Inspections as an Excel sheet: one row per checklist item result."""

    def lines():
        for task in tasks:
            results = list(task.results.select_related("item", "rectification"))
            for r in results or [None]:
                order = getattr(r, "rectification", None) if r else None
                yield [
                    task.station.name,
                    task.template.name.split(" ")[0],
                    str(task.get_mode_display()).split(" ")[0],
                    task.due_date,
                    _local(task.performed_at),
                    r.item.text if r else "",
                    ("合格" if r.passed else "不合格") if r else "未检查",
                    r.note if r else "",
                    order.deadline if order else None,
                    str(order.get_status_display()).split(" ")[0] if order else "",
                ]

    return _sheet(
        "安全检查",
        [
            "驿站",
            "检查表",
            "方式",
            "计划日期",
            "检查时间",
            "检查项",
            "结果",
            "备注",
            "整改期限",
            "整改状态",
        ],
        lines(),
    )


def request_rows(actor: Actor) -> QuerySet:
    return requests.visible_requests(actor).order_by("-requested_datetime")
