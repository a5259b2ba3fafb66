"""Sensing: the SensorThings entities, Observations and the last value of each Datastream.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from cityhub.db.base import UTCDateTime

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# Entity ids are 64-bit on PostgreSQL (SensorThings clients may send any integer id);
# SQLite's INTEGER is 64-bit already and must stay INTEGER to be the row id.
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "sta_locations",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("encoding_type", sa.String(length=100), nullable=False),
        sa.Column("location", sa.JSON(), nullable=False),
        sa.Column("properties", sa.JSON(), nullable=True),
        sa.Column("x", sa.Float(), nullable=True),
        sa.Column("y", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sta_locations")),
    )
    op.create_table(
        "sta_observed_properties",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("definition", sa.String(length=500), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("properties", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sta_observed_properties")),
    )
    op.create_table(
        "sta_sensors",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("encoding_type", sa.String(length=100), nullable=False),
        sa.Column("metadata", sa.JSON(), nullable=False),
        sa.Column("properties", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sta_sensors")),
    )
    op.create_table(
        "sta_features",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("encoding_type", sa.String(length=100), nullable=False),
        sa.Column("feature", sa.JSON(), nullable=False),
        sa.Column("properties", sa.JSON(), nullable=True),
        sa.Column("x", sa.Float(), nullable=True),
        sa.Column("y", sa.Float(), nullable=True),
        sa.Column("location_id", BIG_ID, nullable=True),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["sta_locations.id"],
            name=op.f("fk_sta_features_location_id_sta_locations"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sta_features")),
    )
    with op.batch_alter_table("sta_features", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sta_features_location_id"), ["location_id"], unique=False
        )

    op.create_table(
        "sta_things",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("properties", sa.JSON(), nullable=True),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name=op.f("fk_sta_things_department_id_departments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sta_things")),
    )
    with op.batch_alter_table("sta_things", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sta_things_department_id"), ["department_id"], unique=False
        )

    op.create_table(
        "sta_datastreams",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("unit_of_measurement", sa.JSON(), nullable=False),
        sa.Column("observation_type", sa.String(length=200), nullable=False),
        sa.Column("observed_area", sa.JSON(), nullable=True),
        sa.Column("phenomenon_time_start", UTCDateTime(timezone=True), nullable=True),
        sa.Column("phenomenon_time_end", UTCDateTime(timezone=True), nullable=True),
        sa.Column("result_time_start", UTCDateTime(timezone=True), nullable=True),
        sa.Column("result_time_end", UTCDateTime(timezone=True), nullable=True),
        sa.Column("properties", sa.JSON(), nullable=True),
        sa.Column("thing_id", BIG_ID, nullable=False),
        sa.Column("sensor_id", BIG_ID, nullable=False),
        sa.Column("observed_property_id", BIG_ID, nullable=False),
        sa.Column("share_type", sa.String(length=20), nullable=False),
        sa.Column("open_to_public", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["observed_property_id"],
            ["sta_observed_properties.id"],
            name=op.f("fk_sta_datastreams_observed_property_id_sta_observed_properties"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["sensor_id"],
            ["sta_sensors.id"],
            name=op.f("fk_sta_datastreams_sensor_id_sta_sensors"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["thing_id"],
            ["sta_things.id"],
            name=op.f("fk_sta_datastreams_thing_id_sta_things"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sta_datastreams")),
    )
    with op.batch_alter_table("sta_datastreams", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sta_datastreams_observed_property_id"),
            ["observed_property_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_sta_datastreams_sensor_id"), ["sensor_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_sta_datastreams_thing_id"), ["thing_id"], unique=False)

    op.create_table(
        "sta_historical_locations",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("thing_id", BIG_ID, nullable=False),
        sa.Column("time", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["thing_id"],
            ["sta_things.id"],
            name=op.f("fk_sta_historical_locations_thing_id_sta_things"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sta_historical_locations")),
    )
    with op.batch_alter_table("sta_historical_locations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sta_historical_locations_thing_id"), ["thing_id"], unique=False
        )

    op.create_table(
        "sta_thing_locations",
        sa.Column("thing_id", BIG_ID, nullable=False),
        sa.Column("location_id", BIG_ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["sta_locations.id"],
            name=op.f("fk_sta_thing_locations_location_id_sta_locations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["thing_id"],
            ["sta_things.id"],
            name=op.f("fk_sta_thing_locations_thing_id_sta_things"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("thing_id", "location_id", name=op.f("pk_sta_thing_locations")),
    )
    with op.batch_alter_table("sta_thing_locations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sta_thing_locations_location_id"), ["location_id"], unique=False
        )

    op.create_table(
        "sta_historical_location_locations",
        sa.Column("historical_location_id", BIG_ID, nullable=False),
        sa.Column("location_id", BIG_ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["historical_location_id"],
            ["sta_historical_locations.id"],
            name=op.f(
                "fk_sta_historical_location_locations_historical_location_id_sta_historical_locations"
            ),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["sta_locations.id"],
            name=op.f("fk_sta_historical_location_locations_location_id_sta_locations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "historical_location_id",
            "location_id",
            name=op.f("pk_sta_historical_location_locations"),
        ),
    )
    with op.batch_alter_table("sta_historical_location_locations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sta_historical_location_locations_location_id"),
            ["location_id"],
            unique=False,
        )

    op.create_table(
        "sta_latest",
        sa.Column("datastream_id", BIG_ID, nullable=False),
        sa.Column("observation_id", BIG_ID, nullable=False),
        sa.Column("phenomenon_time", UTCDateTime(timezone=True), nullable=False),
        sa.Column("result_number", sa.Float(), nullable=True),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("received_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["datastream_id"],
            ["sta_datastreams.id"],
            name=op.f("fk_sta_latest_datastream_id_sta_datastreams"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("datastream_id", name=op.f("pk_sta_latest")),
    )
    op.create_table(
        "sta_observations",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("datastream_id", BIG_ID, nullable=False),
        sa.Column("feature_id", BIG_ID, nullable=False),
        sa.Column("phenomenon_time_start", UTCDateTime(timezone=True), nullable=False),
        sa.Column("phenomenon_time_end", UTCDateTime(timezone=True), nullable=True),
        sa.Column("result_time", UTCDateTime(timezone=True), nullable=True),
        sa.Column("result_type", sa.SmallInteger(), nullable=False),
        sa.Column("result_number", sa.Float(), nullable=True),
        sa.Column("result_boolean", sa.Boolean(), nullable=True),
        sa.Column("result_string", sa.Text(), nullable=True),
        sa.Column("result_json", sa.JSON(), nullable=True),
        sa.Column("result_quality", sa.JSON(), nullable=True),
        sa.Column("valid_time_start", UTCDateTime(timezone=True), nullable=True),
        sa.Column("valid_time_end", UTCDateTime(timezone=True), nullable=True),
        sa.Column("parameters", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["datastream_id"],
            ["sta_datastreams.id"],
            name=op.f("fk_sta_observations_datastream_id_sta_datastreams"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["feature_id"],
            ["sta_features.id"],
            name=op.f("fk_sta_observations_feature_id_sta_features"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sta_observations")),
    )
    with op.batch_alter_table("sta_observations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sta_observations_feature_id"), ["feature_id"], unique=False
        )
        batch_op.create_index(
            "ix_sta_observations_stream_time",
            ["datastream_id", "phenomenon_time_start", "id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("sta_observations", schema=None) as batch_op:
        batch_op.drop_index("ix_sta_observations_stream_time")
        batch_op.drop_index(batch_op.f("ix_sta_observations_feature_id"))

    op.drop_table("sta_observations")
    op.drop_table("sta_latest")
    with op.batch_alter_table("sta_historical_location_locations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sta_historical_location_locations_location_id"))

    op.drop_table("sta_historical_location_locations")
    with op.batch_alter_table("sta_thing_locations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sta_thing_locations_location_id"))

    op.drop_table("sta_thing_locations")
    with op.batch_alter_table("sta_historical_locations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sta_historical_locations_thing_id"))

    op.drop_table("sta_historical_locations")
    with op.batch_alter_table("sta_datastreams", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sta_datastreams_thing_id"))
        batch_op.drop_index(batch_op.f("ix_sta_datastreams_sensor_id"))
        batch_op.drop_index(batch_op.f("ix_sta_datastreams_observed_property_id"))

    op.drop_table("sta_datastreams")
    with op.batch_alter_table("sta_things", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sta_things_department_id"))

    op.drop_table("sta_things")
    with op.batch_alter_table("sta_features", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sta_features_location_id"))

    op.drop_table("sta_features")
    op.drop_table("sta_sensors")
    op.drop_table("sta_observed_properties")
    op.drop_table("sta_locations")
