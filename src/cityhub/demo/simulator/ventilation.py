"""The demo tunnel's ventilation controller: a small simulated device the alarm webhook drives.

The gas rule of the demo tunnel has this controller's URL as its handling action
(``demo.sensing.VENTILATION_URL``). The alarm notifier POSTs each alarm event there; the
controller switches the fans of the alarm's zone on while the alarm is active (raised,
escalated, de-escalated) and off when it is cleared, logs "fans on/off for zone …", and drops a
repeated delivery (same ``Idempotency-Key``). ``GET /demo/ventilation`` shows every zone's fans
and the events received.

It is a separate little HTTP server (stdlib ``http.server`` in a daemon thread) on its own port,
``VENTILATION_PORT`` by default, as a real controller would be its own device — not a route of
the platform it is called by.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from sqlalchemy import select

from cityhub.db import Database
from cityhub.demo.stations import STATIONS
from cityhub.errors import ConfigurationError
from cityhub.sensing.models import Thing

VENTILATION_PORT = 8765
VENTILATION_PATH = "/demo/ventilation"
ACTIVE_EVENTS = frozenset({"raised", "escalated", "de-escalated"})
MAX_BODY = 64 * 1024
MAX_EVENTS = 500  # the status page keeps the latest ones
log = logging.getLogger("cityhub.demo.ventilation")


@dataclass(frozen=True)
class Received:
    """One webhook delivery the controller acted on."""

    at: str
    event: str
    zone: str
    fans: str  # "on" or "off" after this event
    alarm_id: int | None
    severity: str | None
    value: float | None


@dataclass
class Zone:
    """The fans of one zone (a tunnel compartment)."""

    fans: str = "off"
    since: str | None = None
    alarm_id: int | None = None
    severity: str | None = None


class VentilationController:
    """Fans per zone, switched by alarm webhooks. ``zones`` names a Thing id's zone (else the
    zone is called after the Thing id); ``echo`` also gets each "fans on/off" line (the demo's
    console), besides the log."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = VENTILATION_PORT,
        zones: Mapping[int, str],
        echo: Callable[[str], None] | None = None,
    ) -> None:
        self.host = host
        self.echo = echo
        self.zone_names = dict(zones)
        self.zones: dict[str, Zone] = {}
        self.events: list[Received] = []
        self._seen: set[str] = set()
        self._lock = threading.Lock()
        try:
            self._server = ThreadingHTTPServer((host, port), _handler_for(self))
        except OSError as exc:
            raise ConfigurationError(
                f"the demo ventilation controller cannot listen on {host}:{port}: {exc}",
                details={"port": port},
            ) from exc
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        """The port listened on (the one chosen when 0 was asked for)."""
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        """Where the alarm webhook goes: the gas rule's ``action_url``."""
        return f"http://{self.host}:{self.port}{VENTILATION_PATH}"

    def start(self) -> VentilationController:
        """Serve in a daemon thread; returns self."""
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._server.serve_forever, name="demo-ventilation", daemon=True
            )
            self._thread.start()
            log.info("demo ventilation controller listening at %s", self.url)
        return self

    def stop(self) -> None:
        """Stop serving and release the port."""
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(5)
            self._thread = None
        self._server.server_close()

    def handle(self, payload: Any, key: str | None) -> Received | None:
        """Act on one alarm event; None for a repeat of a delivery already acted on.
        Raises ValueError when the payload is not an alarm event."""
        if not isinstance(payload, dict) or not isinstance(payload.get("event"), str):
            raise ValueError("expected a JSON object with an 'event' (an alarm webhook)")
        event = payload["event"]
        if event not in ACTIVE_EVENTS and event != "cleared":
            raise ValueError(f"unknown alarm event {event!r}")
        thing = payload.get("thing_id")
        zone = self.zone_names.get(thing, f"thing {thing}") if isinstance(thing, int) else "?"
        with self._lock:
            if key is not None:
                if key in self._seen:
                    return None
                self._seen.add(key)
            state = self.zones.setdefault(zone, Zone())
            fans = "on" if event in ACTIVE_EVENTS else "off"
            now = datetime.now(UTC).isoformat(timespec="seconds")
            if fans != state.fans:
                state.since = now
            state.fans = fans
            state.alarm_id = _int(payload.get("alarm_id"))
            state.severity = _text(payload.get("severity"))
            received = Received(
                now, event, zone, fans, state.alarm_id, state.severity, _float(payload.get("value"))
            )
            self.events.append(received)
            del self.events[:-MAX_EVENTS]
        line = (
            f"ventilation: fans {fans} for zone {zone} (alarm {received.alarm_id} {event}, "
            f"{received.severity}, value {received.value})"
        )
        log.info(line)
        if self.echo is not None:
            self.echo(line)
        return received

    def status(self) -> dict[str, Any]:
        """Every zone's fans and the events received, oldest first."""
        with self._lock:
            return {
                "zones": {name: asdict(zone) for name, zone in self.zones.items()},
                "events": [asdict(event) for event in self.events],
            }


def start_ventilation(
    *,
    port: int = VENTILATION_PORT,
    host: str = "127.0.0.1",
    db: Database | None = None,
    echo: Callable[[str], None] | None = None,
) -> VentilationController:
    """Start the demo's ventilation controller (``port`` 0: any free port); with ``db``, zones
    are named after the demo tunnel segments found there; ``echo`` prints each switch."""
    zones = tunnel_zones(db) if db is not None else {}
    return VentilationController(host=host, port=port, zones=zones, echo=echo).start()


def tunnel_zones(db: Database) -> dict[int, str]:
    """Thing id → zone name ("<segment> <compartment>") of the demo's tunnel stations."""
    tunnels = {s.name: s for s in STATIONS if s.station_class == "tunnel"}
    with db.reading() as session:
        rows = session.execute(select(Thing.id, Thing.name).where(Thing.name.in_(tunnels))).all()
    return {
        thing_id: f"{name} {tunnels[name].extra.get('compartment', '')}".strip()
        for thing_id, name in rows
    }


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _float(value: Any) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _handler_for(controller: VentilationController) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "cityhub-demo-ventilation"

        def do_GET(self) -> None:
            if self.path.split("?")[0] != VENTILATION_PATH:
                self._answer(404, {"error": "not found"})
                return
            self._answer(200, controller.status())

        def do_POST(self) -> None:
            if self.path.split("?")[0] != VENTILATION_PATH:
                self._answer(404, {"error": "not found"})
                return
            try:
                length = int(self.headers.get("Content-Length") or 0)
            except ValueError:
                length = -1
            if not 0 < length <= MAX_BODY:
                self._answer(400, {"error": f"a JSON body of 1 to {MAX_BODY} bytes is needed"})
                return
            try:
                payload = json.loads(self.rfile.read(length))
                received = controller.handle(payload, self.headers.get("Idempotency-Key"))
            except (ValueError, UnicodeDecodeError) as exc:
                self._answer(400, {"error": str(exc)})
                return
            if received is None:
                self._answer(200, {"repeat": True})
                return
            self._answer(200, {"zone": received.zone, "fans": received.fans})

        def _answer(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body, ensure_ascii=False).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            log.debug("%s %s", self.address_string(), format % args)

    return Handler
