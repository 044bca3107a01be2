"""The voice workflows through the JSON API: a survey from an XLSForm with imported 问卷星
answers, an owners' decision counted from the register with its action items followed to the
end in public, and a co-funded project from budget to acceptance; every write audited."""

import pytest
from voice_fixtures import wjx_export, wjx_row, xlsform

from lifecircle.store.org.models import AuditEntry
from lifecircle.store.surveys.models import SurveyResponse


def post(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json")


def test_survey_from_xlsform_with_wjx_import(as_user, demo, tmp_path):
    staff = as_user("juwei1")
    with xlsform(tmp_path / "form.xlsx").open("rb") as f:
        r = staff.post(
            "/api/surveys",
            {"form": f, "unit_id": demo.committees[0].pk, "opens_at": "2026-11-01T00:00:00+08:00",
             "closes_at": "2026-11-30T23:59:00+08:00", "services_question": "wanted"},
        )  # fmt: skip
    assert r.status_code == 201, r.content
    survey_id = r.json()["id"]
    empty = staff.get(f"/surveys/{survey_id}/")  # no answers yet: the page still renders
    assert empty.status_code == 200 and 'id="answer-count">0<' in empty.content.decode()
    rows = [
        wjx_row(1, "2026/11/20 10:00", "60岁及以上", "东安一村", "社区食堂", "社区食堂", 4, 2, "是", ""),
        wjx_row(2, "2026/11/21 10:00", "60岁以下", "瑞金花园", "托育点┋社区食堂", "托育点", 3, 3, "(跳过)", "加装电梯"),
    ]  # fmt: skip
    late = wjx_export(
        tmp_path / "late.xlsx",
        [*rows, wjx_row(3, "2026/12/02 09:00", "60岁以下", "东安一村", "托育点", "", 3, 1, "", "")],
    )
    bad = staff.post(f"/api/surveys/{survey_id}/import", {"file": late.open("rb")})
    assert bad.status_code == 422
    assert "late.xlsx" in bad.json()["detail"] and "row 4" in bad.json()["detail"]
    assert SurveyResponse.objects.filter(survey_id=survey_id).count() == 0  # all rows or none

    good = wjx_export(tmp_path / "wjx.xlsx", rows)
    assert staff.post(f"/api/surveys/{survey_id}/import", {"file": good.open("rb")}).json() == {
        "imported": 2
    }
    again = staff.post(f"/api/surveys/{survey_id}/import", {"file": good.open("rb")})
    assert again.status_code == 409  # the same file twice
    assert set(
        SurveyResponse.objects.filter(survey_id=survey_id).values_list("channel", flat=True)
    ) == {"wjx"}
    results = staff.get(f"/api/surveys/{survey_id}/results").json()
    canteen = next(
        r
        for r in results
        if r["group_by"] == "all" and r["question"] == "wanted" and r["option"] == "canteen"
    )
    assert (canteen["count"], canteen["share"]) == (2, 1.0)
    assert AuditEntry.objects.filter(action="survey.import").count() == 2


def test_owners_decision_and_its_actions_in_public(as_user, client, demo):
    staff = as_user("juwei1")
    council = post(staff, "/api/councils", {"unit_id": demo.committees[0].pk, "held_on": "2026-11-28",
                                             "title": "议事会", "agenda": "加装电梯", "attendance": ["居委会", "业主代表"]}).json()  # fmt: skip
    # 18 homes in the register; 12 take part (2/3 by head); the area they hold decides
    codes = [f"{b}-{f}0{u}" for b in (1, 2, 3) for f in (1, 2, 3) for u in (1, 2)]
    votes = {c: "for" for c in codes[:9]} | {c: "against" for c in codes[9:12]}
    r = post(staff, f"/api/councils/{council['id']}/decisions", {
        "title": "加装电梯", "civil_code_item": 7, "owner_votes": votes,
        "actions": [{"text": "申请加装电梯审批", "owner_party": "committee", "due": "2026-12-31"}],
    })  # fmt: skip
    assert r.status_code == 201, r.content
    decision = r.json()
    # homes alternate 62.5 / 48 m²: the 12 taking part hold 663 of 994.5 m² (exactly 2/3) and
    # are 12 of 18 heads (exactly 2/3); item 7 needs 3/4 of them: 9 of 12 heads exactly, and
    # 504.5 of 663 m² (76%)
    assert decision["count"]["participation_heads"] == pytest.approx(2 / 3)
    assert decision["count"]["participation_area"] == pytest.approx(2 / 3)
    assert decision["count"]["approval_area"] == pytest.approx(504.5 / 663)
    assert decision["count"]["approval_heads"] == pytest.approx(0.75)
    assert decision["passed"] is True
    page = client.get("/decisions/").content.decode()
    assert "申请加装电梯审批" in page and "0 / 1" in page
    from lifecircle.store.deliberation.models import DecisionAction

    action = DecisionAction.objects.get(decision_id=decision["id"]).action
    assert post(staff, f"/api/meetings/actions/{action.pk}/done").status_code == 200
    assert "1 / 1" in client.get("/decisions/").content.decode()
    unknown = post(
        staff,
        f"/api/councils/{council['id']}/decisions",
        {"title": "x", "civil_code_item": 8, "owner_votes": {"88-888": "for"}},
    )
    assert unknown.status_code == 422 and "88-888" in unknown.json()["detail"]


def test_co_funded_project_to_acceptance(as_user, client, demo):
    staff = as_user("juwei1")
    pid = post(staff, "/api/projects", {"unit_id": demo.committees[0].pk, "title": "楼道微更新",
                                         "description": "居民自筹七成", "station_id": demo.stations[0].pk}).json()["id"]  # fmt: skip
    assert (
        post(
            staff,
            f"/api/projects/{pid}/contributions",
            {
                "source": "residents",
                "amount": "100",
                "receipt_no": "A1",
                "received_on": "2026-11-20",
            },
        ).status_code
        == 409
    )
    account = post(
        staff,
        f"/api/projects/{pid}/budget",
        {"lines": {"residents": "7000", "grant": "2000", "subdistrict": "1000"}},
    ).json()
    shares = {s["source"]: s["budget_share"] for s in account["sources"]}
    assert shares == pytest.approx({"residents": 0.7, "grant": 0.2, "subdistrict": 0.1})
    for n in range(7):
        r = post(
            staff,
            f"/api/projects/{pid}/contributions",
            {
                "source": "residents",
                "amount": "1000",
                "receipt_no": f"R{n}",
                "received_on": "2026-11-20",
                "household": f"1-{n // 2 + 1}0{n % 2 + 1}" if n < 6 else "",
            },
        )
        assert r.status_code == 201, r.content
    dup = post(
        staff,
        f"/api/projects/{pid}/contributions",
        {"source": "grant", "amount": "2000", "receipt_no": "R0", "received_on": "2026-11-21"},
    )
    assert dup.status_code == 409  # one receipt number once
    too_much = post(
        staff,
        f"/api/projects/{pid}/expenses",
        {
            "description": "材料",
            "payee": "五金店",
            "amount": "7000.01",
            "spent_on": "2026-11-22",
            "evidence": "发票1",
        },
    )
    assert too_much.status_code == 409
    assert (
        post(
            staff,
            f"/api/projects/{pid}/expenses",
            {
                "description": "材料",
                "payee": "五金店",
                "amount": "6500",
                "spent_on": "2026-11-22",
                "evidence": "发票1",
            },
        ).status_code
        == 201
    )
    account = post(staff, f"/api/projects/{pid}/accept", {"note": "居民代表验收合格"}).json()
    assert account["stage"] == "accepted" and float(account["balance"]) == 500
    assert (
        post(
            staff,
            f"/api/projects/{pid}/expenses",
            {
                "description": "x",
                "payee": "y",
                "amount": "1",
                "spent_on": "2026-11-23",
                "evidence": "z",
            },
        ).status_code
        == 409
    )
    page = client.get(f"/projects/{pid}/").content.decode()
    assert "居民代表验收合格" in page and "7000 元" in page
    actions = set(
        AuditEntry.objects.filter(object_id=str(pid), model="projects.project").values_list(
            "action", flat=True
        )
    )
    assert {"project.create", "project.stage", "project.accept"} <= actions


def test_an_unknown_services_question_is_a_clear_422(as_user, demo, tmp_path):
    with xlsform(tmp_path / "form.xlsx").open("rb") as f:
        r = as_user("juwei1").post(
            "/api/surveys",
            {"form": f, "unit_id": demo.committees[0].pk, "opens_at": "2026-11-01T00:00:00+08:00",
             "closes_at": "2026-11-30T23:59:00+08:00", "services_question": "pets"},
        )  # fmt: skip
    assert r.status_code == 422 and "pets" in r.json()["detail"]
    assert r.json()["field"] == "services_question"
