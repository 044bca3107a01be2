"""Who is calling: a personal bearer token, or a session (pages) — CSRF-checked only then.

A browser sends cookies by itself but never an Authorization header, so CSRF protects
session requests only; a token client can POST and PATCH. Failed tokens and Open311 keys
count against the caller's address: after too many, its further misses get 429 + Retry-After.
"""

from django.conf import settings
from ninja.errors import HttpError
from ninja.security import HttpBearer
from ninja.security.apikey import APIKeyCookie
from ninja.utils import check_csrf

from lifecircle.ops.access import Actor
from lifecircle.store.org.models import ApiKey, KeyFailure


class KeyLockedOut(Exception):
    """Too many failed keys or tokens from this address; try again after `retry_after` s."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after)
        self.retry_after = retry_after


def client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR") or "0.0.0.0"


def checked_key(request, secret: str, *, personal: bool) -> ApiKey | None:
    """The key for `secret`; a miss counts against the caller's address, and once the address
    has too many misses, further misses raise KeyLockedOut. A right key is always accepted
    (192 random bits cannot be guessed; clients sharing an address with a guesser keep working)."""
    key = ApiKey.find(secret, personal=personal)
    if key is not None:
        return key
    ip = client_ip(request)
    wait = KeyFailure.lockout_seconds(ip)
    if wait:
        raise KeyLockedOut(wait)
    KeyFailure.note(ip)
    return None


class TokenAuth(HttpBearer):
    def authenticate(self, request, token: str):
        key = checked_key(request, token, personal=True)
        return key.user if key else None


class SessionAuth(APIKeyCookie):
    """The signed-in page user; unsafe methods must carry the CSRF token."""

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self) -> None:
        super().__init__(csrf=False)

    def authenticate(self, request, key):
        if not request.user.is_authenticated:
            return None
        if check_csrf(request):
            raise HttpError(403, "CSRF 校验失败 CSRF check failed")
        return request.user


AUTH = [TokenAuth(), SessionAuth()]


def actor(request) -> Actor:
    return Actor.of(request.auth)
