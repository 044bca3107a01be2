"""A survey holds its questionnaire as XLSForm-shaped JSON (`lifecircle.ops.survey_form.Form`)."""

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

from lifecircle.store.org.models import OrgUnit


def new_token() -> str:
    """The public link's unguessable part (no account needed to answer)."""
    return secrets.token_urlsafe(12)


class Survey(models.Model):
    unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="surveys", help_text="audience 调查范围"
    )
    title = models.CharField(max_length=200)
    form = models.JSONField(help_text="the questionnaire (XLSForm as JSON)")
    opens_at = models.DateTimeField()
    closes_at = models.DateTimeField()
    token = models.CharField(max_length=32, unique=True, default=new_token)
    services_question = models.CharField(
        max_length=64, blank=True, help_text="question ranked as 呼声最高 most-wanted services"
    )
    population = models.JSONField(
        default=list,
        blank=True,
        help_text='per compound and age group [{"compound_id": …, "<age choice>": n}]',
    )
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-opens_at", "-id"]

    def __str__(self) -> str:
        return self.title

    def is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.opens_at <= now <= self.closes_at


class Channel(models.TextChoices):
    ONLINE = "online", "线上 online (link or QR)"
    PAPER = "paper", "纸质 paper, entered by staff"
    DOOR = "door", "入户 door to door"
    WJX = "wjx", "问卷星导入 imported from 问卷星"
    IMPORT = "import", "XLSForm 导入 imported XLSForm export"


class SurveyResponse(models.Model):
    """One household's (or phone's) answers; `respondent_key` is an HMAC, never the raw value."""

    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="responses")
    answers = models.JSONField()
    channel = models.CharField(max_length=16, choices=Channel.choices)
    respondent_key = models.CharField(max_length=64)
    household = models.ForeignKey(
        "deliberation.Household",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="survey_responses",
    )
    compound_id = models.CharField(max_length=64, blank=True)
    submitted_at = models.DateTimeField(default=timezone.now)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["submitted_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "respondent_key"], name="one_answer_per_household_or_phone"
            )
        ]
