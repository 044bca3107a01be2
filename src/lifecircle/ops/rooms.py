"""The room and its use (一室多用、共用共享): bookings of a station's rooms within opening hours,
approved by staff, never overlapping (the database refuses it), and the service log (服务台账)
in which staff record each service of the station's list as it is delivered."""

from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from lifecircle.ops import notices
from lifecircle.ops.access import MANAGERS, OPERATORS, STAFF_ROLES, Actor
from lifecircle.ops.audit import save_audited, snapshot
from lifecircle.ops.errors import Conflict, Forbidden, Invalid, NotFound
from lifecircle.ops.roster import party_members
from lifecircle.store.org.models import Party, Role
from lifecircle.store.stations.models import (
    Booking,
    BookingSlot,
    CatalogueItem,
    Room,
    ServiceLogEntry,
    Station,
)

CELL = timedelta(minutes=30)
LONGEST = timedelta(hours=8)


def cells(starts: datetime, ends: datetime) -> list[datetime]:
    """The half-hour cells a period covers (both ends on the half hour)."""
    out, at = [], starts
    while at < ends:
        out.append(at)
        at += CELL
    return out


def _room(actor: Actor, room_id: int) -> Room:
    room = Room.objects.select_related("station__unit").filter(pk=room_id, active=True).first()
    if room is None or not actor.roles_on(room.station.unit):
        raise NotFound(f"room_id: 房间不存在 no room {room_id}", field="room_id")
    return room


def _check_period(room: Room, starts: datetime, ends: datetime) -> None:
    if ends <= starts:
        raise Invalid("ends: 须晚于开始时间 must be after the start", field="ends")
    if ends - starts > LONGEST:
        raise Invalid("ends: 一次最多 8 小时 at most 8 hours", field="ends")
    for moment, name in ((starts, "starts"), (ends, "ends")):
        if moment.minute % 30 or moment.second or moment.microsecond:
            raise Invalid(f"{name}: 须为整点或半点 on the hour or half hour", field=name)
    local_start, local_end = timezone.localtime(starts), timezone.localtime(ends)
    if local_start.date() != local_end.date() and local_end.time() != datetime.min.time():
        raise Invalid("ends: 须在同一天 the same day", field="ends")
    if local_start.time() < room.opens or (local_end.time() > room.closes):
        raise Invalid(
            f"starts: 开放时间 {room.opens:%H:%M}–{room.closes:%H:%M} outside opening hours",
            field="starts",
        )
    if starts < timezone.now():
        raise Invalid("starts: 不能预约过去的时间 cannot book the past", field="starts")


def book(
    actor: Actor, room_id: int, *, starts: datetime, ends: datetime, purpose: str, booker_kind: str
) -> Booking:
    """Ask for a room: residents for themselves, teams by a member, the three parties for
    committee use. The period's half-hour cells are taken at once; a clash is a Conflict.

    Example
    -------
    >>> book(actor, room.pk, starts=..., ends=..., purpose="读书会", booker_kind="team")  # doctest: +SKIP
    """
    if not purpose.strip():
        raise Invalid("purpose: 请填写用途 what is it for", field="purpose")
    with transaction.atomic():
        room = _room(actor, room_id)
        allowed = {
            Booking.Booker.RESIDENT: {Role.RESIDENT},
            Booking.Booker.TEAM: {Role.VOLUNTEER, Role.RESIDENT} | STAFF_ROLES,
            Booking.Booker.COMMITTEE: STAFF_ROLES,
        }.get(booker_kind)
        if allowed is None:
            raise Invalid(f"booker_kind: 可选值 allowed {Booking.Booker.values}", "booker_kind")
        if actor.user is None or not actor.has(allowed, room.station.unit):
            raise Forbidden("无权以此身份预约 may not book as this kind of user")
        if booker_kind == Booking.Booker.TEAM and not (
            actor.user.teams.exists() or actor.has(STAFF_ROLES, room.station.unit)
        ):
            raise Forbidden("只有队员可为团队预约 only team members book for a team")
        _check_period(room, starts, ends)
        booking = save_audited(
            actor,
            "room.book",
            Booking(
                room=room,
                starts=starts,
                ends=ends,
                purpose=purpose.strip(),
                booker_kind=booker_kind,
                booked_by=actor.user,
            ),
            unit=room.station.unit,
        )
        _hold(booking)
        notices.notify_users(
            party_members(room.station, Party.COMMITTEE),
            "room.booking",
            f"场地预约待批 Booking to approve: {room.name}",
            f"{timezone.localtime(starts):%m-%d %H:%M}–{timezone.localtime(ends):%H:%M} {purpose}",
            f"/stations/{room.station_id}/rooms/",
        )
    return booking


def _hold(booking: Booking) -> None:
    try:
        with transaction.atomic():
            BookingSlot.objects.bulk_create(
                BookingSlot(room_id=booking.room_id, cell=c, booking=booking)
                for c in cells(booking.starts, booking.ends)
            )
    except IntegrityError:
        raise Conflict("starts: 该时段已被预约 the room is booked then", field="starts") from None


def decide(actor: Actor, booking_id: int, *, approve: bool) -> Booking:
    """Staff (committee or sub-district) approve a booking, or reject it and free its cells."""
    with transaction.atomic():
        booking = (
            Booking.objects.select_for_update(of=("self",))
            .select_related("room__station__unit")
            .filter(pk=booking_id)
            .first()
        )
        if booking is None or not actor.roles_on(booking.room.station.unit):
            raise NotFound(f"booking_id: 预约不存在 no booking {booking_id}", field="booking_id")
        unit = booking.room.station.unit
        if not actor.has(MANAGERS, unit):
            raise Forbidden("无权审批预约 may not decide bookings")
        if booking.status != Booking.Status.PENDING:
            raise Conflict(f"status: 已处理 already {booking.status}", field="status")
        before = snapshot(booking)
        booking.status = Booking.Status.APPROVED if approve else Booking.Status.REJECTED
        booking.decided_by = actor.user
        if not approve:
            booking.slots.all().delete()
        save_audited(actor, "room.decide", booking, unit=unit, before=before)
        notices.notify_users(
            [booking.booked_by],
            "room.decided",
            f"场地预约{'已批准' if approve else '未批准'} {booking.room.name}",
            f"{timezone.localtime(booking.starts):%m-%d %H:%M} {booking.purpose}",
            f"/stations/{booking.room.station_id}/",
        )
    return booking


def calendar(station: Station, start: date, days: int = 7) -> QuerySet:
    """Bookings (not rejected) of the station's rooms from `start` for `days` days."""
    begin = timezone.make_aware(datetime.combine(start, datetime.min.time()))
    return (
        Booking.objects.filter(
            room__station=station,
            starts__gte=begin,
            starts__lt=begin + timedelta(days=days),
        )
        .exclude(status=Booking.Status.REJECTED)
        .select_related("room", "booked_by")
    )


def log_service(actor: Actor, item_id: int, *, people: int = 1, note: str = "") -> ServiceLogEntry:
    """Record one delivery of a listed service (服务台账) by the station's staff."""
    with transaction.atomic():
        item = CatalogueItem.objects.select_related("station__unit").filter(pk=item_id).first()
        if item is None or not actor.roles_on(item.station.unit):
            raise NotFound(f"item_id: 服务不存在 no service {item_id}", field="item_id")
        if not actor.has(OPERATORS | MANAGERS, item.station.unit):
            raise Forbidden("只有驿站工作人员可记台账 only the station's staff keep the log")
        if not 1 <= people <= 500:
            raise Invalid("people: 人数须为 1–500 from 1 to 500", field="people")
        entry = ServiceLogEntry(
            station=item.station, item=item, people=people, recorded_by=actor.user, note=note
        )
        return save_audited(actor, "service.log", entry, unit=item.station.unit)


def room_use_by_month(stations: QuerySet, since: date) -> list[dict]:
    """Approved booked hours per room and month (the use a closure review reads)."""
    rows = (
        Booking.objects.filter(
            room__station__in=stations, status=Booking.Status.APPROVED, starts__date__gte=since
        )
        .annotate(month=TruncMonth("starts"))
        .values("room__station__name", "room__name", "month")
        .annotate(bookings=Count("id", distinct=True), cells=Count("slots"))
        .order_by("room__station__name", "room__name", "month")
    )
    return [{**r, "hours": r["cells"] / 2} for r in rows]


def service_use_by_month(stations: QuerySet, since: date) -> list[dict]:
    """Services delivered and people served per listed service and month."""
    return list(
        ServiceLogEntry.objects.filter(station__in=stations, at__date__gte=since)
        .annotate(month=TruncMonth("at"))
        .values("station__name", "item__title", "month")
        .annotate(times=Count("id"), people=Sum("people"))
        .order_by("station__name", "item__title", "month")
    )
