"""URL map: pages (/), admin, typed JSON API (/api/), Open311 GeoReport v2 (/open311/v2/)."""

from django.contrib import admin
from django.urls import include, path

from lifecircle.web import admin as _audited_admin  # noqa: F401  (registers the models)
from lifecircle.web.api import api, open311

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("open311/v2/", include(open311)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("lifecircle.web.pages.urls")),
]
