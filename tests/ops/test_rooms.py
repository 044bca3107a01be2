"""Rooms: bookings within opening hours, never overlapping — refused by the database itself
(the half-hour slot grid everywhere; on PostgreSQL also an exclusion constraint) — staff
approval, and the service log; each refusal writes nothing."""

from datetime import datetime, time, timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from ops_helpers import store_counts

from lifecircle.ops import rooms
from lifecircle.ops.access import Actor
from lifecircle.ops.errors import Conflict, Forbidden, Invalid, NotFound
from lifecircle.store.stations.models import Booking, BookingSlot, Room, ServiceLogEntry


def at(hour: float, days: int = 2) -> datetime:
    day = timezone.localdate() + timedelta(days=days)
    return timezone.make_aware(datetime.combine(day, time(int(hour), int(hour % 1 * 60))))


def who(demo, name):
    return Actor(demo.users[name])


@pytest.fixture
def room(demo) -> Room:
    return demo.stations[0].rooms.get(name__startswith="多功能")


def test_booking_clash_is_refused_adjacent_is_fine_reject_frees(demo, room):
    first = rooms.book(
        who(demo, "jumin1"),
        room.pk,
        starts=at(14),
        ends=at(16),
        purpose="合唱",
        booker_kind="resident",
    )
    assert first.status == "pending" and first.slots.count() == 4
    before = store_counts()
    with pytest.raises(Conflict):
        rooms.book(
            who(demo, "jumin2"),
            room.pk,
            starts=at(15.5),
            ends=at(17),
            purpose="手工",
            booker_kind="resident",
        )
    assert store_counts() == before
    rooms.book(
        who(demo, "jumin2"),
        room.pk,
        starts=at(16),
        ends=at(17),
        purpose="手工",
        booker_kind="resident",
    )
    with pytest.raises(Forbidden):
        rooms.decide(who(demo, "wuye1"), first.pk, approve=False)
    rooms.decide(who(demo, "juwei1"), first.pk, approve=False)
    assert BookingSlot.objects.filter(booking=first).count() == 0
    again = rooms.book(
        who(demo, "jumin2"),
        room.pk,
        starts=at(14),
        ends=at(15),
        purpose="读书",
        booker_kind="resident",
    )
    rooms.decide(who(demo, "juwei1"), again.pk, approve=True)
    assert Booking.objects.get(pk=again.pk).status == "approved"
    week = list(rooms.calendar(demo.stations[0], timezone.localdate()))
    assert [b.purpose for b in week] == ["读书", "手工"]


@pytest.mark.parametrize(
    ("starts", "ends", "field"),
    [
        (at(7), at(9), "starts"),
        (at(19.5), at(21), "starts"),
        (at(14.25), at(15), "starts"),
        (at(14), at(14), "ends"),
        (at(9), at(18), "ends"),
        (at(14, days=-1), at(15, days=-1), "starts"),
    ],
)
def test_bad_periods_are_named(demo, room, starts, ends, field):
    before = store_counts()
    with pytest.raises(Invalid) as error:
        rooms.book(
            who(demo, "jumin1"),
            room.pk,
            starts=starts,
            ends=ends,
            purpose="x",
            booker_kind="resident",
        )
    assert error.value.field == field and store_counts() == before


def test_who_may_book_and_log(demo, room):
    before = store_counts()
    with pytest.raises(NotFound):  # another committee's station is out of sight
        rooms.book(
            who(demo, "juwei2"),
            room.pk,
            starts=at(9),
            ends=at(10),
            purpose="x",
            booker_kind="committee",
        )
    with pytest.raises(Forbidden):  # a resident does not book as the committee
        rooms.book(
            who(demo, "jumin1"),
            room.pk,
            starts=at(9),
            ends=at(10),
            purpose="x",
            booker_kind="committee",
        )
    with pytest.raises(Forbidden):  # nor as a team they are not in
        rooms.book(
            who(demo, "jumin1"), room.pk, starts=at(9), ends=at(10), purpose="x", booker_kind="team"
        )
    item = demo.stations[0].catalogue.first()
    with pytest.raises(Forbidden):
        rooms.log_service(who(demo, "jumin1"), item.pk)
    with pytest.raises(NotFound):
        rooms.log_service(who(demo, "wuye2"), item.pk)
    assert store_counts() == before
    rooms.log_service(who(demo, "wuye1"), item.pk, people=3)
    assert ServiceLogEntry.objects.get().people == 3


def test_the_slot_grid_itself_refuses_a_double_booking(demo, room):
    """Below the service: a second row for the same room and half hour is an IntegrityError."""
    a = Booking.objects.create(
        room=room,
        starts=at(9),
        ends=at(10),
        purpose="a",
        booker_kind="resident",
        booked_by=demo.users["jumin1"],
    )
    BookingSlot.objects.create(room=room, cell=at(9), booking=a)
    b = Booking.objects.create(
        room=room,
        starts=at(9),
        ends=at(9.5),
        purpose="b",
        booker_kind="resident",
        booked_by=demo.users["jumin2"],
        status="rejected",
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        BookingSlot.objects.create(room=room, cell=at(9), booking=b)


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the exclusion constraint is PostgreSQL's"
)
def test_postgres_exclusion_refuses_overlapping_bookings_without_slots(demo, room):
    Booking.objects.create(
        room=room,
        starts=at(9),
        ends=at(11),
        purpose="a",
        booker_kind="resident",
        booked_by=demo.users["jumin1"],
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.create(
            room=room,
            starts=at(10),
            ends=at(12),
            purpose="b",
            booker_kind="resident",
            booked_by=demo.users["jumin2"],
        )
    # a rejected booking holds nothing
    Booking.objects.create(
        room=room,
        starts=at(10),
        ends=at(12),
        purpose="c",
        booker_kind="resident",
        booked_by=demo.users["jumin2"],
        status="rejected",
    )


def test_room_and_service_use_per_month(demo, room):
    from lifecircle.ops.demo_history import seed_history
    from lifecircle.store.stations.models import Station

    seed_history(demo)
    since = timezone.localdate().replace(day=1) - timedelta(days=100)
    use = rooms.room_use_by_month(Station.objects.all(), since)
    approved = Booking.objects.filter(status="approved")
    assert sum(r["bookings"] for r in use) == approved.count()
    hours = sum((b.ends - b.starts).total_seconds() / 3600 for b in approved)
    assert sum(r["hours"] for r in use) == pytest.approx(hours)
    served = rooms.service_use_by_month(Station.objects.all(), since)
    assert sum(r["times"] for r in served) == ServiceLogEntry.objects.count()
