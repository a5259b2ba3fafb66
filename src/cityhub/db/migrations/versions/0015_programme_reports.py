"""Programme progress reports, their figures and attachments.

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from cityhub.db.base import UTCDateTime

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def _fk(table: str, column: str, target: str) -> sa.Constraint:
    referred = target.split(".")[0]
    return sa.ForeignKeyConstraint([column], [target], name=op.f(f"fk_{table}_{column}_{referred}"))


def _index(table: str, column: str) -> None:
    op.create_index(op.f(f"ix_{table}_{column}"), table, [column], unique=False)


def upgrade() -> None:
    op.create_table(
        "programme_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("submitted_at", UTCDateTime(), nullable=False),
        sa.Column("submitted_by", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("corrects_id", sa.Integer(), nullable=True),
        _fk("programme_reports", "task_id", "programme_tasks.id"),
        _fk("programme_reports", "department_id", "departments.id"),
        _fk("programme_reports", "corrects_id", "programme_reports.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programme_reports")),
        sa.UniqueConstraint("corrects_id", name=op.f("uq_programme_reports_corrects_id")),
    )
    _index("programme_reports", "task_id")
    _index("programme_reports", "department_id")
    _index("programme_reports", "period")
    op.create_index(
        "uq_programme_reports_original",
        "programme_reports",
        ["task_id", "department_id", "period"],
        unique=True,
        sqlite_where=sa.text("corrects_id IS NULL"),
        postgresql_where=sa.text("corrects_id IS NULL"),
    )

    op.create_table(
        "programme_report_figures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        _fk("programme_report_figures", "report_id", "programme_reports.id"),
        _fk("programme_report_figures", "target_id", "programme_targets.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programme_report_figures")),
        sa.UniqueConstraint(
            "report_id", "target_id", name=op.f("uq_programme_report_figures_report_id")
        ),
    )
    _index("programme_report_figures", "report_id")
    _index("programme_report_figures", "target_id")

    op.create_table(
        "programme_report_attachments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        _fk("programme_report_attachments", "report_id", "programme_reports.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programme_report_attachments")),
        sa.UniqueConstraint(
            "report_id", "position", name=op.f("uq_programme_report_attachments_report_id")
        ),
    )
    _index("programme_report_attachments", "report_id")
    _index("programme_report_attachments", "sha256")


def downgrade() -> None:
    op.drop_table("programme_report_attachments")
    op.drop_table("programme_report_figures")
    op.drop_table("programme_reports")
