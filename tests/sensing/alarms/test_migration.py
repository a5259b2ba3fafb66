"""Migration 0009 creates exactly the alarm tables of the models, and goes back down."""

from __future__ import annotations

from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from cityhub.db import Base, Database, upgrade
from cityhub.db.migrate import _config
from cityhub.sensing.alarms import models

ALARM_TABLES = {
    models.AlarmRule.__tablename__,
    models.Alarm.__tablename__,
    models.AlarmEvent.__tablename__,
    models.AlarmState.__tablename__,
    models.AlarmSilence.__tablename__,
    models.AlarmNotification.__tablename__,
}


def _ours(item: Any, name: str | None, kind: str, _reflected: bool, _other: Any) -> bool:
    table = name if kind == "table" else getattr(getattr(item, "table", None), "name", None)
    return table in ALARM_TABLES


def test_the_migration_matches_the_models(bare_db: Database) -> None:
    with bare_db.engine.connect() as connection:
        options = {"compare_type": True, "include_object": _ours}
        context = MigrationContext.configure(connection, opts=options)
        assert compare_metadata(context, Base.metadata) == []


def test_the_open_alarm_index_is_partial(bare_db: Database) -> None:
    indexes = inspect(bare_db.engine).get_indexes("alarms")
    (index,) = [i for i in indexes if i["name"] == "uq_alarms_open_per_source"]
    assert index["unique"] and index["column_names"] == ["rule_id", "source_id"]
    where = index.get("dialect_options", {})
    assert "cleared" in str(where.get("sqlite_where", where.get("postgresql_where")))


def test_downgrade_removes_the_tables_and_upgrade_restores_them(bare_db: Database) -> None:
    command.downgrade(_config(bare_db), "0008")
    assert not ALARM_TABLES & set(inspect(bare_db.engine).get_table_names())
    upgrade(bare_db)
    assert set(inspect(bare_db.engine).get_table_names()) >= ALARM_TABLES
