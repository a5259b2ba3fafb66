"""Alarms: rules, alarms and their history, rule state, silences and the webhook outbox.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from cityhub.db.base import UTCDateTime

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
OPEN = sa.text("status <> 'cleared'")


def _fk(table: str, column: str, target: str, ondelete: str | None = "CASCADE") -> sa.Constraint:
    referred = target.split(".")[0]
    return sa.ForeignKeyConstraint(
        [column], [target], name=op.f(f"fk_{table}_{column}_{referred}"), ondelete=ondelete
    )


def _indexes(table: str, *columns: str) -> None:
    for column in columns:
        op.create_index(op.f(f"ix_{table}_{column}"), table, [column], unique=False)


def upgrade() -> None:
    op.create_table(
        "alarm_rules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("datastream_id", BIG_ID, nullable=True),
        sa.Column("observed_property", sa.String(length=500), nullable=True),
        sa.Column("station_class", sa.String(length=100), nullable=True),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("tiers", sa.JSON(), nullable=False),
        sa.Column("window_seconds", sa.Integer(), nullable=True),
        sa.Column("day_start", sa.String(length=5), nullable=True),
        sa.Column("for_samples", sa.Integer(), nullable=False),
        sa.Column("for_seconds", sa.Integer(), nullable=False),
        sa.Column("offline_seconds", sa.Integer(), nullable=True),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("action_url", sa.String(length=500), nullable=True),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "datastream_id IS NOT NULL OR observed_property IS NOT NULL "
            "OR station_class IS NOT NULL",
            name=op.f("ck_alarm_rules_target"),
        ),
        _fk("alarm_rules", "datastream_id", "sta_datastreams.id"),
        _fk("alarm_rules", "department_id", "departments.id", None),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alarm_rules")),
    )
    _indexes("alarm_rules", "datastream_id", "department_id")

    op.create_table(
        "alarms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rule_id", sa.Integer(), nullable=False),
        sa.Column("source_id", BIG_ID, nullable=False),
        sa.Column("thing_id", BIG_ID, nullable=False),
        sa.Column("datastream_id", BIG_ID, nullable=True),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("severity", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("last_value", sa.Float(), nullable=True),
        sa.Column("last_value_at", UTCDateTime(), nullable=True),
        sa.Column("message_zh", sa.Text(), nullable=False),
        sa.Column("message_en", sa.Text(), nullable=False),
        sa.Column("raised_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("acknowledged_by", sa.String(length=64), nullable=True),
        sa.Column("acknowledged_at", UTCDateTime(), nullable=True),
        sa.Column("cleared_by", sa.String(length=64), nullable=True),
        sa.Column("cleared_at", UTCDateTime(), nullable=True),
        sa.Column("repeat_count", sa.Integer(), nullable=False),
        _fk("alarms", "rule_id", "alarm_rules.id"),
        _fk("alarms", "thing_id", "sta_things.id"),
        _fk("alarms", "datastream_id", "sta_datastreams.id"),
        _fk("alarms", "department_id", "departments.id", None),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alarms")),
    )
    _indexes(
        "alarms", "rule_id", "thing_id", "datastream_id", "department_id", "status", "updated_at"
    )
    op.create_index(
        op.f("uq_alarms_open_per_source"),
        "alarms",
        ["rule_id", "source_id"],
        unique=True,
        sqlite_where=OPEN,
        postgresql_where=OPEN,
    )

    op.create_table(
        "alarm_events",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("alarm_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("severity", sa.String(length=10), nullable=True),
        sa.Column("previous_severity", sa.String(length=10), nullable=True),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        _fk("alarm_events", "alarm_id", "alarms.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alarm_events")),
    )
    _indexes("alarm_events", "alarm_id")

    op.create_table(
        "alarm_state",
        sa.Column("rule_id", sa.Integer(), nullable=False),
        sa.Column("source_id", BIG_ID, nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        _fk("alarm_state", "rule_id", "alarm_rules.id"),
        sa.PrimaryKeyConstraint("rule_id", "source_id", name=op.f("pk_alarm_state")),
    )

    op.create_table(
        "alarm_silences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rule_id", sa.Integer(), nullable=True),
        sa.Column("thing_id", BIG_ID, nullable=True),
        sa.Column("datastream_id", BIG_ID, nullable=True),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("starts_at", UTCDateTime(), nullable=False),
        sa.Column("ends_at", UTCDateTime(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "rule_id IS NOT NULL OR thing_id IS NOT NULL OR datastream_id IS NOT NULL",
            name=op.f("ck_alarm_silences_scope"),
        ),
        _fk("alarm_silences", "rule_id", "alarm_rules.id"),
        _fk("alarm_silences", "thing_id", "sta_things.id"),
        _fk("alarm_silences", "datastream_id", "sta_datastreams.id"),
        _fk("alarm_silences", "department_id", "departments.id", None),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alarm_silences")),
    )
    _indexes("alarm_silences", "rule_id", "thing_id", "datastream_id", "department_id")

    op.create_table(
        "alarm_notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("alarm_id", sa.Integer(), nullable=False),
        sa.Column("event_id", BIG_ID, nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UTCDateTime(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("delivered_at", UTCDateTime(), nullable=True),
        _fk("alarm_notifications", "alarm_id", "alarms.id"),
        _fk("alarm_notifications", "event_id", "alarm_events.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alarm_notifications")),
    )
    _indexes("alarm_notifications", "alarm_id", "event_id")
    op.create_index(
        op.f("ix_alarm_notifications_due"),
        "alarm_notifications",
        ["status", "next_attempt_at"],
        unique=False,
    )


def downgrade() -> None:
    for table in (
        "alarm_notifications",
        "alarm_silences",
        "alarm_state",
        "alarm_events",
        "alarms",
        "alarm_rules",
    ):
        op.drop_table(table)
