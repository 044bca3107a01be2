"""Web face: Django pages, admin, JSON API and Open311 GeoReport v2."""
