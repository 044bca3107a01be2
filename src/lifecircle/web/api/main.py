"""The typed JSON API: one NinjaAPI, one router per concept, service errors as JSON."""

from ninja import NinjaAPI
from ninja.errors import HttpError, ValidationError

from lifecircle.ops.errors import OpsError
from lifecircle.web.api import audit, inspections, requests, roster, stations, voice, volunteers
from lifecircle.web.api.auth import AUTH, KeyLockedOut

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


@api.exception_handler(KeyLockedOut)
def locked_out(request, exc: KeyLockedOut):
    response = api.create_response(
        request,
        {
            "detail": f"Authorization: 失败次数过多，请 {exc.retry_after} 秒后再试"
            f" too many failed tokens; retry after {exc.retry_after} s",
            "field": "Authorization",
        },
        status=429,
    )
    response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    """Ninja's own refusals in the API's shape; an unreadable body is bad input (422)."""
    if exc.status_code == 400:
        return api.create_response(
            request,
            {"detail": "body: 请求体不是有效的 JSON the body is not valid JSON", "field": "body"},
            status=422,
        )
    return api.create_response(request, {"detail": str(exc), "field": None}, status=exc.status_code)
