"""Open311 GeoReport v2: POST with api_key, read back with the `georeport` client over HTTP."""

import pytest
import requests
from georeport import GeoReport

from lifecircle.store.org.models import AuditEntry
from lifecircle.store.requests.models import ServiceRequest

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def endpoint(demo, live_server):
    return f"{live_server.url}/open311/v2"


def test_post_then_read_back_with_the_georeport_client(demo, endpoint, api_key):
    station = demo.stations[1]
    posted = requests.post(
        f"{endpoint}/requests.json",
        data={
            "api_key": api_key,
            "service_code": "repair",
            "lat": station.lat + 0.0001,
            "long": station.lon,
            "description": "楼道灯不亮",
            "attribute[place]": "shared",
            "first_name": "李",
            "phone": "13900001111",
            "public": "true",
        },
        timeout=10,
    )
    assert posted.status_code == 201, posted.text
    (answer,) = posted.json()
    rid = answer["service_request_id"]
    assert answer["service_notice"].startswith("紧急漏水")

    client = GeoReport(endpoint)
    codes = [s["service_code"] for s in client.get_service_list()]
    assert {"repair", "consultation", "sanitation"} <= set(codes)
    definition = client.get_service_definition("repair")
    assert definition["attributes"][0]["code"] == "place"
    assert definition["attributes"][0]["datatype"] == "singlevaluelist"

    one = client.get_service_request(rid)
    assert one["service_code"] == "repair" and one["status"] == "open"
    assert one["address_id"] == str(station.pk)  # routed to the nearest station
    assert one["description"] == "楼道灯不亮"
    assert "phone" not in one and "李" not in str(one)  # no personal data in public view
    assert "notes" not in one  # internal history is not public
    assert [r["service_request_id"] for r in client.get_service_requests(status="open")] == [rid]
    assert client.get_service_requests(status="closed") == []
    assert client.get_service_requests(service_code="sanitation") == []
    saved = ServiceRequest.objects.get(pk=int(rid))
    assert (saved.channel, saved.attributes, saved.phone) == (
        "open311",
        {"place": "shared"},
        "13900001111",
    )


@pytest.mark.parametrize(
    ("form", "status", "field"),
    [
        ({"api_key": "wrong"}, 403, "api_key"),
        ({}, 400, "service_code"),
        (
            {"service_code": "repair", "address_id": "1", "description": "x"},
            400,
            "attribute[place]",
        ),
        ({"service_code": "nope", "address_id": "1", "description": "x"}, 404, "service_code"),
        ({"service_code": "consultation", "description": "x"}, 400, "lat/long or address_id"),
        (
            {"service_code": "consultation", "lat": "north", "long": "1", "description": "x"},
            400,
            "lat/long",
        ),
        (
            {"service_code": "consultation", "address_id": "999", "description": "x"},
            404,
            "address_id",
        ),
        (
            {"service_code": "consultation", "address_id": "1", "description": ""},
            400,
            "description",
        ),
    ],
)
def test_malformed_post_gets_the_spec_error_list_and_writes_nothing(
    demo, endpoint, api_key, form, status, field
):
    form = {"api_key": api_key, **form}
    if form.get("address_id") == "1":
        form["address_id"] = str(demo.stations[0].pk)
    before = (ServiceRequest.objects.count(), AuditEntry.objects.count())
    response = requests.post(f"{endpoint}/requests.json", data=form, timeout=10)
    assert response.status_code == status
    (error,) = response.json()
    assert error["code"] == status and error["description"].startswith(field)
    assert (ServiceRequest.objects.count(), AuditEntry.objects.count()) == before


def test_unknown_service_and_request_are_404_in_the_spec_format(demo, endpoint):
    for url in (f"{endpoint}/services/nope.json", f"{endpoint}/requests/99999.json"):
        response = requests.get(url, timeout=10)
        assert response.status_code == 404 and response.json()[0]["code"] == 404
    response = requests.get(f"{endpoint}/requests.json", params={"status": "pending"}, timeout=10)
    assert response.status_code == 400 and response.json()[0]["description"].startswith("status")


def test_the_same_endpoints_answer_in_xml(demo, endpoint, api_key):
    posted = requests.post(
        f"{endpoint}/requests.xml",
        data={
            "api_key": api_key,
            "service_code": "consultation",
            "address_id": str(demo.stations[0].pk),
            "description": "咨询高龄津贴",
            "public": "true",
        },
        timeout=10,
    )
    assert posted.status_code == 201 and posted.headers["Content-Type"].startswith("text/xml")
    client = GeoReport(endpoint, output_format="xml")
    assert "repair" in [s["service_code"] for s in client.get_service_list()]
    assert client.get_service_definition("repair")["attributes"]["attribute"]["code"] == "place"
    one = client.get_service_request(posted.text.split("<service_request_id>")[1].split("<")[0])
    assert one["description"] == "咨询高龄津贴" and one["status"] == "open"
    bad = requests.post(f"{endpoint}/requests.xml", data={"api_key": "wrong"}, timeout=10)
    assert bad.status_code == 403 and "<errors><error><code>403</code>" in bad.text
