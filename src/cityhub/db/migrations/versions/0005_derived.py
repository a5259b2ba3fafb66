"""Derived datasets and lineage.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from cityhub.db.base import UTCDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("datasets") as batch:
        batch.add_column(sa.Column("sharing_ceiling", sa.JSON(none_as_null=True), nullable=True))
    op.create_table(
        "derived_definitions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("sql", sa.Text(), nullable=False),
        sa.Column("schedule", sa.String(length=16), nullable=False),
        sa.Column("defined_by", sa.String(length=64), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("last_refreshed_at", UTCDateTime(), nullable=True),
        sa.Column("next_due_at", UTCDateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["dataset_id"], ["datasets.id"], name=op.f("fk_derived_definitions_dataset_id_datasets")
        ),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name=op.f("fk_derived_definitions_department_id_departments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_derived_definitions")),
        sa.UniqueConstraint("dataset_id", name=op.f("uq_derived_definitions_dataset_id")),
    )
    op.create_index(
        op.f("ix_derived_definitions_department_id"),
        "derived_definitions",
        ["department_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_derived_definitions_next_due_at"),
        "derived_definitions",
        ["next_due_at"],
        unique=False,
    )
    op.create_table(
        "lineage_edges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("source_dataset_id", sa.Integer(), nullable=False),
        sa.Column("source_version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dataset_id"], ["datasets.id"], name=op.f("fk_lineage_edges_dataset_id_datasets")
        ),
        sa.ForeignKeyConstraint(
            ["source_dataset_id"],
            ["datasets.id"],
            name=op.f("fk_lineage_edges_source_dataset_id_datasets"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lineage_edges")),
        sa.UniqueConstraint(
            "dataset_id", "version", "source_dataset_id", name=op.f("uq_lineage_edges_dataset_id")
        ),
    )
    op.create_index(
        op.f("ix_lineage_edges_dataset_id"), "lineage_edges", ["dataset_id"], unique=False
    )
    op.create_index(
        op.f("ix_lineage_edges_source_dataset_id"),
        "lineage_edges",
        ["source_dataset_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_table("lineage_edges")
    op.drop_table("derived_definitions")
    with op.batch_alter_table("datasets") as batch:
        batch.drop_column("sharing_ceiling")
