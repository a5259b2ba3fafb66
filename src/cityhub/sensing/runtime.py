"""The sensing module at run time: its bus, the SL 651 gateway, alarms and the live feed.

``Sensing`` is made once per app (``app.state.sensing``). New Observations — from HTTP, MQTT or
the gateway — reach the bus after their transaction commits; there the alarm engine evaluates
them and the live feed of the pages passes them on with the alarm changes they caused. That
much runs in every process. The rest are workers (``workers()``), each run by one process at a
time (``cityhub.workers``): the SL 651 gateway and MQTT, which bind ports; ``alarms``, a sweeper
thread that lets the engine notice silent stations and the notifier that delivers alarm
webhooks (handling actions such as a tunnel's ventilation); and the roll-up, which moves
Observations past their retention into the pool.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from cityhub.config import Settings
from cityhub.db import Database
from cityhub.errors import ConfigurationError
from cityhub.pool.service import Pool
from cityhub.sensing.alarms import AlarmEngine, Notifier
from cityhub.sensing.bus import Bus
from cityhub.sensing.live import LiveFeed
from cityhub.sensing.mqtt import BrokerBridge, EmbeddedBroker, conformance
from cityhub.sensing.mqtt.bridge import broker_address
from cityhub.sensing.observations import StoredObservation
from cityhub.sensing.rollup import RollupScheduler
from cityhub.sensing.sl651.gateway import Gateway
from cityhub.sensing.stations import StationDirectory, gateway_sink
from cityhub.workers import Worker

SWEEP_SECONDS = 30.0  # how often silent stations are looked for
log = logging.getLogger("cityhub.sensing")


class Sensing:
    """The sensing services of one app process."""

    def __init__(self, db: Database, settings: Settings, pool: Pool) -> None:
        self.db = db
        self.settings = settings
        self.bus = Bus()
        self.live = LiveFeed()
        self.alarms = AlarmEngine(db)
        self.notifier = Notifier(db)
        self.stations = StationDirectory(db)
        self.rollup = RollupScheduler(db, pool, settings)
        self.gateway: Gateway | None = None
        self.mqtt: EmbeddedBroker | BrokerBridge | None = None
        self._stop = threading.Event()
        self._sweeper: threading.Thread | None = None
        self.bus.subscribe(self._observed)

    def _observed(self, stored: list[StoredObservation]) -> None:
        changes = self.alarms.observe(stored)
        self.live.listen(stored)
        if changes:
            self.live.alarm_changed(changes)
            # Delivers now if this process runs the alarms worker; otherwise the outbox row
            # waits for the notifier of the process that does (it looks every second).
            self.notifier.wake()

    def sweep(self) -> None:
        """One look for silent stations and sliding rain windows; changes go to the live feed."""
        changes = self.alarms.sweep()
        if changes:
            self.live.alarm_changed(changes)
            self.notifier.wake()

    def _sweep_forever(self) -> None:
        while not self._stop.wait(SWEEP_SECONDS):
            try:
                self.sweep()
            except Exception:
                log.exception("alarm sweep failed")

    # -- workers: each runs in one process at a time (cityhub.workers) ----------------------

    def workers(self) -> list[Worker]:
        """The sensing workers the settings switch on: ``alarms`` (sweeper and notifier),
        ``rollup``, ``sl651`` (the gateway, unless its port is 0) and ``mqtt`` (a bridge to
        ``mqtt_url``, else the embedded broker unless its port is 0)."""
        found = [Worker.threaded("alarms", self._start_alarms, self._stop_alarms)]
        if self.rollup.interval > 0:  # else switched off: nothing to elect
            found.append(Worker.threaded("rollup", self.rollup.start, self.rollup.stop))
        if self.settings.sl651_port:
            found.append(Worker("sl651", self._start_gateway, self._stop_gateway))
        if self.settings.mqtt_url or self.settings.mqtt_port:
            found.append(Worker.threaded("mqtt", self._start_mqtt, self._stop_mqtt))
        return found

    def _start_alarms(self) -> None:
        self._stop.clear()
        self.notifier.start()
        self._sweeper = threading.Thread(
            target=self._sweep_forever, name="alarm-sweep", daemon=True
        )
        self._sweeper.start()

    def _stop_alarms(self) -> None:
        self._stop.set()
        if self._sweeper is not None:
            self._sweeper.join(timeout=5)
            self._sweeper = None
        self.notifier.stop()

    async def _start_gateway(self) -> None:
        gateway = Gateway(
            gateway_sink(self.db, self.bus, self.stations),
            host=self.settings.host,
            port=self.settings.sl651_port,
            idle_seconds=self.settings.sl651_idle_seconds,
        )
        await gateway.start()
        self.gateway = gateway

    async def _stop_gateway(self) -> None:
        if self.gateway is not None:
            await self.gateway.stop()
            self.gateway = None

    def _service_root(self) -> str:
        s = self.settings
        return (s.public_url or f"http://{s.host}:{s.port}").rstrip("/") + "/sta/v1.1"

    def _start_mqtt(self) -> None:
        s = self.settings
        mqtt: EmbeddedBroker | BrokerBridge
        if s.mqtt_url:
            password = s.mqtt_password.get_secret_value() if s.mqtt_password else None
            mqtt = BrokerBridge(
                self.db,
                self.bus,
                url=s.mqtt_url,
                service_root=self._service_root(),
                username=s.mqtt_username,
                password=password,
            )
        else:
            mqtt = EmbeddedBroker(
                self.db, self.bus, port=s.mqtt_port, host=s.host, service_root=self._service_root()
            )
        mqtt.start()
        self.mqtt = mqtt

    def _stop_mqtt(self) -> None:
        if self.mqtt is not None:
            self.mqtt.stop()
            self.mqtt = None

    def mqtt_endpoint(self) -> str | None:
        """``mqtt://host:port`` of the platform's MQTT service, whichever process runs it."""
        s = self.settings
        if s.mqtt_url:
            try:
                host, port, *_ = broker_address(s.mqtt_url)
            except ConfigurationError:  # the mqtt worker reports it where it starts
                return None
            return f"mqtt://{host}:{port}"
        return f"mqtt://{s.host}:{s.mqtt_port}" if s.mqtt_port else None

    def sta_conformance(self) -> dict[str, dict[str, Any]] | None:
        """The MQTT conformance classes and endpoints for the SensorThings root document."""
        endpoint = self.mqtt_endpoint()
        return conformance(endpoint) if endpoint is not None else None

    async def stop(self) -> None:
        """Close the live feed (the workers are the supervisor's to stop)."""
        self.live.close()
