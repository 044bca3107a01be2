"""Every page through the Django test client: status, scoping, the workflow, the English switch."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from lifecircle.ops import requests as ops
from lifecircle.ops.access import Actor
from lifecircle.store.org.models import AuditEntry
from lifecircle.store.requests.models import ServiceRequest


def file_as(demo, username: str, station: int = 0, **extra) -> ServiceRequest:
    fields = {
        "station_id": demo.stations[station].pk,
        "service_code": "consultation",
        "description": "想了解高龄津贴怎么申请",
        "channel": "resident" if username.startswith("jumin") else "counter",
        "phone": "13812345678",
    }
    fields.update(extra)
    return ops.file_request(Actor(demo.users[username]), **fields)


def version_of(rid: int) -> int:
    return ServiceRequest.objects.get(pk=rid).version


def test_anonymous_sees_public_stations_and_is_sent_to_log_in(demo):
    client = Client()
    page = client.get("/stations/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "东安一村居委会睦邻点" in html and "/static/leaflet/leaflet.js" in html
    station = client.get(f"/stations/{demo.stations[0].pk}/")
    assert station.status_code == 200
    assert "法律咨询" in station.content.decode()  # the service list
    assert client.get("/stations/999999/").status_code == 404
    for url in ["/", "/requests/", "/requests/new/", "/roster/", "/inspections/"]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_leaflet_is_served_from_the_package(demo):
    from django.contrib.staticfiles import finders

    assert finders.find("leaflet/leaflet.js") and finders.find("leaflet/leaflet.css")


def test_log_in_and_out(demo):
    client = Client()
    assert client.get("/accounts/login/").status_code == 200
    bad = client.post("/accounts/login/", {"username": "juwei1", "password": "wrong"})
    assert bad.status_code == 200 and "_auth_user_id" not in client.session
    good = client.post("/accounts/login/", {"username": "juwei1", "password": "lifecircle-demo"})
    assert good.status_code == 302 and client.session["_auth_user_id"]
    client.post("/accounts/logout/")
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("username", ["admin", "jiedao", "juwei1", "wuye1", "anquan", "jumin1"])
def test_every_page_opens_for_every_role(demo, as_user, username):
    client = as_user(username)
    for url in ["/", "/stations/", "/requests/", "/requests/new/", "/roster/", "/inspections/"]:
        assert client.get(url).status_code == 200, (username, url)


def test_dashboard_counts_open_and_overdue_in_scope(demo, as_user):
    file_as(demo, "juwei1", 0)
    late = file_as(demo, "juwei1", 0)
    ServiceRequest.objects.filter(pk=late.pk).update(expected_datetime="2020-01-01T00:00Z")
    file_as(demo, "juwei2", 1)  # another committee's station
    html = as_user("juwei1").get("/").content.decode()
    assert re.search(r'id="open-count">2<', html) and re.search(r'id="overdue-count">1<', html)
    html = as_user("jiedao").get("/").content.decode()  # the sub-district sees all three
    assert re.search(r'id="open-count">3<', html)


def test_resident_cannot_open_anothers_request(demo, as_user):
    theirs = file_as(demo, "jumin2")
    mine = file_as(demo, "jumin1")
    client = as_user("jumin1")
    assert client.get(f"/requests/{theirs.pk}/").status_code == 404
    assert client.get(f"/requests/{mine.pk}/").status_code == 200
    listing = client.get("/requests/").content.decode()
    assert f"/requests/{mine.pk}/" in listing and f"/requests/{theirs.pk}/" not in listing


def test_committee_cannot_open_another_committees_request(demo, as_user):
    other = file_as(demo, "juwei2", 1)
    assert as_user("juwei1").get(f"/requests/{other.pk}/").status_code == 404


def test_phone_masked_except_to_the_handler(demo, as_user):
    req = file_as(demo, "juwei1")
    assert "13812345678" in as_user("juwei1").get(f"/requests/{req.pk}/").content.decode()
    seen_by_owners = as_user("yewei1").get(f"/requests/{req.pk}/").content.decode()
    assert "13812345678" not in seen_by_owners and "138****5678" in seen_by_owners


def test_intake_form_files_a_request_with_extra_questions(demo, as_user):
    client = as_user("juwei1")
    before = AuditEntry.objects.count()
    form = {
        "station": demo.stations[0].pk,
        "service": "repair",
        "channel": "counter",
        "description": "3号楼楼道灯不亮",
        "phone": "13900001111",
        "resident": "jumin1",
    }
    missing = client.post("/requests/new/", form)
    assert missing.status_code == 200 and "attribute[place]" in missing.content.decode()
    assert not ServiceRequest.objects.exists() and AuditEntry.objects.count() == before
    spot = {"lat": "31.1950", "lon": "121.4560"}
    done = client.post("/requests/new/", {**form, **spot, "attr-repair-place": "shared"})
    req = ServiceRequest.objects.get()
    assert (req.lat, req.lon) == (31.195, 121.456)
    assert done.status_code == 302 and done["Location"] == f"/requests/{req.pk}/"
    assert req.attributes == {"place": "shared"} and req.requester == demo.users["jumin1"]
    assert "<dt>位置</dt><dd>公共部位</dd>" in client.get(done["Location"]).content.decode()
    assert AuditEntry.objects.count() == before + 1
    unknown = client.post("/requests/new/", {**form, "resident": "nobody"})
    assert unknown.status_code == 200 and ServiceRequest.objects.count() == 1


def test_resident_files_for_themselves_only(demo, as_user):
    client = as_user("jumin1")
    page = client.get("/requests/new/").content.decode()
    assert 'value="resident"' in page and 'value="counter"' not in page
    form = {
        "station": demo.stations[0].pk,
        "service": "consultation",
        "channel": "counter",
        "description": "咨询",
    }
    refused = client.post("/requests/new/", form)
    assert refused.status_code == 200 and not ServiceRequest.objects.exists()
    client.post("/requests/new/", {**form, "channel": "resident"})
    assert ServiceRequest.objects.get().requester == demo.users["jumin1"]


def test_workflow_through_the_pages(demo, as_user):
    staff, handler, resident = as_user("juwei1"), as_user("wuye1"), as_user("jumin1")
    rid = file_as(demo, "jumin1", service_code="sanitation").pk
    url = f"/requests/{rid}/"
    wuye1 = demo.users["wuye1"].pk
    staff.post(url + "assign/", {"version": 1, "party": "property", "assignee": wuye1})
    handler.post(url + "start/", {"version": 2, "note": "已联系保洁"})
    handler.post(url + "resolve/", {"version": 3, "resolution": "楼道已清理"})
    assert ServiceRequest.objects.get(pk=rid).status == "resolved"
    page = resident.get(url).content.decode()
    assert 'id="form-rate"' in page and 'id="form-close"' not in page
    resident.post(url + "rate/", {"version": 4, "rating": 5, "comment": "满意"})
    assert 'id="form-close"' in staff.get(url).content.decode()
    staff.post(url + "close/", {"version": 5, "note": "回访满意"})
    req = ServiceRequest.objects.get(pk=rid)
    assert (req.status, req.rating, req.version) == ("closed", 5, 6)
    assert "已关闭" in resident.get(url).content.decode()


def test_refused_changes_write_nothing(demo, as_user):
    rid = file_as(demo, "juwei1").pk
    url = f"/requests/{rid}/"
    before = AuditEntry.objects.count()
    # the resident may not assign: 404 (not theirs); the owners' committee may not: 403
    assert (
        as_user("jumin1").post(url + "assign/", {"version": 1, "party": "owners"}).status_code
        == 404
    )
    assert (
        as_user("yewei1").post(url + "assign/", {"version": 1, "party": "owners"}).status_code
        == 403
    )
    # a stale version comes back as a message on the page, nothing written
    staff = as_user("juwei1")
    stale = staff.post(url + "assign/", {"version": 7, "party": "owners"}, follow=True)
    assert "version" in stale.content.decode()
    assert staff.post(url + "fly/", {"version": 1}).status_code == 404
    assert AuditEntry.objects.count() == before and version_of(rid) == 1


def test_english_switch(demo, as_user):
    client = as_user("juwei1")
    assert "工作台" in client.get("/").content.decode()
    switched = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert switched.status_code == 302
    html = client.get("/").content.decode()
    assert "Dashboard" in html and "工作台" not in html and 'lang="en"' in html
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert "工作台" in client.get("/").content.decode()


def test_compiled_catalogue_matches_its_source():
    """The committed .mo (no gettext needed at install time) carries every .po translation."""
    import gettext
    from pathlib import Path

    import lifecircle.web.pages as pages

    folder = Path(pages.__file__).parent / "locale" / "zh_Hans" / "LC_MESSAGES"
    source = (folder / "django.po").read_text(encoding="utf-8")
    pairs = re.findall(r'^msgid "(.+)"\nmsgstr "(.+)"$', source, flags=re.M)
    assert len(pairs) > 50
    with open(folder / "django.mo", "rb") as compiled:
        catalogue = gettext.GNUTranslations(compiled)
    for msgid, msgstr in pairs:
        assert catalogue.gettext(msgid.replace('\\"', '"')) == msgstr.replace('\\"', '"'), msgid


def test_photos_on_the_request_page(demo, as_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    req = file_as(demo, "jumin1")
    url = f"/requests/{req.pk}/"
    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), (10, 120, 60)).save(buffer, "PNG")
    image = buffer.getvalue()
    resident = as_user("jumin1")
    fake = SimpleUploadedFile("a.png", b"not an image at all", content_type="image/png")
    refused = resident.post(url + "photo/", {"photo": fake}, follow=True).content.decode()
    assert "photo" in refused and not req.photos.exists()
    good = SimpleUploadedFile("a.png", image, content_type="image/png")
    assert resident.post(url + "photo/", {"photo": good}).status_code == 302
    photo = req.photos.get()
    link = f"/api/requests/{req.pk}/photos/{photo.pk}"
    assert link in as_user("juwei1").get(url).content.decode()
    stored = Image.open(io.BytesIO(b"".join(as_user("juwei1").get(link).streaming_content)))
    assert (stored.format, stored.size, stored.getpixel((0, 0))) == ("PNG", (4, 3), (10, 120, 60))
    # another resident neither sees the request nor may add to it
    assert as_user("jumin2").post(url + "photo/", {"photo": good}).status_code == 404
    # a photo can come with the intake form too
    form = {"station": demo.stations[0].pk, "service": "consultation", "channel": "resident"}
    again = SimpleUploadedFile("b.png", image, content_type="image/png")
    resident.post("/requests/new/", {**form, "description": "门口路灯不亮", "photo": again})
    assert ServiceRequest.objects.get(description="门口路灯不亮").photos.count() == 1
