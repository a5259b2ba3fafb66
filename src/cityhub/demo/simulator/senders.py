"""The three ways the demo stations reach the platform, each spoken as a real client would.

- ``Sl651Sender``: an RTU's frames over TCP (HEX/BCD, SL 651-2014), one connection per report,
  waiting for the gateway's confirmation;
- ``MqttSender``: the SensorThings MQTT extension — one Observation JSON published to
  ``v1.1/Datastreams(<id>)/Observations`` (QoS 1), logged in with a user name and an API token;
- ``HttpSender``: ``POST /sta/v1.1/CreateObservations`` (DataArray) with HTTP Basic, user name
  and API token.

Failures become ``cityhub.errors``: an unreachable server is a ``ConfigurationError`` (is the
platform running, on that port?), a refusal the error the platform answered.
"""

from __future__ import annotations

import asyncio
import base64
import json
import threading
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from cityhub.demo.stations import Station
from cityhub.errors import (
    CityhubError,
    ConfigurationError,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
)
from cityhub.sensing.sl651.client import send_report
from cityhub.sensing.sl651.elements import BY_TAG
from cityhub.sensing.sl651.report import Reading, Report
from cityhub.sensing.sta.values import format_instant

TIMED_REPORT = 0x32  # 定时报
ADD_REPORT = 0x33  # 加报报
RIVER, LAKE = 0x48, 0x4B  # Appendix A classification codes: H 河道, K 水库(湖泊)
MAX_SERIAL = 0xFFFF


class Sl651Sender:
    """Sends the reports of SL 651 stations to the gateway at ``host:port``."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        center: int = 1,
        password: int = 0x1234,
        timeout: float = 5.0,
    ) -> None:
        self.host, self.port = host, port
        self.center, self.password, self.timeout = center, password, timeout
        self._serials: dict[str, int] = {}

    def report(
        self,
        station: Station,
        observed_at: datetime,
        values: Sequence[tuple[str, float]],
        *,
        sent_at: datetime,
        add_report: bool = False,
    ) -> int:
        """Send one report of ``station`` — (element key, value) pairs observed at
        ``observed_at`` — and wait for its confirmation; returns the serial number used."""
        address = station.sl651_address
        if address is None:
            raise InvalidInput(
                f"station {station.key} has no SL 651 address", details={"station": station.key}
            )
        tags = {element.key: element.sl651 for element in station.elements}
        readings = []
        for key, value in values:
            tag = tags.get(key)
            if tag is None or tag not in BY_TAG:
                raise InvalidInput(
                    f"{station.key}: element {key} has no SL 651 identifier",
                    details={"station": station.key, "element": key},
                )
            readings.append(Reading(address, BY_TAG[tag].lead, observed_at, Decimal(str(value))))
        serial = self._serials.get(address, 0) % MAX_SERIAL + 1  # 1–65535, then round again
        self._serials[address] = serial
        report = Report(
            center=self.center,
            station=address,
            password=self.password,
            function_code=ADD_REPORT if add_report else TIMED_REPORT,
            serial=serial,
            sent_at=sent_at.replace(microsecond=0),
            classification=classification(station),
            readings=tuple(readings),
        )
        try:
            answer = asyncio.run(send_report(self.host, self.port, report, timeout=self.timeout))
        except OSError as exc:
            raise ConfigurationError(
                f"no SL 651 gateway answers at {self.host}:{self.port} ({exc}); is the platform "
                "running, with CITYHUB_SL651_PORT set to that port?",
                details={"port": self.port},
            ) from exc
        if answer is None or answer.body[:2] != serial.to_bytes(2, "big"):
            raise ConfigurationError(
                f"the SL 651 gateway did not confirm report {serial} of station {address}",
                details={"station": address, "serial": serial},
            )
        return serial


class HttpSender:
    """Posts Observations with ``CreateObservations`` as one account (HTTP Basic + API token)."""

    def __init__(self, base_url: str, username: str, token: str, *, timeout: float = 10.0) -> None:
        self.url = f"{base_url.rstrip('/')}/sta/v1.1/CreateObservations"
        credentials = base64.b64encode(f"{username}:{token}".encode()).decode("ascii")
        self.authorization = f"Basic {credentials}"
        self.timeout = timeout

    def create(self, groups: Mapping[int, Sequence[tuple[datetime, float]]]) -> list[str]:
        """Store (phenomenon time, result) rows per Datastream id; the new Observations' URLs."""
        body = [
            {
                "Datastream": {"@iot.id": datastream_id},
                "components": ["phenomenonTime", "result"],
                "dataArray": [[format_instant(at), value] for at, value in rows],
            }
            for datastream_id, rows in groups.items()
            if rows
        ]
        if not body:
            return []
        request = urllib.request.Request(
            self.url,
            data=json.dumps(body).encode("utf-8"),
            method="POST",
            headers={
                "Content-Type": "application/json",
                "Authorization": self.authorization,
                "User-Agent": "cityhub-demo-simulator",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                answer = json.loads(response.read())
        except urllib.error.HTTPError as exc:
            with exc:
                raise _refusal(exc.code, exc.read(), self.url) from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise ConfigurationError(
                f"cannot reach the platform at {self.url} ({reason}); is it running?",
                details={"url": self.url},
            ) from exc
        if not isinstance(answer, list):
            raise ConfigurationError("CreateObservations did not answer a list of URLs")
        failed = [position for position, url in enumerate(answer) if url == "error"]
        if failed:
            raise InvalidInput(
                f"CreateObservations refused {len(failed)} of {len(answer)} rows",
                details={"rows": failed[:20]},
            )
        return [str(url) for url in answer]


def _refusal(status: int, raw: bytes, url: str) -> CityhubError:
    """The error an HTTP refusal stands for, with the platform's own message."""
    try:
        payload: Any = json.loads(raw)
    except ValueError:
        payload = None
    message = raw.decode("utf-8", "replace")[:300]
    if isinstance(payload, dict):
        inner = payload.get("error", payload)
        if isinstance(inner, dict):
            message = str(inner.get("message") or message)
    text = f"the platform refused the observations (HTTP {status}): {message}"
    details = {"url": url, "status": status}
    if status == 401:
        return NotAuthenticated(text, details=details)
    if status == 403:
        return PermissionDenied(text, details=details)
    if status == 404:
        return NotFound(text, details=details)
    if 400 <= status < 500:
        return InvalidInput(text, details=details)
    return ConfigurationError(text, details=details)


class MqttSender:
    """Publishes Observations over MQTT as one account (user name + API token), QoS 1.

    Use as a context manager, or call ``close``. Refusals the embedded broker reports on
    ``v1.1/errors/<client id>`` are collected; ``refusals`` hands them over.
    """

    def __init__(
        self,
        host: str,
        port: int,
        username: str,
        token: str,
        *,
        client_id: str,
        timeout: float = 10.0,
    ) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self.client_id = client_id
        self._refusals: list[str] = []
        self._lock = threading.Lock()
        self._connected = threading.Event()
        self._outcome: str | None = None
        self._client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id)
        self._client.username_pw_set(username, token)
        self._client.on_connect = self._on_connect
        self._client.on_message = self._on_message
        try:
            self._client.connect(host, port)
        except OSError as exc:
            raise ConfigurationError(
                f"no MQTT broker answers at {host}:{port} ({exc}); is the platform running "
                "with its MQTT broker on that port?",
                details={"port": port},
            ) from exc
        self._client.loop_start()
        if not self._connected.wait(timeout):
            self.close()
            raise ConfigurationError(
                f"the MQTT broker at {host}:{port} did not answer the login",
                details={"port": port},
            )
        if self._outcome is not None:
            self.close()
            raise NotAuthenticated(
                f"the MQTT broker refused {username}: {self._outcome}", details={"port": port}
            )
        self._client.subscribe(f"v1.1/errors/{client_id}", qos=1)

    def _on_connect(self, client: Any, userdata: Any, flags: Any, reason: Any, props: Any) -> None:
        if reason.is_failure:
            self._outcome = str(reason)
        self._connected.set()

    def _on_message(self, client: Any, userdata: Any, message: mqtt.MQTTMessage) -> None:
        with self._lock:
            self._refusals.append(message.payload.decode("utf-8", "replace")[:500])

    def publish(self, datastream_id: int, at: datetime, value: float) -> None:
        """Publish one Observation and wait until the broker has it (PUBACK)."""
        payload = json.dumps({"phenomenonTime": format_instant(at), "result": value})
        info = self._client.publish(f"v1.1/Datastreams({datastream_id})/Observations", payload, 1)
        try:
            info.wait_for_publish(self.timeout)
        except (RuntimeError, ValueError) as exc:
            raise ConfigurationError(f"MQTT publish failed: {exc}") from exc
        if not info.is_published():
            raise ConfigurationError(
                f"the MQTT broker did not acknowledge an Observation of Datastream {datastream_id}"
                f" within {self.timeout:g} s",
                details={"datastream": datastream_id},
            )

    def refusals(self) -> list[str]:
        """Why the broker refused messages of ours since the last call (embedded broker)."""
        with self._lock:
            found, self._refusals = self._refusals, []
        return found

    def close(self) -> None:
        """Disconnect."""
        self._client.disconnect()
        self._client.loop_stop()

    def __enter__(self) -> MqttSender:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def classification(station: Station) -> int:
    """The Appendix A code a station reports with: K for lakes and reservoirs, else H."""
    still = station.station_class in ("lake", "reservoir") or station.water.endswith("湖")
    return LAKE if still else RIVER


def sent_time(observed_at: datetime, now: datetime) -> datetime:
    """When a station sends what it observed at ``observed_at``: half a minute later, but not
    after ``now`` (a report about the last step goes out at once)."""
    return min(observed_at + timedelta(seconds=30), now)
