"""Record linking runs and review decisions.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from cityhub.db.base import UTCDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "link_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("sources", sa.JSON(), nullable=False),
        sa.Column("threshold", sa.Float(), nullable=False),
        sa.Column("review_lower", sa.Float(), nullable=False),
        sa.Column("review_upper", sa.Float(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.Column("department", sa.String(length=32), nullable=False),
        sa.Column("output_dataset", sa.String(length=100), nullable=False),
        sa.Column("output_version", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("finished_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_link_runs")),
    )
    op.create_index(op.f("ix_link_runs_status"), "link_runs", ["status"], unique=False)
    op.create_index(op.f("ix_link_runs_department"), "link_runs", ["department"], unique=False)
    op.create_table(
        "link_pairs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("left_dataset", sa.String(length=100), nullable=False),
        sa.Column("left_key", sa.String(length=200), nullable=False),
        sa.Column("right_dataset", sa.String(length=100), nullable=False),
        sa.Column("right_key", sa.String(length=200), nullable=False),
        sa.Column("match_probability", sa.Float(), nullable=False),
        sa.Column("match_weight", sa.Float(), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("decision", sa.String(length=16), nullable=True),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["run_id"], ["link_runs.id"], name=op.f("fk_link_pairs_run_id_link_runs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_link_pairs")),
    )
    op.create_index(op.f("ix_link_pairs_run_id"), "link_pairs", ["run_id"], unique=False)
    op.create_index(op.f("ix_link_pairs_decision"), "link_pairs", ["decision"], unique=False)


def downgrade() -> None:
    op.drop_table("link_pairs")
    op.drop_table("link_runs")
