"""Grants end at their moment, checked at read time; the issue's scenario from request to expiry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from cityhub import audit, catalog, sharing
from cityhub.auth import Actor
from cityhub.catalog import grants
from cityhub.db import Database
from cityhub.errors import InvalidInput, PermissionDenied, QueryRefused
from cityhub.pool.service import Pool, read_rows, run_sql
from cityhub.query.rows import RowQuery
from cityhub.sharing import RequestStatus
from tests.sharing.conftest import ADMIN, ANALYST, STEWARD


def at(monkeypatch: pytest.MonkeyPatch, moment: datetime) -> None:
    """Freeze the clock of the grant checks (the only clock a read consults)."""
    monkeypatch.setattr(grants, "utcnow", lambda: moment)


def test_the_scenario_of_the_issue(
    db: Database, pool: Pool, entities: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An analyst of 市农业农村局 requests a 有条件共享 dataset of 市市场监管局, the steward
    approves two columns for 30 days, the analyst reads exactly those (masked), and after 31
    days the grant has expired and reading is refused.
    """
    start = datetime.now(UTC)
    with pytest.raises(PermissionDenied):
        read_rows(pool, ANALYST, entities, RowQuery())

    request = sharing.request_access(
        db, ANALYST, entities, "涉农企业监管:核对农业经营主体的登记信息", 30, now=start
    )
    assert [n.kind for n in sharing.list_notifications(db, STEWARD)] == ["requested"]
    done = sharing.approve(db, STEWARD, request.id, ["企业名称", "法定代表人"], 30, now=start)
    assert done.status is RequestStatus.APPROVED
    assert [n.kind for n in sharing.list_notifications(db, ANALYST)] == ["approved"]

    page = read_rows(pool, ANALYST, entities, RowQuery())
    assert page.columns == ["企业名称", "法定代表人"]
    assert page.rows == [("聊城市东昌府区绿野农业有限公司", "张**"), ("冠县鸭梨合作社", "李*")]
    assert page.masked

    at(monkeypatch, start + timedelta(days=29, hours=23))
    assert read_rows(pool, ANALYST, entities, RowQuery()).total == 2

    later = start + timedelta(days=31)
    at(monkeypatch, later)
    with pytest.raises(PermissionDenied):
        read_rows(pool, ANALYST, entities, RowQuery())
    with pytest.raises(QueryRefused):
        run_sql(pool, ANALYST, 'SELECT * FROM "market-entities"')
    assert sharing.get_request(db, ANALYST, request.id, now=later).status is RequestStatus.EXPIRED
    refused = audit.list_events(
        db, Actor.system(), audit.AuditFilter(action="dataset.read", outcome=audit.Outcome.DENIED)
    ).events
    assert [e.actor for e in refused] == ["nyncj.analyst", "nyncj.analyst"]


def test_expiry_is_exact(db: Database, listed: str) -> None:
    start = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)
    request = sharing.request_access(db, ANALYST, listed, "核对涉农市场主体登记信息", 1, now=start)
    sharing.approve(db, STEWARD, request.id, now=start)
    dataset_id = catalog.get_dataset(db, ADMIN, listed).id
    end = start + timedelta(days=1)
    with db.reading() as session:
        assert catalog.granted_departments(session, dataset_id, end - timedelta(seconds=1)) == {
            "NYNCJ"
        }
        assert catalog.granted_departments(session, dataset_id, end) == frozenset()
        assert catalog.granted_columns(session, "NYNCJ", end) == {}
        assert grants.granted_to(session, "NYNCJ", end - timedelta(seconds=1)) == {dataset_id}
    statuses = [
        sharing.get_request(db, ANALYST, request.id, now=m).status
        for m in (end - timedelta(seconds=1), end)
    ]
    assert statuses == [RequestStatus.APPROVED, RequestStatus.EXPIRED]


def test_an_expired_grant_may_be_requested_again(db: Database, listed: str) -> None:
    start = datetime.now(UTC) - timedelta(days=3)
    request = sharing.request_access(db, ANALYST, listed, "核对涉农市场主体登记信息", 1, now=start)
    sharing.approve(db, STEWARD, request.id, now=start)
    again = sharing.request_access(db, ANALYST, listed, "继续核对涉农市场主体登记信息", 30)
    assert again.status is RequestStatus.PENDING
    sharing.approve(db, STEWARD, again.id)
    with db.reading() as session:
        held = catalog.grant_of(session, catalog.get_dataset(db, ADMIN, listed).id, "NYNCJ")
        assert held is not None and held.request_id == again.id


def test_direct_grants_may_end_too(
    db: Database, pool: Pool, entities: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    ends = datetime.now(UTC) + timedelta(days=7)
    catalog.grant(db, ADMIN, entities, "NYNCJ", "专项检查", expires_at=ends)
    assert read_rows(pool, ANALYST, entities, RowQuery()).limited is False  # every column
    at(monkeypatch, ends)
    with pytest.raises(PermissionDenied):
        read_rows(pool, ANALYST, entities, RowQuery())
    with pytest.raises(InvalidInput, match="future"):
        catalog.grant(db, ADMIN, entities, "NYNCJ", expires_at=datetime.now(UTC) - timedelta(1))


def test_a_direct_grant_replaces_a_limited_one(db: Database, pool: Pool, entities: str) -> None:
    request = sharing.request_access(
        db, ANALYST, entities, "核对涉农市场主体登记信息", 30, ["企业名称"]
    )
    sharing.approve(db, STEWARD, request.id)
    assert read_rows(pool, ANALYST, entities, RowQuery()).columns == ["企业名称"]
    catalog.grant(db, ADMIN, entities, "NYNCJ")
    assert len(read_rows(pool, ANALYST, entities, RowQuery()).columns) == 6
    catalog.grant(db, ADMIN, entities, "NYNCJ")  # granting again changes nothing
    grants_made = audit.list_events(db, Actor.system(), audit.AuditFilter(action="grant.create"))
    assert len(grants_made.events) == 1
