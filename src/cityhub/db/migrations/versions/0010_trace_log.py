"""Trace log: leaves, tiles, tree head, published checkpoints, witness sizes.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from cityhub.db.base import UTCDateTime

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "trace_leaves",
        sa.Column("idx", BIG_ID, autoincrement=False, nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("idx", name=op.f("pk_trace_leaves")),
    )
    op.create_table(
        "trace_tiles",
        sa.Column("level", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("idx", BIG_ID, autoincrement=False, nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("level", "idx", name=op.f("pk_trace_tiles")),
    )
    op.create_table(
        "trace_tree",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("size", BIG_ID, nullable=False),
        sa.Column("root", sa.LargeBinary(), nullable=False),
        sa.Column("edge", sa.LargeBinary(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trace_tree")),
    )
    op.create_table(
        "trace_checkpoints",
        sa.Column("size", BIG_ID, autoincrement=False, nullable=False),
        sa.Column("root", sa.LargeBinary(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("cosigners", sa.JSON(), nullable=False),
        sa.Column("published_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("size", name=op.f("pk_trace_checkpoints")),
    )
    op.create_table(
        "trace_witness_sizes",
        sa.Column("witness", sa.String(length=255), nullable=False),
        sa.Column("size", BIG_ID, nullable=False),
        sa.PrimaryKeyConstraint("witness", name=op.f("pk_trace_witness_sizes")),
    )


def downgrade() -> None:
    for table in (
        "trace_witness_sizes",
        "trace_checkpoints",
        "trace_tree",
        "trace_tiles",
        "trace_leaves",
    ):
        op.drop_table(table)
