"""Residents' requests: explicit states, who/when/note for each change, SLA, rating, version."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from lifecircle.store.org.models import ApiKey, Party
from lifecircle.store.stations.models import ServiceCategory, Station


class Status(models.TextChoices):
    RECEIVED = "received", "已受理 received"
    ASSIGNED = "assigned", "已派单 assigned"
    IN_PROGRESS = "in_progress", "处理中 in progress"
    RESOLVED = "resolved", "已办结 resolved"
    CLOSED = "closed", "已关闭 closed"
    REJECTED = "rejected", "不予受理 rejected"


# The only allowed moves; anything else is refused with the allowed targets named.
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.RECEIVED: frozenset({Status.ASSIGNED, Status.REJECTED}),
    Status.ASSIGNED: frozenset(
        {Status.RECEIVED, Status.ASSIGNED, Status.IN_PROGRESS, Status.REJECTED}
    ),
    Status.IN_PROGRESS: frozenset({Status.ASSIGNED, Status.RESOLVED}),
    Status.RESOLVED: frozenset({Status.IN_PROGRESS, Status.CLOSED}),
    Status.CLOSED: frozenset(),
    Status.REJECTED: frozenset(),
}
OPEN_STATUSES = (Status.RECEIVED, Status.ASSIGNED, Status.IN_PROGRESS)


class Channel(models.TextChoices):
    COUNTER = "counter", "窗口 counter"
    PHONE = "phone", "电话 phone"
    RESIDENT = "resident", "居民自助 resident self-service"
    STAFF = "staff", "代办 staff on behalf"
    OPEN311 = "open311", "Open311"


class ServiceRequest(models.Model):
    station = models.ForeignKey(Station, on_delete=models.PROTECT, related_name="requests")
    category = models.ForeignKey(ServiceCategory, on_delete=models.PROTECT, related_name="requests")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RECEIVED)
    channel = models.CharField(max_length=16, choices=Channel.choices)
    description = models.TextField()
    address = models.CharField(max_length=200, blank=True)
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    attributes = models.JSONField(default=dict, blank=True)
    media_url = models.URLField(blank=True)
    public = models.BooleanField(
        default=False,
        help_text="shown in the public Open311 list (the resident chose to publish it)",
    )
    idempotency_key = models.CharField(
        max_length=64,
        null=True,
        blank=True,
        unique=True,
        editable=False,
        help_text="SHA-256 of the client and its Idempotency-Key header: a retry finds this row",
    )

    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="filed_requests",
    )
    contact_name = models.CharField(max_length=100, blank=True)
    phone = models.CharField(max_length=32, blank=True)
    email = models.EmailField(blank=True)
    api_key = models.ForeignKey(
        ApiKey, null=True, blank=True, on_delete=models.PROTECT, related_name="requests"
    )

    assigned_party = models.CharField(max_length=16, choices=Party.choices, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_requests",
    )

    requested_datetime = models.DateTimeField(default=timezone.now, db_index=True)
    updated_datetime = models.DateTimeField(default=timezone.now)
    expected_datetime = models.DateTimeField()
    warning_datetime = models.DateTimeField(help_text="from here on the request is due soon")
    resolution = models.TextField(blank=True)
    reject_reason = models.TextField(blank=True)
    rating = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    rating_comment = models.TextField(blank=True)
    closed_datetime = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(
        null=True, blank=True, help_text="签收 when the assignee took it"
    )
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="duplicates"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-requested_datetime", "-id"]
        indexes = [
            models.Index(fields=["station", "status"]),
            models.Index(fields=["status", "expected_datetime"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True) | models.Q(rating__gte=1, rating__lte=5),
                name="rating_1_to_5",
            )
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.category.code} {self.status}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class EventKind(models.TextChoices):
    """What a history step records besides a change of state (12345 work-order steps)."""

    STATUS = "status", "状态变更 status change"
    ACCEPT = "accept", "签收 accepted"
    REFUSE = "refuse", "退单 refused"
    EXTEND = "extend", "延期 extension"
    CHASE = "chase", "催办 chased"
    ESCALATE = "escalate", "督办 escalated"
    MERGE = "merge", "合并 merged"
    TRANSFER = "transfer", "转办 transferred"


class RequestEvent(models.Model):
    """One step of a request's history (also the Open311 notes[])."""

    request = models.ForeignKey(ServiceRequest, on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(max_length=150)
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16)
    kind = models.CharField(max_length=16, choices=EventKind.choices, default=EventKind.STATUS)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]


class ExtensionRequest(models.Model):
    """延期: the handler asks for more time; the committee approves or refuses."""

    class Status(models.TextChoices):
        PENDING = "pending", "待批 pending"
        APPROVED = "approved", "已批准 approved"
        REJECTED = "rejected", "已拒绝 rejected"

    request = models.ForeignKey(ServiceRequest, on_delete=models.PROTECT, related_name="extensions")
    hours = models.PositiveIntegerField()
    reason = models.CharField(max_length=200)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-id"]


class RequestPhoto(models.Model):
    request = models.ForeignKey(ServiceRequest, on_delete=models.PROTECT, related_name="photos")
    image = models.FileField(upload_to="requests/%Y/%m/")
    uploaded_at = models.DateTimeField(default=timezone.now)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
