"""The back-office admin: pages load, a change there is audited, the audit log is read-only."""

from lifecircle.store.org.models import AuditEntry


def test_admin_change_is_audited_and_audit_log_is_read_only(demo, as_user):
    admin = as_user("admin")
    station = demo.stations[0]
    assert admin.get("/admin/stations/station/").status_code == 200
    page = admin.get(f"/admin/stations/station/{station.pk}/change/")
    assert page.status_code == 200
    form = {
        "name": station.name,
        "address": station.address,
        "lat": station.lat,
        "lon": station.lon,
        "opening_hours": "周一至周日 8:00-20:00",
        "floor_area_m2": station.floor_area_m2,
        "functions": '["service_station"]',
        "phone": "",
        "description": "",
        "active": "on",
        "unit": station.unit_id,
        "catalogue-TOTAL_FORMS": "0",
        "catalogue-INITIAL_FORMS": "0",
        "catalogue-MIN_NUM_FORMS": "0",
        "catalogue-MAX_NUM_FORMS": "1000",
    }
    before = AuditEntry.objects.count()
    response = admin.post(f"/admin/stations/station/{station.pk}/change/", form)
    assert response.status_code == 302, response.content[:2000]
    entry = AuditEntry.objects.first()
    assert AuditEntry.objects.count() == before + 1 and entry.action == "admin.change"
    assert entry.before["opening_hours"] == "8:30-17:00"
    assert entry.after["opening_hours"] == "周一至周日 8:00-20:00"
    assert admin.get(f"/admin/org/auditentry/{entry.pk}/delete/").status_code == 403
    assert admin.post(f"/admin/org/auditentry/{entry.pk}/change/", {"note": "x"}).status_code == 403
    assert as_user("juwei1").get("/admin/").status_code == 302  # not staff: sent to log in


def test_admin_shows_requests_read_only_with_the_phone_masked(demo, as_user):
    from ops_helpers import file_request

    rid = file_request(as_user("juwei1"), demo.stations[0].pk)["id"]
    page = as_user("admin").get(f"/admin/requests/servicerequest/{rid}/change/")
    assert page.status_code == 200
    assert "138****5678" in page.content.decode() and "13812345678" not in page.content.decode()


def test_residents_voice_records_have_back_office_pages(demo, as_user):
    admin = as_user("admin")
    for path in ("surveys/survey", "surveys/surveyresponse", "deliberation/household",
                 "deliberation/proposal", "deliberation/decision", "projects/project",
                 "projects/contribution", "projects/expense"):  # fmt: skip
        assert admin.get(f"/admin/{path}/").status_code == 200, path
    from lifecircle.store.projects.models import Project
    from lifecircle.store.surveys.models import Survey

    for model in (Survey, Project):
        record = model.objects.first()
        meta = model._meta
        page = admin.get(f"/admin/{meta.app_label}/{meta.model_name}/{record.pk}/change/")
        assert page.status_code == 200, meta.label
    assert as_user("juwei1").get("/admin/deliberation/household/").status_code == 302
