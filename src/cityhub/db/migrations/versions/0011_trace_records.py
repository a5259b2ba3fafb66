"""Traceability records: actors, keys, events, their lots, batches and audit anchors.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from cityhub.db.base import UTCDateTime

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _fk(table: str, column: str, target: str, ondelete: str | None = None) -> sa.Constraint:
    referred = target.split(".")[0]
    return sa.ForeignKeyConstraint(
        [column], [target], name=op.f(f"fk_{table}_{column}_{referred}"), ondelete=ondelete
    )


def _index(table: str, column: str, *, unique: bool = False) -> None:
    op.create_index(op.f(f"ix_{table}_{column}"), table, [column], unique=unique)


def upgrade() -> None:
    op.create_table(
        "trace_actors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(length=80), nullable=False),
        sa.Column("ref_kind", sa.String(length=16), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("natural_person", sa.Boolean(), nullable=False),
        sa.Column("name_zh", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("county", sa.String(length=64), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("gln", sa.String(length=13), nullable=True),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        _fk("trace_actors", "department_id", "departments.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trace_actors")),
        sa.UniqueConstraint("ref", name=op.f("uq_trace_actors_ref")),
    )
    _index("trace_actors", "kind")
    _index("trace_actors", "department_id")

    op.create_table(
        "trace_actor_accounts",
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        _fk("trace_actor_accounts", "actor_id", "trace_actors.id", "CASCADE"),
        _fk("trace_actor_accounts", "user_id", "users.id", "CASCADE"),
        sa.PrimaryKeyConstraint("actor_id", "user_id", name=op.f("pk_trace_actor_accounts")),
    )
    _index("trace_actor_accounts", "user_id")

    op.create_table(
        "trace_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key_id", sa.String(length=8), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.Column("vkey", sa.String(length=300), nullable=False),
        sa.Column("registered_index", sa.BigInteger(), nullable=False),
        sa.Column("revoked_index", sa.BigInteger(), nullable=True),
        sa.Column("rotated_from", sa.String(length=8), nullable=True),
        sa.Column("envelope", sa.JSON(), nullable=False),
        sa.Column("revocation", sa.JSON(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        _fk("trace_keys", "actor_id", "trace_actors.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trace_keys")),
        sa.UniqueConstraint("key_id", name=op.f("uq_trace_keys_key_id")),
        sa.UniqueConstraint("vkey", name=op.f("uq_trace_keys_vkey")),
        sa.UniqueConstraint("registered_index", name=op.f("uq_trace_keys_registered_index")),
    )
    _index("trace_keys", "actor_id")

    op.create_table(
        "trace_events",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("event_hash", sa.String(length=120), nullable=False),
        sa.Column("log_index", sa.BigInteger(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.Column("key_id", sa.String(length=8), nullable=False),
        sa.Column("event_type", sa.String(length=32), nullable=False),
        sa.Column("biz_step", sa.String(length=200), nullable=True),
        sa.Column("biz_location", sa.String(length=200), nullable=True),
        sa.Column("event_time", UTCDateTime(), nullable=False),
        sa.Column("record_time", UTCDateTime(), nullable=False),
        sa.Column("envelope", sa.JSON(), nullable=False),
        sa.Column("findings", sa.JSON(), nullable=False),
        _fk("trace_events", "actor_id", "trace_actors.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trace_events")),
        sa.UniqueConstraint("event_hash", name=op.f("uq_trace_events_event_hash")),
        sa.UniqueConstraint("log_index", name=op.f("uq_trace_events_log_index")),
    )
    _index("trace_events", "actor_id")
    _index("trace_events", "biz_step")
    _index("trace_events", "biz_location")

    op.create_table(
        "trace_event_lots",
        sa.Column("event_id", BIG_ID, nullable=False),
        sa.Column("lot", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("prev_index", sa.BigInteger(), nullable=True),
        _fk("trace_event_lots", "event_id", "trace_events.id", "CASCADE"),
        sa.PrimaryKeyConstraint("event_id", "lot", "role", name=op.f("pk_trace_event_lots")),
    )
    _index("trace_event_lots", "lot")

    op.create_table(
        "trace_batches",
        sa.Column("lot", sa.String(length=200), nullable=False),
        sa.Column("gtin", sa.String(length=14), nullable=True),
        sa.Column("lot_code", sa.String(length=20), nullable=True),
        sa.Column("product_zh", sa.String(length=200), nullable=True),
        sa.Column("product_en", sa.String(length=200), nullable=True),
        sa.Column("created_index", sa.BigInteger(), nullable=False),
        sa.Column("last_index", sa.BigInteger(), nullable=False),
        sa.Column("last_event_time", UTCDateTime(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=False),
        _fk("trace_batches", "actor_id", "trace_actors.id"),
        sa.PrimaryKeyConstraint("lot", name=op.f("pk_trace_batches")),
    )
    _index("trace_batches", "gtin")
    _index("trace_batches", "actor_id")

    op.create_table(
        "trace_audit_anchors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("first_id", sa.BigInteger(), nullable=False),
        sa.Column("last_id", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.String(length=44), nullable=False),
        sa.Column("row_digests", sa.JSON(), nullable=False),
        sa.Column("log_index", sa.BigInteger(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trace_audit_anchors")),
        sa.UniqueConstraint("log_index", name=op.f("uq_trace_audit_anchors_log_index")),
    )
    op.create_index(
        "ix_trace_audit_anchors_last_id", "trace_audit_anchors", ["last_id"], unique=True
    )


def downgrade() -> None:
    for table in (
        "trace_audit_anchors",
        "trace_batches",
        "trace_event_lots",
        "trace_events",
        "trace_keys",
        "trace_actor_accounts",
        "trace_actors",
    ):
        op.drop_table(table)
