"""The simulator's devices: its SL 651 sender against a real gateway, its MQTT sender against
Mosquitto, its HTTP sender's errors, and the ventilation controller over HTTP."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from cityhub.demo.simulator.scenarios import BY_KEY
from cityhub.demo.simulator.senders import HttpSender, MqttSender, Sl651Sender, _refusal
from cityhub.demo.simulator.ventilation import VENTILATION_PATH, VentilationController
from cityhub.demo.stations import STORM_STATION
from cityhub.errors import (
    ConfigurationError,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
)
from cityhub.sensing.sl651.gateway import Gateway
from cityhub.sensing.sl651.report import Report

START = datetime(2024, 7, 20, 0, 0, tzinfo=UTC)


# -- the senders -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def gateway() -> Iterator[tuple[Gateway, list[Report]]]:
    """A real SL 651 gateway on a free port whose sink records the reports."""
    received: list[Report] = []
    server = Gateway(received.append, host="127.0.0.1", port=0)
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    asyncio.run_coroutine_threadsafe(server.start(), loop).result(5)
    yield server, received
    asyncio.run_coroutine_threadsafe(server.stop(), loop).result(5)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(5)
    loop.close()


@pytest.mark.parametrize(("add", "code"), [(False, 0x32), (True, 0x33)])
def test_sl651_reports_reach_a_gateway_and_are_confirmed(
    gateway: tuple[Gateway, list[Report]], add: bool, code: int
) -> None:
    server, received = gateway
    station = BY_KEY[STORM_STATION]
    sender = Sl651Sender("127.0.0.1", server.port)
    at = START + timedelta(hours=3, minutes=30)
    for expected_serial in (1, 2):
        serial = sender.report(
            station, at, [("Z", 31.57), ("VT", 12.61)], sent_at=at + timedelta(seconds=30),
            add_report=add,
        )  # fmt: skip
        assert serial == expected_serial
    report = received[-1]
    assert (report.station, report.function_code, report.classification) == (
        station.sl651_address,
        code,
        0x48,
    )
    assert [(r.tag, r.number, r.observed_at) for r in report.readings] == [
        ("Z", 31.57, at),
        ("VT", 12.61, at),
    ]


def test_a_lake_station_reports_as_a_lake(gateway: tuple[Gateway, list[Report]]) -> None:
    server, received = gateway
    Sl651Sender("127.0.0.1", server.port).report(
        BY_KEY["dongchang-lake"], START, [("Z", 33.6)], sent_at=START
    )
    assert received[-1].classification_name == "reservoir"  # 4BH: 水库(湖泊)


def test_sl651_without_a_gateway_is_a_configuration_error() -> None:
    port = free_port()
    with pytest.raises(ConfigurationError) as caught:
        Sl651Sender("127.0.0.1", port, timeout=1).report(
            BY_KEY[STORM_STATION], START, [("Z", 30.0)], sent_at=START
        )
    assert caught.value.details["port"] == port


def test_sl651_refuses_elements_the_station_does_not_send_by_sl651() -> None:
    with pytest.raises(InvalidInput):
        Sl651Sender("127.0.0.1", 1).report(
            BY_KEY["maxi-reservoir"], START, [("ZU", 39.0)], sent_at=START
        )


def test_http_without_a_platform_is_a_configuration_error() -> None:
    sender = HttpSender(f"http://127.0.0.1:{free_port()}", "slj.station", "token", timeout=2)
    with pytest.raises(ConfigurationError):
        sender.create({1: [(START, 1.0)]})
    assert sender.create({}) == []


@pytest.mark.parametrize(
    ("status", "error"),
    [(400, InvalidInput), (401, NotAuthenticated), (403, PermissionDenied), (404, NotFound),
     (500, ConfigurationError)],
)  # fmt: skip
def test_http_refusals_become_the_platform_errors(status: int, error: type[Exception]) -> None:
    body = json.dumps({"error": {"code": "x", "message": "why not", "details": {}}}).encode()
    refusal = _refusal(status, body, "http://x/sta/v1.1/CreateObservations")
    assert isinstance(refusal, error)
    assert "why not" in str(refusal)


# -- the ventilation controller ----------------------------------------------------------------


@pytest.fixture
def controller() -> Iterator[VentilationController]:
    lines: list[str] = []
    made = VentilationController(port=0, zones={7: "A1 天然气舱"}, echo=lines.append).start()
    yield made
    made.stop()


def call(
    url: str, payload: Any = None, *, raw: bytes | None = None, key: str | None = None
) -> tuple[int, Any]:
    data = raw if raw is not None else None if payload is None else json.dumps(payload).encode()
    request = urllib.request.Request(url, data=data, method="GET" if data is None else "POST")
    if key is not None:
        request.add_header("Idempotency-Key", key)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        with exc:
            return exc.code, json.loads(exc.read())


def event(kind: str, severity: str = "orange") -> dict[str, Any]:
    return {"alarm_id": 3, "event": kind, "thing_id": 7, "severity": severity, "value": 21.5}


def test_the_controller_switches_fans_with_the_alarm(controller: VentilationController) -> None:
    assert call(controller.url, event("raised"), key="k1") == (
        200,
        {"zone": "A1 天然气舱", "fans": "on"},
    )
    assert call(controller.url, event("raised"), key="k1") == (200, {"repeat": True})
    assert call(controller.url, event("escalated", "red"), key="k2")[1]["fans"] == "on"
    assert call(controller.url, event("cleared"), key="k3")[1]["fans"] == "off"
    status, body = call(controller.url)
    assert status == 200
    assert [(e["event"], e["fans"]) for e in body["events"]] == [
        ("raised", "on"),
        ("escalated", "on"),
        ("cleared", "off"),
    ]
    assert body["zones"]["A1 天然气舱"]["fans"] == "off"
    assert controller.echo is not None


def test_an_unknown_thing_is_its_own_zone(controller: VentilationController) -> None:
    assert call(controller.url, {**event("raised"), "thing_id": 99})[1]["zone"] == "thing 99"


@pytest.mark.parametrize(
    "raw",
    [b"not json", b"[1, 2]", b'{"event": 1}', b'{"event": "exploded"}', b"\xff\xfe", b""],
    ids=["garbage", "array", "event-type", "unknown-event", "bad-utf8", "empty"],
)
def test_the_controller_refuses_what_is_not_an_alarm_event(
    controller: VentilationController, raw: bytes
) -> None:
    status, body = call(controller.url, raw=raw)
    assert status == 400 and "error" in body
    assert call(controller.url, event("raised"))[0] == 200  # still serving
    assert controller.status()["events"][-1]["event"] == "raised"


def test_other_paths_are_not_found(controller: VentilationController) -> None:
    base = controller.url.removesuffix(VENTILATION_PATH)
    assert call(f"{base}/other")[0] == 404
    assert call(f"{base}/other", event("raised"))[0] == 404


def test_a_taken_port_is_a_configuration_error(controller: VentilationController) -> None:
    with pytest.raises(ConfigurationError):
        VentilationController(port=controller.port, zones={})


MOSQUITTO = ("127.0.0.1", 1883)


def mosquitto_or_skip() -> None:
    """Skip without a Mosquitto on 127.0.0.1:1883 — except in CI, which provides one."""
    try:
        with socket.create_connection(MOSQUITTO, timeout=1):
            return
    except OSError as error:
        reason = f"no MQTT broker answers on {MOSQUITTO[0]}:{MOSQUITTO[1]} ({error})"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; CI runs the MQTT tests against Mosquitto")
    pytest.skip(reason)


def test_mqtt_observations_reach_a_real_broker_as_sensorthings_json() -> None:
    mosquitto_or_skip()
    datastream = 900_000 + os.getpid() % 10_000  # a topic of this test alone on a shared broker
    topic = f"v1.1/Datastreams({datastream})/Observations"
    received: list[tuple[str, Any]] = []
    subscribed = threading.Event()
    listener = mqtt.Client(CallbackAPIVersion.VERSION2)
    listener.on_message = lambda c, u, m: received.append((m.topic, json.loads(m.payload)))
    listener.on_subscribe = lambda *args: subscribed.set()
    listener.connect(*MOSQUITTO)
    listener.loop_start()
    try:
        listener.subscribe(topic, 1)
        assert subscribed.wait(5)
        with MqttSender(
            *MOSQUITTO, "slj.station", "token", client_id=f"sim-{datastream}"
        ) as sender:
            sender.publish(datastream, START + timedelta(minutes=30), 3.5)
            assert sender.refusals() == []
        deadline = time.monotonic() + 5
        while not received and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        listener.disconnect()
        listener.loop_stop()
    assert received == [(topic, {"phenomenonTime": "2024-07-20T00:30:00Z", "result": 3.5})]


def test_mqtt_without_a_broker_is_a_configuration_error() -> None:
    port = free_port()
    with pytest.raises(ConfigurationError) as caught:
        MqttSender("127.0.0.1", port, "slj.station", "token", client_id="sim-none", timeout=2)
    assert caught.value.details["port"] == port
