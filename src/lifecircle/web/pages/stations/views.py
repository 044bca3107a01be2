"""Stations: the public list with a map, and a public page per station."""

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from lifecircle.ops.access import STAFF_ROLES
from lifecircle.ops.roster import duty_on
from lifecircle.ops.stations import public_stations
from lifecircle.ops.streets import all_streets
from lifecircle.web.pages.common import actor
from lifecircle.web.pages.rooms.views import week_calendar


def _points(stations, current: int | None = None) -> list[dict]:
    """The stations for the map; `current` is drawn highlighted among its neighbours."""
    return [
        {
            "name": s.name,
            "lat": s.lat,
            "lon": s.lon,
            "url": reverse("pages:station", args=[s.pk]),
            "current": s.pk == current,
        }
        for s in stations
    ]


def streets(request: HttpRequest) -> JsonResponse:
    """The street lines drawn under every map (GeoJSON, WGS-84)."""
    response = JsonResponse(all_streets())
    response["Cache-Control"] = "public, max-age=3600"
    return response


def station_list(request: HttpRequest) -> HttpResponse:
    stations = list(public_stations())
    return render(
        request, "pages/stations/list.html", {"stations": stations, "points": _points(stations)}
    )


def station_page(request: HttpRequest, station_id: int) -> HttpResponse:
    """Service list, hours and today's duty, as published to residents."""
    station = public_stations().filter(pk=station_id).first()
    if station is None:
        raise Http404(f"驿站不存在 unknown station {station_id}")
    today = timezone.localdate()
    duties = duty_on(station, today)
    return render(
        request,
        "pages/stations/page.html",
        {
            "station": station,
            "catalogue": station.catalogue.filter(active=True).select_related("category"),
            "duties": duties,
            "today": today,
            "show_people": actor(request).has(STAFF_ROLES, station.unit),
            "points": _points(public_stations(), current=station.pk),
            "calendar": week_calendar(station, today),
        },
    )
