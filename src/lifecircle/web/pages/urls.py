"""Page URLs; each concept's views live in their own folder."""

from django.contrib.auth import views as auth_views
from django.urls import path

from lifecircle.web.pages.dashboard import views as dashboard
from lifecircle.web.pages.deliberation import views as deliberation
from lifecircle.web.pages.inspections import views as inspections
from lifecircle.web.pages.meetings import views as meetings
from lifecircle.web.pages.projects import views as projects
from lifecircle.web.pages.requests import views as requests
from lifecircle.web.pages.residents import views as residents
from lifecircle.web.pages.rooms import views as rooms
from lifecircle.web.pages.roster import views as roster
from lifecircle.web.pages.stations import views as stations
from lifecircle.web.pages.stats import views as stats
from lifecircle.web.pages.surveys import views as surveys
from lifecircle.web.pages.todo import views as todo
from lifecircle.web.pages.volunteers import views as volunteers
from lifecircle.web.pages.workorders import views as workorders

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
    path("streets.geojson", stations.streets, name="streets"),
    path("stations/<int:station_id>/", stations.station_page, name="station"),
    path("stations/<int:station_id>/poster/", residents.poster, name="station_poster"),
    path("stations/<int:station_id>/duty-poster/", residents.door_roster, name="door_roster"),
    path("stations/<int:station_id>/rooms/", rooms.rooms, name="rooms"),
    path("stations/<int:station_id>/rooms/book/", rooms.book, name="room_book"),
    path(
        "stations/<int:station_id>/rooms/<int:booking_id>/",
        rooms.decide,
        name="room_decide",
    ),
    path("stations/<int:station_id>/log/", rooms.service_log, name="service_log"),
    path("s/<int:station_id>/", residents.resident_form, name="resident_form"),
    path("display/", residents.display, name="display"),
    path("stats/", stats.overview, name="stats"),
    path("stats/<str:what>.xlsx", stats.export, name="stats_export"),
    path("todo/", todo.todo, name="todo"),
    path("todo/preferences/", todo.preferences, name="todo_preferences"),
    path("meetings/", meetings.meeting_list, name="meetings"),
    path("meetings/new/", meetings.meeting_create, name="meeting_create"),
    path("meetings/actions/<int:action_id>/done/", meetings.action_done, name="action_done"),
    path("volunteers/", volunteers.overview, name="volunteers"),
    path("volunteers/teams/<int:team_id>/join/", volunteers.join, name="volunteer_join"),
    path("volunteers/activities/new/", volunteers.activity_new, name="volunteer_activity_new"),
    path(
        "volunteers/activities/<int:activity_id>/signup/",
        volunteers.sign_up,
        name="volunteer_signup",
    ),
    path(
        "volunteers/signups/<int:signup_id>/hours/",
        volunteers.confirm_hours,
        name="volunteer_hours",
    ),
    path("requests/", requests.request_list, name="requests"),
    path("requests/new/", requests.request_new, name="request_new"),
    path("requests/<int:request_id>/", requests.request_detail, name="request"),
    path("requests/<int:request_id>/photo/", requests.request_photo, name="request_photo"),
    path("requests/<int:request_id>/<str:action>/", requests.request_change, name="request_change"),
    path("requests/<int:request_id>/order/<str:step>/", workorders.step, name="request_workorder"),
    path("extensions/<int:extension_id>/", workorders.decide, name="extension_decide"),
    path("roster/", roster.week, name="roster"),
    path("roster/setup/", roster.setup, name="roster_setup"),
    path("roster/swaps/", roster.swap_request, name="swap_request"),
    path("roster/swaps/<int:swap_id>/", roster.swap_decide, name="swap_decide"),
    path("inspections/", inspections.overview, name="inspections"),
    path("inspections/plans/", inspections.plans, name="inspection_plans"),
    path("inspections/<int:task_id>/", inspections.task_page, name="inspection"),
    path("inspections/<int:task_id>/confirm/", inspections.confirm, name="inspection_confirm"),
    path("inspections/<int:task_id>/print/", inspections.task_print, name="inspection_print"),
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
