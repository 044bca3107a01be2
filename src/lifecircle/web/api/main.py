"""The typed JSON API: one NinjaAPI, one router per concept, service errors as JSON."""

from ninja import NinjaAPI
from ninja.errors import ValidationError

from lifecircle.ops.errors import OpsError
from lifecircle.web.api import audit, inspections, requests, roster, stations, voice, volunteers
from lifecircle.web.api.auth import AUTH

api = NinjaAPI(
    title="lifecircle 驿站运营 API",
    version="1",
    description="社区生活圈驿站运营：驿站、服务清单、诉求、值班、安全检查、志愿服务。"
    " Station operations: stations, service lists, requests, roster, inspections, volunteers.",
    urls_namespace="api",
    auth=AUTH,
)
api.add_router("", stations.router)
api.add_router("", requests.router)
api.add_router("", roster.router)
api.add_router("", inspections.router)
api.add_router("", volunteers.router)
api.add_router("", audit.router)
api.add_router("", voice.router)


@api.exception_handler(OpsError)
def ops_error(request, exc: OpsError):
    return api.create_response(
        request, {"detail": exc.message, "field": exc.field}, status=exc.status
    )


@api.exception_handler(ValidationError)
def validation_error(request, exc: ValidationError):
    """Schema errors in the same shape as service errors, naming the first bad field."""
    first = exc.errors[0] if exc.errors else {}
    loc = [str(p) for p in first.get("loc", ()) if p not in ("body", "payload", "query", "path")]
    field = ".".join(loc) or None
    detail = f"{field}: {first.get('msg', 'invalid')}" if field else first.get("msg", "invalid")
    errors = [
        {"loc": [str(p) for p in e.get("loc", ())], "msg": str(e.get("msg", ""))}
        for e in exc.errors
    ]
    return api.create_response(
        request, {"detail": detail, "field": field, "errors": errors}, status=422
    )
