"""Sharing fixtures: a 有条件共享 dataset of 市场监管局 with personal columns, and the people
of the issue's scenario (an analyst of 市农业农村局, stewards of both departments).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from cityhub import auth, catalog
from cityhub.auth import Actor, Role
from cityhub.catalog import ColumnChange, ColumnInfo, PersonalKind, VersionRecord
from cityhub.config import Settings
from cityhub.db import Database
from cityhub.pool.ingest import ingest
from cityhub.pool.service import Pool
from tests.conftest import PASSWORD

DATASET = "market-entities"
COLUMNS = ["统一社会信用代码", "企业名称", "法定代表人", "联系电话", "注册资本", "住所"]
ROWS = (
    "统一社会信用代码,企业名称,法定代表人,联系电话,注册资本,住所\n"
    "91371500MA3C4E5F6G,聊城市东昌府区绿野农业有限公司,张三丰,13812345678,500,"
    "山东省聊城市东昌府区古楼街道1号\n"
    "91371500MA3C4E5F7H,冠县鸭梨合作社,李四,13987654321,120,山东省聊城市冠县清泉街道8号\n"
)
SCENARIO_USERS = (
    ("nyncj.analyst", "NYNCJ", Role.ANALYST),
    ("nyncj.boss", "NYNCJ", Role.STEWARD),
    ("scjgj.steward", "SCJGJ", Role.STEWARD),
    ("scjgj.analyst", "SCJGJ", Role.ANALYST),
    ("fgw.analyst", "FGW", Role.ANALYST),
)


def actor(username: str, department: str, role: Role) -> Actor:
    """An actor as the web layer would build it for the user."""
    return Actor(None, username, role, department, "10.0.0.9")


ANALYST = actor("nyncj.analyst", "NYNCJ", Role.ANALYST)  # asks
REQUESTER_STEWARD = actor("nyncj.boss", "NYNCJ", Role.STEWARD)  # same department as the analyst
STEWARD = actor("scjgj.steward", "SCJGJ", Role.STEWARD)  # owner's steward: decides
OWNER_ANALYST = actor("scjgj.analyst", "SCJGJ", Role.ANALYST)  # owner department, may not decide
OUTSIDER = actor("fgw.analyst", "FGW", Role.ANALYST)  # neither side
OTHER_STEWARD = actor("slj.steward", "SLJ", Role.STEWARD)  # a steward of a third department
ADMIN = Actor(1, "admin", Role.ADMIN, "DSJJ", "10.0.0.1")


def create_users(db: Database) -> None:
    """Real accounts for the scenario's people (the web tests log in as them)."""
    for username, department, role in SCENARIO_USERS:
        auth.create_user(
            db,
            Actor.system(),
            username=username,
            password=PASSWORD,
            department_code=department,
            role=role,
        )


@pytest.fixture
def users(db: Database) -> None:
    """Real accounts for the scenario's people."""
    create_users(db)


@pytest.fixture
def pool(db: Database, settings: Settings) -> Iterator[Pool]:
    """The data pool over the test database."""
    pool = Pool(db, settings)
    yield pool
    pool.close()


def register(db: Database, name: str = DATASET, **spec: object) -> catalog.Dataset:
    """A catalogue entry of 市场监管局, 有条件共享 unless ``spec`` says otherwise."""
    values: dict[str, object] = {
        "title": "市场主体登记信息",
        "department": "SCJGJ",
        "share_type": catalog.ShareType.CONDITIONAL,
        "share_conditions": "仅用于涉农市场主体监管",
    }
    specification = catalog.DatasetSpec(name=name, **values | spec)  # type: ignore[arg-type]
    return catalog.create_dataset(db, Actor.system(), specification)


def describe(db: Database, name: str) -> None:
    """Mark the personal columns: name, phone and address are masked outside the owner."""
    catalog.describe_columns(
        db,
        Actor.system(),
        name,
        [
            ColumnChange("法定代表人", personal=PersonalKind.NAME),
            ColumnChange("联系电话", personal=PersonalKind.PHONE),
            ColumnChange("住所", personal=PersonalKind.ADDRESS),
        ],
    )


def publish(db: Database, pool: Pool, tmp_path: Path, name: str = DATASET, **spec: object) -> str:
    """The dataset with its two rows in the pool."""
    register(db, name, **spec)
    path = tmp_path / f"{name}.csv"
    path.write_text(ROWS, encoding="utf-8")
    ingest(db, Actor.system(), pool.warehouse, dataset=name, path=path, file_name=f"{name}.csv")
    describe(db, name)
    return name


def catalogue(db: Database, name: str = DATASET, **spec: object) -> str:
    """The dataset with its columns in the catalogue but no data: enough for the workflow."""
    dataset = register(db, name, **spec)
    columns = [ColumnInfo(c, c, "string") for c in COLUMNS]
    record = VersionRecord(0, "replace", "none.csv", "csv", "utf-8", 0, 0, 0, columns)
    catalog.record_version(db, Actor.system(), dataset.id, record)
    describe(db, name)
    return name


@pytest.fixture
def entities(db: Database, pool: Pool, tmp_path: Path) -> str:
    """The 有条件共享 dataset of 市场监管局, with data."""
    return publish(db, pool, tmp_path)


@pytest.fixture
def listed(db: Database) -> str:
    """The 有条件共享 dataset of 市场监管局 in the catalogue only (no pool needed)."""
    return catalogue(db)
