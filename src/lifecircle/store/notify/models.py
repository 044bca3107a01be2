"""Outbound notices with each user's preferences, and one-time codes sent by SMS to check a
phone number (no account needed).

Codes keep only hashes: the phone as an HMAC (so codes can be looked up by phone) and the code
as an HMAC, both keyed by the site's SECRET_KEY.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone


class OneTimeCode(models.Model):
    phone_hash = models.CharField(max_length=64, db_index=True)
    purpose = models.CharField(max_length=40)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["phone_hash", "purpose", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.purpose} @ {self.created_at:%Y-%m-%d %H:%M}"


class Notice(models.Model):
    """One outbound message to one address through one channel; written with the change that
    caused it, sent after commit, retried until delivered or out of attempts."""

    class Channel(models.TextChoices):
        EMAIL = "email", "电子邮件 e-mail"
        SMS = "sms", "短信 SMS"

    class State(models.TextChoices):
        PENDING = "pending", "待发送 pending"
        SENT = "sent", "已发送 sent"
        FAILED = "failed", "发送失败 failed"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notices",
    )
    channel = models.CharField(max_length=8, choices=Channel.choices)
    address = models.CharField(max_length=254)
    kind = models.CharField(max_length=40)
    subject = models.CharField(max_length=200)
    text = models.TextField()
    link = models.CharField(max_length=200, blank=True)
    state = models.CharField(max_length=8, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "created_at"])]

    def __str__(self) -> str:
        return f"{self.channel} {self.kind} → {self.address} ({self.state})"


class Preference(models.Model):
    """How a user wants to be told: by e-mail (to the account's address) and/or by SMS."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notice_preference"
    )
    by_email = models.BooleanField(default=True)
    by_sms = models.BooleanField(default=False)
    phone = models.CharField(max_length=32, blank=True)

    def __str__(self) -> str:
        return f"{self.user}: email={self.by_email} sms={self.by_sms}"
