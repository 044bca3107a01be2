"""Three months of made-up history for the demo stations, so every page and chart shows
something on first start: requests through their whole cycle, rosters, inspections with
rectification orders, monthly meetings with action items, volunteer activities with hours,
room bookings and the service log.

Deterministic (a fixed random seed, dates counted back from `today`) and written straight to
the tables in one transaction with one audit entry naming it (the history is invented; the
services' own checks and audit belong to real work).
"""

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.utils import timezone

from lifecircle.ops.access import Actor
from lifecircle.ops.audit import record
from lifecircle.ops.rooms import cells
from lifecircle.ops.roster import DEFAULT_PARTIES, DEFAULT_RRULE, party_members, rotation
from lifecircle.ops.streets import network_lines, save_streets
from lifecircle.store.inspections.models import (
    ActionItem,
    ChecklistTemplate,
    InspectionPlan,
    InspectionTask,
    ItemResult,
    JointConfirmation,
    Meeting,
    Mode,
    RectificationOrder,
)
from lifecircle.store.org.models import Party
from lifecircle.store.requests.models import (
    Channel,
    ExtensionRequest,
    RequestEvent,
    ServiceRequest,
    Status,
)
from lifecircle.store.roster.models import DutyAssignment, RotationPlan, SwapRequest
from lifecircle.store.stations.models import Booking, BookingSlot, ServiceCategory, ServiceLogEntry
from lifecircle.store.volunteers.models import Activity, SignUp, Team

DAYS = 92
SEED = 20260101
DESCRIPTIONS = {
    "repair": ["楼道灯不亮", "单元门禁坏了", "雨棚漏水", "健身器材松动"],
    "sanitation": ["垃圾房没清运", "绿化带有杂物", "楼道堆物"],
    "elderly_care": ["独居老人需要助餐", "想申请居家养老服务", "老人需要陪同就医"],
    "consultation": ["高龄津贴怎么申请", "居住证办理咨询", "医保报销咨询"],
    "neighbour_dispute": ["楼上噪音扰民", "空调外机滴水纠纷"],
    "owners_affairs": ["维修基金使用公示", "停车位管理办法意见"],
}
CATEGORY_PARTY = {
    "repair": Party.PROPERTY,
    "sanitation": Party.PROPERTY,
    "elderly_care": Party.COMMITTEE,
    "consultation": Party.COMMITTEE,
    "neighbour_dispute": Party.COMMITTEE,
    "owners_affairs": Party.OWNERS,
}


def _at(day: date, hour: float) -> datetime:
    minutes = int(hour * 60)
    return timezone.make_aware(datetime.combine(day, time(minutes // 60, minutes % 60)))


def seed_history(demo, today: date | None = None) -> dict[str, int]:
    """Write the history for `demo` (from `seed_demo`); returns the rows made per kind."""
    today = today or timezone.localdate()
    rng = random.Random(SEED)
    made = dict.fromkeys(
        (
            "requests",
            "duties",
            "inspections",
            "meetings",
            "activities",
            "signups",
            "bookings",
            "service_log",
        ),
        0,
    )
    categories = {c.code: c for c in ServiceCategory.objects.all()}
    residents = [demo.users[u] for u in ("jumin1", "jumin2") if u in demo.users]
    start = today - timedelta(days=DAYS)
    with transaction.atomic():
        for n, station in enumerate(demo.stations, start=1):
            committee = demo.users.get(f"juwei{n}")
            made["requests"] += _requests(
                rng, station, categories, residents, committee, start, today
            )
            made["duties"] += _roster(rng, station, committee, start, today)
            made["inspections"] += _inspections(rng, station, demo, start, today)
        for n, unit in enumerate(demo.committees, start=1):
            made["meetings"] += _meetings(rng, unit, demo.users.get(f"juwei{n}"), start, today)
        for station in demo.stations:
            made["bookings"] += _bookings(rng, station, demo, start, today)
            made["service_log"] += _service_log(rng, station, demo, start, today)
        activities, signups = _volunteering(rng, demo, start, today)
        made["activities"], made["signups"] = activities, signups
        from lifecircle.data.demo import build_demo_area

        save_streets(
            None, demo.subdistrict, network_lines(build_demo_area().graph), "示意路网 demo network"
        )
        record(
            Actor(demo.users["admin"]),
            "demo.history",
            demo.subdistrict,
            before=None,
            unit=demo.subdistrict,
            note=" ".join(f"{k}={v}" for k, v in made.items()),
        )
    return made


def _event(req, at, who, from_status, to_status, note="", kind="status"):
    RequestEvent.objects.create(
        request=req,
        at=at,
        actor=who,
        actor_label=who.get_username() if who else "resident",
        from_status=from_status,
        to_status=to_status,
        kind=kind,
        note=note,
    )


def _requests(rng, station, categories, residents, committee, start, today) -> int:
    count = 0
    day = start
    while day < today:
        for _ in range(rng.choice((0, 0, 1, 1, 1, 2))):
            code = rng.choice(list(categories))
            category = categories[code]
            opened = _at(day, rng.uniform(8.5, 17))
            age = (_at(today, 12) - opened).total_seconds() / 3600
            resident = rng.choice(residents + [None, None])
            req = ServiceRequest.objects.create(
                station=station,
                category=category,
                channel=Channel.RESIDENT
                if resident
                else rng.choice([Channel.COUNTER, Channel.PHONE]),
                description=rng.choice(DESCRIPTIONS.get(code, ["居民反映的问题"])),
                requester=resident,
                contact_name="" if resident else rng.choice(["王阿姨", "李师傅", "张老师"]),
                phone=f"138{rng.randrange(10**8):08d}",
                requested_datetime=opened,
                updated_datetime=opened,
                expected_datetime=opened + timedelta(hours=category.sla_hours),
                warning_datetime=opened
                + timedelta(hours=max(0, category.sla_hours - category.warning_hours)),
            )
            _event(req, opened, committee, "", Status.RECEIVED, "channel=" + req.channel)
            _advance(rng, req, committee, age)
            count += 1
        day += timedelta(days=1)
    return count


def _advance(rng, req, committee, age_hours: float) -> None:
    """Move the request along as far as its age allows (some late, some still open)."""
    party = CATEGORY_PARTY.get(req.category.code, Party.COMMITTEE)
    people = party_members(req.station, party)
    handler = people[0] if people else committee
    sla = req.category.sla_hours
    t = req.requested_datetime
    steps = []
    if age_hours > 2:
        t += timedelta(hours=rng.uniform(0.5, 2))
        steps.append((t, Status.RECEIVED, Status.ASSIGNED, committee, "", "status"))
        req.assigned_party, req.assignee = party, handler
    if age_hours > 6:
        t += timedelta(hours=rng.uniform(0.5, 4))
        req.accepted_at = t
        steps.append((t, Status.ASSIGNED, Status.ASSIGNED, handler, "签收 accepted", "accept"))
        t += timedelta(hours=rng.uniform(0.5, 6))
        steps.append((t, Status.ASSIGNED, Status.IN_PROGRESS, handler, "", "status"))
    late = rng.random() < 0.15
    took = sla * (rng.uniform(1.1, 1.6) if late else rng.uniform(0.2, 0.9))
    done_at = req.requested_datetime + timedelta(hours=took)
    if age_hours > took + 2 and len(steps) == 3:
        t = max(t + timedelta(minutes=30), done_at)
        req.resolution = "已处理完毕 done"
        steps.append((t, Status.IN_PROGRESS, Status.RESOLVED, handler, req.resolution, "status"))
        if age_hours > took + 48:
            req.rating = rng.choice((5, 5, 5, 4, 4, 3, 2))
            t += timedelta(hours=rng.uniform(4, 40))
            steps.append(
                (t, Status.RESOLVED, Status.RESOLVED, committee, f"rating={req.rating}", "status")
            )
            t += timedelta(hours=1)
            req.closed_datetime = t
            steps.append(
                (t, Status.RESOLVED, Status.CLOSED, committee, "回访 return visit", "status")
            )
    for at, before, after, who, note, kind in steps:
        _event(req, at, who, before, after, note, kind)
    if steps:
        req.status = steps[-1][2]
        req.updated_datetime = steps[-1][0]
        req.version = 1 + len(steps)
    req.save()
    if req.status == Status.IN_PROGRESS and rng.random() < 0.2:
        ExtensionRequest.objects.create(
            request=req, hours=48, reason="等待配件 waiting for parts", requested_by=handler
        )


def _roster(rng, station, committee, start, today) -> int:
    monday = start - timedelta(days=start.weekday())
    end = today + timedelta(days=27)
    plan = RotationPlan.objects.create(
        station=station,
        rrule=DEFAULT_RRULE,
        parties=[str(p) for p in DEFAULT_PARTIES],
        hours="08:30-17:00",
        starts=monday,
    )
    slots = rotation(station, start=monday, end=end, parties=list(DEFAULT_PARTIES))
    duties = [
        DutyAssignment(
            station=station, date=s.day, task=plan.task, party=s.party, person=s.person, plan=plan
        )
        for s in slots
        if s.person is not None and not s.holiday
    ]
    DutyAssignment.objects.bulk_create(duties)
    upcoming = DutyAssignment.objects.filter(station=station, date__gt=today).order_by("date")
    first = upcoming.first()
    if first is not None and committee is not None and first.person != committee:
        SwapRequest.objects.create(
            assignment=first,
            replacement=committee,
            reason="家中有事 family matter",
            requested_by=first.person,
        )
    return len(duties)


def _inspections(rng, station, demo, start, today) -> int:
    inspector = demo.users["anquan"]
    templates = {t.kind: t for t in ChecklistTemplate.objects.prefetch_related("items")}
    plans = [
        InspectionPlan.objects.create(
            station=station,
            template=templates["fire"],
            mode=Mode.SELF,
            interval=InspectionPlan.Interval.MONTHLY,
            starts=start.replace(day=10),
        ),
        InspectionPlan.objects.create(
            station=station,
            template=templates["food"],
            mode=Mode.JOINT,
            interval=InspectionPlan.Interval.QUARTERLY,
            starts=start.replace(day=20),
        ),
    ]
    made = 0
    for plan in plans:
        step = 1 if plan.interval == InspectionPlan.Interval.MONTHLY else 3
        k, due = 0, plan.starts
        while due <= today + timedelta(days=40):
            task = InspectionTask.objects.create(
                plan=plan, station=station, template=plan.template, mode=plan.mode, due_date=due
            )
            made += 1
            if due < today - timedelta(days=3):
                _perform(rng, task, inspector, demo, today)
            k += 1
            due = plan.starts + relativedelta(months=step * k)
    return made


def _perform(rng, task, inspector, demo, today) -> None:
    performer = (
        inspector if task.mode == Mode.JOINT else party_members(task.station, Party.PROPERTY)[0]
    )
    task.status, task.inspector = InspectionTask.Status.DONE, performer
    task.performed_at = _at(task.due_date, 10)
    task.save()
    for item in task.template.items.all():
        passed = rng.random() > 0.2
        result = ItemResult.objects.create(
            task=task, item=item, passed=passed, note="" if passed else "需整改 to fix"
        )
        if not passed:
            deadline = task.due_date + timedelta(days=14)
            closed = deadline < today - timedelta(days=7)
            RectificationOrder.objects.create(
                result=result,
                station=task.station,
                deadline=deadline,
                responsible_party=Party.PROPERTY,
                status=RectificationOrder.Status.CLOSED
                if closed
                else RectificationOrder.Status.OPEN,
                evidence="已整改 fixed" if closed else "",
                evidence_at=_at(deadline - timedelta(days=3), 15) if closed else None,
                reinspected_by=inspector if closed else None,
                closed_at=_at(deadline - timedelta(days=1), 11) if closed else None,
            )
    if task.mode == Mode.JOINT:
        for party in DEFAULT_PARTIES:
            people = party_members(task.station, party)
            if people:
                JointConfirmation.objects.create(
                    task=task, party=party, user=people[0], at=_at(task.due_date, 16)
                )


def _meetings(rng, unit, committee, start, today) -> int:
    made = 0
    month = start.replace(day=1) + relativedelta(months=1)
    while month <= today:
        held = month + timedelta(days=4)
        if held > today:
            break
        meeting = Meeting.objects.create(
            unit=unit,
            held_on=held,
            title=f"{held:%Y年%m月}运营例会",
            minutes="三方通报上月诉求办理、值班与安全检查情况；议定下列事项。",
        )
        for text, party, days in (
            ("更换过期灭火器", Party.PROPERTY, 14),
            ("公示本月服务清单调整", Party.COMMITTEE, 7),
            ("征集停车管理意见", Party.OWNERS, 30),
        ):
            due = held + timedelta(days=days)
            done = due < today - timedelta(days=5)
            ActionItem.objects.create(
                meeting=meeting,
                text=text,
                owner_party=party,
                due=due,
                done=done,
                done_at=_at(due - timedelta(days=1), 12) if done else None,
            )
        made += 1
        month += relativedelta(months=1)
    return made


def _volunteering(rng, demo, start, today) -> tuple[int, int]:
    team = Team.objects.filter(unit=demo.subdistrict).first()
    if team is None:
        return 0, 0
    people = [demo.users[u] for u in ("zhiyuan", "jumin1", "jumin2") if u in demo.users]
    titles = ["为老助餐送餐", "楼道清洁日", "读书会志愿者", "防诈骗宣传"]
    activities = signups = 0
    day = start + timedelta(days=5)
    while day <= today + timedelta(days=21):
        station = demo.stations[activities % len(demo.stations)]
        activity = Activity.objects.create(
            team=team,
            station=station,
            title=titles[activities % len(titles)],
            starts_at=_at(day, 9),
            ends_at=_at(day, 11.5),
            capacity=8,
        )
        activities += 1
        for person in rng.sample(people, k=rng.randint(1, len(people))):
            past = day < today
            SignUp.objects.create(
                activity=activity,
                user=person,
                hours=Decimal("2.5") if past and rng.random() < 0.8 else None,
                confirmed_by=demo.users.get("jiedao") if past else None,
            )
            signups += 1
        day += timedelta(days=14)
    return activities, signups


def _bookings(rng, station, demo, start, today) -> int:
    """About three bookings a week per station: clubs, meetings, residents' events."""
    uses = [
        ("读书会 reading club", Booking.Booker.TEAM, "zhiyuan"),
        ("三方例会 three-party meeting", Booking.Booker.COMMITTEE, "jiedao"),
        ("老年合唱 choir", Booking.Booker.RESIDENT, "jumin1"),
        ("亲子手工 crafts", Booking.Booker.RESIDENT, "jumin2"),
    ]
    made, day = 0, start
    rooms = list(station.rooms.all())
    while day <= today + timedelta(days=10) and rooms:
        for _ in range(rng.choice((0, 0, 1, 1))):
            purpose, kind, who = rng.choice(uses)
            hour = rng.choice((9, 10, 14, 15, 18))
            starts = _at(day, hour)
            ends = starts + timedelta(hours=rng.choice((1, 1.5, 2)))
            room = rng.choice(rooms)
            taken = BookingSlot.objects.filter(room=room, cell__in=cells(starts, ends)).exists()
            if taken or who not in demo.users:
                continue
            status = (
                Booking.Status.APPROVED
                if day < today
                else rng.choice([Booking.Status.APPROVED, Booking.Status.PENDING])
            )
            booking = Booking.objects.create(
                room=room,
                starts=starts,
                ends=ends,
                purpose=purpose,
                booker_kind=kind,
                booked_by=demo.users[who],
                status=status,
            )
            BookingSlot.objects.bulk_create(
                BookingSlot(room=room, cell=c, booking=booking) for c in cells(starts, ends)
            )
            made += 1
        day += timedelta(days=1)
    return made


def _service_log(rng, station, demo, start, today) -> int:
    items = list(station.catalogue.all())
    staff = [
        u for u in party_members(station, Party.COMMITTEE) + party_members(station, Party.PROPERTY)
    ]
    entries, day = [], start
    while day <= today and items and staff:
        if day.weekday() < 6:
            for item in items:
                for _ in range(rng.choice((0, 1, 1, 2, 3))):
                    entries.append(
                        ServiceLogEntry(
                            station=station,
                            item=item,
                            at=_at(day, rng.uniform(8.5, 17)),
                            people=rng.choice((1, 1, 1, 2, 3)),
                            recorded_by=rng.choice(staff),
                        )
                    )
        day += timedelta(days=1)
    ServiceLogEntry.objects.bulk_create(entries)
    return len(entries)
