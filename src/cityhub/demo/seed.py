"""Seeding the whole demo city."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cityhub.db import Database
from cityhub.demo.accounts import DemoUser, seed_accounts
from cityhub.demo.datasets import seed_datasets


@dataclass(frozen=True)
class DemoReport:
    """What seeding added this time (nothing on a second run)."""

    users_created: list[DemoUser]
    datasets_created: list[str]


def seed(db: Database, data_dir: Path) -> DemoReport:
    """Add the demo data that is missing; safe to run any number of times."""
    return DemoReport(users_created=seed_accounts(db), datasets_created=seed_datasets(db, data_dir))
