"""Alembic environment: runs on the engine handed over by ``cityhub.db.migrate``."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine

import cityhub.models  # noqa: F401  registers every table on Base.metadata
from cityhub.db.base import Base

engine = context.config.attributes["engine"]
assert isinstance(engine, Engine)

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
