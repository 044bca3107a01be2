"""Every new permission boundary, one test each: 403/404 (401 without a session), with the rows
of every store table and the audit log unchanged; and the refusals a resident meets when
answering (second answer of a household, after the close date, wrong one-time code)."""

import re
from datetime import timedelta

import pytest
from django.apps import apps
from django.utils import timezone

from lifecircle.ops.sms import ConsoleSMSBackend
from lifecircle.store.deliberation.models import CouncilMeeting, Household, Proposal
from lifecircle.store.projects.models import Project
from lifecircle.store.surveys.models import Survey, SurveyResponse

STORE_APPS = ("org", "stations", "requests", "roster", "inspections", "volunteers", "notify",
              "surveys", "deliberation", "projects")  # fmt: skip


def counts() -> tuple[int, ...]:
    return tuple(
        model.objects.count()
        for label in STORE_APPS
        for model in apps.get_app_config(label).get_models()
    )


def refused(response, status: int, before) -> None:
    assert response.status_code == status, response.content
    assert counts() == before


def post(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json")


@pytest.fixture
def objects(demo):
    return {
        "survey": Survey.objects.get(),
        "proposal": Proposal.objects.get(),
        "council": CouncilMeeting.objects.get(),
        "project": Project.objects.get(),
        "committee": demo.committees[0],
    }


def test_anonymous_api_writes_are_401(client, objects):
    before = counts()
    refused(
        post(
            client,
            "/api/proposals",
            {"unit_id": objects["committee"].pk, "title": "x", "body": "y"},
        ),
        401,
        before,
    )
    refused(
        post(client, f"/api/projects/{objects['project'].pk}/accept", {"note": "x"}), 401, before
    )


def test_the_household_register_is_for_committee_staff_only(as_user, objects):
    assert as_user("jumin1").get("/api/households").json() == []
    assert as_user("yewei1").get("/api/households").json() == []
    assert as_user("juwei2").get("/api/households").json() == []  # another committee's register
    assert len(as_user("juwei1").get("/api/households").json()) == Household.objects.count()
    before = counts()
    row = {
        "unit_id": objects["committee"].pk,
        "households": [{"code": "9-901", "floor_area_m2": "50"}],
    }
    refused(post(as_user("jumin1"), "/api/households", row), 403, before)
    refused(post(as_user("juwei2"), "/api/households", row), 404, before)


def test_individual_contributions_are_staff_only_the_public_sees_totals(as_user, client, objects):
    pk = objects["project"].pk
    assert as_user("jumin1").get(f"/api/projects/{pk}/contributions").status_code == 403
    assert as_user("juwei2").get(f"/api/projects/{pk}/contributions").status_code == 404
    assert len(as_user("juwei1").get(f"/api/projects/{pk}/contributions").json()) == 9
    account = as_user("jumin1").get(f"/api/projects/{pk}/account").json()
    assert float(account["received"]) == 34000 and float(account["spent"]) == 18600
    for c in (client, as_user("jumin1")):
        page = c.get(f"/projects/{pk}/").content.decode()
        assert "34000 元" in page and "ZC-001" not in page and "1-101" not in page
    staff_page = as_user("juwei1").get(f"/projects/{pk}/").content.decode()
    assert "ZC-001" in staff_page and "1-101" in staff_page


@pytest.mark.parametrize(
    ("user", "status"),
    [("jumin1", 403), ("yewei1", 403), ("juwei2", 404)],
    ids=["resident", "owners", "other-committee"],
)
def test_only_the_committee_runs_projects(as_user, objects, user, status):
    pk = objects["project"].pk
    c = as_user(user)
    before = counts()
    refused(post(c, f"/api/projects/{pk}/accept", {"note": "验收"}), status, before)
    refused(
        post(
            c,
            f"/api/projects/{pk}/expenses",
            {
                "description": "x",
                "payee": "y",
                "amount": "1",
                "spent_on": "2026-12-01",
                "evidence": "z",
            },
        ),
        status,
        before,
    )
    refused(
        post(
            c,
            f"/api/projects/{pk}/contributions",
            {"source": "residents", "amount": "1", "receipt_no": "R", "received_on": "2026-12-01"},
        ),
        status,
        before,
    )
    refused(post(c, f"/api/projects/{pk}/budget", {"lines": {"residents": "1"}}), status, before)


@pytest.mark.parametrize(("user", "status"), [("jumin1", 403), ("juwei2", 404)])
def test_only_the_committee_records_decisions_and_councils(as_user, objects, user, status):
    c = as_user(user)
    before = counts()
    refused(
        post(c, f"/api/councils/{objects['council'].pk}/decisions", {"title": "x", "votes_for": 5}),
        status,
        before,
    )
    refused(
        post(
            c,
            "/api/councils",
            {
                "unit_id": objects["committee"].pk,
                "held_on": "2026-12-01",
                "title": "x",
                "agenda": "y",
            },
        ),
        status,
        before,
    )


def test_only_staff_enter_paper_answers_and_import(as_user, objects, tmp_path):
    survey = objects["survey"]
    before = counts()
    answer = {
        "answers": {"age_group": "under_60", "compound_id": "C01", "wanted": "nursery"},
        "household": "3-301",
    }
    refused(post(as_user("jumin1"), f"/api/surveys/{survey.pk}/answers", answer), 403, before)
    refused(post(as_user("yewei1"), f"/api/surveys/{survey.pk}/answers", answer), 403, before)
    upload = tmp_path / "a.csv"
    upload.write_text("age_group,compound_id,wanted\nunder_60,C01,nursery\n", encoding="utf-8")
    with upload.open("rb") as f:
        refused(
            as_user("jumin1").post(f"/api/surveys/{survey.pk}/import", {"file": f}), 403, before
        )
    assert post(as_user("juwei1"), f"/api/surveys/{survey.pk}/answers", answer).status_code == 201


def test_residents_cannot_start_surveys(as_user, objects, tmp_path):
    from voice_fixtures import xlsform

    path = xlsform(tmp_path / "f.xlsx")
    before = counts()
    for user, status in (("jumin1", 403), ("juwei2", 404)):
        with path.open("rb") as f:
            r = as_user(user).post(
                "/api/surveys",
                {"form": f, "unit_id": objects["committee"].pk, "opens_at": "2026-12-01T00:00:00+08:00", "closes_at": "2026-12-31T00:00:00+08:00"},
            )  # fmt: skip
        refused(r, status, before)


def test_free_text_search_is_for_staff_only(client, as_user, objects):
    url = f"/surveys/{objects['survey'].pk}/?q=托育"
    assert 'id="found"' not in client.get(url).content.decode()
    assert 'id="found"' not in as_user("jumin1").get(url).content.decode()
    page = as_user("juwei1").get(url).content.decode()
    assert 'id="found"' in page and "楼下缺少托育点" in page


def test_second_answer_of_a_household_is_refused_and_writes_nothing(client, objects):
    survey = objects["survey"]
    form = {
        "household": "3-201",
        "age_group": "under_60",
        "compound_id": "C01",
        "wanted": ["nursery"],
    }
    assert client.post(f"/s/{survey.token}/", form).status_code == 200
    before = counts()
    again = client.post(f"/s/{survey.token}/", {**form, "household": "3-201 "})
    refused(again, 409, before)
    assert "已经答过" in again.content.decode()
    unknown = client.post(f"/s/{survey.token}/", {**form, "household": "99-999"})
    refused(unknown, 422, before)


def test_an_answer_after_the_close_date_is_refused(client, objects):
    survey = objects["survey"]
    Survey.objects.filter(pk=survey.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    before = counts()
    r = client.post(
        f"/s/{survey.token}/",
        {"household": "3-202", "age_group": "under_60", "compound_id": "C01", "wanted": "nursery"},
    )
    refused(r, 409, before)


def test_phone_answers_need_the_one_time_code(client, objects):
    survey = objects["survey"]
    ConsoleSMSBackend.outbox.clear()
    sent = client.post(f"/s/{survey.token}/code/", {"phone": "13912345678"})
    assert "13912345678" not in sent["Location"]  # the number stays out of URLs and logs
    assert 'value="13912345678"' in client.get(sent["Location"]).content.decode()
    code = re.search(r"\d{6}", ConsoleSMSBackend.outbox[-1].text).group()
    form = {
        "phone": "13912345678",
        "age_group": "pop_60_plus",
        "compound_id": "C02",
        "wanted": "canteen",
    }
    before = counts()
    refused(
        client.post(
            f"/s/{survey.token}/", {**form, "otp_code": "000000" if code != "000000" else "111111"}
        ),
        422,
        before,
    )
    assert client.post(f"/s/{survey.token}/", {**form, "otp_code": code}).status_code == 200
    saved = SurveyResponse.objects.latest("id")
    assert "13912345678" not in str(saved.answers) + saved.respondent_key


def test_one_support_per_household(as_user, objects):
    pk = objects["proposal"].pk
    assert (
        post(as_user("jumin2"), f"/api/proposals/{pk}/supports", {"household": "3-101"}).status_code
        == 201
    )
    before = counts()
    refused(
        post(as_user("jumin1"), f"/api/proposals/{pk}/supports", {"household": "3-101"}),
        409,
        before,
    )
    refused(
        post(as_user("jumin1"), f"/api/proposals/{pk}/supports", {"household": "nope"}), 422, before
    )


def test_a_missing_required_answer_names_the_question(client, objects):
    survey = objects["survey"]
    before = counts()
    r = client.post(
        f"/s/{survey.token}/", {"household": "3-202", "age_group": "under_60", "compound_id": "C01"}
    )
    refused(r, 422, before)
    assert "您最需要哪些服务" in r.content.decode().split('class="msg error"')[1].split("</p>")[0]
