"""Safety inspections: templates, interval plans, tasks, results, rectification orders, meetings."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from lifecircle.store.org.models import OrgUnit, Party
from lifecircle.store.stations.models import Station


class ChecklistTemplate(models.Model):
    class Kind(models.TextChoices):
        FOOD = "food", "食品安全 food safety"
        FIRE = "fire", "消防安全 fire safety"
        BUILDING = "building", "房屋安全 building safety"

    kind = models.CharField(max_length=16, choices=Kind.choices)
    name = models.CharField(max_length=100)

    def __str__(self) -> str:
        return self.name


class ChecklistItem(models.Model):
    template = models.ForeignKey(ChecklistTemplate, on_delete=models.CASCADE, related_name="items")
    order = models.PositiveIntegerField(default=0)
    text = models.CharField(max_length=200)

    class Meta:
        ordering = ["template", "order", "id"]


class Mode(models.TextChoices):
    SELF = "self", "自查 operator self-inspection"
    JOINT = "joint", "联合检查 joint inspection"


class InspectionPlan(models.Model):
    class Interval(models.TextChoices):
        MONTHLY = "monthly", "每月 monthly"
        QUARTERLY = "quarterly", "每季度 quarterly"

    station = models.ForeignKey(Station, on_delete=models.PROTECT, related_name="inspection_plans")
    template = models.ForeignKey(ChecklistTemplate, on_delete=models.PROTECT, related_name="plans")
    mode = models.CharField(max_length=8, choices=Mode.choices)
    interval = models.CharField(max_length=16, choices=Interval.choices)
    starts = models.DateField()
    active = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["station", "template", "mode", "starts"],
                name="one_plan_per_station_template_mode_date",
            )
        ]


class InspectionTask(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", "待检查 planned"
        DONE = "done", "已检查 done"

    plan = models.ForeignKey(
        InspectionPlan, null=True, blank=True, on_delete=models.PROTECT, related_name="tasks"
    )
    station = models.ForeignKey(Station, on_delete=models.PROTECT, related_name="inspections")
    template = models.ForeignKey(ChecklistTemplate, on_delete=models.PROTECT, related_name="tasks")
    mode = models.CharField(max_length=8, choices=Mode.choices)
    due_date = models.DateField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PLANNED)
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    performed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_date", "id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "due_date"], name="one_task_per_plan_date")
        ]


class JointConfirmation(models.Model):
    """One of the three parties signs a joint inspection's record (联合检查三方确认)."""

    task = models.ForeignKey(InspectionTask, on_delete=models.PROTECT, related_name="confirmations")
    party = models.CharField(max_length=16, choices=Party.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["task", "party"], name="one_confirmation_per_party")
        ]


class ItemResult(models.Model):
    task = models.ForeignKey(InspectionTask, on_delete=models.PROTECT, related_name="results")
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, related_name="+")
    passed = models.BooleanField()
    note = models.TextField(blank=True)
    photo = models.FileField(upload_to="inspections/%Y/%m/", blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["task", "item"], name="one_result_per_item")]


class RectificationOrder(models.Model):
    """整改单: opened by a failed item; closed only after a passed re-inspection."""

    class Status(models.TextChoices):
        OPEN = "open", "整改中 open"
        SUBMITTED = "submitted", "待复查 evidence submitted"
        CLOSED = "closed", "已销号 closed"

    result = models.OneToOneField(
        ItemResult, on_delete=models.PROTECT, related_name="rectification"
    )
    station = models.ForeignKey(Station, on_delete=models.PROTECT, related_name="rectifications")
    deadline = models.DateField()
    responsible_party = models.CharField(max_length=16, choices=Party.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    evidence = models.TextField(blank=True)
    evidence_at = models.DateTimeField(null=True, blank=True)
    reinspection_note = models.TextField(blank=True)
    reinspected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["deadline", "id"]


class Meeting(models.Model):
    """Monthly operations meeting with minutes."""

    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="meetings")
    held_on = models.DateField()
    title = models.CharField(max_length=200)
    minutes = models.TextField(blank=True)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-held_on"]


class ActionItem(models.Model):
    """A decision to carry out: what, by whom (a party and/or a person), by when."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="actions")
    text = models.CharField(max_length=200)
    owner_party = models.CharField(max_length=16, choices=Party.choices, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="action_items",
    )
    due = models.DateField(null=True, blank=True)
    done = models.BooleanField(default=False)
    done_at = models.DateTimeField(null=True, blank=True)
