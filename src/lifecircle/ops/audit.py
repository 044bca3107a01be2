"""Append every write to the audit log with the values before and after."""

import json

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, models
from django.forms.models import model_to_dict

from lifecircle.ops.access import Actor
from lifecircle.ops.errors import Conflict, Invalid
from lifecircle.store.org.models import AuditEntry, OrgUnit, Role


def snapshot(obj: models.Model) -> dict:
    """The record's field values as plain JSON (dates as ISO strings, files as names)."""
    data = model_to_dict(obj)
    data["id"] = obj.pk
    for f in obj._meta.concrete_fields:
        if isinstance(f, models.FileField):
            data[f.name] = getattr(obj, f.name).name or ""
        elif f.name not in data:
            data[f.name] = f.value_from_object(obj)
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder, default=str))


def record(
    actor: Actor,
    action: str,
    obj: models.Model,
    *,
    before: dict | None,
    unit: OrgUnit | None,
    note: str = "",
    deleted: bool = False,
) -> AuditEntry:
    """Write one audit entry; call inside the transaction that made the change."""
    return AuditEntry.objects.create(
        actor=actor.user,
        actor_label=actor.label,
        action=action,
        model=obj._meta.label_lower,
        object_id=str(obj.pk),
        unit=unit,
        before=before,
        after=None if deleted else snapshot(obj),
        note=note,
    )


def save_audited(
    actor: Actor,
    action: str,
    obj: models.Model,
    *,
    unit: OrgUnit | None,
    before: dict | None = None,
    note: str = "",
    exclude_validation: list[str] | None = None,
) -> models.Model:
    """Validate the fields (errors name the field), save and audit one record.

    Relations already loaded on `obj` are not looked up again; uniqueness and check
    constraints are left to the database, whose refusal becomes a Conflict naming them.
    """
    exclude = set(exclude_validation or ())
    exclude |= {f.name for f in obj._meta.concrete_fields if f.is_relation and f.is_cached(obj)}
    try:
        obj.clean_fields(exclude=exclude)
        obj.clean()
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise Invalid(f"{field}: {' '.join(messages)}", field=field) from None
    try:
        obj.save()
    except IntegrityError as exc:
        raise Conflict(f"与已有记录冲突 conflicts with an existing record ({exc})") from None
    record(actor, action, obj, before=before, unit=unit, note=note)
    return obj


def visible_entries(actor: Actor):
    """Audit entries of the units the caller administers (sub-district admins only)."""
    return AuditEntry.objects.filter(actor.scope({Role.SUBDISTRICT_ADMIN}, "unit")).select_related(
        "actor"
    )
