"""Seeding the whole demo city."""

from __future__ import annotations

from dataclasses import dataclass

from cityhub.config import Settings
from cityhub.db import Database
from cityhub.demo.accounts import DemoUser, seed_accounts
from cityhub.demo.basedb import seed_groups
from cityhub.demo.datasets import seed_datasets
from cityhub.demo.governance import seed_governance
from cityhub.demo.programme import ProgrammeSeedReport, seed_programme
from cityhub.demo.sensing import seed_sensing
from cityhub.demo.simulator.ventilation import VENTILATION_PORT
from cityhub.demo.trace import TraceSeedReport, seed_trace
from cityhub.pool.service import Pool


@dataclass(frozen=True)
class DemoReport:
    """What seeding added this time (nothing on a second run)."""

    users_created: list[DemoUser]
    datasets_created: list[str]
    groups_created: list[str]
    scenes_created: list[str]
    stations_created: list[str]
    trace: TraceSeedReport | None = None  # None: the traceability demo was not asked for
    programme: ProgrammeSeedReport | None = None  # None: the programme demo was not asked for


def seed(
    db: Database, settings: Settings, *, trace: bool = False, programme: bool = True
) -> DemoReport:
    """Add the demo data that is missing; safe to run any number of times.

    ``trace`` also records the traceability demo (``demo.trace``: ~3,900 signed events, some
    20 s) in the log ``settings`` describe; ``cityhub demo`` asks for it with its witnesses
    running (``demo.witnesses``), tests of other modules leave it out. ``programme`` seeds the
    programme office (``demo.programme``: tasks, targets, registries, ~2,000 progress reports,
    declarations; some 30 s).
    """
    users = seed_accounts(db)
    datasets = seed_datasets(db, settings.data_dir)
    groups = seed_groups(db)
    pool = Pool(db, settings)
    try:
        scenes = seed_governance(db, pool)
        planned = seed_programme(db, settings, pool) if programme else None
    finally:
        pool.close()
    stations = seed_sensing(db, port=VENTILATION_PORT)
    traced = seed_trace(db, settings) if trace else None
    return DemoReport(users, datasets, groups, scenes, stations, traced, planned)
