"""Who may receive what on the embedded broker: the HTTP API's read rules (``sensing.access``),
looked up once per kind of reader and kept for a few seconds.

Readable Datastreams depend only on the reader's role and department, so they are cached by
that pair: delivering an Observation to a thousand subscribers costs no query. A change of
sharing reaches subscribers within ``ttl`` seconds.
"""

from __future__ import annotations

import threading
import time

from sqlalchemy import select

from cityhub.auth import Actor, Role
from cityhub.db import Database
from cityhub.sensing.access import readable_datastream_ids, visibility
from cityhub.sensing.sta.entities import ENTITY_TYPES

_ReaderKey = tuple[str, str | None]


class ReadAccess:
    """Read checks for subscribers, cached for ``ttl`` seconds."""

    def __init__(self, db: Database, ttl: float = 10.0) -> None:
        self.db = db
        self.ttl = ttl
        self._lock = threading.Lock()
        self._streams: dict[_ReaderKey, tuple[float, frozenset[int]]] = {}
        self._entities: dict[tuple[_ReaderKey, str, int], tuple[float, bool]] = {}

    @staticmethod
    def _key(actor: Actor) -> _ReaderKey:
        return (actor.role.value, actor.department_code)

    def fresh(self, actor: Actor) -> bool:
        """Whether ``readable`` answers for ``actor`` without a query."""
        if actor.role is Role.ADMIN:
            return True
        with self._lock:
            found = self._streams.get(self._key(actor))
        return found is not None and found[0] > time.monotonic()

    def refresh(self, actor: Actor) -> None:
        """Read ``actor``'s readable Datastreams now (a blocking query)."""
        if actor.role is Role.ADMIN:
            return
        with self.db.reading() as session:
            ids = frozenset(session.scalars(readable_datastream_ids(actor)))
        with self._lock:
            self._streams[self._key(actor)] = (time.monotonic() + self.ttl, ids)

    def readable(self, actor: Actor, datastream_id: int) -> bool:
        """Whether ``actor`` may read the Datastream (and its Observations); queries when
        the cached answer is stale."""
        if actor.role is Role.ADMIN:
            return True
        if not self.fresh(actor):
            self.refresh(actor)
        with self._lock:
            return datastream_id in self._streams[self._key(actor)][1]

    def can_see(self, actor: Actor, set_name: str, entity_id: int) -> bool:
        """Whether ``actor`` may see the entity ``set_name(entity_id)`` (a blocking query,
        cached for ``ttl`` seconds)."""
        if set_name == "Datastreams":
            return self.readable(actor, entity_id)  # a set lookup: any id is fine
        entity = ENTITY_TYPES.get(set_name)
        largest = 2**63 - 1 if set_name == "Observations" else 2**31 - 1  # BIGINT, INTEGER keys
        if entity is None or not 0 < entity_id <= largest:
            return False
        key = (self._key(actor), set_name, entity_id)
        now = time.monotonic()
        with self._lock:
            cached = self._entities.get(key)
        if cached is not None and cached[0] > now:
            return cached[1]
        model = entity.model
        with self.db.reading() as session:
            found = session.scalar(
                select(model.id).where(  # type: ignore[attr-defined]
                    model.id == entity_id,  # type: ignore[attr-defined]
                    visibility(set_name, model, actor),
                )
            )
        with self._lock:
            if len(self._entities) > 10_000:
                self._entities.clear()
            self._entities[key] = (now + self.ttl, found is not None)
        return found is not None
