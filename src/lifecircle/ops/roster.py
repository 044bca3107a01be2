"""Three-party duty roster: a weekly rotation of the parties over RRULE duty days.

Each week belongs to one party (in the plan's order); within it the party's members take the
days in turn, skipping anyone unavailable that day. Holidays get no duty; a day no one can take
is reported as uncovered. Re-running over the same range adds only what is missing.
"""

import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from dateutil.rrule import rrulestr
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from lifecircle.ops.access import (
    MANAGERS,
    OPERATORS,
    ROLE_PARTY,
    STAFF_ROLES,
    Actor,
    managed_unit,
)
from lifecircle.ops.audit import record, save_audited, snapshot
from lifecircle.ops.errors import Conflict, Forbidden, Invalid, NotFound
from lifecircle.ops.stations import get_station_for
from lifecircle.store.org.models import PARTY_ROLE, OrgUnit, Party, RoleGrant
from lifecircle.store.roster.models import (
    DutyAssignment,
    Holiday,
    RotationPlan,
    SwapRequest,
    Unavailability,
)
from lifecircle.store.stations.models import Station

DEFAULT_RRULE = "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR,SA"
DEFAULT_PARTIES = [Party.COMMITTEE, Party.OWNERS, Party.PROPERTY]
MAX_DAYS = 366


@dataclass
class RosterResult:
    created: list[DutyAssignment] = field(default_factory=list)
    uncovered: list[date] = field(default_factory=list)
    holidays: list[date] = field(default_factory=list)


def duty_days(rule: str, start: date, end: date) -> list[date]:
    """The dates of `rule` (RFC 5545 RRULE, daily or coarser) from `start` to `end` inclusive."""
    if not re.search(r"\bFREQ=(DAILY|WEEKLY|MONTHLY|YEARLY)\b", rule.upper()):
        raise Invalid(
            "rrule: 须为 FREQ=DAILY/WEEKLY/MONTHLY/YEARLY must repeat by day or coarser",
            field="rrule",
        )
    first = datetime.combine(start, datetime.min.time())
    try:
        recurrence = rrulestr(rule, dtstart=first)
    except (ValueError, TypeError) as exc:
        raise Invalid(
            f"rrule: 无效的重复规则 invalid recurrence rule ({exc})", field="rrule"
        ) from None
    until = datetime.combine(end, datetime.min.time())
    return [d.date() for d in recurrence.between(first, until, inc=True)]


def _check_range(start: date, end: date) -> None:
    if end < start:
        raise Invalid("end: 结束日期早于开始日期 end is before start", field="end")
    if (end - start).days > MAX_DAYS:
        raise Invalid(f"end: 一次最多排 {MAX_DAYS} 天 at most {MAX_DAYS} days at once", field="end")


def holidays_for(unit: OrgUnit, start: date, end: date) -> set[date]:
    return set(
        Holiday.objects.filter(
            unit_id__in=unit.ancestors_and_self(), date__gte=start, date__lte=end
        ).values_list("date", flat=True)
    )


def party_members(station: Station, party: str) -> list:
    """The people holding the party's role on the station or above it, by username."""
    users = RoleGrant.objects.filter(
        role=PARTY_ROLE[party], unit_id__in=station.unit.ancestors_and_self()
    ).values_list("user_id", flat=True)
    return list(get_user_model().objects.filter(pk__in=users, is_active=True).order_by("username"))


@dataclass
class Slot:
    """One duty day of a rotation: the party whose week it is and who takes it (None: nobody)."""

    day: date
    party: str
    person: object | None
    holiday: bool = False


def _check_parties(parties: list[str]) -> list[str]:
    unknown = [p for p in parties if p not in Party.values]
    if unknown or not parties or len(set(parties)) != len(parties):
        raise Invalid(f"parties: 须为不重复的 distinct values of {Party.values}", field="parties")
    return parties


def _rotation_people(station: Station, parties: list[str], people: dict | None) -> dict:
    """Each party's people: the chosen ones (who must belong to it here) or all its members."""
    members = {p: party_members(station, p) for p in parties}
    for party, chosen in (people or {}).items():
        if party not in members:
            raise Invalid(f"people: {party} 不在轮换中 is not in the rotation", field="people")
        by_id = {u.pk: u for u in members[party]}
        stray = [i for i in chosen if int(i) not in by_id]
        if stray:
            raise Invalid(
                f"people: 用户 {stray[0]} 不是本驿站的{party}成员 is not {party} staff here",
                field="people",
            )
        if chosen:
            members[party] = [by_id[int(i)] for i in chosen]
    return members


def rotation(
    station: Station,
    *,
    start: date,
    end: date,
    parties: list[str],
    rrule: str = DEFAULT_RRULE,
    people: dict | None = None,
    extra_holidays: set[date] | None = None,
) -> list[Slot]:
    """Who would take each duty day from `start` to `end` (nothing is written): the parties
    take whole weeks in turn; within a week the party's people take the days in turn, skipping
    anyone unavailable; holidays are marked."""
    _check_range(start, end)
    parties = _check_parties(list(parties))
    days = duty_days(rrule, start, end)
    closed = holidays_for(station.unit, start, end)
    away = set(
        Unavailability.objects.filter(date__gte=start, date__lte=end).values_list("user_id", "date")
    )
    members = _rotation_people(station, parties, people)
    turn = dict.fromkeys(parties, 0)
    first_monday = start - timedelta(days=start.weekday())
    slots = []
    for day in days:
        party = parties[((day - first_monday).days // 7) % len(parties)]
        if day in closed:
            slots.append(Slot(day, party, None, holiday=True))
            continue
        group = members[party]
        chosen = None
        for k in range(len(group)):
            candidate = group[(turn[party] + k) % len(group)]
            if (candidate.pk, day) not in away:
                chosen = candidate
                turn[party] = (turn[party] + k + 1) % len(group)
                break
        slots.append(Slot(day, party, chosen))
    return slots


def generate(
    actor: Actor,
    station_id: int,
    *,
    start: date,
    end: date,
    parties: list[str] | None = None,
    rrule: str = DEFAULT_RRULE,
    task: str = "值班 duty",
    people: dict | None = None,
    hours: str = "",
) -> RosterResult:
    """Create the rotation plan and its assignments for [start, end].

    `people` maps a party to the ids of the people who take its weeks (default: all members);
    `hours` is shown with the duty (e.g. "08:30-17:00").
    """
    parties = list(parties or DEFAULT_PARTIES)
    result = RosterResult()
    with transaction.atomic():
        station = get_station_for(actor, station_id)
        if not actor.has(MANAGERS, station.unit):
            raise Forbidden("无权排班 may not make the roster here")
        slots = rotation(station, start=start, end=end, parties=parties, rrule=rrule, people=people)
        plan = save_audited(
            actor,
            "roster.plan",
            RotationPlan(
                station=station,
                task=task,
                rrule=rrule,
                parties=parties,
                people={p: [int(i) for i in ids] for p, ids in (people or {}).items()},
                hours=hours,
                starts=start,
            ),
            unit=station.unit,
        )
        taken = set(
            DutyAssignment.objects.filter(
                station=station, task=task, date__gte=start, date__lte=end
            ).values_list("date", flat=True)
        )
        for slot in slots:
            if slot.holiday:
                result.holidays.append(slot.day)
            elif slot.day in taken:
                continue
            elif slot.person is None:
                result.uncovered.append(slot.day)
            else:
                duty = DutyAssignment.objects.create(
                    station=station,
                    date=slot.day,
                    task=task,
                    party=slot.party,
                    person=slot.person,
                    plan=plan,
                )
                record(actor, "roster.assign", duty, before=None, unit=station.unit)
                result.created.append(duty)
    return result


@dataclass
class Setup:
    """What the roster wizard asks: days, hours, parties in order, their people, the start, how
    many weeks, and holidays to add (date, name)."""

    weekdays: list[int]
    start: date
    weeks: int = 4
    parties: list[str] = field(default_factory=lambda: list(DEFAULT_PARTIES))
    people: dict = field(default_factory=dict)
    hours: str = ""
    holidays: list[tuple[date, str]] = field(default_factory=list)

    @property
    def end(self) -> date:
        return self.start + timedelta(days=7 * self.weeks - 1)


def _managed_station(actor: Actor, station_id: int) -> Station:
    station = get_station_for(actor, station_id)
    if not actor.has(MANAGERS, station.unit):
        raise Forbidden("无权排班 may not make the roster here")
    return station


def preview(actor: Actor, station_id: int, setup: Setup) -> list[Slot]:
    """The duties the wizard would create (nothing is written)."""
    if not 1 <= setup.weeks <= 52:
        raise Invalid("weeks: 须为 1–52 周 1 to 52 weeks", field="weeks")
    station = _managed_station(actor, station_id)
    return rotation(
        station,
        start=setup.start,
        end=setup.end,
        parties=setup.parties,
        rrule=weekly_rule(setup.weekdays),
        people=setup.people,
        extra_holidays={d for d, _ in setup.holidays},
    )


def set_up(actor: Actor, station_id: int, setup: Setup) -> RosterResult:
    """Save the wizard: add the holidays to the station, then create the plan and its duties,
    all in one transaction."""
    preview(actor, station_id, setup)  # same checks, before anything is written
    with transaction.atomic():
        station = _managed_station(actor, station_id)
        for day, name in setup.holidays:
            if not Holiday.objects.filter(
                unit_id__in=station.unit.ancestors_and_self(), date=day
            ).exists():
                add_holiday(actor, station.unit.pk, day, name or "节假日 holiday")
        return generate(
            actor,
            station_id,
            start=setup.start,
            end=setup.end,
            parties=setup.parties,
            rrule=weekly_rule(setup.weekdays),
            people=setup.people,
            hours=setup.hours,
        )


def weekly_rule(weekdays: list[int]) -> str:
    """An RRULE for duty on the given weekdays (0 = Monday), for people who never type one."""
    codes = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
    if not weekdays or any(not 0 <= d <= 6 for d in weekdays):
        raise Invalid("weekdays: 请至少选一天 choose at least one day", field="weekdays")
    return "FREQ=WEEKLY;BYDAY=" + ",".join(codes[d] for d in sorted(set(weekdays)))


def assignments(actor: Actor, station_id: int, start: date, end: date) -> QuerySet:
    """The roster with names (and its exports): for the station's staff only. Residents,
    inspectors and volunteers see today's duty by party on the station's public page."""
    _check_range(start, end)
    station = get_station_for(actor, station_id)
    if not actor.has(STAFF_ROLES, station.unit):
        raise Forbidden("值班表仅供驿站工作人员 the full roster is for the station's staff")
    return DutyAssignment.objects.filter(
        station=station, date__gte=start, date__lte=end
    ).select_related("person", "station")


def duty_on(station: Station, day: date) -> QuerySet:
    """Who is on duty at the station that day (for the station page and the dashboard)."""
    return DutyAssignment.objects.filter(station=station, date=day).select_related("person")


def uncovered_days(actor: Actor, station_id: int, start: date, end: date) -> list[date]:
    """Duty days of the station's plans with nobody assigned (holidays excepted)."""
    _check_range(start, end)
    station = get_station_for(actor, station_id)
    closed = holidays_for(station.unit, start, end)
    missing = set()
    for plan in station.rotations.all():
        covered = set(
            DutyAssignment.objects.filter(
                station=station,
                task=plan.task,
                person__isnull=False,
                date__gte=start,
                date__lte=end,
            ).values_list("date", flat=True)
        )
        span_start = max(start, plan.starts)
        if span_start > end:
            continue
        missing |= set(duty_days(plan.rrule, span_start, end)) - covered - closed
    return sorted(missing)


def assign_duty(
    actor: Actor, station_id: int, *, day: date, task: str, person_id: int
) -> DutyAssignment:
    """Put a person on duty by hand (an override, e.g. to cover an uncovered day)."""
    with transaction.atomic():
        station = get_station_for(actor, station_id)
        if not actor.has(MANAGERS, station.unit):
            raise Forbidden("无权排班 may not make the roster here")
        person = _duty_person(station, person_id, field="person_id")
        if Unavailability.objects.filter(user=person, date=day).exists():
            raise Invalid(f"person_id: 此人当天不可值班 unavailable on {day}", field="person_id")
        party = _party_of(person, station)
        duty = DutyAssignment(station=station, date=day, task=task, party=party, person=person)
        return save_audited(actor, "roster.override", duty, unit=station.unit)


def add_holiday(actor: Actor, unit_id: int, day: date, name: str) -> Holiday:
    with transaction.atomic():
        unit = managed_unit(actor, unit_id, "无权设置节假日 may not set holidays here")
        if Holiday.objects.filter(unit=unit, date=day).exists():
            raise Conflict(f"date: {day} 已是节假日 already a holiday", field="date")
        return save_audited(
            actor, "roster.holiday", Holiday(unit=unit, date=day, name=name), unit=unit
        )


def mark_unavailable(actor: Actor, day: date, reason: str = "") -> Unavailability:
    """The caller cannot take duty that day."""
    if actor.user is None or not actor.paths(OPERATORS):
        raise Forbidden("只有值班人员可登记 only duty staff register unavailability")
    with transaction.atomic():
        if Unavailability.objects.filter(user=actor.user, date=day).exists():
            raise Conflict(f"date: {day} 已登记 already registered", field="date")
        entry = Unavailability(user=actor.user, date=day, reason=reason)
        return save_audited(actor, "roster.unavailable", entry, unit=None)


def request_swap(
    actor: Actor, assignment_id: int, replacement_id: int, reason: str = ""
) -> SwapRequest:
    """The person on duty (or the committee) asks for someone else to take the day."""
    with transaction.atomic():
        duty = (
            DutyAssignment.objects.select_related("station__unit").filter(pk=assignment_id).first()
        )
        if duty is None or not actor.roles_on(duty.station.unit):
            raise NotFound(
                f"assignment_id: 排班不存在 no duty {assignment_id}", field="assignment_id"
            )
        mine = actor.user is not None and duty.person_id == actor.user.pk
        if not (mine or actor.has(MANAGERS, duty.station.unit)):
            raise Forbidden("只能为自己的班次申请换班 only your own duty can be swapped")
        replacement = _duty_person(duty.station, replacement_id)
        if Unavailability.objects.filter(user=replacement, date=duty.date).exists():
            raise Invalid(
                f"replacement_id: 此人当天不可值班 unavailable on {duty.date}",
                field="replacement_id",
            )
        swap = SwapRequest(
            assignment=duty, replacement=replacement, reason=reason, requested_by=actor.user
        )
        return save_audited(actor, "roster.swap_request", swap, unit=duty.station.unit)


def _party_of(person, station: Station, prefer: str | None = None) -> str:
    """The party the person serves the station for (`prefer` if they belong to it)."""
    roles = RoleGrant.objects.filter(
        user=person, unit_id__in=station.unit.ancestors_and_self()
    ).values_list("role", flat=True)
    parties = sorted(ROLE_PARTY[r] for r in roles if r in ROLE_PARTY)
    return prefer if prefer in parties else parties[0]


def _duty_person(station: Station, user_id: int, field: str = "replacement_id"):
    grant = (
        RoleGrant.objects.filter(
            user_id=user_id,
            role__in=list(PARTY_ROLE.values()),
            unit_id__in=station.unit.ancestors_and_self(),
        )
        .select_related("user")
        .first()
    )
    if grant is None:
        raise Invalid(
            f"{field}: 此人不是本驿站的值班人员 user {user_id} is not duty staff here", field=field
        )
    return grant.user


def decide_swap(actor: Actor, swap_id: int, approve: bool) -> SwapRequest:
    """The committee approves (the replacement takes the day) or rejects a swap."""
    with transaction.atomic():
        swap = (
            SwapRequest.objects.select_for_update(of=("self",))
            .select_related("assignment__station__unit")
            .filter(pk=swap_id)
            .first()
        )
        if swap is None or not actor.roles_on(swap.assignment.station.unit):
            raise NotFound(f"swap_id: 换班申请不存在 no swap {swap_id}", field="swap_id")
        unit = swap.assignment.station.unit
        if not actor.has(MANAGERS, unit):
            raise Forbidden("无权审批换班 may not decide swaps here")
        if swap.status != SwapRequest.Status.PENDING:
            raise Conflict(f"status: 已处理 already {swap.status}", field="status")
        before = snapshot(swap)
        swap.status = SwapRequest.Status.APPROVED if approve else SwapRequest.Status.REJECTED
        swap.decided_by = actor.user
        swap.decided_at = timezone.now()
        if approve:
            duty = swap.assignment
            duty_before = snapshot(duty)
            duty.person = swap.replacement
            duty.party = _party_of(swap.replacement, duty.station, prefer=duty.party)
            try:
                with transaction.atomic():
                    duty.save()
            except IntegrityError:
                raise Conflict(
                    "replacement_id: 此人当天已有同一班次 already on this duty that day",
                    field="replacement_id",
                ) from None
            record(actor, "roster.swap", duty, before=duty_before, unit=unit)
        return save_audited(actor, "roster.swap_decide", swap, unit=unit, before=before)


def to_xlsx(rows) -> bytes:
    """The roster as an Excel sheet: date, weekday, station, task, party, person."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "值班表 roster"
    sheet.append(
        ["日期 date", "星期 weekday", "驿站 station", "任务 task", "值班方 party", "值班人 person"]
    )
    weekdays = "一二三四五六日"
    for duty in rows:
        sheet.append(
            [
                duty.date,
                f"周{weekdays[duty.date.weekday()]}",
                duty.station.name,
                duty.task,
                duty.get_party_display(),
                duty.person.get_username() if duty.person else "",
            ]
        )
    for column, width in zip("ABCDEF", (12, 8, 24, 12, 26, 14), strict=True):
        sheet.column_dimensions[column].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def to_ical(rows, name: str) -> bytes:
    """The roster as an iCalendar file: one all-day event per duty."""
    from icalendar import Calendar, Event

    calendar = Calendar()
    calendar.add("prodid", "-//lifecircle//roster//ZH")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    stamp = timezone.now()
    for duty in rows:
        event = Event()
        event.add("uid", f"duty-{duty.pk}@lifecircle")
        event.add("dtstamp", stamp)
        event.add("dtstart", duty.date)
        event.add("dtend", duty.date + timedelta(days=1))
        who = duty.person.get_username() if duty.person else "未安排 uncovered"
        event.add("summary", f"{duty.task} {duty.get_party_display()} {who}")
        event.add("location", duty.station.name)
        calendar.add_component(event)
    return calendar.to_ical()
