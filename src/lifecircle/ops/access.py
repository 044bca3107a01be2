"""Who may do what where: roles granted on an organisation unit reach the whole subtree."""

from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q

from lifecircle.ops.errors import Forbidden, NotFound
from lifecircle.store.org.models import PARTY_ROLE, ApiKey, OrgUnit, Role, RoleGrant

STAFF_ROLES = frozenset(
    {Role.SUBDISTRICT_ADMIN, Role.COMMITTEE_STAFF, Role.OWNERS_COMMITTEE, Role.PROPERTY_STAFF}
)
MANAGERS = frozenset({Role.SUBDISTRICT_ADMIN, Role.COMMITTEE_STAFF})
INSPECTORS = frozenset({Role.SUBDISTRICT_ADMIN, Role.SAFETY_INSPECTOR})
OPERATORS = frozenset({Role.COMMITTEE_STAFF, Role.OWNERS_COMMITTEE, Role.PROPERTY_STAFF})
ROLE_PARTY = {role: party for party, role in PARTY_ROLE.items()}
WORKERS = STAFF_ROLES | INSPECTORS  # people who work at stations, not merely live near them


@dataclass
class Actor:
    """The caller of a service: a signed-in user, or an Open311 client key."""

    user: AbstractBaseUser | None
    api_key: ApiKey | None = None
    _grants: list[tuple[str, str]] | None = field(default=None, repr=False)

    @classmethod
    def of(cls, user) -> "Actor":
        if user is None or isinstance(user, AnonymousUser) or not user.is_authenticated:
            return cls(None)
        return cls(user)

    @property
    def label(self) -> str:
        if self.user is not None:
            return self.user.get_username()
        if self.api_key is not None:
            return f"open311:{self.api_key.name}"
        return "anonymous"

    def grants(self) -> list[tuple[str, str]]:
        """(role, unit path) pairs; an Open311 key acts as a resident of its unit."""
        if self._grants is None:
            if self.user is not None:
                if self.user.is_superuser:
                    self._grants = [(Role.SUBDISTRICT_ADMIN, "/")]
                else:
                    self._grants = list(
                        RoleGrant.objects.filter(user=self.user).values_list("role", "unit__path")
                    )
            elif self.api_key is not None:
                self._grants = [(Role.RESIDENT, self.api_key.unit.path)]
            else:
                self._grants = []
        return self._grants

    def paths(self, roles) -> list[str]:
        return [path for role, path in self.grants() if role in roles]

    def has(self, roles, unit: OrgUnit) -> bool:
        """Does the caller hold one of `roles` on `unit` or an ancestor of it?"""
        return any(unit.path.startswith(p) for p in self.paths(roles))

    def roles_on(self, unit: OrgUnit) -> set[str]:
        return {role for role, path in self.grants() if unit.path.startswith(path)}

    def scope(self, roles, unit_field: str) -> Q:
        """Filter for rows whose unit (reached by `unit_field`) lies under a grant of `roles`."""
        paths = self.paths(roles)
        if not paths:
            return Q(pk__in=[])
        query = Q()
        for path in paths:
            query |= Q(**{f"{unit_field}__path__startswith": path})
        return query


def managed_unit(actor: Actor, unit_id: int, refusal: str, field: str = "unit_id") -> OrgUnit:
    """The unit, if the caller may manage it: 404 when out of their sight, 403 when only seen."""
    unit = OrgUnit.objects.filter(pk=unit_id).first()
    if unit is None or not actor.roles_on(unit):
        raise NotFound(f"{field}: 单位不存在 unknown unit {unit_id}", field=field)
    if not actor.has(MANAGERS, unit):
        raise Forbidden(refusal)
    return unit


def mask_phone(phone: str) -> str:
    """138****5678: keep the first three and the last four digits."""
    if len(phone) <= 7:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]
