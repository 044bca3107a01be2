"""Errors raised by the services; the faces map them to HTTP status codes."""


class OpsError(Exception):
    """Base: `message` is shown to the user (中文 first, then English)."""

    status = 400

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class Invalid(OpsError):
    """A field has a bad value; `field` names it."""

    status = 422


class NotFound(OpsError):
    """The record does not exist or is outside the caller's scope."""

    status = 404


class Forbidden(OpsError):
    """The caller may see the record but not do this to it."""

    status = 403


class Conflict(OpsError):
    """The record changed meanwhile (stale version) or is in a state that forbids this."""

    status = 409
