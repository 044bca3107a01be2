"""Work-order steps (签收/退单/延期/催办/督办/合并/转办), the to-do list, and the permission
boundary of each step (403/404 with no row and no audit entry written)."""

from datetime import timedelta

import pytest
from ops_helpers import file_request, store_counts

from lifecircle.ops import todo, workorders
from lifecircle.ops.access import Actor
from lifecircle.ops.errors import Conflict, Forbidden, Invalid, NotFound
from lifecircle.ops.requests import assign, can_see_phone, rate, resolve, start
from lifecircle.store.requests.models import ExtensionRequest, ServiceRequest


def who(demo, name: str) -> Actor:
    return Actor(demo.users[name])


def waiting(demo, name: str) -> list[str]:
    """Kinds of to-do items for a user, leaving out the action items the demo's council
    decisions already hand to each party (tested with the meetings)."""
    return [t.kind for t in todo.todo_for(who(demo, name)) if t.kind != "action"]


@pytest.fixture
def assigned(demo, as_user) -> ServiceRequest:
    """A counter request at station 1, assigned to property staff wuye1 (version 2)."""
    rid = file_request(as_user("juwei1"), demo.stations[0].pk)["id"]
    return assign(
        who(demo, "juwei1"), rid, version=1, party="property", assignee_id=demo.users["wuye1"].pk
    )


def test_accept_then_refuse_sends_it_back_to_the_committee(demo, assigned):
    req = workorders.accept(who(demo, "wuye1"), assigned.pk, version=2)
    assert req.accepted_at is not None and req.status == "assigned"
    with pytest.raises(Conflict):
        workorders.accept(who(demo, "wuye1"), assigned.pk, version=3)
    with pytest.raises(Invalid):
        workorders.refuse(who(demo, "wuye1"), assigned.pk, version=3, reason=" ")
    req = workorders.refuse(who(demo, "wuye1"), assigned.pk, version=3, reason="不属物业职责")
    assert (req.status, req.assigned_party, req.assignee, req.accepted_at) == (
        "received",
        "",
        None,
        None,
    )
    kinds = list(req.events.values_list("kind", flat=True))
    assert kinds == ["status", "status", "accept", "refuse"]
    # the committee sees it waiting to be assigned again
    assert waiting(demo, "juwei1") == ["triage"]


def test_extension_approved_moves_the_due_date(demo, assigned):
    due = assigned.expected_datetime
    ext = workorders.ask_extension(who(demo, "wuye1"), assigned.pk, hours=48, reason="等配件")
    with pytest.raises(Conflict):  # one pending at a time
        workorders.ask_extension(who(demo, "wuye1"), assigned.pk, hours=24, reason="again")
    assert waiting(demo, "juwei1") == ["extension"]
    with pytest.raises(Forbidden):
        workorders.decide_extension(who(demo, "wuye1"), ext.pk, approve=True)
    workorders.decide_extension(who(demo, "juwei1"), ext.pk, approve=True)
    req = ServiceRequest.objects.get(pk=assigned.pk)
    assert req.expected_datetime == due + timedelta(hours=48)
    assert ExtensionRequest.objects.get(pk=ext.pk).status == "approved"


def test_chase_and_escalate_are_recorded(demo, assigned):
    workorders.chase(who(demo, "juwei1"), assigned.pk, version=2, note="居民来电催问")
    with pytest.raises(Forbidden):  # 督办 comes from the sub-district
        workorders.escalate(who(demo, "juwei1"), assigned.pk, version=3, note="x")
    workorders.escalate(who(demo, "jiedao"), assigned.pk, version=3, note="列入督办")
    notes = list(assigned.events.filter(kind__in=["chase", "escalate"]).values_list("kind", "note"))
    assert notes == [("chase", "居民来电催问"), ("escalate", "列入督办")]


def test_merge_closes_the_duplicate_into_the_other(demo, as_user, assigned):
    dup = file_request(as_user("juwei1"), demo.stations[0].pk)["id"]
    req = workorders.merge(who(demo, "juwei1"), dup, version=1, into_id=assigned.pk)
    assert req.status == "rejected" and req.duplicate_of_id == assigned.pk
    assert assigned.events.filter(kind="merge").count() == 1
    with pytest.raises(NotFound):
        workorders.merge(who(demo, "juwei1"), assigned.pk, version=2, into_id=assigned.pk)


def test_transfer_hands_it_to_the_other_committee(demo, assigned):
    target = demo.stations[1]
    req = workorders.transfer(
        who(demo, "juwei1"), assigned.pk, version=2, station_id=target.pk, note="属瑞金花园"
    )
    assert (req.station_id, req.status, req.assignee) == (target.pk, "received", None)
    with pytest.raises(NotFound):  # out of committee 1's sight now
        workorders.chase(who(demo, "juwei1"), assigned.pk, version=3)
    assert waiting(demo, "juwei2") == ["triage"]


def test_the_return_visit_closer_sees_the_phone_others_do_not(demo, assigned):
    start(who(demo, "wuye1"), assigned.pk, version=2)
    assert not can_see_phone(who(demo, "juwei1"), assigned)  # assigned: only the assignee
    req = resolve(who(demo, "wuye1"), assigned.pk, version=3, resolution="修好了")
    assert can_see_phone(who(demo, "juwei1"), req)  # the committee calls back
    assert not can_see_phone(who(demo, "yewei1"), req)
    assert not can_see_phone(who(demo, "juwei2"), req)


def test_todo_lists_what_waits_on_each_role(demo, as_user, assigned):
    assert waiting(demo, "wuye1") == ["assignment"]
    resident = file_request(as_user("jumin1"), demo.stations[0].pk, channel="resident")["id"]
    staff = who(demo, "juwei1")
    assign(staff, resident, version=1, party="committee", assignee_id=demo.users["juwei1"].pk)
    start(staff, resident, version=2)
    resolve(staff, resident, version=3, resolution="已答复")
    assert waiting(demo, "jumin1") == ["rate"]  # not "update" too
    rate(who(demo, "jumin1"), resident, version=4, rating=5)
    progress = todo.todo_for(who(demo, "jumin1"))
    assert [(t.kind, t.title.rsplit("：", 1)[-1]) for t in progress] == [("update", "已办结")]
    assert todo.todo_for(who(demo, "wuye2")) == []  # another committee's worker


@pytest.mark.parametrize(
    ("name", "step", "error"),
    [
        ("yewei1", "accept", Forbidden),  # not the assignee
        ("juwei2", "accept", NotFound),  # another committee
        ("jumin1", "refuse", NotFound),
        ("wuye1", "chase", Forbidden),
        ("juwei1", "escalate", Forbidden),
        ("wuye1", "merge", Forbidden),
        ("wuye1", "transfer", Forbidden),
        ("juwei2", "extend", NotFound),
        ("yewei1", "extend", Forbidden),
    ],
)
def test_work_order_permission_boundaries(demo, as_user, assigned, name, step, error):
    other = file_request(as_user("juwei1"), demo.stations[0].pk)["id"]
    calls = {
        "accept": lambda a: workorders.accept(a, assigned.pk, version=2),
        "refuse": lambda a: workorders.refuse(a, assigned.pk, version=2, reason="x"),
        "chase": lambda a: workorders.chase(a, assigned.pk, version=2),
        "escalate": lambda a: workorders.escalate(a, assigned.pk, version=2, note="x"),
        "merge": lambda a: workorders.merge(a, other, version=1, into_id=assigned.pk),
        "transfer": lambda a: workorders.transfer(
            a, assigned.pk, version=2, station_id=demo.stations[1].pk, note="x"
        ),
        "extend": lambda a: workorders.ask_extension(a, assigned.pk, hours=5, reason="x"),
    }
    before = store_counts()
    with pytest.raises(error):
        calls[step](who(demo, name))
    assert store_counts() == before
