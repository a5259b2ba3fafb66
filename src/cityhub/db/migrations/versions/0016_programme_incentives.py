"""Incentives: enterprises' declared facts for the incentive rules.

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from cityhub.db.base import UTCDateTime

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

TABLE = "programme_incentive_declarations"


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("credit_code", sa.String(length=18), nullable=False),
        sa.Column("enterprise_name", sa.String(length=200), nullable=True),
        sa.Column("small_scale_vat", sa.Boolean(), nullable=True),
        sa.Column("digital_tech", sa.Boolean(), nullable=True),
        sa.Column("industry_code", sa.String(length=8), nullable=True),
        sa.Column("provincial_members", sa.Integer(), nullable=False),
        sa.Column("municipal_members", sa.Integer(), nullable=False),
        sa.Column("long_term_employer", sa.Boolean(), nullable=True),
        sa.Column("project_kinds", sa.JSON(), nullable=False),
        sa.Column("key_project_lists", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("recorded_by", sa.String(length=120), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name=op.f(f"fk_{TABLE}_department_id_departments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{TABLE}")),
        sa.UniqueConstraint("credit_code", name=op.f(f"uq_{TABLE}_credit_code")),
    )
    op.create_index(op.f(f"ix_{TABLE}_department_id"), TABLE, ["department_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f(f"ix_{TABLE}_department_id"), table_name=TABLE)
    op.drop_table(TABLE)
