"""Programme tasks: the policy's 19 tasks, their units and milestones.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from cityhub.db.base import UTCDateTime

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def _fk(table: str, column: str, target: str, ondelete: str | None = None) -> sa.Constraint:
    referred = target.split(".")[0]
    return sa.ForeignKeyConstraint(
        [column], [target], name=op.f(f"fk_{table}_{column}_{referred}"), ondelete=ondelete
    )


def _index(table: str, column: str) -> None:
    op.create_index(op.f(f"ix_{table}_{column}"), table, [column], unique=False)


def upgrade() -> None:
    op.create_table(
        "programme_tasks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("section", sa.String(length=4), nullable=False),
        sa.Column("section_title", sa.String(length=100), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("lead_department_id", sa.Integer(), nullable=False),
        sa.Column("report_period", sa.String(length=10), nullable=False),
        sa.Column("reporting_from", sa.Date(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        _fk("programme_tasks", "lead_department_id", "departments.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programme_tasks")),
        sa.UniqueConstraint("number", name=op.f("uq_programme_tasks_number")),
    )
    _index("programme_tasks", "lead_department_id")

    op.create_table(
        "programme_task_units",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("is_lead", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        _fk("programme_task_units", "task_id", "programme_tasks.id", "CASCADE"),
        _fk("programme_task_units", "department_id", "departments.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programme_task_units")),
        sa.UniqueConstraint(
            "task_id", "department_id", name=op.f("uq_programme_task_units_task_id")
        ),
    )
    _index("programme_task_units", "task_id")
    _index("programme_task_units", "department_id")

    op.create_table(
        "programme_milestones",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("owner_department_id", sa.Integer(), nullable=False),
        sa.Column("start_on", sa.Date(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("done_on", sa.Date(), nullable=True),
        sa.Column("origin", sa.String(length=10), nullable=False),
        sa.Column("clause", sa.Text(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        _fk("programme_milestones", "task_id", "programme_tasks.id", "CASCADE"),
        _fk("programme_milestones", "owner_department_id", "departments.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programme_milestones")),
    )
    _index("programme_milestones", "task_id")
    _index("programme_milestones", "owner_department_id")
    _index("programme_milestones", "due_on")


def downgrade() -> None:
    for table in ("programme_milestones", "programme_task_units", "programme_tasks"):
        op.drop_table(table)
