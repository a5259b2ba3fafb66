"""The alarm engine's tables: rules, alarms and their history, rule state, silences, outbox.

At most one alarm per (rule, source) is open (not cleared). The engine checks that inside its
transaction, and the partial unique index ``uq_alarms_open_per_source`` (``WHERE status <>
'cleared'``, supported by SQLite and PostgreSQL alike) makes a second one impossible even when
two engines race.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from cityhub.db.base import Base, UTCDateTime, utcnow

# BIGINT on PostgreSQL; INTEGER on SQLite, where only INTEGER PRIMARY KEY is the row id.
BigId = BigInteger().with_variant(Integer(), "sqlite")
OPEN = text("status <> 'cleared'")


class AlarmRule(Base):
    """A rule on one Datastream, or on a class of stations (by ObservedProperty definition
    and/or the Thing property ``station_class``, within ``department_id`` when set)."""

    __tablename__ = "alarm_rules"
    __table_args__ = (
        CheckConstraint(
            "datastream_id IS NOT NULL OR observed_property IS NOT NULL "
            "OR station_class IS NOT NULL",
            name="target",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    datastream_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("sta_datastreams.id", ondelete="CASCADE"), index=True, nullable=True
    )
    observed_property: Mapped[str | None] = mapped_column(String(500), nullable=True)
    station_class: Mapped[str | None] = mapped_column(String(100), nullable=True)
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("departments.id"), index=True, nullable=True
    )
    tiers: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    window_seconds: Mapped[int | None] = mapped_column(Integer, nullable=True)
    day_start: Mapped[str | None] = mapped_column(String(5), nullable=True)
    for_samples: Mapped[int] = mapped_column(Integer, default=1)
    for_seconds: Mapped[int] = mapped_column(Integer, default=0)
    offline_seconds: Mapped[int | None] = mapped_column(Integer, nullable=True)
    options: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    action_url: Mapped[str | None] = mapped_column(String(500), nullable=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Alarm(Base):
    """One alarm of a rule on a source: a Datastream, or a Thing for offline rules."""

    __tablename__ = "alarms"
    __table_args__ = (
        Index(
            "uq_alarms_open_per_source",
            "rule_id",
            "source_id",
            unique=True,
            sqlite_where=OPEN,
            postgresql_where=OPEN,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    rule_id: Mapped[int] = mapped_column(
        ForeignKey("alarm_rules.id", ondelete="CASCADE"), index=True
    )
    source_id: Mapped[int] = mapped_column(BigId)
    thing_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("sta_things.id", ondelete="CASCADE"), index=True
    )
    datastream_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("sta_datastreams.id", ondelete="CASCADE"), index=True, nullable=True
    )
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("departments.id"), index=True, nullable=True
    )
    severity: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(16), index=True)
    value: Mapped[float | None] = mapped_column(Float, nullable=True)
    last_value: Mapped[float | None] = mapped_column(Float, nullable=True)
    last_value_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    message_zh: Mapped[str] = mapped_column(Text)
    message_en: Mapped[str] = mapped_column(Text)
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    acknowledged_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    cleared_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    cleared_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    repeat_count: Mapped[int] = mapped_column(Integer, default=0)


class AlarmEvent(Base):
    """One line of an alarm's history: raised, escalated, acknowledged, notified …"""

    __tablename__ = "alarm_events"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    alarm_id: Mapped[int] = mapped_column(ForeignKey("alarms.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    severity: Mapped[str | None] = mapped_column(String(10), nullable=True)
    previous_severity: Mapped[str | None] = mapped_column(String(10), nullable=True)
    value: Mapped[float | None] = mapped_column(Float, nullable=True)
    actor: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class AlarmState(Base):
    """What a rule remembers about one source between observations (sustain streaks, window
    samples, last time), so that a restart resumes where it stopped."""

    __tablename__ = "alarm_state"

    rule_id: Mapped[int] = mapped_column(
        ForeignKey("alarm_rules.id", ondelete="CASCADE"), primary_key=True
    )
    source_id: Mapped[int] = mapped_column(BigId, primary_key=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AlarmSilence(Base):
    """A maintenance window: no alarm raised and nothing notified for a rule, a Thing or a
    Datastream (any combination narrows it) between ``starts_at`` and ``ends_at``."""

    __tablename__ = "alarm_silences"
    __table_args__ = (
        CheckConstraint(
            "rule_id IS NOT NULL OR thing_id IS NOT NULL OR datastream_id IS NOT NULL",
            name="scope",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    rule_id: Mapped[int | None] = mapped_column(
        ForeignKey("alarm_rules.id", ondelete="CASCADE"), index=True, nullable=True
    )
    thing_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("sta_things.id", ondelete="CASCADE"), index=True, nullable=True
    )
    datastream_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("sta_datastreams.id", ondelete="CASCADE"), index=True, nullable=True
    )
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("departments.id"), index=True, nullable=True
    )
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AlarmNotification(Base):
    """The outbox: one webhook delivery of one alarm event, retried with back-off."""

    __tablename__ = "alarm_notifications"
    __table_args__ = (Index("ix_alarm_notifications_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    alarm_id: Mapped[int] = mapped_column(ForeignKey("alarms.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("alarm_events.id", ondelete="CASCADE"), index=True
    )
    url: Mapped[str] = mapped_column(String(500))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
