"""Derived-dataset fixtures: a small city of three departments' datasets, and a pool over it.

- ``legal-entities`` (市场监管局 SCJGJ): 无条件共享, 无条件开放, 公开; 法定代表人 is personal.
- ``broadband`` (工信局 GXJ): 有条件共享 with a grant to 水利局, 有条件开放, 内部.
- ``duty`` (水利局 SLJ, the stewards' own department): 无条件共享, 不予开放, 敏感; 责任人 and
  手机号 are personal, so SLJ reads them in clear.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from cityhub import auth, catalog
from cityhub.catalog import ColumnChange, OpenType, PersonalKind, SecurityLevel, ShareType
from cityhub.config import Settings
from cityhub.db import Database
from cityhub.pool.ingest import IngestMode, ingest
from cityhub.pool.service import Pool
from tests.conftest import People

SYSTEM = auth.Actor.system()
STEWARD = auth.Actor(None, "slj.steward", auth.Role.STEWARD, "SLJ")
OTHER_STEWARD = auth.Actor(None, "nyncj.steward", auth.Role.STEWARD, "NYNCJ")
ANALYST = auth.Actor(None, "slj.analyst", auth.Role.ANALYST, "SLJ")

ENTITIES = (
    "统一社会信用代码,名称,法定代表人,注册资本\n"
    "91371502MA3C4BXX1A,聊城市东昌府区甲公司,张三丰,100\n"
    "91371521MA3D5CYY2B,阳谷县乙有限公司,李四,250\n"
    "91371522MA3E6DZZ3C,莘县丙农业合作社,王五,80\n"
)
BROADBAND = "统一社会信用代码,带宽\n91371502MA3C4BXX1A,1000\n91371521MA3D5CYY2B,10000\n"
DUTY = "河道,责任人,手机号\n徒骇河,赵六,13812345678\n马颊河,钱七,13987654321\n"


def load(pool: Pool, name: str, text: str, mode: IngestMode = IngestMode.REPLACE) -> None:
    """Ingest ``text`` as the next version of dataset ``name`` (as the platform)."""
    path = pool.settings.data_dir / f"{name}.csv"
    path.write_text(text, encoding="utf-8")
    ingest(pool.db, SYSTEM, pool.warehouse, dataset=name, path=path, file_name=path.name, mode=mode)


@pytest.fixture
def pool(db: Database, settings: Settings) -> Iterator[Pool]:
    """The data pool over the test database and data directory."""
    pool = Pool(db, settings)
    yield pool
    pool.close()


@pytest.fixture
def city(db: Database, pool: Pool, people: People) -> Pool:
    """Three departments' datasets with one version each; the pool over them."""
    specs = [
        (
            catalog.DatasetSpec(
                name="legal-entities",
                title="法人单位基本信息",
                department="SCJGJ",
                share_type=ShareType.UNCONDITIONAL,
                open_type=OpenType.OPEN,
                security_level=SecurityLevel.PUBLIC,
            ),
            ENTITIES,
            {"法定代表人": PersonalKind.NAME},
        ),
        (
            catalog.DatasetSpec(
                name="broadband",
                title="企业宽带接入",
                department="GXJ",
                share_type=ShareType.CONDITIONAL,
                share_conditions="仅用于产业分析",
                open_type=OpenType.CONDITIONAL,
                security_level=SecurityLevel.INTERNAL,
            ),
            BROADBAND,
            {},
        ),
        (
            catalog.DatasetSpec(
                name="duty",
                title="防汛责任人",
                department="SLJ",
                share_type=ShareType.UNCONDITIONAL,
                open_type=OpenType.CLOSED,
                security_level=SecurityLevel.SENSITIVE,
            ),
            DUTY,
            {"责任人": PersonalKind.NAME, "手机号": PersonalKind.PHONE},
        ),
    ]
    for spec, text, personal in specs:
        catalog.create_dataset(db, SYSTEM, spec)
        load(pool, spec.name, text)
        if personal:
            changes = [ColumnChange(name, personal=kind) for name, kind in personal.items()]
            catalog.describe_columns(db, SYSTEM, spec.name, changes)
    catalog.grant(db, SYSTEM, "broadband", "SLJ", "产业分析")
    return pool


def rows_of(pool: Pool, actor: auth.Actor, name: str) -> list[tuple[object, ...]]:
    """Every row of a dataset's newest version as ``actor`` reads it, in column order."""
    from cityhub.pool.service import read_rows
    from cityhub.query.rows import row_query_from

    page = read_rows(pool, actor, name, row_query_from([], limit=1000))
    return sorted(page.rows, key=repr)


def staging_dirs(data_dir: Path) -> list[Path]:
    """Staging folders left in the warehouse (a failed refresh must leave none)."""
    return sorted((data_dir / "warehouse").glob("pool/ds_*/data/ingest-*"))
