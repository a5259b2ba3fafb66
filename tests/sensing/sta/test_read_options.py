"""Query options on the read side: paging, limits, ``$count``, ``$select``, ``$expand``, dataArray.

The ``$filter`` and ``$orderby`` languages have tests of their own (``tests/sensing/sta/query``)
and the conformance suite; here they only drive the paging.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event

from cityhub.config import Settings
from cityhub.db import Database
from cityhub.sensing.sta import expand as expand_module
from tests.conftest import People
from tests.sensing.sta.conformance.fixtures import (
    ROOT,
    all_pages,
    api_tokens,
    bearer,
    sta_client,
    values,
)
from tests.sensing.sta.conformance.seed import Network, seed_rows


@pytest.fixture
def network(db: Database, people: People) -> Network:
    return seed_rows(db)


@pytest.fixture
def admin(db: Database, people: People) -> dict[str, str]:
    return bearer(api_tokens(db)["admin"])


@pytest.fixture
def client(settings: Settings, db: Database) -> Iterator[TestClient]:
    with sta_client(settings, db) as test_client:
        yield test_client


def get(client: TestClient, path: str, headers: dict[str, str]) -> dict[str, Any]:
    response = client.get(f"{ROOT}/{path}", headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


@pytest.mark.parametrize(
    "query",
    [
        "$top=5",
        "$top=1",
        "$top=5&$orderby=result desc",
        "$top=2&$orderby=resultTime&$filter=result gt 3",
        "$top=3&$skip=2&$count=true",
        "$top=4&$select=id,result&$orderby=Datastream/id desc,result",
        "$top=5&$expand=Datastream($select=name)",
    ],
)
def test_next_links_walk_every_entity_once(
    client: TestClient, network: Network, admin: dict[str, str], query: str
) -> None:
    pages = all_pages(client, f"{ROOT}/Observations?{query}", admin)
    whole = values(client, f"Observations?{drop_paging(query)}&$top=1000", admin)
    skip = int(dict(parse_qsl(query)).get("$skip", 0))
    assert [item["@iot.id"] for item in pages] == [item["@iot.id"] for item in whole][skip:]
    assert pages == whole[skip:]


def test_a_next_link_keeps_the_other_options(
    client: TestClient, network: Network, admin: dict[str, str]
) -> None:
    body = get(client, "Observations?$filter=result gt 2&$count=true&$top=2&foo=bar", admin)
    assert body["@iot.count"] == 10
    assert next(iter(body)) == "@iot.count"
    link = urlsplit(body["@iot.nextLink"])
    assert link.path == "/sta/v1.1/Observations"
    assert dict(parse_qsl(link.query)) == {
        "$filter": "result gt 2",
        "$count": "true",
        "$top": "2",
        "$skip": "2",
        "foo": "bar",
    }


def test_the_last_page_has_no_next_link(
    client: TestClient, network: Network, admin: dict[str, str]
) -> None:
    assert "@iot.nextLink" not in get(client, "Observations?$top=12", admin)
    assert "@iot.nextLink" in get(client, "Observations?$top=11", admin)
    beyond = get(client, "Observations?$skip=50&$count=true", admin)
    assert beyond == {"@iot.count": 12, "value": []}
    nothing = get(client, "Observations?$top=0", admin)
    assert nothing["value"] == [] and "$skip=0" in nothing["@iot.nextLink"]


def test_top_is_capped_and_defaulted(settings: Settings, db: Database, network: Network) -> None:
    limited = settings.model_copy(update={"sta_max_top": 3, "sta_default_top": 2})
    admin = bearer(api_tokens(db)["admin"])
    with sta_client(limited, db) as client:
        capped = get(client, "Observations?$top=100000", admin)
        defaulted = get(client, "Observations", admin)
        everything = all_pages(client, f"{ROOT}/Observations?$top=100000", admin)
    assert len(capped["value"]) == 3 and "$top=3" in capped["@iot.nextLink"]
    assert len(defaulted["value"]) == 2 and "$top=2" in defaulted["@iot.nextLink"]
    assert len(everything) == 12


def test_count_ignores_paging_and_expand(
    client: TestClient, network: Network, admin: dict[str, str]
) -> None:
    body = get(client, "Datastreams?$count=true&$top=1&$skip=1&$expand=Observations", admin)
    assert body["@iot.count"] == 4
    assert len(body["value"]) == 1
    assert get(client, "Datastreams?$count=false", admin).keys() == {"value"}


def test_expanded_collections_have_counts_and_next_links(
    client: TestClient, network: Network, admin: dict[str, str]
) -> None:
    d1 = network.datastreams[0]
    body = get(
        client,
        f"Datastreams({d1})?$expand=Observations($top=2;$count=true;$orderby=result desc)",
        admin,
    )
    assert body["Observations@iot.count"] == 3
    assert [o["result"] for o in body["Observations"]] == [3, 2]
    rest = client.get(body["Observations@iot.nextLink"], headers=admin).json()
    assert [o["result"] for o in rest["value"]] == [1]
    assert rest["@iot.count"] == 3 and "@iot.nextLink" not in rest
    keys = list(body)
    assert keys.index("Observations@iot.count") < keys.index("Observations")


def test_expand_options_nest(client: TestClient, network: Network, admin: dict[str, str]) -> None:
    body = get(
        client,
        "Things?$select=name&$expand=Datastreams($select=name;$orderby=name desc;"
        "$expand=Observations($filter=result ge 2;$select=result;$top=1),ObservedProperty)",
        admin,
    )
    assert [t["name"] for t in body["value"]] == ["thing 1", "thing 2"]
    first = body["value"][0]
    assert set(first) == {"name", "Datastreams"}
    streams = first["Datastreams"]
    assert [d["name"] for d in streams] == ["datastream 2", "datastream 1"]
    assert streams[0]["Observations"] == [{"result": 4}]
    assert streams[1]["Observations"] == [{"result": 2}]
    assert streams[1]["ObservedProperty"]["name"] == "Luminous Flux"
    link = urlsplit(streams[1]["Observations@iot.nextLink"])
    assert dict(parse_qsl(link.query)) == {
        "$filter": "result ge 2",
        "$select": "result",
        "$top": "1",
        "$skip": "1",
    }


def test_multi_level_paths_merge(
    client: TestClient, network: Network, admin: dict[str, str]
) -> None:
    body = get(
        client,
        f"Things({network.things[1]})?$expand=Datastreams/Sensor,Datastreams/ObservedProperty,"
        "Locations",
        admin,
    )
    assert {d["Sensor"]["name"] for d in body["Datastreams"]} == {"sensor 3", "sensor 4"}
    assert {d["ObservedProperty"]["name"] for d in body["Datastreams"]} == {
        "Second Luminous Flux",
        "Temperature",
    }
    assert [loc["name"] for loc in body["Locations"]] == ["location 2"]


def test_select_with_navigation_and_expand(
    client: TestClient, network: Network, admin: dict[str, str]
) -> None:
    d1 = network.datastreams[0]
    body = get(client, f"Datastreams({d1})?$select=id,Observations&$expand=Thing", admin)
    assert set(body) == {"@iot.id", "Observations@iot.navigationLink", "Thing"}


@pytest.mark.parametrize(("branches", "ids"), [(1, 1), (2, 3), (100, 1000)])
def test_expand_batches_give_the_same_answer(
    client: TestClient,
    network: Network,
    admin: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    branches: int,
    ids: int,
) -> None:
    query = (
        "Observations?$expand=FeatureOfInterest,Datastream($expand=Thing("
        "$expand=Locations,Datastreams($top=1;$count=true;$orderby=id desc)))"
    )
    expected = get(client, query, admin)
    monkeypatch.setattr(expand_module, "BRANCHES", branches)
    monkeypatch.setattr(expand_module, "IDS_PER_QUERY", ids)
    assert get(client, query, admin) == expected


def test_expand_reads_a_level_at_a_time(
    client: TestClient, db: Database, network: Network, admin: dict[str, str]
) -> None:
    statements: list[str] = []

    def remember(*args: Any) -> None:
        statements.append(args[2])

    event.listen(db.engine, "before_cursor_execute", remember)
    try:
        get(client, "Observations?$expand=Datastream/Thing/Locations,FeatureOfInterest", admin)
    finally:
        event.remove(db.engine, "before_cursor_execute", remember)
    # Reads of the SensorThings tables: the app's background workers (alarm notifications)
    # share the engine and may poll meanwhile.
    reads = [
        s for s in statements if s.lstrip().upper().startswith(("SELECT", "WITH")) and "sta_" in s
    ]
    # 12 Observations, 4 Datastreams, 2 Things: the page, then one query per expanded level,
    # never one per entity.
    assert len(reads) <= 5, reads


def test_data_array(client: TestClient, network: Network, admin: dict[str, str]) -> None:
    d2 = network.datastreams[1]
    body = get(client, f"Datastreams({d2})/Observations?$resultFormat=dataArray", admin)
    assert body == {
        "value": [
            {
                "Datastream@iot.navigationLink": f"http://testserver/sta/v1.1/Datastreams({d2})",
                "components": ["id", "phenomenonTime", "resultTime", "result"],
                "dataArray@iot.count": 3,
                "dataArray": [
                    [network.observations[3], "2015-03-04T00:00:00Z", None, 4],
                    [network.observations[4], "2015-03-05T00:00:00Z", "2015-03-05T01:00:00Z", 5],
                    [network.observations[5], "2015-03-06T00:00:00Z", None, 6],
                ],
            }
        ]
    }


def test_data_array_components_groups_and_paging(
    client: TestClient, network: Network, admin: dict[str, str]
) -> None:
    query = "Observations?$resultFormat=dataArray&$select=result,parameters&$top=5&$count=true"
    body = get(client, query, admin)
    assert body["@iot.count"] == 12
    assert [group["dataArray@iot.count"] for group in body["value"]] == [3, 2]
    assert body["value"][0]["components"] == ["result", "parameters"]
    assert body["value"][1]["dataArray"] == [[4, {"n": 4}], [5, {"n": 5}]]
    rows: list[Any] = []
    url = f"{ROOT}/{query}"
    while url:
        page = client.get(url, headers=admin).json()
        rows += [row for group in page["value"] for row in group["dataArray"]]
        url = page.get("@iot.nextLink", "")
    assert [row[0] for row in rows] == list(range(1, 13))


def test_data_array_follows_visibility(client: TestClient, network: Network) -> None:
    body = get(client, "Observations?$resultFormat=dataArray", {})
    assert len(body["value"]) == 1
    assert body["value"][0]["dataArray@iot.count"] == 3


def drop_paging(query: str) -> str:
    kept = [(k, v) for k, v in parse_qsl(query) if k not in ("$top", "$skip")]
    return "&".join(f"{k}={v}" for k, v in kept) or "x=1"
