"""Reading through the pool: sharing enforced, personal columns masked, every read audited."""

from __future__ import annotations

from pathlib import Path

import pytest

from cityhub import audit, auth, catalog
from cityhub.auth import Role
from cityhub.catalog import ColumnChange, PersonalKind
from cityhub.db import Database
from cityhub.errors import NotFound, PermissionDenied, QueryRefused
from cityhub.pool.ingest import ingest
from cityhub.pool.service import Pool, read_rows, run_sql
from cityhub.query.rows import Filter, RowQuery

OWNER = auth.Actor(1, "gaj.analyst", Role.ANALYST, "GAJ", "10.0.0.1")
OTHER = auth.Actor(2, "slj.analyst", Role.ANALYST, "SLJ", "10.0.0.2")
PEOPLE = "身份证号,姓名,手机号\n371502199001011234,张三丰,13812345678\n"


@pytest.fixture
def people_data(pool: Pool, db: Database, tmp_path: Path) -> str:
    spec = catalog.DatasetSpec(
        name="people",
        title="人口基础信息",
        department="GAJ",
        share_type=catalog.ShareType.CONDITIONAL,
        share_conditions="政务服务",
    )
    catalog.create_dataset(db, auth.Actor.system(), spec)
    path = tmp_path / "people.csv"
    path.write_text(PEOPLE, encoding="utf-8")
    ingest(
        db, auth.Actor.system(), pool.warehouse, dataset="people", path=path, file_name="people.csv"
    )
    catalog.describe_columns(
        db,
        auth.Actor.system(),
        "people",
        [
            ColumnChange("身份证号", personal=PersonalKind.ID_NUMBER),
            ColumnChange("姓名", personal=PersonalKind.NAME),
            ColumnChange("手机号", personal=PersonalKind.PHONE),
        ],
    )
    return "people"


def test_owner_reads_clear_text(pool: Pool, people_data: str) -> None:
    page = read_rows(pool, OWNER, people_data, RowQuery())
    assert page.rows == [("371502199001011234", "张三丰", "13812345678")] and not page.masked


def test_conditional_dataset_needs_a_grant_and_is_masked(pool: Pool, people_data: str) -> None:
    with pytest.raises(PermissionDenied):
        read_rows(pool, OTHER, people_data, RowQuery())
    catalog.grant(pool.db, auth.Actor.system(), people_data, "SLJ")
    page = read_rows(pool, OTHER, people_data, RowQuery())
    assert page.rows == [("371502********1234", "张**", "138****5678")] and page.masked
    # Filtering on a masked column compares masked values: no oracle for the clear text.
    hit = read_rows(
        pool,
        OTHER,
        people_data,
        RowQuery(filters=(Filter("身份证号", "eq", "371502199001011234"),)),
    )
    assert hit.rows == []
    assert run_sql(pool, OTHER, "SELECT 姓名 FROM people").rows == [("张**",)]


def test_public_cannot_see_closed_datasets(pool: Pool, people_data: str) -> None:
    with pytest.raises(NotFound):
        read_rows(pool, auth.Actor.public(), people_data, RowQuery())


def test_sql_cannot_reach_unshared_data(pool: Pool, people_data: str) -> None:
    with pytest.raises(QueryRefused):
        run_sql(pool, OTHER, "SELECT * FROM people")


def test_reads_and_refusals_are_audited(pool: Pool, people_data: str) -> None:
    read_rows(pool, OWNER, people_data, RowQuery())
    with pytest.raises(PermissionDenied):
        read_rows(pool, OTHER, people_data, RowQuery())
    page = audit.list_events(pool.db, auth.Actor.system(), audit.AuditFilter(action="dataset.read"))
    assert [(e.actor, e.outcome) for e in page.events] == [
        ("slj.analyst", "denied"),
        ("gaj.analyst", "success"),
    ]
    assert page.events[1].client_address == "10.0.0.1"
