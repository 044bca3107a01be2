"""The security review's findings, one test (or a few) each: token writes, hashed keys, lockouts,
private-by-default Open311, bad input, idempotent intake, photos, rosters, JSON errors."""

import io
import json

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from ops_helpers import file_request
from PIL import Image
from typer.testing import CliRunner

from lifecircle.store.org.models import ApiKey, AuditEntry
from lifecircle.store.requests.models import ServiceRequest


def rows() -> tuple[int, int]:
    return ServiceRequest.objects.count(), AuditEntry.objects.count()


@pytest.fixture
def token(demo):
    return ApiKey.issue(name="t", unit=demo.committees[0], user=demo.users["juwei1"])[1]


# 5, 6 — secrets at rest; token clients can write ------------------------------------------


def test_a_token_client_posts_and_patches_while_sessions_still_need_csrf(demo, token):
    client = Client(enforce_csrf_checks=True)
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    station = demo.stations[0]
    body = {"station_id": station.pk, "service_code": "consultation", "description": "咨询"}
    body["channel"] = "counter"
    r = client.post("/api/requests", body, content_type="application/json", **bearer)
    assert r.status_code == 201, r.content
    r = client.patch(
        f"/api/stations/{station.pk}",
        {"opening_hours": "9:00-17:00"},
        content_type="application/json",
        **bearer,
    )
    assert r.status_code == 200, r.content
    session = Client(enforce_csrf_checks=True)
    session.force_login(demo.users["juwei1"])
    before = rows()
    r = session.post("/api/requests", body, content_type="application/json")
    assert r.status_code == 403 and "CSRF" in r.json()["detail"] and rows() == before


def test_keys_are_stored_hashed_and_shown_once(demo, as_user):
    key, secret = ApiKey.issue(name="app", unit=demo.subdistrict)
    stored = ApiKey.objects.filter(pk=key.pk).values().get()
    assert secret not in json.dumps(stored, default=str) and stored["prefix"] == secret[:6]
    assert ApiKey.find(secret, personal=False) == key and ApiKey.find("x", personal=False) is None
    admin = as_user("admin")
    listing = admin.get("/admin/org/apikey/").content.decode()
    assert secret[:6] in listing and secret not in listing
    added = admin.post(
        "/admin/org/apikey/add/",
        {"name": "新客户端", "unit": demo.subdistrict.pk, "active": "on"},
        follow=True,
    ).content.decode()
    new = ApiKey.objects.get(name="新客户端")
    shown = added.split("shown only now: ")[1].split("<")[0].strip()
    assert ApiKey.find(shown, personal=False) == new  # the one time it is shown
    assert shown not in admin.get(f"/admin/org/apikey/{new.pk}/change/").content.decode()


def test_users_token_command_prints_a_working_token_once(demo):
    from lifecircle.cli import app

    result = CliRunner().invoke(app, ["users", "token", "wuye1"])
    assert result.exit_code == 0, result.output
    secret = result.output.strip().splitlines()[-1]
    key = ApiKey.find(secret, personal=True)
    assert key.user == demo.users["wuye1"] and secret not in key.key_hash
    client = Client()
    assert client.get("/api/me", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 200
    missing = CliRunner().invoke(app, ["users", "token", "nobody"])
    assert missing.exit_code == 1 and "nobody" in missing.output


# 4 — brute force ----------------------------------------------------------------------------


def test_bad_tokens_and_keys_lock_the_address_out_with_429(demo, token, settings, api_key):
    settings.KEY_FAILURE_LIMIT = 3
    client = Client(REMOTE_ADDR="10.1.2.3")
    for _ in range(3):
        assert client.get("/api/me", HTTP_AUTHORIZATION="Bearer guess").status_code == 401
    locked = client.get("/api/me", HTTP_AUTHORIZATION="Bearer guess-again")
    assert locked.status_code == 429 and int(locked["Retry-After"]) > 0
    # a right token still works (a client behind the same address is not shut out)
    assert client.get("/api/me", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200
    other = Client(REMOTE_ADDR="10.9.9.9")  # another address is not affected
    assert other.get("/api/me", HTTP_AUTHORIZATION="Bearer guess").status_code == 401

    form = {"service_code": "consultation", "address_id": demo.stations[0].pk, "description": "x"}
    robot = Client(REMOTE_ADDR="10.4.4.4")
    for _ in range(3):
        r = robot.post("/open311/v2/requests.json", {**form, "api_key": "guess"})
        assert r.status_code == 403
    r = robot.post("/open311/v2/requests.json", {**form, "api_key": "guess"})
    assert r.status_code == 429 and r.json()[0]["code"] == 429 and int(r["Retry-After"]) > 0


def test_logins_lock_out_per_user_and_per_address(demo):
    def login(ip: str, username: str, password: str) -> int:
        response = Client(REMOTE_ADDR=ip).post(
            "/accounts/login/", {"username": username, "password": password}
        )
        return response.status_code

    for _ in range(4):
        assert login("10.0.0.1", "juwei1", "wrong") == 200  # the form again, with an error
    assert login("10.0.0.1", "juwei1", "wrong") == 429  # the fifth failure locks
    assert login("10.0.0.2", "juwei1", "lifecircle-demo") == 429  # the user, from anywhere
    for name in ("a", "b", "c", "d", "e"):
        login("10.0.0.3", name, "wrong")
    assert login("10.0.0.3", "juwei2", "lifecircle-demo") == 429  # the address is locked
    assert login("10.0.0.4", "juwei2", "lifecircle-demo") == 302
    locked = Client(REMOTE_ADDR="10.0.0.3").post(
        "/accounts/login/", {"username": "x", "password": "y"}
    )
    assert int(locked["Retry-After"]) == 900 and "15" in locked.content.decode()


def test_password_validators_are_on():
    for weak in ("12345678", "password", "qwerty123456", "short1"):
        with pytest.raises(ValidationError):
            validate_password(weak)
    validate_password("steady-Harbour-lantern-42")


# 2 — Open311 public only when marked public, public fields only ------------------------------


def test_open311_shows_only_public_requests_and_only_public_fields(demo, as_user, api_key):
    station = demo.stations[0]
    private = file_request(as_user("juwei1"), station.pk)  # counter: private
    mine = file_request(
        as_user("jumin1"),
        station.pk,
        channel="resident",
        description="3号楼楼道灯坏了，邻居张三家门口",
        address="斜土路2567弄3号楼502室",
        public=True,
    )
    client = Client()
    posted = client.post(
        "/open311/v2/requests.json",
        {
            "api_key": api_key,
            "service_code": "consultation",
            "address_id": station.pk,
            "description": "咨询",
        },
    )
    assert posted.status_code == 201
    listed = client.get("/open311/v2/requests.json").json()
    assert [r["service_request_id"] for r in listed] == [str(mine["id"])]
    for rid in (private["id"], posted.json()[0]["service_request_id"]):
        assert client.get(f"/open311/v2/requests/{rid}.json").status_code == 404
    (one,) = client.get(f"/open311/v2/requests/{mine['id']}.json").json()
    assert one["address"] == "斜土路"  # street level, no lane, building or flat
    assert set(one) <= {
        "service_request_id", "status", "status_notes", "service_name", "service_code",
        "description", "agency_responsible", "service_notice", "requested_datetime",
        "updated_datetime", "expected_datetime", "address", "address_id", "zipcode", "lat",
        "long",
    }  # fmt: skip
    assert "13812345678" not in json.dumps(one, ensure_ascii=False)


# 9 — bad input is a clear 4xx and writes nothing --------------------------------------------

FAR = {"lat": "39.9042", "long": "116.4074"}  # Beijing, far outside the demo sub-district


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({"description": "灯坏了\x00"}, "description"),
        ({"api_key": "demo-open311-key\x00"}, "api_key"),
        ({"description": "x" * 2_000_000}, "description"),
        ({"description": "\u3000\u200b\u3000"}, "description"),
        ({"address_id": "", "lat": "31.1954"}, "lat/long"),
        ({"address_id": "", "lat": "0", "long": "0"}, "lat/lon"),
        ({"address_id": "", **FAR}, "lat/lon"),
    ],
)
def test_open311_bad_post_is_a_400_naming_the_field(demo, api_key, form, field):
    base = {
        "api_key": api_key,
        "service_code": "consultation",
        "address_id": str(demo.stations[0].pk),
        "description": "咨询",
    }
    before = rows()
    r = Client().post("/open311/v2/requests.json", {**base, **form})
    assert r.status_code == 400, r.content[:300]
    assert r.json()[0]["code"] == 400 and r.json()[0]["description"].startswith(field)
    assert rows() == before


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("start_date=2020-13-45", "start_date"),
        (f"service_request_id={2**63}", "service_request_id"),
        ("service_code=a%00b", "service_code"),
    ],
)
def test_open311_bad_query_is_a_400(demo, query, field):
    r = Client().get(f"/open311/v2/requests.json?{query}")
    assert r.status_code == 400 and r.json()[0]["description"].startswith(field)


def test_a_body_over_the_size_limit_is_a_413_in_the_endpoint_format(demo, token):
    big = {"description": "x" * 3_000_000}
    r = Client().post("/open311/v2/requests.json", big)
    assert r.status_code == 413 and r.json()[0]["code"] == 413
    r = Client().post(
        "/api/requests", big, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert r.status_code == 413 and r.json()["field"] == "body"


def test_open311_huge_id_is_a_404_not_a_500(demo):
    assert Client().get(f"/open311/v2/requests/{2**64}.json").status_code == 404


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"description": "\u3000\u200b"}, "description"),
        ({"description": "灯\x00"}, "description"),
        ({"lat": 31.1954}, "lon"),
        ({"lat": 0.0, "lon": 0.0}, "lat"),
    ],
)
def test_api_bad_intake_is_refused_naming_the_field(demo, as_user, change, field):
    body = {
        "station_id": demo.stations[0].pk,
        "service_code": "consultation",
        "description": "咨询",
        "channel": "counter",
        **change,
    }
    before = rows()
    r = as_user("juwei1").post("/api/requests", body, content_type="application/json")
    assert r.status_code == 422 and r.json()["field"] == field, r.content
    assert rows() == before


def test_api_huge_offset_and_id_are_refused_not_500(demo, as_user):
    client = as_user("juwei1")
    r = client.get(f"/api/requests?offset={2**63}")
    assert r.status_code == 422 and r.json()["field"] == "offset"
    r = client.get(f"/api/requests/{2**63}")
    assert r.status_code in (404, 422) and "detail" in r.json()


# 11 — a retry with the same Idempotency-Key returns the first request --------------------------


def test_idempotency_key_makes_a_retry_return_the_first_request(demo, as_user, api_key):
    client = as_user("juwei1")
    body = {
        "station_id": demo.stations[0].pk,
        "service_code": "consultation",
        "description": "咨询",
        "channel": "counter",
    }
    key = {"HTTP_IDEMPOTENCY_KEY": "intake-0001"}
    first = client.post("/api/requests", body, content_type="application/json", **key)
    again = client.post("/api/requests", body, content_type="application/json", **key)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    other = client.post(
        "/api/requests", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="intake-0002"
    )
    assert other.json()["id"] != first.json()["id"]
    # the same key from another client is another request
    theirs = as_user("juwei2").post(
        "/api/requests",
        {**body, "station_id": demo.stations[1].pk},
        content_type="application/json",
        **key,
    )
    assert theirs.status_code == 201 and theirs.json()["id"] != first.json()["id"]

    form = {"api_key": api_key, "service_code": "consultation", "address_id": demo.stations[0].pk}
    form["description"] = "咨询"
    a = Client().post("/open311/v2/requests.json", form, HTTP_IDEMPOTENCY_KEY="k-1")
    b = Client().post("/open311/v2/requests.json", form, HTTP_IDEMPOTENCY_KEY="k-1")
    assert (a.status_code, b.status_code) == (201, 200)
    assert a.json()[0]["service_request_id"] == b.json()[0]["service_request_id"]
    assert ServiceRequest.objects.count() == 4


# 10 — photos: one transaction, limited while streaming, re-encoded without EXIF ---------------


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (8, 6), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (31.0, 11.0, 43.0), 3: "E", 4: (121.0, 27.0, 20.0)}  # GPS
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def test_photos_are_re_encoded_without_exif_or_gps(demo, as_user):
    raw = jpeg_with_gps()
    assert Image.open(io.BytesIO(raw)).getexif().get_ifd(0x8825)  # the upload carries GPS
    client = as_user("jumin1")
    req = file_request(client, demo.stations[0].pk, channel="resident")
    upload = SimpleUploadedFile("p.jpg", raw, content_type="image/jpeg")
    r = client.post(f"/api/requests/{req['id']}/photos", {"photo": upload})
    assert r.status_code == 201, r.content
    got = client.get(f"/api/requests/{req['id']}/photos/{r.json()['id']}")
    stored = Image.open(io.BytesIO(b"".join(got.streaming_content)))
    assert stored.format == "JPEG" and stored.size == (8, 6)
    assert len(stored.getexif()) == 0 and b"PhoneMaker" not in b"".join(
        client.get(f"/api/requests/{req['id']}/photos/{r.json()['id']}").streaming_content
    )


def test_the_intake_page_files_nothing_when_the_photo_is_refused(demo, as_user):
    client = as_user("jumin1")
    form = {
        "station": demo.stations[0].pk,
        "service": "consultation",
        "channel": "resident",
        "description": "门口路灯不亮",
        "photo": SimpleUploadedFile("a.png", b"not an image", content_type="image/png"),
    }
    before = rows()
    page = client.post("/requests/new/", form)
    assert page.status_code == 200 and "photo" in page.content.decode()
    assert rows() == before


def test_an_oversized_upload_is_not_kept_beyond_the_limit_while_it_streams(settings):
    """Parse a 6 MB multipart body with the configured handlers: the file reports its full
    size (so it is refused by size) but no more than the limit was ever written."""
    from django.http.multipartparser import MultiPartParser

    from lifecircle.ops.errors import Invalid
    from lifecircle.ops.files import PHOTO_MAX_BYTES, reencoded_photo

    big = b"\xff\xd8\xff" + bytes(6 * 1024 * 1024)
    boundary = "XyZ"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="photo"; filename="a.jpg"\r\n'
            "Content-Type: image/jpeg\r\n\r\n"
        ).encode()
        + big
        + f"\r\n--{boundary}--\r\n".encode()
    )
    from django.core.files.uploadhandler import load_handler
    from django.test.client import RequestFactory

    request = RequestFactory().post(
        "/", body, content_type=f"multipart/form-data; boundary={boundary}"
    )
    handlers = [load_handler(h, request) for h in settings.FILE_UPLOAD_HANDLERS]
    meta = {
        "CONTENT_TYPE": f"multipart/form-data; boundary={boundary}",
        "CONTENT_LENGTH": str(len(body)),
    }
    _, files = MultiPartParser(meta, io.BytesIO(body), handlers).parse()
    upload = files["photo"]
    assert upload.size == len(big)
    upload.seek(0, io.SEEK_END)
    assert upload.tell() <= PHOTO_MAX_BYTES + 1  # what was kept
    upload.seek(0)
    with pytest.raises(Invalid, match="5 MB"):
        reencoded_photo(upload)


# 13 — rosters with names are for staff -------------------------------------------------------


def test_only_staff_export_the_roster_and_the_public_page_shows_duty_by_party(demo, as_user):
    station = demo.stations[0]
    juwei = as_user("juwei1")
    plan = {"start": "2026-06-01", "end": "2026-06-14", "rrule": "FREQ=WEEKLY;BYDAY=MO,WE,FR"}
    assert (
        juwei.post(
            f"/api/stations/{station.pk}/roster", plan, content_type="application/json"
        ).status_code
        == 201
    )
    query = "?start=2026-06-01&end=2026-06-14"
    for who in ("jumin1", "anquan", "zhiyuan"):
        for suffix in ("", ".xlsx", ".ics"):
            r = as_user(who).get(f"/api/stations/{station.pk}/roster{suffix}{query}")
            assert r.status_code in (403, 404), (who, suffix, r.status_code)
    assert juwei.get(f"/api/stations/{station.pk}/roster.xlsx{query}").status_code == 200
    assert as_user("jumin1").get("/roster/").status_code == 200  # the page: no stations listed


# 8 — errors: JSON on JSON endpoints, logged with the request id; 503 when the database is away


def test_an_unexpected_error_is_json_with_a_request_id_and_is_logged(
    demo, as_user, monkeypatch, settings
):
    from pathlib import Path

    from lifecircle.web.api import open311
    from lifecircle.web.api import requests as api_requests

    def broken(*args, **kwargs):
        raise RuntimeError("boom in a test")

    monkeypatch.setattr(api_requests.ops, "visible_requests", broken)
    r = as_user("juwei1").get("/api/requests")
    assert r.status_code == 500 and r["Content-Type"].startswith("application/json")
    rid = r["X-Request-Id"]
    assert rid in r.json()["detail"]
    monkeypatch.setattr(open311, "service_out", broken)
    r = Client().get("/open311/v2/services.json")
    assert r.status_code == 500 and r.json()[0]["code"] == 500
    log = Path(settings.LOGGING["handlers"]["file"]["filename"]).read_text(encoding="utf-8")
    assert f"[{rid}]" in log and "boom in a test" in log


@pytest.mark.django_db(transaction=True)
def test_database_unreachable_is_a_503_json_with_retry_after(demo, token):
    from unittest import mock

    from django.db import connection

    connection.close()
    with mock.patch.dict(connection.settings_dict, {"NAME": "/nonexistent/dir/gone.sqlite3"}):
        if connection.vendor != "sqlite":
            pytest.skip("this simulation moves the SQLite file away")
        try:
            r = Client().get("/open311/v2/services.json")
            assert r.status_code == 503 and r.json()[0]["code"] == 503
            assert int(r["Retry-After"]) > 0
            r = Client().get("/api/me", HTTP_AUTHORIZATION=f"Bearer {token}")
            assert r.status_code == 503 and "detail" in r.json() and r["Retry-After"]
        finally:
            connection.close()
