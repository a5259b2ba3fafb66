"""The quarantine lifecycle: held rows fixed and re-admitted as a new version, or discarded."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from cityhub import audit, catalog, quality
from cityhub.audit import AuditFilter
from cityhub.auth import Actor, Role
from cityhub.errors import Conflict, InvalidInput, NotAuthenticated, NotFound, PermissionDenied
from cityhub.pool.service import Pool, run_sql
from cityhub.quality.models import QualityReport, RowStatus
from tests.quality.conftest import OUTSIDER, STEWARD, SYSTEM, rules, upload

TEXT = "code,name,staff,founded\nA1,甲公司,10,2020-01-31\nB2,,20,2021-02-28\nC3,丙公司,-5,\n"


@pytest.fixture
def held(pool: Pool, firms: catalog.Dataset) -> list[quality.HeldRow]:
    rules(
        pool.db,
        {"id": "name", "kind": "not_null", "column": "name", "blocking": True},
        {"id": "staff", "kind": "range", "column": "staff", "params": {"min": 0}, "blocking": True},
        {"id": "code", "kind": "regex", "column": "code", "params": {"pattern": "[A-Z][0-9]"}},
    )
    upload(pool, TEXT)
    return quality.list_quarantine(pool.db, STEWARD, "firms").rows


def test_fix_answers_what_still_fails(pool: Pool, held: list[quality.HeldRow]) -> None:
    first = held[0]
    assert (first.row_number, first.values["name"]) == (2, None)
    result = quality.fix_row(pool.db, STEWARD, pool, "firms", first.id, {"staff": 30})
    assert [r["rule"] for r in result.failing] == ["name"] and not result.admissible
    result = quality.fix_row(pool.db, STEWARD, pool, "firms", first.id, {"name": "乙公司"})
    assert result.failing == [] and result.admissible
    assert result.row.fixed_values == {**first.values, "staff": 30, "name": "乙公司"}
    assert result.row.values == first.values  # the original stays


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"staff": "many"}, "values.staff"),
        ({"founded": "31/01/2020"}, "values.founded"),
        ({"nope": 1}, "values.nope"),
    ],
)
def test_fix_refuses_values_of_the_wrong_type(
    pool: Pool, held: list[quality.HeldRow], values: dict[str, object], field: str
) -> None:
    with pytest.raises(InvalidInput) as error:
        quality.fix_row(pool.db, STEWARD, pool, "firms", held[0].id, values)
    assert error.value.details["field"] == field


def test_readmit_appends_passing_rows_as_a_new_version(
    pool: Pool, held: list[quality.HeldRow]
) -> None:
    fixed, still = held
    quality.fix_row(pool.db, STEWARD, pool, "firms", fixed.id, {"name": "乙公司"})
    result = quality.readmit(pool.db, STEWARD, pool, "firms", [fixed.id, still.id])
    assert result.version == 2 and result.readmitted == [fixed.id]
    assert [r["rule"] for r in result.still_failing[still.id]] == ["staff"]
    rows = run_sql(pool, SYSTEM, "SELECT code, name, staff, founded FROM firms ORDER BY code").rows
    assert [r[:3] for r in rows] == [("A1", "甲公司", 10), ("B2", "乙公司", 20)]
    assert str(rows[1][3]) == "2021-02-28"
    version = catalog.list_versions(pool.db, SYSTEM, "firms")[0]
    assert (version.number, version.rows_added, version.row_count) == (2, 1, 2)
    page = quality.list_quarantine(pool.db, STEWARD, "firms", None)
    by_id = {r.id: r for r in page.rows}
    assert (
        by_id[fixed.id].status == RowStatus.READMITTED
        and by_id[fixed.id].readmitted_in_version == 2
    )
    assert by_id[still.id].status == RowStatus.HELD
    with pool.db.reading() as session:
        reports = session.scalars(select(QualityReport).order_by(QualityReport.id)).all()
    assert [(r.version_number, r.rows_checked) for r in reports] == [(1, 3), (2, 1)]
    with pytest.raises(Conflict):
        quality.readmit(pool.db, STEWARD, pool, "firms", [fixed.id])


def test_discard_keeps_the_row_with_its_reason(pool: Pool, held: list[quality.HeldRow]) -> None:
    row = held[1]
    with pytest.raises(InvalidInput):
        quality.discard(pool.db, STEWARD, "firms", [row.id], " ")
    assert quality.discard(pool.db, STEWARD, "firms", [row.id], "重复上报") == [row.id]
    kept = quality.list_quarantine(pool.db, STEWARD, "firms", RowStatus.DISCARDED).rows
    assert [(r.id, r.note, r.resolved_by) for r in kept] == [(row.id, "重复上报", "slj.steward")]
    assert quality.list_quarantine(pool.db, STEWARD, "firms").total == 1
    with pytest.raises(Conflict):
        quality.fix_row(pool.db, STEWARD, pool, "firms", row.id, {"staff": 1})


def test_only_owner_stewards_and_admins_see_the_quarantine(
    pool: Pool, held: list[quality.HeldRow]
) -> None:
    analyst = quality_actor("slj.analyst", "analyst", "SLJ")
    with pytest.raises(PermissionDenied):
        quality.list_quarantine(pool.db, OUTSIDER, "firms")
    with pytest.raises(PermissionDenied):
        quality.list_quarantine(pool.db, analyst, "firms")
    with pytest.raises(NotAuthenticated):
        quality.discard(pool.db, quality_actor("public", "public", None), "firms", [1], "x")
    with pytest.raises(NotFound):
        quality.readmit(pool.db, STEWARD, pool, "firms", [9999])
    reads = audit.list_events(pool.db, SYSTEM, AuditFilter(action="quality.quarantine.read"))
    assert [(e.actor, e.outcome) for e in reads.events] == [
        ("slj.analyst", "denied"),
        ("nyncj.steward", "denied"),
        ("slj.steward", "success"),  # the fixture's listing
    ]


def quality_actor(name: str, role: str, department: str | None) -> Actor:
    return Actor(None, name, Role(role), department)
