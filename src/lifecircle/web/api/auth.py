"""Who is calling: a session (pages, CSRF-checked) or a personal bearer token."""

from ninja.security import HttpBearer, SessionAuth

from lifecircle.ops.access import Actor
from lifecircle.store.org.models import ApiKey


class TokenAuth(HttpBearer):
    def authenticate(self, request, token: str):
        key = (
            ApiKey.objects.select_related("user")
            .filter(key=token, active=True, user__isnull=False, user__is_active=True)
            .first()
        )
        return key.user if key else None


AUTH = [SessionAuth(), TokenAuth()]


def actor(request) -> Actor:
    return Actor.of(request.auth)
