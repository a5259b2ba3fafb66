"""What subscribers receive: new Observations (from every ingest path, via the bus) and changed
entities, as the JSON the HTTP API returns, with the topics to publish them on.

``UpdatePublisher`` listens on the bus; for each batch of stored Observations it reads their
rows once (``sta.serialise`` makes the JSON, so MQTT and HTTP show the same thing) and hands
``Update``s to a sink — the embedded broker, which delivers them to each subscriber allowed
to read them, or the bridge, which publishes them on the external broker.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import select

from cityhub.db import Database
from cityhub.sensing.mqtt.topics import VERSION, observation_topics
from cityhub.sensing.observations import StoredObservation
from cityhub.sensing.sta.entities import ENTITY_TYPES
from cityhub.sensing.sta.serialise import Links, columns, entity_json

log = logging.getLogger("cityhub.sensing.mqtt")
_OBSERVATIONS = ENTITY_TYPES["Observations"]
CREATE_CLASS = (
    "http://www.opengis.net/spec/iot_sensing/1.1/req/create-observations-via-mqtt/"
    "observations-creation"
)
RECEIVE_CLASS = (
    "http://www.opengis.net/spec/iot_sensing/1.1/req/receive-updates-via-mqtt/receive-updates"
)


@dataclass(frozen=True)
class Update:
    """One new or changed entity: ``messages`` maps each topic to its JSON payload.

    ``guard`` is the entity whose visibility decides who may receive it: the Datastream
    (``("Datastreams", id)``) for Observations and Datastreams, else the entity itself.
    """

    guard: tuple[str, int]
    messages: dict[str, dict[str, Any]]


class UpdateSink(Protocol):
    """Where updates go: the embedded broker or the bridge to an external one."""

    def wants_updates(self) -> bool:
        """False when nobody could receive an update (saves reading the rows)."""

    def send_updates(self, updates: list[Update]) -> None:
        """Publish ``updates``; must not block for long (called after an ingest's commit)."""


def conformance(endpoint: str) -> dict[str, dict[str, Any]]:
    """The MQTT conformance classes for the service root's ``serverSettings``, with the broker's
    ``endpoint`` (``mqtt://host:port``)."""
    return {CREATE_CLASS: {"endpoints": [endpoint]}, RECEIVE_CLASS: {"endpoints": [endpoint]}}


class UpdatePublisher:
    """Turns stored Observations and changed entities into ``Update``s for a sink.

    The bus listener only queues the new ids: reading and publishing happen in a worker
    thread of their own (``start``), so that no ingest path — an HTTP request, the SL 651
    gateway — waits for MQTT subscribers.
    """

    def __init__(
        self, db: Database, service_root: str, sink: UpdateSink, max_queue: int = 1000
    ) -> None:
        self.db = db
        self.links = Links(service_root.rstrip("/"))
        self.sink = sink
        self._queue: queue.Queue[list[int] | None] = queue.Queue(maxsize=max_queue)
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start the worker thread."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="mqtt-updates", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Publish what is queued, then end the worker thread."""
        thread, self._thread = self._thread, None
        if thread is not None:
            self._queue.put(None)
            thread.join(timeout)

    def observations_stored(self, stored: list[StoredObservation]) -> None:
        """Bus listener: queue the new Observations for publication on their topics."""
        if not stored or not self.sink.wants_updates():
            return
        try:
            self._queue.put_nowait([item.id for item in stored])
        except queue.Full:
            log.warning(
                "MQTT: updates of %d Observations dropped (subscribers too slow)", len(stored)
            )

    def _run(self) -> None:
        while (ids := self._queue.get()) is not None:
            try:
                self.sink.send_updates(self.observation_updates(ids))
            except Exception:
                log.exception("MQTT: publishing updates of %d Observations failed", len(ids))

    def observation_updates(self, ids: Sequence[int]) -> list[Update]:
        """The updates of the Observations ``ids`` (read in one query), in the order given."""
        model = _OBSERVATIONS.model
        wanted = columns(_OBSERVATIONS, None)
        by_id: dict[int, dict[str, Any]] = {}
        with self.db.reading() as session:
            for start in range(0, len(ids), 1000):
                chunk = ids[start : start + 1000]
                query = select(*wanted).where(model.id.in_(chunk))  # type: ignore[attr-defined]
                for found in session.execute(query):
                    by_id[found.id] = dict(found._mapping)
        updates: list[Update] = []
        for observation_id in ids:
            row = by_id.get(observation_id)
            if row is None:  # deleted meanwhile
                continue
            body = entity_json(_OBSERVATIONS, row, self.links)
            topics = observation_topics(row["datastream_id"], row["feature_id"])
            updates.append(
                Update(("Datastreams", row["datastream_id"]), dict.fromkeys(topics, body))
            )
        return updates

    def entity_changed(
        self,
        set_name: str,
        entity_id: int,
        body: dict[str, Any],
        changed: Iterable[str] = (),
        *,
        created: bool = False,
    ) -> None:
        """Publish a created or changed entity (``body`` as the HTTP API shows it): on
        ``v1.1/<Set>(id)``, on ``v1.1/<Set>(id)/<property>`` for each ``changed`` property
        (``{"<property>": value}``) and, when ``created``, on ``v1.1/<Set>``."""
        if set_name not in ENTITY_TYPES or not self.sink.wants_updates():
            return
        entity = f"{VERSION}/{set_name}({entity_id})"
        messages: dict[str, dict[str, Any]] = {entity: body}
        for name in changed:
            if name in ENTITY_TYPES[set_name].properties and name in body:
                messages[f"{entity}/{name}"] = {name: body[name]}
        if created:
            messages[f"{VERSION}/{set_name}"] = body
        self.sink.send_updates([Update((set_name, entity_id), messages)])
