"""Stations (睦邻驿站), their service catalogue (shaped like Open311 services), their rooms with
bookings, and the service log (服务台账)."""

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from lifecircle.store.org.models import OrgUnit


class Station(models.Model):
    unit = models.OneToOneField(OrgUnit, on_delete=models.PROTECT, related_name="station")
    name = models.CharField(max_length=100)
    address = models.CharField(max_length=200, blank=True)
    lat = models.FloatField(
        null=True, blank=True, validators=[MinValueValidator(-90), MaxValueValidator(90)]
    )
    lon = models.FloatField(
        null=True, blank=True, validators=[MinValueValidator(-180), MaxValueValidator(180)]
    )
    opening_hours = models.CharField(
        max_length=100, blank=True, help_text="例 e.g. 周一至周日 08:00-20:00"
    )
    floor_area_m2 = models.FloatField(null=True, blank=True, validators=[MinValueValidator(0)])
    functions = models.JSONField(default=list, blank=True, help_text="standard category codes")
    phone = models.CharField(max_length=32, blank=True)
    description = models.TextField(blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ServiceCategory(models.Model):
    """A kind of request residents can file (an Open311 service) with its SLA."""

    code = models.SlugField(max_length=64, unique=True)
    name_zh = models.CharField(max_length=100)
    name_en = models.CharField(max_length=100)
    group = models.CharField(max_length=100, blank=True)
    keywords = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True)
    notice = models.TextField(blank=True, help_text="Open311 service_notice")
    sla_hours = models.PositiveIntegerField(help_text="time to complete")
    warning_hours = models.PositiveIntegerField(default=0, help_text="warn this long before due")
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "service categories"

    def __str__(self) -> str:
        return f"{self.code} {self.name_zh}"


class ServiceAttribute(models.Model):
    """An extra question of a service (Open311 service definition attribute)."""

    class Datatype(models.TextChoices):
        STRING = "string"
        NUMBER = "number"
        DATETIME = "datetime"
        TEXT = "text"
        SINGLEVALUELIST = "singlevaluelist"
        MULTIVALUELIST = "multivaluelist"

    category = models.ForeignKey(
        ServiceCategory, on_delete=models.CASCADE, related_name="attributes"
    )
    code = models.SlugField(max_length=64)
    datatype = models.CharField(max_length=16, choices=Datatype.choices)
    description = models.CharField(max_length=200)
    datatype_description = models.CharField(max_length=200, blank=True)
    required = models.BooleanField(default=False)
    order = models.PositiveIntegerField(default=0)
    values = models.JSONField(default=list, blank=True, help_text='[{"key": ..., "name": ...}]')

    class Meta:
        ordering = ["category", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["category", "code"], name="attribute_code_per_service")
        ]


class CatalogueItem(models.Model):
    """One line of a station's published service list (服务清单)."""

    class Kind(models.TextChoices):
        RECEPTION = "reception", "接待咨询 reception and consultation"
        LEGAL = "legal", "法律服务 legal"
        HEALTH = "health", "健康服务 health"
        VOLUNTEER_CULTURE = "volunteer_culture", "志愿文化 volunteer and culture"
        FEATURED = "featured", "特色服务 featured"

    station = models.ForeignKey(Station, on_delete=models.PROTECT, related_name="catalogue")
    kind = models.CharField(max_length=32, choices=Kind.choices)
    title = models.CharField(max_length=100)
    schedule = models.CharField(max_length=100, blank=True, help_text="例 e.g. 每周三 14:00-16:00")
    provider = models.CharField(max_length=100, blank=True)
    category = models.ForeignKey(
        ServiceCategory,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="catalogue_items",
        help_text="residents can file a request of this category here",
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["station", "kind", "title"]

    def __str__(self) -> str:
        return f"{self.station}: {self.title}"


class Room(models.Model):
    """A room of a station shared by many uses (一室多用), open between `opens` and `closes`."""

    station = models.ForeignKey(Station, on_delete=models.PROTECT, related_name="rooms")
    name = models.CharField(max_length=100)
    capacity = models.PositiveIntegerField(default=10)
    opens = models.TimeField(default=datetime.time(8, 30))
    closes = models.TimeField(default=datetime.time(20, 0))
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["station", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes__gt=models.F("opens")), name="room_closes_after_opening"
            )
        ]

    def __str__(self) -> str:
        return f"{self.station}: {self.name}"


class Booking(models.Model):
    """A booked period of a room by a resident, a team or a committee; staff approve it.

    Overlaps are impossible in the database itself: every booking that is not rejected holds
    its half-hour cells in `BookingSlot` (unique per room and cell) on every database, and on
    PostgreSQL an exclusion constraint on the time range guards the bookings table as well.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "待审批 pending"
        APPROVED = "approved", "已批准 approved"
        REJECTED = "rejected", "已拒绝 rejected"

    class Booker(models.TextChoices):
        RESIDENT = "resident", "居民 resident"
        TEAM = "team", "团队 team"
        COMMITTEE = "committee", "三方 committee"

    room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="bookings")
    starts = models.DateTimeField()
    ends = models.DateTimeField()
    purpose = models.CharField(max_length=200)
    booker_kind = models.CharField(max_length=16, choices=Booker.choices)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["starts", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends__gt=models.F("starts")), name="booking_ends_after_start"
            )
        ]


class BookingSlot(models.Model):
    """One half-hour cell of a room held by a booking: the unique key forbids double booking."""

    room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="+")
    cell = models.DateTimeField(help_text="start of the half hour")
    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="slots")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["room", "cell"], name="one_booking_per_room_cell")
        ]


class ServiceLogEntry(models.Model):
    """服务台账: one service from the station's list delivered (how many people, by whom, when)."""

    station = models.ForeignKey(Station, on_delete=models.PROTECT, related_name="service_log")
    item = models.ForeignKey(CatalogueItem, on_delete=models.PROTECT, related_name="log_entries")
    at = models.DateTimeField(default=timezone.now, db_index=True)
    people = models.PositiveIntegerField(default=1, validators=[MinValueValidator(1)])
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-at", "-id"]


class StreetLayer(models.Model):
    """The streets of a sub-district as GeoJSON lines (WGS-84), drawn under every map offline:
    taken from the area's OSM walk network or imported from a GeoJSON file."""

    unit = models.OneToOneField(OrgUnit, on_delete=models.CASCADE, related_name="streets")
    geojson = models.JSONField()
    source = models.CharField(max_length=200)
    updated = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.unit}: {self.source}"
