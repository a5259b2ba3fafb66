"""Programme registries: projects, parks, training and talent.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from cityhub.db.base import UTCDateTime

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def _fk(table: str, column: str, target: str, ondelete: str | None = None) -> sa.Constraint:
    referred = target.split(".")[0]
    return sa.ForeignKeyConstraint(
        [column], [target], name=op.f(f"fk_{table}_{column}_{referred}"), ondelete=ondelete
    )


def _index(table: str, column: str) -> None:
    op.create_index(op.f(f"ix_{table}_{column}"), table, [column], unique=False)


def _projects() -> None:
    op.create_table(
        "programme_projects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("owner_code", sa.String(length=18), nullable=False),
        sa.Column("owner_name", sa.String(length=200), nullable=False),
        sa.Column("county", sa.String(length=6), nullable=False),
        sa.Column("domain", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("investment", sa.Float(), nullable=False),
        sa.Column("start_on", sa.Date(), nullable=False),
        sa.Column("end_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("provincial_major", sa.Boolean(), nullable=False),
        sa.Column("city_key", sa.Boolean(), nullable=False),
        sa.Column("land_priority", sa.Boolean(), nullable=False),
        sa.Column("screening", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("submitted_on", sa.Date(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        _fk("programme_projects", "department_id", "departments.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programme_projects")),
    )
    for column in ("owner_code", "county", "domain", "screening", "department_id"):
        _index("programme_projects", column)

    op.create_table(
        "programme_project_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("from_state", sa.String(length=10), nullable=True),
        sa.Column("to_state", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("decided_by", sa.String(length=100), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        _fk("programme_project_history", "project_id", "programme_projects.id", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programme_project_history")),
    )
    _index("programme_project_history", "project_id")


def _parks() -> None:
    op.create_table(
        "programme_parks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("county", sa.String(length=6), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("registered_on", sa.Date(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        _fk("programme_parks", "department_id", "departments.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programme_parks")),
        sa.UniqueConstraint("name", name=op.f("uq_programme_parks_name")),
    )
    _index("programme_parks", "county")
    _index("programme_parks", "department_id")

    op.create_table(
        "programme_park_evaluations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("park_id", sa.Integer(), nullable=False),
        sa.Column("evaluated_on", sa.Date(), nullable=False),
        *(
            sa.Column(name, sa.Float(), nullable=False)
            for name in (
                "industry",
                "prospects",
                "innovation",
                "environment",
                "weight_industry",
                "weight_prospects",
                "weight_innovation",
                "weight_environment",
                "total",
            )
        ),
        sa.Column("tier", sa.String(length=16), nullable=False),
        sa.Column("evaluated_by", sa.String(length=100), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        _fk("programme_park_evaluations", "park_id", "programme_parks.id", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programme_park_evaluations")),
    )
    _index("programme_park_evaluations", "park_id")

    op.create_table(
        "programme_park_enterprises",
        sa.Column("park_id", sa.Integer(), nullable=False),
        sa.Column("credit_code", sa.String(length=18), nullable=False),
        _fk("programme_park_enterprises", "park_id", "programme_parks.id", "CASCADE"),
        sa.PrimaryKeyConstraint(
            "park_id", "credit_code", name=op.f("pk_programme_park_enterprises")
        ),
    )
    _index("programme_park_enterprises", "credit_code")


def _training() -> None:
    op.create_table(
        "programme_training_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("organiser_department_id", sa.Integer(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("hours", sa.Float(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        _fk("programme_training_events", "organiser_department_id", "departments.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programme_training_events")),
    )
    _index("programme_training_events", "organiser_department_id")
    _index("programme_training_events", "held_on")

    op.create_table(
        "programme_training_attendees",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("id_number", sa.String(length=18), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("employer_code", sa.String(length=18), nullable=True),
        sa.Column("certificate", sa.String(length=60), nullable=True),
        _fk("programme_training_attendees", "event_id", "programme_training_events.id", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programme_training_attendees")),
        sa.UniqueConstraint(
            "event_id", "id_number", name=op.f("uq_programme_training_attendees_event_id")
        ),
    )
    _index("programme_training_attendees", "event_id")
    _index("programme_training_attendees", "id_number")

    op.create_table(
        "programme_talent_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_name", sa.String(length=100), nullable=False),
        sa.Column("level", sa.String(length=12), nullable=False),
        sa.Column("programme", sa.String(length=200), nullable=False),
        sa.Column("employer_code", sa.String(length=18), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        _fk("programme_talent_entries", "department_id", "departments.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programme_talent_entries")),
    )
    _index("programme_talent_entries", "employer_code")
    _index("programme_talent_entries", "department_id")


def upgrade() -> None:
    _projects()
    _parks()
    _training()


def downgrade() -> None:
    for table in (
        "programme_talent_entries",
        "programme_training_attendees",
        "programme_training_events",
        "programme_park_enterprises",
        "programme_park_evaluations",
        "programme_parks",
        "programme_project_history",
        "programme_projects",
    ):
        op.drop_table(table)
