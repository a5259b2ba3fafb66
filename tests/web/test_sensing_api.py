"""The sensing API and pages: stations and series as JSON, the live feed as Server-Sent Events
(over real HTTP, per role), the map, a station's page and the alarm console with its forms.

The network is ``tests.sensing.test_dashboard.build_network``: Thing 1 徒骇河聊城站 (水利局, the
steward's; Datastream 1 water level, 2 rain), Thing 2 东昌湖站 (public; Datastream 3), Thing 3
马颊河站 (农业农村局, not shared; Datastream 4), Thing 4 管廊A段 (住建局; Datastream 5). The
fixture ``alarmed`` raises alarm 1, yellow, on 徒骇河's water level.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient

from cityhub.config import Settings
from cityhub.db import Database
from cityhub.sensing.alarms import AlarmEngine, create_rule, water_level_rule
from cityhub.sensing.live import Event, LiveFeed
from cityhub.web import create_app
from cityhub.web.pages import sensing as sensing_pages
from cityhub.web.routes.sensing import event_stream, feed_of
from tests.conftest import ADMIN_PASSWORD, PASSWORD, People
from tests.sensing.test_dashboard import ADMIN, NOW, Network, build_network, store
from tests.web.test_pages import csrf_of, log_in


def sensing_app(settings: Settings, db: Database) -> FastAPI:
    """The app, with the sensing pages registered if app.py does not register them yet."""
    app = create_app(settings, db)
    if not any(getattr(route, "path", None) == "/sensing" for route in app.routes):
        app.include_router(sensing_pages.router)
    return app


@contextmanager
def serving(app: FastAPI) -> Iterator[str]:
    """``app`` served over real HTTP by uvicorn in a thread; its base URL."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", timeout_graceful_shutdown=2
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def client(settings: Settings, db: Database) -> Iterator[TestClient]:
    with TestClient(sensing_app(settings, db), base_url="http://testserver") as test_client:
        yield test_client


@pytest.fixture
def network(db: Database, people: People) -> Network:
    return build_network(db)


@pytest.fixture
def alarmed(db: Database, network: Network) -> Network:
    create_rule(db, ADMIN, water_level_rule(network.tuhai_level, 32.0, 33.0, 34.5))
    AlarmEngine(db, lambda: NOW).observe(store(db, network.tuhai_level, [(NOW, 32.3)]))
    return network


def as_user(client: TestClient, username: str, password: str = PASSWORD) -> TestClient:
    other = TestClient(client.app, base_url="http://testserver")
    log_in(other, username, password)
    return other


# --- the JSON API ------------------------------------------------------------------------------


def test_stations_show_state_place_and_values(
    client: TestClient, alarmed: Network, headers: dict[str, dict[str, str]]
) -> None:
    found = {
        s["name"]: s for s in client.get("/api/sensing/stations", headers=headers["analyst"]).json()
    }
    tuhai = found["徒骇河聊城站"]
    assert (tuhai["state"], tuhai["x"], tuhai["y"]) == ("yellow", 115.98, 36.45)
    assert [(a["severity"], a["status"], a["datastream_id"]) for a in tuhai["alarms"]] == [
        ("yellow", "active", 1)
    ]
    assert [(d["name"], d["value"]) for d in tuhai["streams"]] == [
        ("徒骇河聊城站水位", 32.3),
        ("徒骇河聊城站降水量", None),
    ]
    public = client.get("/api/sensing/stations").json()
    assert [s["name"] for s in public] == ["东昌湖站"]


def test_the_session_cookie_reads_too(client: TestClient, alarmed: Network) -> None:
    steward = as_user(client, "slj.steward")
    names = [s["name"] for s in steward.get("/api/sensing/stations").json()]
    assert "徒骇河聊城站" in names
    assert steward.get("/api/sensing/stations/1").json()["state"] == "yellow"


def test_series_takes_a_range_and_refuses_bad_ones(
    client: TestClient, alarmed: Network, headers: dict[str, dict[str, str]]
) -> None:
    analyst = headers["analyst"]
    body = client.get(
        "/api/sensing/datastreams/1/series",
        params={"start": "2000-01-01T00:00:00Z", "end": "2000-01-02T00:00:00+08:00"},
        headers=analyst,
    ).json()
    assert body["points"] == [] and body["start"].startswith("2000-01-01T00:00:00")
    recent = client.get("/api/sensing/datastreams/1/series", headers=analyst).json()
    assert [p[1] for p in recent["points"]] == [32.3]
    assert [t["severity"] for t in recent["thresholds"]] == ["blue", "yellow", "orange", "red"]
    for params, field in (
        ({"start": "2024-07-01T00:00:00"}, "start"),
        ({"start": "2024-07-02T00:00:00Z", "end": "2024-07-01T00:00:00Z"}, "start"),
    ):
        refused = client.get("/api/sensing/datastreams/1/series", params=params, headers=analyst)
        assert refused.status_code == 400 and refused.json()["error"]["details"]["field"] == field
    garbled = client.get("/api/sensing/datastreams/1/series?start=yesterday", headers=analyst)
    assert garbled.status_code == 400


@pytest.mark.parametrize(
    ("query", "status", "ids"),
    [
        ("status=open", 200, [1]),
        ("severity=red", 200, []),
        ("thing_id=1&since=2000-01-01T00:00:00Z", 200, [1]),
        ("status=burning", 400, None),
        ("limit=0", 400, None),
        ("until=2024-07-01T00:00:00", 400, None),
    ],
)
def test_alarm_list_filters(
    client: TestClient,
    alarmed: Network,
    headers: dict[str, dict[str, str]],
    query: str,
    status: int,
    ids: list[int] | None,
) -> None:
    response = client.get(f"/api/sensing/alarms?{query}", headers=headers["analyst"])
    assert response.status_code == status, response.text
    if ids is not None:
        assert [a["id"] for a in response.json()] == ids


def test_handling_an_alarm_is_published_live_and_kept_in_history(
    client: TestClient, alarmed: Network, headers: dict[str, dict[str, str]]
) -> None:
    feed = feed_of(client.app.state)  # type: ignore[attr-defined]
    loop = asyncio.new_event_loop()
    try:
        subscription = loop.run_until_complete(_subscribe(feed))
        steward = headers["steward"]
        done = client.post(
            "/api/sensing/alarms/1/acknowledge", json={"note": "巡查"}, headers=steward
        )
        assert (done.json()["kind"], done.json()["status"]) == ("acknowledged", "acknowledged")
        client.post("/api/sensing/alarms/1/clear", headers=steward)
        events = [loop.run_until_complete(subscription.next_event(2)) for _ in range(2)]
        subscription.close()
    finally:
        loop.close()
    assert [(e["alarm_id"], e["status"]) for e in events if e] == [
        (1, "acknowledged"),
        (1, "cleared"),
    ]
    history = client.get("/api/sensing/alarms/1/events", headers=headers["analyst"]).json()
    assert [(e["kind"], e["actor"]) for e in history] == [
        ("raised", "system"),
        ("acknowledged", "slj.steward"),
        ("cleared", "slj.steward"),
    ]
    assert history[1]["details"] == {"note": "巡查"}
    again = client.post("/api/sensing/alarms/1/clear", headers=steward)
    assert again.status_code == 409


async def _subscribe(feed: LiveFeed) -> Any:
    return feed.subscribe()


def test_rule_bodies_are_checked_with_their_position(
    client: TestClient, network: Network, headers: dict[str, dict[str, str]]
) -> None:
    rule = {"name": "水位", "kind": "threshold", "datastream_id": 1}
    bad_tier = rule | {"tiers": [{"severity": "yellow", "create": {"op": "≈", "value": 1}}]}
    response = client.post("/api/sensing/rules", json=bad_tier, headers=headers["steward"])
    assert response.status_code == 400
    assert response.json()["error"]["details"]["field"] == "tiers[0].create.op"
    bad_kind = rule | {"kind": "vibes", "tiers": []}
    assert (
        client.post("/api/sensing/rules", json=bad_kind, headers=headers["steward"]).status_code
        == 400
    )
    made = client.post(
        "/api/sensing/rules",
        json=rule | {"tiers": [{"severity": "red", "create": {"op": ">=", "value": 34.5}}]},
        headers=headers["steward"],
    )
    assert made.status_code == 201 and made.json()["tiers"][0]["severity"] == "red"
    naive = {"thing_id": 1, "ends_at": "2030-01-01T00:00:00", "reason": "检修"}
    refused = client.post("/api/sensing/silences", json=naive, headers=headers["steward"])
    assert refused.status_code == 400 and refused.json()["error"]["details"]["field"] == "ends_at"


# --- the live feed as Server-Sent Events ----------------------------------------------------------


def test_the_stream_greets_keeps_alive_resyncs_and_ends(db: Database) -> None:
    async def scenario() -> tuple[list[str], list[str]]:
        quiet = [
            chunk
            async for chunk in event_stream(db, ADMIN, LiveFeed(), heartbeat=0.05, lifetime=0.2)
        ]
        feed = LiveFeed(capacity=2)
        stream = event_stream(db, ADMIN, feed, heartbeat=5, lifetime=5)
        busy = [await anext(stream)]
        feed.publish_many([{"type": "alarm", "thing_id": 1, "n": n} for n in range(5)])
        busy += [await anext(stream) for _ in range(3)]
        waiting = asyncio.ensure_future(anext(stream, None))
        await asyncio.sleep(0.05)
        feed.close()  # the app stops: a waiting stream ends at once, with nothing more
        assert await asyncio.wait_for(waiting, 1) is None
        return quiet, busy

    quiet, busy = asyncio.run(scenario())
    assert quiet[0] == 'retry: 3000\ndata: {"type": "hello"}\n\n'
    assert set(quiet[1:]) == {": keep-alive\n\n"} and 2 <= len(quiet) - 1 <= 5
    assert [json.loads(chunk.removeprefix("data: "))["type"] for chunk in busy[1:]] == [
        "resync",
        "alarm",
        "alarm",
    ]
    assert [json.loads(chunk.removeprefix("data: "))["n"] for chunk in busy[2:]] == [3, 4]


def _token(base: str, username: str, password: str) -> dict[str, str]:
    form = urllib.parse.urlencode({"username": username, "password": password}).encode()
    with urllib.request.urlopen(f"{base}/api/auth/token", form, timeout=10) as response:
        return {"Authorization": f"Bearer {json.loads(response.read())['access_token']}"}


def _listen(base: str, headers: dict[str, str], feed: LiveFeed, events: list[Event]) -> list[Any]:
    """Connect, wait for hello, publish ``events``, read until the last one (seen by all)."""
    request = urllib.request.Request(f"{base}/api/sensing/events", headers=headers)
    received: list[Any] = []
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        while True:
            line = response.readline().decode()
            if not line.startswith("data: "):
                continue
            event = json.loads(line.removeprefix("data: "))
            if event["type"] == "hello":
                feed.publish_many(events)
                continue
            received.append(event.get("datastream_id") or event.get("thing_id"))
            if event.get("value") == "end":
                return received


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        (None, [3, 3]),
        ("slj.analyst", [1, 3, 3]),
        ("nyncj.steward", [1, 3, 4, 3]),
        ("admin", [1, 3, 4, 3]),
    ],
    ids=["public", "analyst", "other-steward", "admin"],
)
def test_each_role_hears_only_what_it_may_see(
    settings: Settings, db: Database, network: Network, username: str | None, expected: list[int]
) -> None:
    events: list[Event] = [
        {"type": "alarm", "alarm_id": 7, "thing_id": 1, "datastream_id": 1, "severity": "red"},
        {"type": "observation", "datastream_id": 3, "thing_id": 2, "value": 30.1},
        {"type": "observation", "datastream_id": 4, "thing_id": 3, "value": 28.4},
        {"type": "observation", "datastream_id": 3, "thing_id": 2, "value": "end"},
    ]
    app = sensing_app(settings, db)
    with serving(app) as base:
        password = ADMIN_PASSWORD if username == "admin" else PASSWORD
        headers = _token(base, username, password) if username else {}
        assert _listen(base, headers, feed_of(app.state), events) == expected


# --- the pages ---------------------------------------------------------------------------------


def test_the_map_lists_visible_stations_with_their_state(
    client: TestClient, alarmed: Network
) -> None:
    public = client.get("/sensing")
    assert public.status_code == 200 and "监测站点实时地图" in public.text
    assert 'id="station-2" data-station-id="2" data-state="ok"' in public.text
    assert 'id="station-1"' not in public.text
    steward = as_user(client, "slj.steward").get("/sensing").text
    assert 'id="station-1" data-station-id="1" data-state="yellow"' in steward
    data = steward.split('id="sensing-map-data">')[1].split("</script>")[0]
    stations = {s["id"]: s for s in json.loads(data)["stations"]}
    assert stations[1]["alarms"] == [{"id": 1, "severity": "yellow", "offline": False}]
    assert stations[4]["x"] is None  # the tunnel: listed, not placed
    assert "Live map of monitoring stations" in client.get("/sensing?lang=en").text


def test_a_station_page_has_a_chart_per_readable_stream(
    client: TestClient, alarmed: Network
) -> None:
    page = as_user(client, "slj.analyst").get("/sensing/stations/1")
    assert page.status_code == 200
    assert page.text.count('class="chart stream-chart"') == 2
    assert 'id="station-state" class="state-badge state-yellow" data-state="yellow"' in page.text
    assert "黄色预警" in page.text
    assert client.get("/sensing/stations/1").status_code == 404
    assert client.get("/sensing/stations/nope").status_code == 400


def test_the_console_filters_and_handles_alarms(client: TestClient, alarmed: Network) -> None:
    steward = as_user(client, "slj.steward")
    console = steward.get("/sensing/alarms").text
    assert 'id="acknowledge-1"' in console and 'id="clear-1"' in console
    assert 'id="acknowledge-1"' not in as_user(client, "slj.analyst").get("/sensing/alarms").text
    assert 'id="alarm-1"' not in steward.get("/sensing/alarms?severity=red").text
    bad = steward.get("/sensing/alarms?since=last-week")
    assert bad.status_code == 400 and 'id="alarms-error"' in bad.text

    token = csrf_of(console)
    sent = steward.post(
        "/sensing/alarms/1/acknowledge",
        data={"csrf_token": token, "back": "status=open&severity=yellow&next=//evil"},
        follow_redirects=False,
    )
    assert sent.status_code == 303
    assert (
        sent.headers["location"] == "/sensing/alarms?status=open&severity=yellow&done=acknowledged"
    )
    again = steward.post("/sensing/alarms/1/acknowledge", data={"csrf_token": token})
    assert again.status_code == 409 and "not active" in again.text
    forged = steward.post("/sensing/alarms/1/clear", data={"csrf_token": "0" * 64})
    assert forged.status_code == 403
    cleared = steward.post(
        "/sensing/alarms/1/clear", data={"csrf_token": token}, follow_redirects=False
    )
    assert cleared.status_code == 303
    history = steward.get("/sensing/alarms/1/history").text
    assert [word in history for word in ("产生预警", "已确认", "已解除")] == [True, True, True]

    public = TestClient(client.app, base_url="http://testserver")
    nonce = csrf_of(public.get("/login").text)
    refused = public.post(
        "/sensing/alarms/1/clear", data={"csrf_token": nonce}, follow_redirects=False
    )
    assert refused.status_code == 303 and refused.headers["location"].startswith("/login")
