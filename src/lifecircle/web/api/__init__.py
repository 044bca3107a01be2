"""Typed JSON API (Django Ninja, OpenAPI at /api/docs) and Open311 GeoReport v2."""

from lifecircle.web.api import open311
from lifecircle.web.api.main import api

__all__ = ["api", "open311"]
