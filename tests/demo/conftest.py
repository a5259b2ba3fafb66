"""The demo city, seeded once for every test module of this package."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from cityhub import auth
from cityhub.config import Settings
from cityhub.db import Database, upgrade
from cityhub.demo import DemoReport, seed
from tests.conftest import ADMIN_PASSWORD, ON_POSTGRES, postgres_schema_url


@dataclass(frozen=True)
class City:
    """The seeded demo city."""

    db: Database
    settings: Settings
    report: DemoReport


@pytest.fixture(scope="package")
def city(tmp_path_factory: pytest.TempPathFactory) -> Iterator[City]:
    folder = tmp_path_factory.mktemp("city")
    urls = postgres_schema_url() if ON_POSTGRES else iter([f"sqlite:///{folder / 'city.db'}"])
    url = next(urls)
    settings = Settings(
        data_dir=folder,
        database_url=url,
        secret_key="test-secret-key",
        admin_password=ADMIN_PASSWORD,
    )
    db = Database(settings.database_url_effective)
    upgrade(db)
    auth.bootstrap(db, admin_password=ADMIN_PASSWORD)
    # The programme office seeds itself in test_programme_demo; the other modules need none of it.
    yield City(db, settings, seed(db, settings, programme=False))
    db.dispose()
    for _ in urls:  # drops the PostgreSQL schema
        pass
