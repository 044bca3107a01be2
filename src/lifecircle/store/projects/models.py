"""自治项目: proposal → consultation → budget → contributions → spending → acceptance → account."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone

from lifecircle.store.deliberation.models import Decision, Household
from lifecircle.store.org.models import OrgUnit
from lifecircle.store.stations.models import Station
from lifecircle.store.surveys.models import Survey

MONEY = {"max_digits": 12, "decimal_places": 2, "validators": [MinValueValidator(0.01)]}


class Stage(models.TextChoices):
    PROPOSAL = "proposal", "立项提议 proposal"
    CONSULTATION = "consultation", "征询 consultation"
    BUDGET = "budget", "预算 budget"
    FUNDING = "funding", "筹资 raising funds"
    SPENDING = "spending", "实施 spending"
    ACCEPTED = "accepted", "验收 accepted"


STAGE_ORDER = [s.value for s in Stage]


class Project(models.Model):
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="projects")
    station = models.ForeignKey(
        Station, null=True, blank=True, on_delete=models.PROTECT, related_name="projects"
    )
    title = models.CharField(max_length=200)
    description = models.TextField()
    stage = models.CharField(max_length=16, choices=Stage.choices, default=Stage.PROPOSAL)
    survey = models.ForeignKey(
        Survey, null=True, blank=True, on_delete=models.PROTECT, related_name="projects"
    )
    decision = models.ForeignKey(
        Decision, null=True, blank=True, on_delete=models.PROTECT, related_name="projects"
    )
    acceptance_note = models.TextField(blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return self.title


class Source(models.TextChoices):
    RESIDENTS = "residents", "居民自筹 residents' own share"
    GRANT = "grant", "自治金 self-governance grant"
    SUBDISTRICT = "subdistrict", "街道资金 sub-district funds"
    OTHER = "other", "其他 other"


class BudgetLine(models.Model):
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="budget")
    source = models.CharField(max_length=16, choices=Source.choices)
    amount = models.DecimalField(**MONEY)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project", "source"], name="one_budget_line_per_source")
        ]


class Contribution(models.Model):
    """Money received, with its receipt; who gave it is committee staff only."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="contributions")
    source = models.CharField(max_length=16, choices=Source.choices)
    household = models.ForeignKey(
        Household, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    contributor = models.CharField(max_length=100, blank=True)
    amount = models.DecimalField(**MONEY)
    receipt_no = models.CharField(max_length=64)
    received_on = models.DateField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["received_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "receipt_no"], name="one_receipt_per_project"
            )
        ]


class Expense(models.Model):
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="expenses")
    description = models.CharField(max_length=200)
    payee = models.CharField(max_length=100)
    amount = models.DecimalField(**MONEY)
    spent_on = models.DateField()
    evidence = models.CharField(max_length=200, help_text="发票号或凭证 invoice number or voucher")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["spent_on", "id"]
