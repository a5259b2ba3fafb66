"""Check a batch of published messages: parse each payload, then look up — once for the
whole batch — the Datastreams, FeaturesOfInterest and write access they need.

What fails is returned as (message, error) with the error's ``details["index"]`` naming the
element of an array payload; what passes is ready for ``ingest.ingest``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from cityhub import audit
from cityhub.auth import Actor, Permission
from cityhub.db import Database
from cityhub.db.base import utcnow
from cityhub.errors import CityhubError, InvalidInput, NotAuthenticated, PermissionDenied
from cityhub.sensing.access import can_write
from cityhub.sensing.models import Datastream, FeatureOfInterest, Thing
from cityhub.sensing.mqtt.payloads import parse_message
from cityhub.sensing.mqtt.topics import parse_create_topic
from cityhub.sensing.observations import NewObservation, thing_locations
from cityhub.sensing.sta import values


@dataclass(frozen=True)
class Incoming:
    """One message published to a create topic, and who published it."""

    actor: Actor
    topic: str
    payload: bytes
    client_id: str | None = None
    received_at: datetime = field(default_factory=utcnow)


Refusal = tuple[Incoming, CityhubError]
_LARGEST_ID = 2**31 - 1  # of an INTEGER primary key (ids are positive already)


@dataclass(frozen=True)
class Pending:
    """One Observation of one message (``index``: its place in an array payload)."""

    message: Incoming
    row: NewObservation
    index: int | None = None

    def mark(self, error: CityhubError) -> CityhubError:
        """``error`` naming this Observation's place in its message."""
        if self.index is not None:
            error.details["index"] = self.index
        return error


def parse_batch(batch: Sequence[Incoming]) -> tuple[list[Pending], list[Refusal]]:
    """The Observations of ``batch`` whose topic and payload are well-formed, and the rest."""
    pending: list[Pending] = []
    refused: list[Refusal] = []
    for message in batch:
        try:
            target = parse_create_topic(message.topic)
            found = parse_message(message.payload, target, message.received_at)
        except InvalidInput as error:
            refused.append((message, error))
            continue
        for index, item in found:
            if isinstance(item, InvalidInput):
                refused.append((message, item))
            else:
                pending.append(Pending(message, item, index))
    return pending, refused


def check_batch(db: Database, pending: list[Pending]) -> tuple[list[Pending], list[Refusal]]:
    """The Observations whose Datastream and FeatureOfInterest exist, whose result fits and
    whose publisher may write there; the others are refused, denials audited (once per
    publisher and department)."""
    # Ids beyond INTEGER cannot exist, and PostgreSQL refuses to compare them with one.
    stream_ids = {i.row.datastream_id for i in pending if i.row.datastream_id <= _LARGEST_ID}
    feature_ids = {
        i.row.feature_id
        for i in pending
        if i.row.feature_id is not None and i.row.feature_id <= _LARGEST_ID
    }
    allowed: dict[tuple[Actor, int | None], bool] = {}
    good: list[Pending] = []
    refused: list[Refusal] = []
    with db.reading() as session:
        streams = {
            found.id: (found.observation_type, found.department_id, found.thing_id)
            for found in session.execute(
                select(
                    Datastream.id,
                    Datastream.observation_type,
                    Datastream.thing_id,
                    Thing.department_id,
                )
                .join(Thing, Thing.id == Datastream.thing_id)
                .where(Datastream.id.in_(stream_ids))
            )
        }
        located = thing_locations(session, {thing_id for _, _, thing_id in streams.values()})
        features = set(
            session.scalars(
                select(FeatureOfInterest.id).where(FeatureOfInterest.id.in_(feature_ids))
            )
        )
        for item in pending:
            row, actor = item.row, item.message.actor
            stream = streams.get(row.datastream_id)
            error: CityhubError | None = None
            if stream is None:
                error = _missing("Datastream", row.datastream_id)
            else:
                observation_type, department_id, thing_id = stream
                key = (actor, department_id)
                if key not in allowed:
                    allowed[key] = can_write(session, actor, department_id)
                if not allowed[key]:
                    error = _denial(actor)
                elif not values.result_fits(observation_type, row.result):
                    expected = values.expected_result(observation_type)
                    error = InvalidInput(f"result must be {expected}", details={"path": "result"})
                elif row.feature_id is not None and row.feature_id not in features:
                    error = _missing("FeatureOfInterest", row.feature_id)
                elif row.feature_id is None and thing_id not in located:
                    error = InvalidInput(
                        "the Datastream's Thing has no Location: give a FeatureOfInterest",
                        details={"path": "FeatureOfInterest"},
                    )
            if error is None:
                good.append(item)
            else:
                refused.append((item.message, item.mark(error)))
    # Audited after the reading session: a refusal is written in a transaction of its own.
    for (actor, department_id), may in allowed.items():
        if not may:
            audit.deny(
                db,
                actor,
                "sta.ingest",
                object_type="Datastream",
                details={
                    "permission": Permission.SENSING_WRITE.value,
                    "department_id": department_id,
                    "source": "mqtt",
                },
            )
    return good, refused


def _missing(name: str, entity_id: int) -> InvalidInput:
    return InvalidInput(f"no such {name}: {entity_id}", details={"path": name, "id": entity_id})


def _denial(actor: Actor) -> CityhubError:
    if not actor.is_authenticated:
        return NotAuthenticated("connect with a user name and an API token to publish Observations")
    return PermissionDenied(
        "only the station's own department may send its Observations",
        details={"permission": Permission.SENSING_WRITE.value},
    )
