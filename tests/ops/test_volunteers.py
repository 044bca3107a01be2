"""Volunteers through the API: activity, sign-up within capacity, confirmed hours."""

from lifecircle.store.volunteers.models import SignUp, Team


def post(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json")


def test_activity_signup_capacity_and_hours(demo, as_user):
    team = Team.objects.get()
    organiser = as_user("jiedao")
    r = post(
        organiser,
        "/api/volunteers/activities",
        {
            "team_id": team.pk,
            "title": "为独居老人送餐",
            "starts_at": "2026-12-05T09:00:00+08:00",
            "ends_at": "2026-12-05T11:30:00+08:00",
            "capacity": 2,
        },
    )
    assert r.status_code == 201
    aid = r.json()["id"]
    first = post(as_user("zhiyuan"), f"/api/volunteers/activities/{aid}/signup")
    assert first.status_code == 201
    assert post(as_user("zhiyuan"), f"/api/volunteers/activities/{aid}/signup").status_code == 409
    assert post(as_user("jumin1"), f"/api/volunteers/activities/{aid}/signup").status_code == 201
    full = post(as_user("jumin2"), f"/api/volunteers/activities/{aid}/signup")
    assert full.status_code == 409 and "满" in full.json()["detail"]
    assert post(as_user("anquan"), f"/api/volunteers/activities/{aid}/signup").status_code == 403
    sid = first.json()["id"]
    r = post(organiser, f"/api/volunteers/signups/{sid}/hours", {"hours": 3})
    assert r.status_code == 422 and r.json()["field"] == "hours"  # longer than the activity
    assert (
        post(as_user("zhiyuan"), f"/api/volunteers/signups/{sid}/hours", {"hours": 2}).status_code
        == 403
    )
    assert (
        post(organiser, f"/api/volunteers/signups/{sid}/hours", {"hours": 2.5}).status_code == 200
    )
    assert organiser.get("/api/volunteers/hours").json() == [
        {"username": "zhiyuan", "hours": 2.5, "activities": 1}
    ]
    assert SignUp.objects.count() == 2


def test_committee_forms_a_team_residents_join_once(demo, as_user):
    r = post(
        as_user("juwei1"),
        "/api/volunteers/teams",
        {"unit_id": demo.committees[0].pk, "name": "东安一村助老队"},
    )
    assert r.status_code == 201
    tid = r.json()["id"]
    assert (
        post(
            as_user("juwei2"),
            "/api/volunteers/teams",
            {"unit_id": demo.committees[0].pk, "name": "x"},
        ).status_code
        == 404
    )
    assert post(as_user("jumin1"), f"/api/volunteers/teams/{tid}/join").status_code == 200
    assert post(as_user("jumin1"), f"/api/volunteers/teams/{tid}/join").status_code == 409
    assert post(as_user("anquan"), f"/api/volunteers/teams/{tid}/join").status_code == 403
    assert [u.username for u in Team.objects.get(pk=tid).members.all()] == ["jumin1"]
