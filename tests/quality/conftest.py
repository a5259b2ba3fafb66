"""Quality fixtures: a pool, a steward's dataset, and uploads as CSV text."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cityhub import auth, catalog, quality
from cityhub.config import Settings
from cityhub.db import Database
from cityhub.pool.ingest import IngestMode, IngestResult, ingest
from cityhub.pool.service import Pool
from cityhub.registry.codes import credit_code_check, id_number_check
from cityhub.registry.credit_code import organisation_code_check
from tests.conftest import People

SYSTEM = auth.Actor.system()
STEWARD = auth.Actor(None, "slj.steward", auth.Role.STEWARD, "SLJ")
OUTSIDER = auth.Actor(None, "nyncj.steward", auth.Role.STEWARD, "NYNCJ")


@pytest.fixture
def pool(db: Database, settings: Settings) -> Iterator[Pool]:
    """The data pool over the test database and data directory."""
    pool = Pool(db, settings)
    yield pool
    pool.close()


@pytest.fixture
def firms(db: Database, people: People) -> catalog.Dataset:
    """An empty dataset of 水利局 (the steward's department), shared unconditionally."""
    spec = catalog.DatasetSpec(name="firms", title="企业名录", department="SLJ")
    return catalog.create_dataset(db, SYSTEM, spec)


def upload(
    pool: Pool,
    text: str,
    *,
    dataset: str = "firms",
    mode: IngestMode = IngestMode.APPEND,
    actor: auth.Actor = SYSTEM,
) -> IngestResult:
    """Ingest CSV ``text`` into ``dataset``."""
    path = Path(pool.settings.data_dir) / f"upload-{dataset}.csv"
    path.write_text(text, encoding="utf-8")
    return ingest(
        pool.db,
        actor,
        pool.warehouse,
        dataset=dataset,
        path=path,
        file_name="upload.csv",
        mode=mode,
    )


def rules(
    db: Database,
    *items: dict[str, Any],
    cleaning: list[dict[str, Any]] | None = None,
    dataset: str = "firms",
) -> int:
    """Set a rule set of ``items`` on ``dataset`` as the system."""
    return quality.set_rules(
        db, SYSTEM, dataset, {"rules": list(items), "cleaning": cleaning or []}
    )


def credit_code(n: int, region: str = "371502") -> str:
    """A valid 统一社会信用代码 of an enterprise (91) registered in ``region``."""
    organisation = f"{n:08d}"
    body = f"91{region}{organisation}{organisation_code_check(organisation)}"
    return body + credit_code_check(body)


def id_number(n: int, region: str = "371502") -> str:
    """A valid 公民身份号码 of someone born on 1990-01-01 in ``region``."""
    body = f"{region}19900101{n % 1000:03d}"
    return body + id_number_check(body)


def wrong_check(code: str) -> str:
    """``code`` with a wrong check character."""
    return code[:-1] + ("1" if code[-1] != "1" else "2")
