"""The sensing module at run time: its bus, the SL 651 gateway, alarms and the live feed.

``Sensing`` is made once per app (``app.state.sensing``) and started and stopped with it. New
Observations — from HTTP, MQTT or the gateway — reach the bus after their transaction commits;
there the alarm engine evaluates them and the live feed of the pages passes them on with the
alarm changes they caused. A sweeper thread lets the engine notice silent stations, the
notifier delivers alarm webhooks (handling actions such as a tunnel's ventilation), and the
roll-up moves Observations past their retention into the pool.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from typing import Any

from cityhub.config import Settings
from cityhub.db import Database
from cityhub.pool.service import Pool
from cityhub.sensing.alarms import AlarmEngine, Notifier
from cityhub.sensing.bus import Bus
from cityhub.sensing.live import LiveFeed
from cityhub.sensing.mqtt import BrokerBridge, EmbeddedBroker, conformance
from cityhub.sensing.observations import StoredObservation
from cityhub.sensing.rollup import RollupScheduler
from cityhub.sensing.sl651.gateway import Gateway
from cityhub.sensing.stations import StationDirectory, gateway_sink

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

    async def start(self) -> None:
        """Start the SL 651 gateway and MQTT (unless their ports are 0), the notifier and the
        sweeper."""
        self._stop.clear()
        self.notifier.start()
        self.rollup.start()
        self._sweeper = threading.Thread(
            target=self._sweep_forever, name="alarm-sweep", daemon=True
        )
        self._sweeper.start()
        if self.settings.sl651_port:
            self.gateway = Gateway(
                gateway_sink(self.db, self.bus, self.stations),
                host=self.settings.host,
                port=self.settings.sl651_port,
                idle_seconds=self.settings.sl651_idle_seconds,
            )
            await self.gateway.start()
        await self._start_mqtt()

    async def _start_mqtt(self) -> None:
        s = self.settings
        root = (s.public_url or f"http://{s.host}:{s.port}").rstrip("/") + "/sta/v1.1"
        if s.mqtt_url:
            password = s.mqtt_password.get_secret_value() if s.mqtt_password else None
            self.mqtt = BrokerBridge(
                self.db,
                self.bus,
                url=s.mqtt_url,
                service_root=root,
                username=s.mqtt_username,
                password=password,
            )
        elif s.mqtt_port:
            self.mqtt = EmbeddedBroker(
                self.db, self.bus, port=s.mqtt_port, host=s.host, service_root=root
            )
        if self.mqtt is not None:
            await asyncio.to_thread(self.mqtt.start)

    def sta_conformance(self) -> dict[str, dict[str, Any]] | None:
        """The MQTT conformance classes and endpoints for the SensorThings root document."""
        return conformance(self.mqtt.endpoint) if self.mqtt is not None else None

    async def stop(self) -> None:
        """Stop what ``start`` started."""
        if self.mqtt is not None:
            await asyncio.to_thread(self.mqtt.stop)
            self.mqtt = None
        if self.gateway is not None:
            await self.gateway.stop()
            self.gateway = None
        self._stop.set()
        if self._sweeper is not None:
            self._sweeper.join(timeout=5)
            self._sweeper = None
        self.rollup.stop()
        self.notifier.stop()
        self.live.close()
