"""Sharing requests, grant periods and columns, notifications.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from cityhub.db.base import UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

PENDING = sa.text("status = 'pending'")


def upgrade() -> None:
    op.create_table(
        "sharing_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("requested_by", sa.String(length=64), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("columns", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("due_at", UTCDateTime(), nullable=False),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("approved_columns", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("grant_expires_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["dataset_id"], ["datasets.id"], name=op.f("fk_sharing_requests_dataset_id_datasets")
        ),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name=op.f("fk_sharing_requests_department_id_departments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sharing_requests")),
    )
    for column in ("dataset_id", "department_id", "status"):
        op.create_index(
            op.f(f"ix_sharing_requests_{column}"), "sharing_requests", [column], unique=False
        )
    op.create_index(
        "uq_sharing_requests_pending",
        "sharing_requests",
        ["dataset_id", "department_id"],
        unique=True,
        sqlite_where=PENDING,
        postgresql_where=PENDING,
    )
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("username", sa.String(length=64), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=True),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("read_at", UTCDateTime(), nullable=True),
        sa.CheckConstraint(
            "(department_id IS NULL) <> (username IS NULL)",
            name=op.f("ck_notifications_one_recipient"),
        ),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name=op.f("fk_notifications_department_id_departments"),
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["sharing_requests.id"],
            name=op.f("fk_notifications_request_id_sharing_requests"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
    )
    for column in ("department_id", "username"):
        op.create_index(op.f(f"ix_notifications_{column}"), "notifications", [column], unique=False)
    # SQLite cannot add a foreign key to an existing table: batch mode copies it.
    with op.batch_alter_table("sharing_grants") as batch:
        batch.add_column(sa.Column("columns", sa.JSON(none_as_null=True), nullable=True))
        batch.add_column(sa.Column("expires_at", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("request_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_sharing_grants_request_id_sharing_requests"),
            "sharing_requests",
            ["request_id"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("sharing_grants") as batch:
        batch.drop_constraint(
            op.f("fk_sharing_grants_request_id_sharing_requests"), type_="foreignkey"
        )
        batch.drop_column("request_id")
        batch.drop_column("expires_at")
        batch.drop_column("columns")
    op.drop_table("notifications")
    op.drop_table("sharing_requests")
