"""Seeding the whole demo city."""

from __future__ import annotations

from dataclasses import dataclass

from cityhub.config import Settings
from cityhub.db import Database
from cityhub.demo.accounts import DemoUser, seed_accounts
from cityhub.demo.basedb import seed_groups
from cityhub.demo.datasets import seed_datasets
from cityhub.demo.governance import seed_governance
from cityhub.demo.sensing import seed_sensing
from cityhub.demo.simulator.ventilation import VENTILATION_PORT
from cityhub.pool.service import Pool


@dataclass(frozen=True)
class DemoReport:
    """What seeding added this time (nothing on a second run)."""

    users_created: list[DemoUser]
    datasets_created: list[str]
    groups_created: list[str]
    scenes_created: list[str]
    stations_created: list[str]


def seed(db: Database, settings: Settings) -> DemoReport:
    """Add the demo data that is missing; safe to run any number of times."""
    users = seed_accounts(db)
    datasets = seed_datasets(db, settings.data_dir)
    groups = seed_groups(db)
    pool = Pool(db, settings)
    try:
        scenes = seed_governance(db, pool)
    finally:
        pool.close()
    stations = seed_sensing(db, port=VENTILATION_PORT)
    return DemoReport(users, datasets, groups, scenes, stations)
