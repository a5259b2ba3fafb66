"""Thematic groups of datasets (the N of 6+N).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from cityhub.db.base import UTCDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dataset_groups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name=op.f("fk_dataset_groups_department_id_departments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dataset_groups")),
        sa.UniqueConstraint("name", name=op.f("uq_dataset_groups_name")),
    )
    op.create_index(
        op.f("ix_dataset_groups_department_id"), "dataset_groups", ["department_id"], unique=False
    )
    op.create_table(
        "dataset_group_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("added_by", sa.String(length=64), nullable=False),
        sa.Column("added_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["dataset_groups.id"],
            name=op.f("fk_dataset_group_members_group_id_dataset_groups"),
        ),
        sa.ForeignKeyConstraint(
            ["dataset_id"],
            ["datasets.id"],
            name=op.f("fk_dataset_group_members_dataset_id_datasets"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dataset_group_members")),
        sa.UniqueConstraint(
            "group_id", "dataset_id", name=op.f("uq_dataset_group_members_group_id")
        ),
    )
    for column in ("group_id", "dataset_id"):
        op.create_index(
            op.f(f"ix_dataset_group_members_{column}"),
            "dataset_group_members",
            [column],
            unique=False,
        )


def downgrade() -> None:
    op.drop_table("dataset_group_members")
    op.drop_table("dataset_groups")
