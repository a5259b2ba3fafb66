"""Screening at ingest: cleaned rows committed, failing rows quarantined, counts adding up."""

from __future__ import annotations

import pyarrow.parquet as pq
from sqlalchemy import select

from cityhub import catalog, quality
from cityhub.pool.ingest import IngestMode
from cityhub.pool.service import Pool, run_sql
from cityhub.quality.models import QualityReport, QuarantinedRow
from tests.quality.conftest import SYSTEM, credit_code, rules, upload, wrong_check

GOOD = credit_code(1)
ALSO_GOOD = credit_code(2)
BAD = wrong_check(GOOD)


def test_blocking_failures_are_quarantined_and_counts_add_up(
    pool: Pool, firms: catalog.Dataset
) -> None:
    rules(
        pool.db,
        {
            "id": "code",
            "kind": "identifier",
            "column": "code",
            "params": {"kind": "credit_code"},
            "blocking": True,
        },
        {"id": "name", "kind": "not_null", "column": "name", "blocking": True},
        {"id": "staff", "kind": "range", "column": "staff", "params": {"min": 0, "max": 1000}},
    )
    text = f"code,name,staff\n{GOOD},甲公司,10\n{BAD},乙公司,20\n{ALSO_GOOD},,5000\n,丙公司,30\n"
    result = upload(pool, text)
    assert result.rows_added == 2  # rows 1 and 4 (an empty code passes the identifier rule)
    held = quality.list_quarantine(pool.db, SYSTEM, "firms")
    assert [r.row_number for r in held.rows] == [2, 3]
    assert result.rows_added + held.total == 4
    assert held.rows[0].reasons[0]["rule"] == "code"
    assert held.rows[0].values["code"] == BAD
    assert "message_zh" in held.rows[0].reasons[0]
    stored = run_sql(pool, SYSTEM, "SELECT code FROM firms ORDER BY name").rows
    assert sorted(str(r[0]) for r in stored) == sorted([GOOD, "None"])
    version = catalog.list_versions(pool.db, SYSTEM, "firms")[0]
    assert version.rows_added == 2 and version.row_count == 2
    assert any("2 rows quarantined" in note for note in version.notes)
    with pool.db.reading() as session:
        report = session.scalars(select(QualityReport)).one()
    assert (report.rows_checked, report.rows_failed, report.rows_quarantined) == (4, 2, 2)
    by_rule = {r["rule"]: r for r in report.results["rules"]}
    assert by_rule["code"]["failed"] == 1 and by_rule["code"]["examples"] == [BAD]
    assert by_rule["staff"]["failed"] == 1 and by_rule["staff"]["examples"] == ["5000"]
    # 12 checks, 3 failed: 75 %
    assert report.score == 75.0


def test_cleaning_runs_first_and_cleaned_values_are_stored(
    pool: Pool, firms: catalog.Dataset
) -> None:
    rules(
        pool.db,
        {
            "id": "code",
            "kind": "identifier",
            "column": "code",
            "params": {"kind": "credit_code"},
            "blocking": True,
        },
        cleaning=[{"column": "code", "steps": ["trim", "halfwidth", "upper"]}],
    )
    wide = "".join(chr(ord(c) + 0xFEE0) if c.isalnum() else c for c in GOOD.lower())
    result = upload(pool, f"code,name\n {wide} ,甲\n")
    assert result.rows_added == 1
    assert run_sql(pool, SYSTEM, "SELECT code FROM firms").rows == [(GOOD,)]


def test_unique_compares_with_the_rows_appended_to(pool: Pool, firms: catalog.Dataset) -> None:
    rules(pool.db, {"id": "u", "kind": "unique", "column": "code", "blocking": True})
    upload(pool, f"code\n{GOOD}\n")
    second = upload(pool, f"code\n{GOOD}\n{ALSO_GOOD}\n")
    assert second.rows_added == 1
    held = quality.list_quarantine(pool.db, SYSTEM, "firms").rows
    assert [(r.row_number, r.values["code"]) for r in held] == [(1, GOOD)]
    replaced = upload(pool, f"code\n{GOOD}\n", mode=IngestMode.REPLACE)
    assert replaced.rows_added == 1


def test_every_row_held_makes_an_empty_version(pool: Pool, firms: catalog.Dataset) -> None:
    rules(pool.db, {"id": "n", "kind": "not_null", "column": "name", "blocking": True})
    result = upload(pool, "code,name\n1,\n2,\n")
    assert (result.rows_added, result.row_count) == (0, 0)
    assert quality.list_quarantine(pool.db, SYSTEM, "firms").total == 2


def test_without_rules_nothing_changes(pool: Pool, firms: catalog.Dataset) -> None:
    result = upload(pool, "code\n1\n")
    assert result.rows_added == 1
    with pool.db.reading() as session:
        assert session.scalars(select(QuarantinedRow)).all() == []
        assert session.scalars(select(QualityReport)).all() == []


def test_screened_files_keep_the_uploads_arrow_schema(pool: Pool, firms: catalog.Dataset) -> None:
    rules(
        pool.db,
        {"id": "n", "kind": "not_null", "column": "name", "blocking": True},
        cleaning=[{"column": "name", "steps": ["trim"]}],
    )
    text = (
        "name,staff,capital,listed,founded,checked_at\n"
        " 甲 ,10,1.5,是,2020-01-31,2020-01-31 08:30:00\n"
        ",20,2.5,否,2021-02-28,2021-02-28 09:00:00\n"
    )
    result = upload(pool, text)
    assert result.rows_added == 1
    version = catalog.list_versions(pool.db, SYSTEM, "firms")[0]
    [file] = pool.files(firms.id, version.snapshot_id)
    schema = pq.read_schema(file)
    assert {f.name: str(f.type) for f in schema} == {
        "name": "string",
        "staff": "int64",
        "capital": "double",
        "listed": "bool",
        "founded": "date32[day]",
        "checked_at": "timestamp[us]",
    }
    assert all(f.nullable for f in schema)
    assert schema.field("name").metadata == {b"label": b"name"}
    assert "/screened/" in file
    rows = run_sql(pool, SYSTEM, "SELECT name, staff, listed, founded FROM firms").rows
    assert [(r[0], r[1], r[2], str(r[3])) for r in rows] == [("甲", 10, True, "2020-01-31")]
