"""Request id in every log line, clear 400s for input the database cannot store, JSON errors
for the JSON endpoints (never an HTML 500), 503 with Retry-After while the database is away."""

import contextvars
import json
import logging
import uuid
from pathlib import Path

from django.conf import settings
from django.core.exceptions import (
    BadRequest,
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
)
from django.db import DataError, InterfaceError, OperationalError
from django.http import Http404, HttpResponse, JsonResponse

log = logging.getLogger("lifecircle.web")
REQUEST_ID = contextvars.ContextVar("request_id", default="-")
RETRY_AFTER_SECONDS = 5


class RequestIdFilter(logging.Filter):
    """Put the current request's id on each log record (as `request_id`)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = REQUEST_ID.get()
        return True


class LazyFileHandler(logging.FileHandler):
    """A log file whose folder is made on the first line written (not at import time)."""

    def __init__(self, filename: str, **kwargs) -> None:
        super().__init__(filename, delay=True, encoding="utf-8", **kwargs)

    def _open(self):
        Path(self.baseFilename).parent.mkdir(parents=True, exist_ok=True)
        return super()._open()


def _kind(path: str) -> str:
    if path.startswith("/api/"):
        return "api"
    if path.startswith("/open311/"):
        return "open311"
    return "page"


def invalid_status(request) -> int:
    """The status for refused input: 422 on the JSON API (as its schema errors), else 400."""
    return 422 if _kind(request.path) == "api" else 400


def error_response(request, status: int, message: str, field: str | None = None) -> HttpResponse:
    """An error in the endpoint's own format: API {"detail", "field"}, Open311 [{code,
    description}] (XML when the URL asks for it), plain text for pages."""
    kind = _kind(request.path)
    if kind == "api":
        response = JsonResponse(
            {"detail": message, "field": field},
            status=status,
            json_dumps_params={"ensure_ascii": False},
        )
    elif kind == "open311" and request.path.endswith(".xml"):
        from lifecircle.web.api.open311 import error, render

        response = render(error(status, message), "xml")
    elif kind == "open311":
        response = JsonResponse(
            [{"code": status, "description": message}],
            safe=False,
            status=status,
            json_dumps_params={"ensure_ascii": False},
        )
    else:
        response = HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")
    response["X-Request-Id"] = REQUEST_ID.get()
    return response


class RequestIdMiddleware:
    """Give each request an id (or keep the proxy's X-Request-Id), log it, send it back."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.headers.get("X-Request-Id", "")
        rid = given if given.isascii() and given.isprintable() and 0 < len(given) <= 64 else ""
        token = REQUEST_ID.set(rid or uuid.uuid4().hex[:16])
        try:
            response = self.get_response(request)
            response["X-Request-Id"] = REQUEST_ID.get()
            return response
        finally:
            REQUEST_ID.reset(token)


def _has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


class BadInputMiddleware:
    """Refuse a NUL character anywhere in the query, the form or a JSON body with a 400 that
    names the field (PostgreSQL cannot store it, and no real text contains it)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            field = self._nul_field(request)
        except RequestDataTooBig:
            return error_response(
                request,
                413,
                f"body: 请求过大（最多 {settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 1_000_000} MB，"
                f"照片另计）request too large (at most "
                f"{settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 1_000_000} MB besides photos)",
                "body",
            )
        if field is not None:
            return error_response(
                request,
                invalid_status(request),
                f"{field}: 不能含 NUL 字符 must not contain a NUL character",
                field,
            )
        return self.get_response(request)

    @staticmethod
    def _nul_field(request) -> str | None:
        for name, values in request.GET.lists():
            if _has_nul(name) or any(_has_nul(v) for v in values):
                return name.replace("\x00", "")
        if request.method not in ("POST", "PUT", "PATCH"):
            return None
        if request.content_type == "application/json":
            try:
                body = json.loads(request.body or b"null")
            except ValueError:
                return None  # the endpoint reports malformed JSON itself
            if isinstance(body, dict):
                for name, value in body.items():
                    if _has_nul(name) or _has_nul(value):
                        return name.replace("\x00", "")
            return "body" if _has_nul(body) else None
        if request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            for name, values in request.POST.lists():
                if _has_nul(name) or any(_has_nul(v) for v in values):
                    return name.replace("\x00", "")
        return None


def database_unreachable(exc: BaseException) -> bool:
    """Is this the database being away (not a bad statement)?"""
    if isinstance(exc, InterfaceError):
        return True
    if not isinstance(exc, OperationalError):
        return False
    text = str(exc).lower()
    return any(
        s in text
        for s in (
            "connection",
            "could not connect",
            "unable to open database",
            "server closed",
            "terminating",
            "timeout",
            "database is locked",
        )
    )


class DatabaseDownMiddleware:
    """Database away → 503 with Retry-After; input the database refuses (out-of-range number,
    malformed value) → 400; any other failure of a JSON endpoint → a JSON 500. All logged."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exc):
        if database_unreachable(exc):
            log.error("database unreachable: %s %s: %s", request.method, request.path, exc)
            response = error_response(
                request,
                503,
                "数据库暂时无法连接，请稍后重试 the database is unreachable; retry shortly",
            )
            response["Retry-After"] = str(RETRY_AFTER_SECONDS)
            return response
        if isinstance(exc, (DataError, OverflowError)):
            log.warning("refused input: %s %s: %s", request.method, request.path, exc)
            return error_response(
                request,
                invalid_status(request),
                "数值超出范围或格式不对 a value is out of range or malformed",
            )
        if isinstance(exc, (Http404, PermissionDenied, SuspiciousOperation, BadRequest)):
            return None  # Django answers these itself
        if _kind(request.path) != "page":
            log.exception("error in %s %s", request.method, request.path)
            return error_response(
                request, 500, f"服务器内部错误 internal error (request id {REQUEST_ID.get()})"
            )
        return None  # pages: Django logs it and shows its 500 page


def login_locked_out(request, original_response=None, credentials=None) -> HttpResponse:
    """django-axes' answer to a locked login: 429 in words, with Retry-After."""
    seconds = int(settings.AXES_COOLOFF_TIME.total_seconds())
    response = HttpResponse(
        f"登录失败次数过多，请 {seconds // 60} 分钟后再试。"
        f" Too many failed logins: try again in {seconds // 60} minutes.",
        status=429,
        content_type="text/plain; charset=utf-8",
    )
    response["Retry-After"] = str(seconds)
    return response
