"""Page URLs; each concept's views live in their own folder."""

from django.contrib.auth import views as auth_views
from django.urls import path

from lifecircle.web.pages.dashboard import views as dashboard
from lifecircle.web.pages.inspections import views as inspections
from lifecircle.web.pages.requests import views as requests
from lifecircle.web.pages.roster import views as roster
from lifecircle.web.pages.stations import views as stations

app_name = "pages"
urlpatterns = [
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(template_name="pages/login.html"),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", dashboard.dashboard, name="dashboard"),
    path("stations/", stations.station_list, name="stations"),
    path("stations/<int:station_id>/", stations.station_page, name="station"),
    path("requests/", requests.request_list, name="requests"),
    path("requests/new/", requests.request_new, name="request_new"),
    path("requests/<int:request_id>/", requests.request_detail, name="request"),
    path("requests/<int:request_id>/photo/", requests.request_photo, name="request_photo"),
    path("requests/<int:request_id>/<str:action>/", requests.request_change, name="request_change"),
    path("roster/", roster.week, name="roster"),
    path("roster/swaps/", roster.swap_request, name="swap_request"),
    path("roster/swaps/<int:swap_id>/", roster.swap_decide, name="swap_decide"),
    path("inspections/", inspections.overview, name="inspections"),
    path("inspections/<int:task_id>/", inspections.task_page, name="inspection"),
    path(
        "inspections/rectifications/<int:order_id>/",
        inspections.rectification_page,
        name="rectification",
    ),
]
