"""Open311 GeoReport v2 (JSON and XML): services, service definitions, requests (GET, POST with
api_key).

Errors are the spec's list: `[{"code": 400, "description": "..."}]` (XML: `<errors><error>…`)
with the same HTTP status.
A POST is routed to a station by `address_id` (the station id) or else to the nearest station of
the key's area from `lat`/`long`; `public=true` publishes it, an `Idempotency-Key` header makes a
retry return the first request. Only requests marked public are listed or shown, and only their
public fields (service, status, the resident's text, a street-level address, the dates).
"""

import functools
import math
import re
from dataclasses import dataclass
from datetime import timedelta
from xml.etree.ElementTree import Element, tostring

from django.http import HttpResponse, JsonResponse
from django.urls import re_path
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from lifecircle.ops import requests as ops
from lifecircle.ops.access import Actor
from lifecircle.ops.errors import OpsError
from lifecircle.store.org.models import ApiKey
from lifecircle.store.requests.models import ServiceRequest, Status
from lifecircle.store.stations.models import ServiceCategory, Station
from lifecircle.web.api.auth import KeyLockedOut, checked_key

MAX_REQUESTS = 1000
MAX_ID = 2**63 - 1
# The road part of a Chinese address ("斜土路2567弄12号301室" → "斜土路"): street level only.
ROAD = re.compile(r"^.*?(?:大道|路|街|巷|道)")


CLOSED = (Status.RESOLVED, Status.CLOSED, Status.REJECTED)
# XML: the element of each item of these lists
LIST_ITEMS = {"attributes": "attribute", "values": "value"}


@dataclass
class Reply:
    """What an endpoint answers, before it is written as JSON or XML."""

    data: object
    status: int = 200
    root: str = "service_requests"
    item: str | None = "request"
    headers: dict | None = None


def error(status: int, description: str) -> Reply:
    return Reply([{"code": status, "description": description}], status, "errors", "error")


def _element(tag: str, value) -> Element:
    element = Element(tag)
    if isinstance(value, dict):
        element.extend(_element(key, v) for key, v in value.items())
    elif isinstance(value, list):
        element.extend(_element(LIST_ITEMS.get(tag, "item"), v) for v in value)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = str(value)
    return element


def render(reply: Reply, fmt: str) -> HttpResponse:
    response = _body(reply, fmt)
    for name, value in (reply.headers or {}).items():
        response[name] = value
    return response


def _body(reply: Reply, fmt: str) -> HttpResponse:
    if fmt == "xml":
        if reply.item is None:
            root = _element(reply.root, reply.data)
        else:
            root = Element(reply.root)
            root.extend(_element(reply.item, item) for item in reply.data)
        body = '<?xml version="1.0" encoding="utf-8"?>' + tostring(root, encoding="unicode")
        return HttpResponse(body, content_type="text/xml; charset=utf-8", status=reply.status)
    # Chinese left readable (UTF-8, not \\u escapes)
    return JsonResponse(
        reply.data, safe=False, status=reply.status, json_dumps_params={"ensure_ascii": False}
    )


def endpoint(view):
    """Let a view return a Reply and answer in the format of the URL's suffix (.json or .xml)."""

    @functools.wraps(view)
    def answer(request, fmt: str, **kwargs):
        return render(view(request, **kwargs), fmt)

    return answer


def service_out(category: ServiceCategory) -> dict:
    return {
        "service_code": category.code,
        "service_name": f"{category.name_zh} {category.name_en}",
        "description": category.description,
        "metadata": category.attributes.exists(),
        "type": "realtime",
        "keywords": category.keywords,
        "group": category.group,
    }


def street_level(address: str) -> str:
    """Only the road of an address, never the house, building or flat number."""
    match = ROAD.match(address.strip())
    return match.group(0) if match else ""


def request_out(req: ServiceRequest) -> dict:
    """Public view of a public request: service, status, the resident's text, a street-level
    address (and a point rounded to about 100 m), the dates. No names, phones, internal notes,
    resolutions or rating comments."""
    return {
        "service_request_id": str(req.pk),
        "status": "closed" if req.status in CLOSED else "open",
        "status_notes": req.get_status_display(),
        "service_name": f"{req.category.name_zh} {req.category.name_en}",
        "service_code": req.category.code,
        "description": req.description,
        "agency_responsible": req.station.name,
        "service_notice": req.category.notice,
        "requested_datetime": req.requested_datetime.isoformat(),
        "updated_datetime": req.updated_datetime.isoformat(),
        "expected_datetime": req.expected_datetime.isoformat(),
        "address": street_level(req.address) or street_level(req.station.address),
        "address_id": str(req.station_id),
        "zipcode": "",
        "lat": None if req.lat is None else round(req.lat, 3),
        "long": None if req.lon is None else round(req.lon, 3),
    }


@require_GET
@endpoint
def services(request):
    return Reply(
        [service_out(c) for c in ServiceCategory.objects.filter(active=True)],
        root="services",
        item="service",
    )


@require_GET
@endpoint
def service_definition(request, code: str):
    category = ServiceCategory.objects.filter(code=code, active=True).first()
    if category is None:
        return error(404, f"service_code: 服务类别不存在 unknown service {code!r}")
    attributes = [
        {
            "variable": True,
            "code": a.code,
            "datatype": a.datatype,
            "required": a.required,
            "datatype_description": a.datatype_description,
            "order": a.order,
            "description": a.description,
            "values": [{"key": str(v["key"]), "name": v["name"]} for v in a.values],
        }
        for a in category.attributes.all()
    ]
    return Reply(
        {"service_code": category.code, "attributes": attributes},
        root="service_definition",
        item=None,
    )


def _float(form, name: str) -> float | None:
    raw = form.get(name, "").strip()
    if not raw:
        return None
    value = float(raw)  # ValueError is reported by the caller with the field name
    if not math.isfinite(value):
        raise ValueError(raw)
    return value


def _route(key: ApiKey, address_id: str, lat: float | None, lon: float | None) -> int | None:
    """The station id: `address_id` as given (checked on filing), else the nearest located one."""
    if address_id:
        return int(address_id) if address_id.isdigit() else None
    stations = Station.objects.filter(
        active=True, unit__path__startswith=key.unit.path, lat__isnull=False, lon__isnull=False
    ).values_list("pk", "lat", "lon")
    if lat is None or lon is None or not stations:
        return None
    scale = math.cos(math.radians(lat))
    return min(stations, key=lambda s: (s[1] - lat) ** 2 + ((s[2] - lon) * scale) ** 2)[0]


def locked_out(exc: KeyLockedOut) -> Reply:
    reply = error(
        429,
        f"api_key: 失败次数过多，请 {exc.retry_after} 秒后再试"
        f" too many failed keys; retry after {exc.retry_after} s",
    )
    reply.headers = {"Retry-After": str(exc.retry_after)}
    return reply


def post_request(request):
    form = request.POST
    try:
        key = checked_key(request, form.get("api_key", ""), personal=False)
    except KeyLockedOut as exc:
        return locked_out(exc)
    if key is None:
        return error(403, "api_key: 缺少或无效的 api_key missing or invalid api_key")
    if not form.get("service_code"):
        return error(400, "service_code: 必填 required")
    try:
        lat, lon = _float(form, "lat"), _float(form, "long")
    except ValueError:
        return error(400, "lat/long: 需要数字 must be numbers")
    if (lat is None) != (lon is None) or (
        lat is not None and not (-90 <= lat <= 90 and -180 <= lon <= 180)
    ):
        return error(400, "lat/long: 须成对给出且在范围内 give both, within range")
    address_id = form.get("address_id", "").strip()
    if address_id.isdigit() and int(address_id) > MAX_ID:
        return error(404, f"address_id: 无法定位到驿站 no station {address_id}")
    public = form.get("public", "false").strip().lower()
    if public not in ("true", "false"):
        return error(400, "public: 可选值 allowed values true, false")
    if not address_id and lat is None:
        return error(400, "lat/long or address_id: 须给出位置 a location is required")
    station_id = _route(key, address_id, lat, lon)
    if station_id is None:
        return error(
            404,
            f"address_id: 无法定位到驿站 no station for this location ({address_id or 'lat/long'})",
        )
    attributes = {
        name[len("attribute[") : -1]: (
            form.getlist(name) if len(form.getlist(name)) > 1 else form[name]
        )
        for name in form
        if name.startswith("attribute[") and name.endswith("]")
    }
    name = " ".join(p for p in (form.get("first_name", ""), form.get("last_name", "")) if p)
    try:
        req = ops.file_request(
            Actor(None, api_key=key),
            station_id=station_id,
            service_code=form["service_code"],
            description=form.get("description", ""),
            channel="open311",
            address=form.get("address_string", "")[:200],
            lat=lat,
            lon=lon,
            contact_name=name[:100],
            phone=form.get("phone", "")[:32],
            email=form.get("email", "")[:254],
            attributes=attributes,
            media_url=form.get("media_url", "")[:200],
            public=public == "true",
            idempotency_key=request.headers.get("Idempotency-Key"),
        )
    except OpsError as exc:
        message = exc.message.replace("station_id:", "address_id:", 1)
        return error(exc.status if exc.status in (403, 404) else 400, message)
    answer = {
        "service_request_id": str(req.pk),
        "service_notice": req.category.notice,
        "account_id": None,
    }
    return Reply([answer], status=200 if req.replayed else 201)


def get_requests(request):
    params = request.GET
    rows = ServiceRequest.objects.filter(public=True).select_related("station", "category")
    ids = params.get("service_request_id", "")
    if ids:
        wanted = [i.strip() for i in ids.split(",") if i.strip()]
        if not all(i.isdigit() and int(i) <= MAX_ID for i in wanted):
            return error(400, "service_request_id: 须为数字 must be numbers, comma separated")
        rows = rows.filter(pk__in=[int(i) for i in wanted])
    else:
        codes = [c for c in params.get("service_code", "").split(",") if c]
        if codes:
            rows = rows.filter(category__code__in=codes)
        dates = {}
        for name in ("start_date", "end_date"):
            if params.get(name):
                try:
                    dates[name] = parse_datetime(params[name].replace(" ", "+"))
                except ValueError:  # well formed but not a date, such as 2020-13-45
                    dates[name] = None
                if dates[name] is None:
                    return error(400, f"{name}: 需要 W3C 时间 must be a W3C datetime")
        end = dates.get("end_date") or timezone.now()
        start = dates.get("start_date") or end - timedelta(days=90)
        rows = rows.filter(requested_datetime__gte=start, requested_datetime__lte=end)
        statuses = {s for s in params.get("status", "").split(",") if s}
        if statuses - {"open", "closed"}:
            return error(400, "status: 可选值 allowed values open, closed")
        if statuses == {"open"}:
            rows = rows.exclude(status__in=CLOSED)
        elif statuses == {"closed"}:
            rows = rows.filter(status__in=CLOSED)
    return Reply([request_out(r) for r in rows[:MAX_REQUESTS]])


@csrf_exempt
@require_http_methods(["GET", "POST"])
@endpoint
def requests_collection(request):
    return post_request(request) if request.method == "POST" else get_requests(request)


@require_GET
@endpoint
def request_detail(request, request_id: int):
    req = (
        ServiceRequest.objects.select_related("station", "category")
        .filter(pk=request_id, public=True)
        .first()
        if int(request_id) <= MAX_ID
        else None
    )
    if req is None:
        return error(404, f"service_request_id: 诉求不存在 no request {request_id}")
    return Reply([request_out(req)])


FMT = r"\.(?P<fmt>json|xml)$"
urlpatterns = [
    re_path(r"^services" + FMT, services),
    re_path(r"^services/(?P<code>[^/]+?)" + FMT, service_definition),
    re_path(r"^requests" + FMT, requests_collection),
    re_path(r"^requests/(?P<request_id>[0-9]+)" + FMT, request_detail),
]
