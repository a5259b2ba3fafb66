"""The alarm console: the alarms an actor may see, filtered and paged, newest first.

Kept apart from ``dashboard`` (the map, a station, a Datastream's series), which reads stations;
the console reads alarms. An alarm is seen with its station, through
``access.visibility("Things", …)``, and each row says whether the actor may acknowledge and clear
it (``alarms.access.can_handle``, asked once per department). A filter is checked before any
query, a bad one being InvalidInput naming its field; pages go back by ``before_id``, so a page
stays the same while new alarms are raised.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from sqlalchemy import select

from cityhub.auth import Actor
from cityhub.db import Database
from cityhub.errors import InvalidInput
from cityhub.sensing.access import visibility
from cityhub.sensing.alarms import AlarmStatus, Severity
from cityhub.sensing.alarms.access import can_handle
from cityhub.sensing.alarms.models import Alarm, AlarmRule
from cityhub.sensing.models import Datastream, Thing

ALARM_STATUSES = ("open", "active", "acknowledged", "cleared")
MAX_ALARMS = 500


@dataclass(frozen=True)
class AlarmFilter:
    """Which alarms the console lists, newest first; each field narrows. ``status`` "open":
    active or acknowledged; ``since``/``until``: raised in that time; ``before_id``: paging."""

    status: str | None = None
    severity: str | None = None
    thing_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None
    before_id: int | None = None
    limit: int = 100

    def checked(self) -> AlarmFilter:
        """Itself, or InvalidInput naming the field at fault."""
        if self.status is not None and self.status not in ALARM_STATUSES:
            message = f"status must be one of {', '.join(ALARM_STATUSES)}"
            raise InvalidInput(message, details={"field": "status"})
        if self.severity is not None and self.severity not in set(Severity):
            message = f"severity must be one of {', '.join(Severity)}"
            raise InvalidInput(message, details={"field": "severity"})
        if not 1 <= self.limit <= MAX_ALARMS:
            raise InvalidInput(f"limit must be 1-{MAX_ALARMS}", details={"field": "limit"})
        for name, moment in (("since", self.since), ("until", self.until)):
            if moment is not None and moment.tzinfo is None:
                raise InvalidInput("give the time with its time zone", details={"field": name})
        return self


@dataclass(frozen=True)
class AlarmRow:
    """An alarm as the console lists it, with the names of what it is about; ``may_handle``:
    whether the actor may acknowledge and clear it."""

    id: int
    rule_id: int
    rule_name: str
    rule_kind: str
    thing_id: int
    thing_name: str
    datastream_id: int | None
    datastream_name: str | None
    severity: str
    status: str
    value: float | None
    last_value: float | None
    message_zh: str
    message_en: str
    raised_at: datetime
    updated_at: datetime
    acknowledged_by: str | None
    acknowledged_at: datetime | None
    cleared_by: str | None
    cleared_at: datetime | None
    may_handle: bool


_NAMES = {"rule_name", "rule_kind", "thing_name", "datastream_name", "may_handle"}
_ALARM_FIELDS = [f.name for f in fields(AlarmRow) if f.name not in _NAMES]


def _alarm_query(actor: Actor, wanted: AlarmFilter) -> Any:
    query = (
        select(Alarm, AlarmRule.name, AlarmRule.kind, Thing.name, Datastream.name)
        .join(AlarmRule, AlarmRule.id == Alarm.rule_id)
        .join(Thing, Thing.id == Alarm.thing_id)
        .outerjoin(Datastream, Datastream.id == Alarm.datastream_id)
        .where(visibility("Things", Thing, actor))
        .order_by(Alarm.id.desc())
        .limit(wanted.limit)
    )
    if wanted.status == "open":
        query = query.where(Alarm.status != AlarmStatus.CLEARED.value)
    elif wanted.status is not None:
        query = query.where(Alarm.status == wanted.status)
    if wanted.severity is not None:
        query = query.where(Alarm.severity == wanted.severity)
    if wanted.thing_id is not None:
        query = query.where(Alarm.thing_id == wanted.thing_id)
    if wanted.since is not None:
        query = query.where(Alarm.raised_at >= wanted.since)
    if wanted.until is not None:
        query = query.where(Alarm.raised_at < wanted.until)
    if wanted.before_id is not None:
        query = query.where(Alarm.id < wanted.before_id)
    return query


def alarm_rows(db: Database, actor: Actor, wanted: AlarmFilter | None = None) -> list[AlarmRow]:
    """The alarms ``actor`` may see (those of the stations it sees) that match ``wanted``."""
    wanted = (wanted or AlarmFilter()).checked()
    with db.reading() as session:
        found = session.execute(_alarm_query(actor, wanted)).all()
        handles: dict[int | None, bool] = {}
        for alarm, *_ in found:
            if alarm.department_id not in handles:
                handles[alarm.department_id] = can_handle(session, actor, alarm.department_id)
    return [
        AlarmRow(
            **{name: getattr(alarm, name) for name in _ALARM_FIELDS},
            rule_name=rule_name,
            rule_kind=rule_kind,
            thing_name=thing_name,
            datastream_name=stream_name,
            may_handle=handles[alarm.department_id],
        )
        for alarm, rule_name, rule_kind, thing_name, stream_name in found
    ]
