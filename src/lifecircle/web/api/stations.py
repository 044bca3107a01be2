"""/api/stations, /api/categories, /api/me."""

from ninja import Router, Status

from lifecircle.ops import stations as ops
from lifecircle.store.org.models import RoleGrant
from lifecircle.store.stations.models import ServiceCategory
from lifecircle.web.api.auth import actor
from lifecircle.web.api.schemas import (
    CatalogueIn,
    CatalogueOut,
    CategoryOut,
    Error,
    MeOut,
    StationIn,
    StationOut,
    StationPatch,
)

router = Router(tags=["stations 驿站"])
ERRORS = {403: Error, 404: Error, 409: Error, 422: Error}


def catalogue_out(item) -> dict:
    return {
        "id": item.pk,
        "kind": item.kind,
        "title": item.title,
        "schedule": item.schedule,
        "provider": item.provider,
        "service_code": item.category.code if item.category else None,
        "active": item.active,
    }


@router.get("/me", response={200: MeOut, **ERRORS})
def me(request):
    """The caller and the roles they hold."""
    who = actor(request)
    grants = RoleGrant.objects.filter(user=who.user).select_related("unit")
    return {
        "username": who.label,
        "grants": [
            {"role": g.role, "unit_id": g.unit_id, "unit_name": g.unit.name} for g in grants
        ],
    }


@router.get("/stations", response={200: list[StationOut], **ERRORS})
def list_stations(request):
    """Stations under the caller's units."""
    return list(ops.visible_stations(actor(request)))


@router.post("/stations", response={201: StationOut, **ERRORS})
def create_station(request, payload: StationIn):
    data = payload.dict()
    station = ops.create_station(
        actor(request), parent_unit_id=data.pop("parent_unit_id"), name=data.pop("name"), **data
    )
    return Status(201, station)


@router.get("/stations/{station_id}", response={200: StationOut, **ERRORS})
def get_station(request, station_id: int):
    return ops.get_station_for(actor(request), station_id)


@router.patch("/stations/{station_id}", response={200: StationOut, **ERRORS})
def update_station(request, station_id: int, payload: StationPatch):
    return ops.update_station(actor(request), station_id, **payload.dict(exclude_unset=True))


@router.get("/stations/{station_id}/catalogue", response={200: list[CatalogueOut], **ERRORS})
def station_catalogue(request, station_id: int):
    station = ops.get_station_for(actor(request), station_id)
    return [catalogue_out(i) for i in station.catalogue.select_related("category")]


@router.post("/stations/{station_id}/catalogue", response={201: CatalogueOut, **ERRORS})
def add_catalogue_item(request, station_id: int, payload: CatalogueIn):
    item = ops.add_catalogue_item(actor(request), station_id, **payload.dict())
    return Status(201, catalogue_out(item))


@router.get("/categories", response={200: list[CategoryOut], **ERRORS})
def list_categories(request):
    """Request categories with their SLA (hours)."""
    return list(ServiceCategory.objects.filter(active=True))
