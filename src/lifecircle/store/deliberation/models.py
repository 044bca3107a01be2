"""Household register, proposals, council meetings and decisions (Decidim-like accountability)."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone

from lifecircle.store.inspections.models import ActionItem, Meeting
from lifecircle.store.org.models import OrgUnit


class Household(models.Model):
    """One home of the register (业主名册): committee staff only."""

    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="households")
    code = models.CharField(max_length=32, help_text="户号 e.g. 12-301")
    address = models.CharField(max_length=200, blank=True)
    owner_name = models.CharField(max_length=100, blank=True)
    floor_area_m2 = models.DecimalField(
        max_digits=9, decimal_places=2, validators=[MinValueValidator(0.01)]
    )
    compound_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["unit", "code"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "code"], name="household_code_per_unit")
        ]

    def __str__(self) -> str:
        return self.code


class Proposal(models.Model):
    class Status(models.TextChoices):
        PUBLISHED = "published", "已发布 published"
        EVALUATING = "evaluating", "评估中 evaluating"
        ACCEPTED = "accepted", "已采纳 accepted"
        REJECTED = "rejected", "未采纳 rejected"
        WITHDRAWN = "withdrawn", "已撤回 withdrawn"

    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="proposals")
    title = models.CharField(max_length=200)
    body = models.TextField()
    place = models.CharField(max_length=200, blank=True)
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    photo = models.FileField(upload_to="proposals/%Y/%m/", blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PUBLISHED)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return self.title


class Comment(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField()
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created", "id"]


class Support(models.Model):
    """One support per household (checked against the register)."""

    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="supports")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="+")
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "household"], name="one_support_per_household"
            )
        ]


class CouncilMeeting(models.Model):
    """议事会: a meeting (minutes live on the shared `Meeting`) with agenda and attendance."""

    meeting = models.OneToOneField(Meeting, on_delete=models.PROTECT, related_name="council")
    agenda = models.TextField()
    attendance = models.JSONField(default=list, blank=True, help_text="names of those present")


class Decision(models.Model):
    class Kind(models.TextChoices):
        COUNCIL = "council", "议事会表决 council vote"
        OWNERS = "owners", "业主共同决定 owners' decision (Civil Code art. 278)"

    council = models.ForeignKey(CouncilMeeting, on_delete=models.PROTECT, related_name="decisions")
    proposal = models.ForeignKey(
        Proposal, null=True, blank=True, on_delete=models.PROTECT, related_name="decisions"
    )
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    civil_code_item = models.PositiveSmallIntegerField(null=True, blank=True)
    votes_for = models.PositiveIntegerField(default=0)
    votes_against = models.PositiveIntegerField(default=0)
    votes_abstain = models.PositiveIntegerField(default=0)
    count = models.JSONField(default=dict, blank=True, help_text="the owners' consent count")
    passed = models.BooleanField()
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created", "-id"]


class OwnerVote(models.Model):
    class Choice(models.TextChoices):
        FOR = "for", "同意 for"
        AGAINST = "against", "反对 against"
        ABSTAIN = "abstain", "弃权 abstain"

    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="owner_votes")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="+")
    choice = models.CharField(max_length=8, choices=Choice.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["decision", "household"], name="one_vote_per_household")
        ]


class DecisionAction(models.Model):
    """An action item of the meeting that carries out a decision (tracked in public)."""

    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="actions")
    action = models.OneToOneField(
        ActionItem, on_delete=models.PROTECT, related_name="decision_link"
    )
