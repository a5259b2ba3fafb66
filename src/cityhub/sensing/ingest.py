"""The one way Observations come in: HTTP (CreateObservations), MQTT and the SL 651 gateway.

Each call checks that the caller may write to every Datastream concerned (its Thing's
department), stores the rows in one transaction with one audit row, and then hands the stored
Observations to the bus (alarm engine, MQTT subscribers). An error stores nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from cityhub import audit
from cityhub.auth import Actor
from cityhub.db import Database
from cityhub.errors import InvalidInput
from cityhub.sensing.access import require_write
from cityhub.sensing.bus import Bus
from cityhub.sensing.models import Datastream, Thing
from cityhub.sensing.observations import NewObservation, StoredObservation, insert_observations


def ingest(
    db: Database,
    actor: Actor,
    rows: Sequence[NewObservation],
    *,
    bus: Bus | None,
    source: str,
) -> list[StoredObservation]:
    """Store ``rows`` for ``actor`` (arriving by ``source``: "http", "mqtt", "sl651" …) and
    publish them; returns what was stored, in order."""
    if not rows:
        return []
    wanted = {row.datastream_id for row in rows}
    with db.transaction() as session:
        owners = dict(
            session.execute(
                select(Datastream.id, Thing.department_id)
                .join(Thing, Thing.id == Datastream.thing_id)
                .where(Datastream.id.in_(wanted))
            ).all()
        )
        missing = sorted(wanted - owners.keys())
        if missing:
            raise InvalidInput(
                f"no Datastream with id {missing[0]}",
                details={"path": "Datastream", "datastream_ids": missing[:20]},
            )
        for department_id in sorted(set(owners.values()), key=lambda d: d or 0):
            require_write(db, session, actor, department_id, "sta.ingest", object_type="Datastream")
        stored = insert_observations(session, rows)
        audit.record(
            session,
            actor,
            "sta.ingest",
            object_type="Datastream",
            object_id=",".join(str(d) for d in sorted(wanted)[:50]),
            details={"source": source, "observations": len(stored)},
        )
    if bus is not None:
        bus.publish(stored)
    return stored
