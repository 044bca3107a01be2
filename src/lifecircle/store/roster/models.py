"""Three-party duty roster: rotation plans (RFC 5545 RRULE), assignments, holidays, swaps."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from lifecircle.store.org.models import OrgUnit, Party
from lifecircle.store.stations.models import Station


class Holiday(models.Model):
    """A day the stations under `unit` are closed (no duty, no warning)."""

    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="holidays")
    date = models.DateField()
    name = models.CharField(max_length=100)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "date"], name="one_holiday_per_day")]


class Unavailability(models.Model):
    """A day a person cannot take duty."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="unavailable_days"
    )
    date = models.DateField()
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "date"], name="one_unavailability_per_day")
        ]


class RotationPlan(models.Model):
    """Duty days (RRULE) at a station; the parties take whole weeks in turn, in `parties` order."""

    station = models.ForeignKey(Station, on_delete=models.PROTECT, related_name="rotations")
    task = models.CharField(max_length=50, default="值班 duty")
    rrule = models.CharField(max_length=200, default="FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR,SA")
    parties = models.JSONField(default=list, help_text="e.g. ['committee', 'owners', 'property']")
    people = models.JSONField(
        default=dict, blank=True, help_text="user ids per party; empty: every member of the party"
    )
    hours = models.CharField(max_length=40, blank=True, help_text="例 e.g. 08:30-17:00")
    starts = models.DateField()
    created = models.DateTimeField(default=timezone.now)


class DutyAssignment(models.Model):
    station = models.ForeignKey(Station, on_delete=models.PROTECT, related_name="duties")
    date = models.DateField()
    task = models.CharField(max_length=50)
    party = models.CharField(max_length=16, choices=Party.choices)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="duties",
    )
    plan = models.ForeignKey(
        RotationPlan, null=True, blank=True, on_delete=models.PROTECT, related_name="assignments"
    )

    class Meta:
        ordering = ["date", "station", "task"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "station", "date", "task"], name="one_duty_per_person_day_task"
            )
        ]


class SwapRequest(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "待批 pending"
        APPROVED = "approved", "已批准 approved"
        REJECTED = "rejected", "已拒绝 rejected"

    assignment = models.ForeignKey(DutyAssignment, on_delete=models.PROTECT, related_name="swaps")
    replacement = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(max_length=200, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(default=timezone.now)
