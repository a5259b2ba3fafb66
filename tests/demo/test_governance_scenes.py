"""The demo city's governance scenes, as the issue's "done means" describes them."""

from __future__ import annotations

from datetime import datetime, timedelta
from unittest import mock

import pytest

from cityhub import auth, derived, sharing
from cityhub.db import utcnow
from cityhub.demo.governance import CREDIT_SUMMARY, ENTERPRISE_LINKS, REQUESTED
from cityhub.demo.linking_sources import SHOWCASE
from cityhub.errors import PermissionDenied
from cityhub.pool.service import Pool, read_rows, run_sql
from cityhub.query.rows import RowQuery
from tests.demo.conftest import City

ADMIN = auth.Actor(None, "dsjj.operator", auth.Role.ADMIN, "DSJJ")
SCJGJ = auth.Actor(None, "scjgj.steward", auth.Role.STEWARD, "SCJGJ")
NYNCJ = auth.Actor(None, "nyncj.analyst", auth.Role.ANALYST, "NYNCJ")


def test_derived_dataset_joins_two_departments_and_shows_its_lineage(city: City) -> None:
    graph = derived.lineage(city.db, SCJGJ, CREDIT_SUMMARY)
    assert {(n.name, n.department) for n in graph.sources} == {
        ("legal-entities", "SCJGJ"),
        ("public-credit-records", "FGW"),
    }
    assert {e.target for e in graph.edges} == {CREDIT_SUMMARY}


def test_linking_puts_the_enterprise_written_three_ways_in_one_cluster(city: City) -> None:
    pool = Pool(city.db, city.settings)
    try:
        rows = run_sql(
            pool,
            ADMIN,
            f'SELECT source_dataset, count(*) FROM "{ENTERPRISE_LINKS}" WHERE cluster_id = '
            f"'{SHOWCASE.credit_code}' GROUP BY 1 ORDER BY 1",
        ).rows
    finally:
        pool.close()
    assert [r[0] for r in rows] == ["agri-enterprises", "industrial-enterprises", "legal-entities"]


def test_a_request_waits_in_the_owner_inbox(city: City) -> None:
    inbox = sharing.list_requests(city.db, SCJGJ, box="inbox")
    assert [(r.dataset, r.department, r.status) for r in inbox] == [(REQUESTED, "FGW", "pending")]


@pytest.mark.parametrize("days_later", [1, 31])
def test_nyncj_reads_two_approved_columns_until_the_grant_expires(
    city: City, days_later: int
) -> None:
    mine = [
        r for r in sharing.list_requests(city.db, NYNCJ, box="outbox") if r.dataset == REQUESTED
    ]
    if not mine:
        request = sharing.request_access(
            city.db, NYNCJ, REQUESTED, purpose="核查农业经营主体的行政处罚记录(测试)", days=30
        )
        sharing.approve(
            city.db, SCJGJ, request.id, columns=["行政相对人名称", "法定代表人"], days=30
        )
    pool = Pool(city.db, city.settings)
    try:
        if days_later == 1:
            page = read_rows(pool, NYNCJ, REQUESTED, RowQuery(limit=5))
            assert page.columns == ["行政相对人名称", "法定代表人"]
            names = [row[1] for row in page.rows if row[1] is not None]
            assert page.masked and names and all("*" in name for name in names)
        else:
            later = utcnow() + timedelta(days=days_later)
            with pytest.raises(PermissionDenied):
                _read_at(pool, later)
    finally:
        pool.close()


def _read_at(pool: Pool, moment: datetime) -> None:
    with mock.patch("cityhub.catalog.grants.utcnow", return_value=moment):
        read_rows(pool, NYNCJ, REQUESTED, RowQuery(limit=5))
