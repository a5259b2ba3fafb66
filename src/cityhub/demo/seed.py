"""Seeding the whole demo city."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cityhub.db import Database
from cityhub.demo.accounts import DemoUser, seed_accounts
from cityhub.demo.basedb import seed_groups
from cityhub.demo.datasets import seed_datasets


@dataclass(frozen=True)
class DemoReport:
    """What seeding added this time (nothing on a second run)."""

    users_created: list[DemoUser]
    datasets_created: list[str]
    groups_created: list[str]


def seed(db: Database, data_dir: Path) -> DemoReport:
    """Add the demo data that is missing; safe to run any number of times."""
    users = seed_accounts(db)
    datasets = seed_datasets(db, data_dir)
    return DemoReport(users, datasets, groups_created=seed_groups(db))
