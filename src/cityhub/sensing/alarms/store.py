"""What the engine reads and writes in bulk: rule state, open alarms, silences, the signature.

Rule state is written only when it changed in a way that matters (a streak, a window sample, a
running total), as one multi-row upsert per ``observe`` call.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from cityhub.db.base import UTCDateTime
from cityhub.sensing.alarms.evaluate import SourceState
from cityhub.sensing.alarms.models import Alarm, AlarmRule, AlarmSilence, AlarmState
from cityhub.sensing.alarms.vocab import AlarmStatus, Severity

Key = tuple[int, int]  # (rule id, source id)
_STATE = cast(Table, AlarmState.__table__)
_ALARMS = cast(Table, Alarm.__table__)


@dataclass(frozen=True)
class OpenAlarm:
    """The engine's memory of an open alarm."""

    id: int
    severity: Severity


@dataclass(frozen=True)
class SilenceWindow:
    """A silence as the engine checks it: every non-None field must match."""

    rule_id: int | None
    thing_id: int | None
    datastream_id: int | None
    starts_at: datetime
    ends_at: datetime

    def covers(self, rule_id: int, thing_id: int, datastream_id: int | None, now: datetime) -> bool:
        """Whether this silence applies to the rule on that source at ``now``."""
        return (
            self.starts_at <= now < self.ends_at
            and self.rule_id in (None, rule_id)
            and self.thing_id in (None, thing_id)
            and (self.datastream_id is None or self.datastream_id == datastream_id)
        )


def signature(session: Session) -> tuple[Any, ...]:
    """Changes whenever a rule, a silence or an alarm changes (any process)."""
    row = session.execute(
        select(
            select(func.count(AlarmRule.id)).scalar_subquery(),
            select(func.max(AlarmRule.updated_at)).scalar_subquery(),
            select(func.count(AlarmSilence.id)).scalar_subquery(),
            select(func.max(AlarmSilence.updated_at)).scalar_subquery(),
            select(func.count(Alarm.id))
            .where(Alarm.status != AlarmStatus.CLEARED.value)
            .scalar_subquery(),
            select(func.max(Alarm.updated_at)).scalar_subquery(),  # indexed: no scan
        )
    ).one()
    return tuple(row)


def open_alarms(session: Session) -> dict[Key, OpenAlarm]:
    """Every alarm that is not cleared, by (rule, source)."""
    rows = session.execute(
        select(Alarm.id, Alarm.rule_id, Alarm.source_id, Alarm.severity).where(
            Alarm.status != AlarmStatus.CLEARED.value
        )
    )
    return {(r.rule_id, r.source_id): OpenAlarm(r.id, Severity(r.severity)) for r in rows}


def current_silences(session: Session, now: datetime) -> list[SilenceWindow]:
    """Silences that have not ended by ``now``."""
    rows = session.scalars(select(AlarmSilence).where(AlarmSilence.ends_at > now))
    return [
        SilenceWindow(s.rule_id, s.thing_id, s.datastream_id, s.starts_at, s.ends_at) for s in rows
    ]


def load_states(session: Session, keys: Iterable[Key]) -> dict[Key, SourceState]:
    """The stored state of each of ``keys``; keys without one get a fresh state."""
    wanted = set(keys)
    rules = {rule_id for rule_id, _ in wanted}
    sources = {source_id for _, source_id in wanted}
    found = {key: SourceState() for key in wanted}
    for rule_id, source_id, data in session.execute(
        select(AlarmState.rule_id, AlarmState.source_id, AlarmState.data).where(
            AlarmState.rule_id.in_(rules), AlarmState.source_id.in_(sources)
        )
    ):
        if (rule_id, source_id) in wanted:
            found[(rule_id, source_id)] = SourceState.from_json(data)
    return found


def save_states(session: Session, states: dict[Key, SourceState], now: datetime) -> None:
    """Upsert ``states`` in one statement."""
    if not states:
        return
    rows = [
        {"rule_id": rule_id, "source_id": source_id, "data": state.to_json(), "updated_at": now}
        for (rule_id, source_id), state in states.items()
    ]
    dialect = session.get_bind().dialect.name
    upsert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(_STATE)
    statement = upsert.on_conflict_do_update(
        index_elements=[_STATE.c.rule_id, _STATE.c.source_id],
        set_={"data": upsert.excluded.data, "updated_at": upsert.excluded.updated_at},
    )
    session.connection().execute(statement, rows)


def record_repeats(session: Session, repeats: dict[int, tuple[int, float, datetime]]) -> None:
    """Alarm id → (times its condition held again, latest value, when): one executemany."""
    if not repeats:
        return
    statement = (
        update(_ALARMS)
        .where(_ALARMS.c.id == bindparam("alarm_id"))
        .values(
            repeat_count=_ALARMS.c.repeat_count + bindparam("times"),
            last_value=bindparam("latest"),
            last_value_at=bindparam("observed", type_=UTCDateTime()),
        )
    )
    session.connection().execute(
        statement,
        [
            {"alarm_id": alarm_id, "times": times, "latest": latest, "observed": observed}
            for alarm_id, (times, latest, observed) in repeats.items()
        ],
    )
