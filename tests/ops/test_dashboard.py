"""The dashboard summary is scoped to the caller."""

from datetime import date, timedelta

from lifecircle.ops.access import Actor
from lifecircle.ops.dashboard import dashboard
from lifecircle.ops.requests import file_request
from lifecircle.ops.roster import generate
from lifecircle.store.inspections.models import ChecklistTemplate, InspectionTask
from lifecircle.store.requests.models import ServiceRequest


def test_dashboard_counts_only_what_the_caller_may_see(demo):
    staff1, staff2 = Actor(demo.users["juwei1"]), Actor(demo.users["juwei2"])
    monday = date(2026, 12, 7)
    for station, who in ((demo.stations[0], staff1), (demo.stations[1], staff2)):
        file_request(
            who,
            station_id=station.pk,
            service_code="consultation",
            description="x",
            channel="counter",
        )
        generate(who, station.pk, start=monday, end=monday + timedelta(days=6))
    late = file_request(
        staff1,
        station_id=demo.stations[0].pk,
        service_code="consultation",
        description="y",
        channel="counter",
    )
    ServiceRequest.objects.filter(pk=late.pk).update(
        expected_datetime=late.requested_datetime - timedelta(days=1)
    )
    InspectionTask.objects.create(
        station=demo.stations[0],
        template=ChecklistTemplate.objects.first(),
        mode="self",
        due_date=monday,
    )
    board = dashboard(staff1, today=monday)
    assert board.open_requests == 2
    assert [r.pk for r in board.overdue_requests] == [late.pk]
    assert [(s.pk, [d.person.username for d in duties]) for s, duties in board.duty_today] == [
        (demo.stations[0].pk, ["juwei1"])
    ]
    assert len(board.inspections_due) == 1
    other = dashboard(staff2, today=monday)
    assert other.open_requests == 1 and other.overdue_requests == [] and other.inspections_due == []
