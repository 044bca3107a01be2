"""Residents without an account: the station's QR poster, the request form it leads to (phone
checked by a one-time SMS code), what happens next; the large-text (elderly) switch; the A4
duty poster for the station door."""

from datetime import timedelta

import segno
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from lifecircle.ops import otp
from lifecircle.ops import requests as ops_requests
from lifecircle.ops.access import STAFF_ROLES, mask_phone
from lifecircle.ops.errors import Forbidden, OpsError
from lifecircle.ops.roster import assignments
from lifecircle.ops.stations import get_station_for, public_stations
from lifecircle.store.stations.models import ServiceCategory
from lifecircle.web.pages.common import actor, scoped

ELDERLY_COOKIE = "elderly"


def _public_station(station_id: int):
    station = public_stations().filter(pk=station_id).first()
    if station is None:
        raise Http404(f"驿站不存在 unknown station {station_id}")
    return station


def poster(request: HttpRequest, station_id: int) -> HttpResponse:
    """A4 poster with the QR code of the station's request form (made here, offline)."""
    station = _public_station(station_id)
    url = request.build_absolute_uri(f"/s/{station.pk}/")
    qr = segno.make(url, error="m").svg_inline(scale=8, dark="#000", light="#fff")
    return render(
        request,
        "pages/residents/poster.html",
        {
            "station": station,
            "qr": qr,
            "url": url,
            "catalogue": station.catalogue.filter(active=True),
        },
    )


def _categories(station):
    """The categories a resident can file here by QR: those of the station's service list
    first, then the rest; categories with required extra questions are filed at the counter
    or with an account (the QR form asks no extra questions)."""
    active = ServiceCategory.objects.filter(active=True).exclude(attributes__required=True)
    listed = list(
        active.filter(catalogue_items__station=station, catalogue_items__active=True).distinct()
    )
    return listed + list(active.exclude(pk__in=[c.pk for c in listed]))


def resident_form(request: HttpRequest, station_id: int) -> HttpResponse:
    """No-account request form: send a code to the phone, then file with the code."""
    station = _public_station(station_id)
    data = request.POST if request.method == "POST" else {}
    context = {
        "station": station,
        "categories": _categories(station),
        "data": data,
        "error": None,
        "sent": False,
    }
    if request.method == "POST":
        try:
            if data.get("do") == "send":
                otp.issue_code(data.get("phone", ""), ops_requests.RESIDENT_CODE_PURPOSE)
                context["sent"] = True
            else:
                req = ops_requests.file_by_phone(
                    station_id=station.pk,
                    phone=data.get("phone", ""),
                    code=data.get("code", ""),
                    service_code=data.get("service", ""),
                    description=data.get("description", ""),
                    contact_name=data.get("name", "").strip()[:100],
                )
                return render(
                    request,
                    "pages/residents/filed.html",
                    {"station": station, "req": req, "phone": mask_phone(req.phone)},
                )
        except OpsError as exc:
            context["error"] = exc.message
            context["sent"] = data.get("do") != "send" and bool(data.get("code"))
    return render(request, "pages/residents/form.html", context)


@require_POST
def display(request: HttpRequest) -> HttpResponse:
    """Switch large text (elderly mode) on or off; kept in a cookie for a year."""
    back = request.POST.get("next", "/")
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        back = "/"
    response = redirect(back)
    if request.POST.get("elderly") == "1":
        response.set_cookie(ELDERLY_COOKIE, "1", max_age=365 * 24 * 3600, samesite="Lax")
    else:
        response.delete_cookie(ELDERLY_COOKIE)
    return response


@login_required
@scoped
def door_roster(request: HttpRequest, station_id: int) -> HttpResponse:
    """A4 duty poster for the station door: the week's duty by day, names, parties, phone."""
    who = actor(request)
    station = get_station_for(who, station_id)
    if not who.has(STAFF_ROLES, station.unit):
        raise Forbidden("只有驿站工作人员可打印值班表 only the station's staff print the roster")
    asked = parse_date(request.GET.get("week", "") or "") or timezone.localdate()
    monday = asked - timedelta(days=asked.weekday())
    days = [monday + timedelta(days=i) for i in range(7)]
    duties = list(assignments(who, station.pk, days[0], days[-1]).select_related("plan"))
    return render(
        request,
        "pages/residents/door_roster.html",
        {
            "station": station,
            "days": [(d, [x for x in duties if x.date == d]) for d in days],
            "monday": monday,
        },
    )
