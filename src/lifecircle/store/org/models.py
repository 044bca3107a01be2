"""Organisation tree (街道 → 居委会 → 驿站), roles granted on a unit, append-only audit log."""

import hashlib
import math
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone


class OrgUnit(models.Model):
    """A node of the tree; `path` ("/1/4/9/") makes "this unit and below" one prefix query."""

    class Kind(models.TextChoices):
        SUBDISTRICT = "subdistrict", "街道 sub-district"
        COMMITTEE = "committee", "居委会 residents' committee"
        STATION = "station", "驿站 station"

    ALLOWED_PARENTS = {
        Kind.SUBDISTRICT: {None},
        Kind.COMMITTEE: {Kind.SUBDISTRICT},
        Kind.STATION: {Kind.SUBDISTRICT, Kind.COMMITTEE},
    }

    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(max_length=255, editable=False, db_index=True, default="")

    class Meta:
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        parent_kind = self.parent.kind if self.parent else None
        if parent_kind not in self.ALLOWED_PARENTS[self.kind]:
            raise ValidationError(
                {"parent": f"{self.get_kind_display()} 不能挂在 cannot sit under {parent_kind}"}
            )

    def save(self, *args, **kwargs) -> None:
        if self.pk and not self._state.adding:
            old_parent = OrgUnit.objects.filter(pk=self.pk).values_list("parent_id", flat=True)
            if old_parent and old_parent[0] != self.parent_id:
                raise ValidationError({"parent": "单位不能移动 a unit cannot be moved"})
        super().save(*args, **kwargs)
        path = (self.parent.path if self.parent else "/") + f"{self.pk}/"
        if path != self.path:
            self.path = path
            OrgUnit.objects.filter(pk=self.pk).update(path=path)

    def subtree(self) -> models.QuerySet:
        """This unit and every unit below it."""
        return OrgUnit.objects.filter(path__startswith=self.path)

    def ancestors_and_self(self) -> list[int]:
        return [int(p) for p in self.path.strip("/").split("/") if p]


class Role(models.TextChoices):
    SUBDISTRICT_ADMIN = "subdistrict_admin", "街道管理员 sub-district admin"
    COMMITTEE_STAFF = "committee_staff", "居委会工作人员 residents' committee staff"
    OWNERS_COMMITTEE = "owners_committee", "业委会委员 owners' committee member"
    PROPERTY_STAFF = "property_staff", "物业人员 property staff"
    SAFETY_INSPECTOR = "safety_inspector", "安全检查员 safety inspector"
    VOLUNTEER = "volunteer", "志愿者 volunteer"
    RESIDENT = "resident", "居民 resident"


class Party(models.TextChoices):
    """The three parties (三驾马车) who staff a station in rotation."""

    COMMITTEE = "committee", "居委会 residents' committee"
    OWNERS = "owners", "业委会 owners' committee"
    PROPERTY = "property", "物业 property management"


PARTY_ROLE = {
    Party.COMMITTEE: Role.COMMITTEE_STAFF,
    Party.OWNERS: Role.OWNERS_COMMITTEE,
    Party.PROPERTY: Role.PROPERTY_STAFF,
}


class RoleGrant(models.Model):
    """`user` holds `role` on `unit` and everything below it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="grants"
    )
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="grants")
    role = models.CharField(max_length=32, choices=Role.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "unit", "role"], name="one_grant_per_role")
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.role} @ {self.unit}"


def new_key() -> str:
    """A fresh random key (192 bits)."""
    return secrets.token_urlsafe(24)


def key_digest(secret: str) -> str:
    """SHA-256 of a key: keys are long and random, so a fast unsalted hash is enough to make a
    stolen database useless for calling the service."""
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


PREFIX_LENGTH = 6


class TokenError(ValueError):
    """A token cannot be made (unknown user, no role)."""


class ApiKey(models.Model):
    """An Open311 client key (user empty) or a personal API token (user set).

    Only the key's SHA-256 and its first characters (to tell keys apart) are stored: the key
    itself is shown once, when it is made (`ApiKey.issue`).
    """

    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(max_length=PREFIX_LENGTH, editable=False)
    name = models.CharField(max_length=100)
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="api_keys")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="api_keys",
    )
    active = models.BooleanField(default=True)
    created = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def set_secret(self, secret: str | None = None) -> str:
        """Give the key a new secret (random unless given) and return it; only its hash is kept."""
        secret = secret or new_key()
        self.key_hash = key_digest(secret)
        self.prefix = secret[:PREFIX_LENGTH]
        return secret

    @classmethod
    def issue(cls, *, name: str, unit: OrgUnit, user=None, secret: str | None = None):
        """Create a key; returns (key, secret). The secret is not stored: show it once.

        Example
        -------
        >>> key, secret = ApiKey.issue(name="app", unit=unit)  # doctest: +SKIP
        """
        key = cls(name=name, unit=unit, user=user)
        secret = key.set_secret(secret)
        key.save()
        return key, secret

    @classmethod
    def issue_personal(cls, username: str, name: str = ""):
        """A personal token for an active user with a role; returns (key, secret).

        The key hangs on the unit of the user's widest grant; what the token may do is still
        decided by the user's roles. Raises TokenError naming what is wrong.
        """
        from django.contrib.auth import get_user_model

        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise TokenError(f"username: 没有此在用用户 no active user {username!r}")
        grant = user.grants.select_related("unit").order_by("unit__path").first()
        if grant is None:
            raise TokenError(f"username: {username} 没有任何角色 holds no role")
        label = name or f"{username} token {timezone.now():%Y-%m-%d %H:%M}"
        return cls.issue(name=label[:100], unit=grant.unit, user=user)

    @classmethod
    def find(cls, secret: str, *, personal: bool):
        """The active key with this secret: a personal token (bound to an active user) or an
        Open311 client key; None when there is none. One indexed lookup by the hash."""
        if not secret:
            return None
        key = (
            cls.objects.select_related("unit", "user")
            .filter(key_hash=key_digest(secret), active=True)
            .order_by()[:1]
        )
        key = key[0] if key else None
        if key is None or (key.user_id is not None) != personal:
            return None
        if personal and not key.user.is_active:
            return None
        return key


class KeyFailure(models.Model):
    """One failed Open311 key or bearer token from an address; enough of them lock it out."""

    ip = models.GenericIPAddressField(unpack_ipv4=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["ip", "at"])]

    @classmethod
    def lockout_seconds(cls, ip: str) -> int:
        """Seconds until `ip` may try a key again (0: it may now)."""
        since = timezone.now() - settings.KEY_FAILURE_WINDOW
        times = list(
            cls.objects.filter(ip=ip, at__gte=since)
            .order_by("-at")
            .values_list("at", flat=True)[: settings.KEY_FAILURE_LIMIT]
        )
        if len(times) < settings.KEY_FAILURE_LIMIT:
            return 0
        free_at = times[-1] + settings.KEY_FAILURE_WINDOW
        return max(1, math.ceil((free_at - timezone.now()).total_seconds()))

    @classmethod
    def note(cls, ip: str) -> None:
        """Record a failure (and forget those older than the window)."""
        cls.objects.filter(at__lt=timezone.now() - settings.KEY_FAILURE_WINDOW).delete()
        cls.objects.create(ip=ip)


class AppendOnlyError(RuntimeError):
    """Raised on any attempt to change or delete an audit entry."""


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("审计日志只能追加 the audit log is append-only")

    def delete(self):
        raise AppendOnlyError("审计日志只能追加 the audit log is append-only")

    def bulk_update(self, objs, fields, batch_size=None):
        raise AppendOnlyError("审计日志只能追加 the audit log is append-only")


class AuditEntry(models.Model):
    """Who did what, when, to which record, with the values before and after. Never edited."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(max_length=150)
    action = models.CharField(max_length=64)
    model = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64)
    unit = models.ForeignKey(
        OrgUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    note = models.TextField(blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["model", "object_id"])]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.model}#{self.object_id}"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise AppendOnlyError("审计日志只能追加 the audit log is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("审计日志只能追加 the audit log is append-only")
