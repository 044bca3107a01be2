"""Page URLs; each concept's views live in their own folder."""

from django.contrib.auth import views as auth_views
from django.urls import path

from lifecircle.web.pages.dashboard import views as dashboard
from lifecircle.web.pages.deliberation import views as deliberation
from lifecircle.web.pages.inspections import views as inspections
from lifecircle.web.pages.projects import views as projects
from lifecircle.web.pages.requests import views as requests
from lifecircle.web.pages.roster import views as roster
from lifecircle.web.pages.stations import views as stations
from lifecircle.web.pages.surveys import views as surveys

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
    # residents' voice: surveys, 公共议事, 自治项目
    path("surveys/", surveys.survey_list, name="surveys"),
    path("surveys/new/", surveys.survey_new, name="survey_new"),
    path("surveys/<int:survey_id>/", surveys.survey_page, name="survey"),
    path("surveys/<int:survey_id>/qr.svg", surveys.qr_code, name="survey_qr"),
    path("surveys/<int:survey_id>/results.xlsx", surveys.results_xlsx, name="survey_results_xlsx"),
    path("surveys/<int:survey_id>/xlsform.xlsx", surveys.form_xlsx, name="survey_form_xlsx"),
    path("surveys/<int:survey_id>/paper/", surveys.paper, name="survey_paper"),
    path("surveys/<int:survey_id>/import/", surveys.import_file, name="survey_import"),
    path("s/<str:token>/", surveys.answer, name="survey_answer"),
    path("s/<str:token>/code/", surveys.send_code, name="survey_code"),
    path("proposals/", deliberation.proposal_list, name="proposals"),
    path("proposals/new/", deliberation.proposal_new, name="proposal_new"),
    path("proposals/<int:proposal_id>/", deliberation.proposal_page, name="proposal"),
    path("proposals/<int:proposal_id>/photo/", deliberation.proposal_photo, name="proposal_photo"),
    path(
        "proposals/<int:proposal_id>/comment/",
        deliberation.proposal_comment,
        name="proposal_comment",
    ),
    path(
        "proposals/<int:proposal_id>/support/",
        deliberation.proposal_support,
        name="proposal_support",
    ),
    path("decisions/", deliberation.decisions, name="decisions"),
    path("projects/", projects.project_list, name="projects"),
    path("projects/<int:project_id>/", projects.project_page, name="project"),
]
