"""One-time codes sent by SMS to check a phone number (no account needed).

Only hashes are stored: the phone as an HMAC (so codes can be looked up by phone) and the code
as an HMAC, both keyed by the site's SECRET_KEY.
"""

from django.db import models


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
