"""Linking fixtures: a pool, department stewards, and sources written the ways departments write.

``three_ways`` holds 聊城市鲁西化工机械有限公司 as 市场监管局 registers it (valid credit code),
as 税务局 keeps it (聊城…有限责任公司, no code) and as 工信局 lists it (full-width digits,
address parts swapped, code invalid), with its 临清分公司 (a different entity) beside it, among
enterprises of a generated known-truth set.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pytest
from sqlalchemy import select

from cityhub import auth, catalog
from cityhub.auth import Actor, Role
from cityhub.auth.models import User
from cityhub.catalog import PersonalKind, ShareType
from cityhub.config import Settings
from cityhub.db import Database
from cityhub.linking.synthetic import COLUMNS, KnownTruth
from cityhub.pool.ingest import ingest
from cityhub.pool.service import Pool
from tests.conftest import PASSWORD, People

SYSTEM = Actor.system()
FIELDS = {
    "key": "记录编号",
    "name": "企业名称",
    "address": "住所",
    "legal_rep": "法定代表人",
    "phone": "联系电话",
    "credit_code": "统一社会信用代码",
}
SHOWCASE: dict[str, list[str | None]] = {
    "scjgj": ["SC-LUXI", "聊城市鲁西化工机械有限公司", None, "聊城市东昌府区柳园街道建设路12号",
              "王建国", "0635-8216688"],
    "swuj": ["SW-LUXI", "聊城鲁西化工机械有限责任公司", "", "东昌府区柳园街道建设路12号",
             "王建国", "06358216688"],
    "gxj": ["GX-LUXI", "聊城市鲁西化工机械\u3000有限公司", "９１３７１５O2",
            "柳园街道建设路１２号 东昌府区", "王建国", "（0635）8216688"],
}  # fmt: skip
BRANCH: dict[str, list[str | None]] = {
    "scjgj": ["SC-LUXI-LQ", "聊城市鲁西化工机械有限公司临清分公司", None,
              "聊城市临清市先锋路街道运河路8号", "李强", "0635-2381234"],
    "swuj": ["SW-LUXI-LQ", "聊城鲁西化工机械有限责任公司临清分公司", "",
             "临清市先锋路街道运河路8号", "李强", "2381234"],
}  # fmt: skip


def _valid_code(body: str) -> str:
    from cityhub.registry.codes import credit_code_check

    organisation = body[8:16]
    total = sum(int(c) * w for c, w in zip(organisation, (3, 7, 9, 10, 5, 8, 4, 2), strict=True))
    check = 11 - total % 11
    body = body[:16] + ("X" if check == 10 else "0" if check == 11 else str(check))
    return body + credit_code_check(body)


PARENT = _valid_code("91371502" + "55512340")
BRANCH_CODE = _valid_code("91371581" + "55598760")


@dataclass(frozen=True)
class Stewards:
    """A steward (and an analyst) per department of the three-way case."""

    scjgj: Actor
    swuj: Actor
    gxj: Actor
    gxj_analyst: Actor


def actor_of(db: Database, username: str) -> Actor:
    """The actor of a user, as the web layer builds it from a token or session."""
    with db.reading() as session:
        user = session.scalar(select(User).where(User.username == username))
        assert user is not None
        return Actor(user.id, user.username, Role(user.role), user.department.code, "testclient")


@pytest.fixture
def pool(db: Database, settings: Settings) -> Iterator[Pool]:
    """The data pool over the test database."""
    pool = Pool(db, settings)
    yield pool
    pool.close()


@pytest.fixture
def stewards(db: Database, people: People) -> Stewards:
    """Stewards of 市场监管局, 税务局 and 工信局, and an analyst of 工信局."""
    made = {}
    for username, department, role in (
        ("scjgj.steward", "SCJGJ", Role.STEWARD),
        ("swuj.steward", "SWUJ", Role.STEWARD),
        ("gxj.steward", "GXJ", Role.STEWARD),
        ("gxj.analyst", "GXJ", Role.ANALYST),
    ):
        auth.create_user(
            db, SYSTEM, username=username, password=PASSWORD, department_code=department, role=role
        )
        made[username] = actor_of(db, username)
    return Stewards(
        made["scjgj.steward"], made["swuj.steward"], made["gxj.steward"], made["gxj.analyst"]
    )


def publish(
    db: Database,
    pool: Pool,
    tmp: Path,
    name: str,
    department: str,
    rows: list[list[str | None]],
    *,
    share: ShareType = ShareType.UNCONDITIONAL,
    personal: bool = True,
) -> None:
    """A dataset of ``department`` with ``rows`` (COLUMNS), its name and phone columns personal."""
    catalog.create_dataset(
        db,
        SYSTEM,
        catalog.DatasetSpec(
            name=name,
            title=name,
            department=department,
            share_type=share,
            share_conditions="仅用于主体关联" if share is ShareType.CONDITIONAL else "",
        ),
    )
    path = tmp / f"{name}.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        writer.writerows([["" if v is None else v for v in row] for row in rows])
    ingest(db, SYSTEM, pool.warehouse, dataset=name, path=path, file_name=path.name)
    if personal:
        catalog.describe_columns(
            db,
            SYSTEM,
            name,
            [
                catalog.ColumnChange("法定代表人", personal=PersonalKind.NAME),
                catalog.ColumnChange("联系电话", personal=PersonalKind.PHONE),
            ],
        )


def _rows(table: pa.Table) -> list[list[str | None]]:
    columns = table.to_pydict()
    return [list(values) for values in zip(*(columns[c] for c in COLUMNS), strict=True)]


@pytest.fixture
def three_ways(db: Database, pool: Pool, tmp_path: Path, stewards: Stewards) -> KnownTruth:
    """scjgj-enterprises (SCJGJ), swuj-taxpayers (SWUJ), gxj-industry (GXJ), shared freely."""
    truth = KnownTruth.generate(120, seed=11)
    registry, tax = _rows(truth.scjgj), _rows(truth.swj)
    showcase = {k: list(v) for k, v in SHOWCASE.items()}
    showcase["scjgj"][2] = PARENT
    branch = {k: list(v) for k, v in BRANCH.items()}
    branch["scjgj"][2] = BRANCH_CODE
    industry = [[f"GX{i:04d}", r[1], None, r[3], r[4], r[5]] for i, r in enumerate(registry[:60])]
    publish(db, pool, tmp_path, "scjgj-enterprises", "SCJGJ",
            [*registry, showcase["scjgj"], branch["scjgj"]])  # fmt: skip
    publish(db, pool, tmp_path, "swuj-taxpayers", "SWUJ", [*tax, showcase["swuj"], branch["swuj"]])
    publish(db, pool, tmp_path, "gxj-industry", "GXJ", [*industry, showcase["gxj"]])
    return truth
