"""Conformance class "Data Array" (Annex A.8; FROST c06 DataArrayTests): reading Observations
with ``$resultFormat=dataArray`` and creating them with ``POST CreateObservations``."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.sensing.sta.conformance.conftest import Fixture
from tests.sensing.sta.conformance.fixtures import ROOT, values

BASE = "http://testserver/sta/v1.1"


def group(datastream: int, components: list[str], rows: list[list[Any]]) -> dict[str, Any]:
    return {
        "Datastream": {"@iot.id": datastream},
        "components": components,
        "dataArray@iot.count": len(rows),
        "dataArray": rows,
    }


def test_read_a_datastream_as_a_data_array(
    client: TestClient, fixture: Fixture, admin: dict[str, str]
) -> None:
    d1 = fixture.datastreams[0]
    body = client.get(
        f"{ROOT}/Datastreams({d1})/Observations?$resultFormat=dataArray", headers=admin
    ).json()
    assert body == {
        "value": [
            {
                "Datastream@iot.navigationLink": f"{BASE}/Datastreams({d1})",
                "components": ["id", "phenomenonTime", "resultTime", "result"],
                "dataArray@iot.count": 3,
                "dataArray": [
                    [fixture.observations[n - 1], f"2015-03-0{n}T00:00:00Z", None, n]
                    for n in (1, 2, 3)
                ],
            }
        ]
    }


def test_read_all_observations_grouped_by_datastream(
    client: TestClient, fixture: Fixture, admin: dict[str, str]
) -> None:
    body = client.get(
        f"{ROOT}/Observations?$resultFormat=dataArray&$select=result,phenomenonTime"
        "&$filter=result gt 1&$count=true&$orderby=result",
        headers=admin,
    ).json()
    assert body["@iot.count"] == 11
    links = [g["Datastream@iot.navigationLink"] for g in body["value"]]
    assert links == [f"{BASE}/Datastreams({d})" for d in fixture.datastreams]
    assert body["value"][0]["components"] == ["result", "phenomenonTime"]
    assert [row[0] for g in body["value"] for row in g["dataArray"]] == list(range(2, 13))


def test_data_array_refuses_expand(
    client: TestClient, fixture: Fixture, admin: dict[str, str]
) -> None:
    response = client.get(
        f"{ROOT}/Observations?$resultFormat=dataArray&$expand=Datastream", headers=admin
    )
    assert response.status_code == 400
    assert response.json()["error"]["details"]["option"] == "$expand"


def test_create_observations(
    client: TestClient, fixture: Fixture, steward: dict[str, str], admin: dict[str, str]
) -> None:
    d1, d2 = fixture.datastreams[:2]
    feature = fixture.features[0]
    body = [
        group(d1, ["phenomenonTime", "result", "FeatureOfInterest/id"], [
            ["2010-12-23T10:20:00-0700", 20, feature],
            ["2010-12-23T10:21:00-0700", 30, feature],
        ]),
        group(d2, ["phenomenonTime", "result", "resultTime", "parameters"], [
            ["2010-12-23T10:20:00Z", 65, "2010-12-23T10:20:05Z", {"serial": 1}],
        ]),
    ]  # fmt: skip
    response = client.post(f"{ROOT}/CreateObservations", json=body, headers=steward)
    assert response.status_code == 201, response.text
    urls = response.json()
    assert len(urls) == 3
    stored = [client.get(url, headers=admin).json() for url in urls]
    assert [o["result"] for o in stored] == [20, 30, 65]
    assert stored[0]["phenomenonTime"] == "2010-12-23T17:20:00Z"
    assert stored[2]["resultTime"] == "2010-12-23T10:20:05Z"
    assert stored[2]["parameters"] == {"serial": 1}
    streams = [client.get(f"{url}/Datastream", headers=admin).json()["@iot.id"] for url in urls]
    assert streams == [d1, d1, d2]
    foi = client.get(f"{urls[0]}/FeatureOfInterest", headers=admin).json()
    assert foi["@iot.id"] == feature
    auto = client.get(f"{urls[2]}/FeatureOfInterest", headers=admin).json()
    assert auto["feature"]["type"] == "Point"  # from the Thing's Location


def test_bad_rows_are_errors_in_place_and_the_rest_is_stored(
    client: TestClient, fixture: Fixture, steward: dict[str, str], admin: dict[str, str]
) -> None:
    d1 = fixture.datastreams[0]
    before = len(values(client, f"Datastreams({d1})/Observations", admin))
    rows: list[list[Any]] = [
        ["2024-06-01T08:00:00Z", 1.5],
        ["not a time", 2.5],
        ["2024-06-01T08:10:00Z", "not a number"],
        ["2024-06-01T08:15:00Z"],
        ["2024-06-01T08:20:00Z", 4.5],
    ]
    body = [group(d1, ["phenomenonTime", "result"], rows)]
    response = client.post(f"{ROOT}/CreateObservations", json=body, headers=steward)
    assert response.status_code == 201
    answer = response.json()
    assert answer[1:4] == ["error", "error", "error"]
    assert answer[0].startswith(f"{BASE}/Observations(") and answer[4].startswith(BASE)
    after = values(client, f"Datastreams({d1})/Observations", admin)
    assert len(after) == before + 2


@pytest.mark.parametrize(
    "body",
    [
        {"Datastream": {"@iot.id": 1}},  # not a list
        [{"components": ["phenomenonTime", "result"], "dataArray": []}],
        [{"Datastream": {"@iot.id": 99999}, "components": ["phenomenonTime", "result"],
          "dataArray": [["2024-06-01T08:00:00Z", 1]]}],
        [{"Datastream": {"@iot.id": "DS"}, "components": ["result"],
          "dataArray": [[1]]}],  # phenomenonTime is mandatory
        [{"Datastream": {"@iot.id": "DS"}, "components": ["phenomenonTime", "result", "x"],
          "dataArray": [["2024-06-01T08:00:00Z", 1, 2]]}],
    ],
)  # fmt: skip
def test_bad_groups_store_nothing(
    client: TestClient,
    fixture: Fixture,
    steward: dict[str, str],
    admin: dict[str, str],
    body: Any,
) -> None:
    if isinstance(body, list) and body and body[0].get("Datastream") == {"@iot.id": "DS"}:
        body = [body[0] | {"Datastream": {"@iot.id": fixture.datastreams[0]}}]
    before = len(values(client, "Observations?$top=1000", admin))
    response = client.post(f"{ROOT}/CreateObservations", json=body, headers=steward)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["details"]
    assert len(values(client, "Observations?$top=1000", admin)) == before


@pytest.mark.parametrize(("role", "status"), [("public", 401), ("other", 403), ("analyst", 403)])
def test_create_observations_needs_the_department(
    client: TestClient,
    fixture: Fixture,
    who: dict[str, dict[str, str]],
    role: str,
    status: int,
) -> None:
    body = [
        group(fixture.datastreams[0], ["phenomenonTime", "result"], [["2024-06-01T08:00:00Z", 1]])
    ]
    response = client.post(f"{ROOT}/CreateObservations", json=body, headers=who[role])
    assert response.status_code == status, response.text
