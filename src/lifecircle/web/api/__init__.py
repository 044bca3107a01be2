"""Typed JSON API (Django Ninja, OpenAPI at /api/docs) and Open311 GeoReport v2."""

from lifecircle.web.api.main import api
from lifecircle.web.api.open311 import open311

__all__ = ["api", "open311"]
