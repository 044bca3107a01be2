"""Stations and their service catalogue (服务清单)."""

from django.db import transaction
from django.db.models import QuerySet

from lifecircle.ops.access import MANAGERS, Actor, managed_unit
from lifecircle.ops.audit import save_audited, snapshot
from lifecircle.ops.errors import Forbidden, Invalid, NotFound
from lifecircle.standards import load_standard
from lifecircle.store.org.models import OrgUnit, Role
from lifecircle.store.stations.models import CatalogueItem, ServiceCategory, Station

STATION_FIELDS = (
    "name",
    "address",
    "lat",
    "lon",
    "opening_hours",
    "floor_area_m2",
    "functions",
    "phone",
    "description",
    "active",
)


def visible_stations(actor: Actor) -> QuerySet:
    """The stations under any unit the caller holds a role on (a committee sees its own)."""
    return Station.objects.filter(
        actor.scope({r for r, _ in actor.grants()}, "unit")
    ).select_related("unit")


def public_stations() -> QuerySet:
    """Active stations, as published to residents (name, place, hours, catalogue)."""
    return Station.objects.filter(active=True).select_related("unit")


def get_station_for(actor: Actor, station_id: int) -> Station:
    station = visible_stations(actor).filter(pk=station_id).first()
    if station is None:
        raise NotFound(f"station_id: 驿站不存在 unknown station {station_id}", field="station_id")
    return station


def _check_functions(functions: list[str]) -> None:
    known = load_standard().categories
    for code in functions:
        if code not in known:
            raise Invalid(f"functions: 未知功能 unknown function {code!r}", field="functions")


def create_station(actor: Actor, *, parent_unit_id: int, name: str, **fields) -> Station:
    """A new station under a residents' committee (or directly under the sub-district)."""
    with transaction.atomic():
        parent = managed_unit(
            actor, parent_unit_id, "无权新建驿站 may not create stations here", "parent_unit_id"
        )
        if parent.kind == OrgUnit.Kind.STATION:
            raise Invalid(
                "parent_unit_id: 驿站下不能再建驿站 a station cannot hold a station",
                "parent_unit_id",
            )
        _check_functions(fields.get("functions") or [])
        unit = OrgUnit(name=name, kind=OrgUnit.Kind.STATION, parent=parent)
        save_audited(actor, "unit.create", unit, unit=parent, exclude_validation=["path"])
        station = Station(unit=unit, name=name, **fields)
        save_audited(actor, "station.create", station, unit=unit)
    return station


def update_station(actor: Actor, station_id: int, **changes) -> Station:
    with transaction.atomic():
        station = get_station_for(actor, station_id)
        if not actor.has(MANAGERS, station.unit):
            raise Forbidden("无权修改驿站 may not change this station")
        unknown = set(changes) - set(STATION_FIELDS)
        if unknown:
            field = sorted(unknown)[0]
            raise Invalid(f"{field}: 不可修改 not a station field", field=field)
        if "functions" in changes:
            _check_functions(changes["functions"] or [])
        before = snapshot(station)
        for key, value in changes.items():
            setattr(station, key, value)
        save_audited(actor, "station.update", station, unit=station.unit, before=before)
    return station


def add_catalogue_item(
    actor: Actor,
    station_id: int,
    *,
    kind: str,
    title: str,
    schedule: str = "",
    provider: str = "",
    service_code: str | None = None,
) -> CatalogueItem:
    with transaction.atomic():
        station = get_station_for(actor, station_id)
        if not actor.has(MANAGERS, station.unit):
            raise Forbidden("无权修改服务清单 may not change this service list")
        category = None
        if service_code:
            category = ServiceCategory.objects.filter(code=service_code).first()
            if category is None:
                raise NotFound(
                    f"service_code: 服务类别不存在 unknown service {service_code!r}", "service_code"
                )
        item = CatalogueItem(
            station=station,
            kind=kind,
            title=title,
            schedule=schedule,
            provider=provider,
            category=category,
        )
        save_audited(actor, "catalogue.add", item, unit=station.unit)
    return item


def create_category(actor: Actor, *, code: str, **fields) -> ServiceCategory:
    """A request category with its SLA; only a sub-district admin defines them."""
    with transaction.atomic():
        if not actor.paths({Role.SUBDISTRICT_ADMIN}):
            raise Forbidden(
                "只有街道管理员可定义服务类别 only a sub-district admin defines services"
            )
        category = ServiceCategory(code=code, **fields)
        save_audited(actor, "category.create", category, unit=None)
    return category
