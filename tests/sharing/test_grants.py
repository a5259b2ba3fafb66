"""Grants with columns and an end: who is limited by them, and the cost of asking."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event

from cityhub import catalog
from cityhub.auth import Actor, Role
from cityhub.auth.models import Department
from cityhub.catalog import OpenType, ShareType
from cityhub.db import Database
from tests.sharing.conftest import ADMIN, ANALYST, STEWARD, catalogue


@contextmanager
def counted(db: Database) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def _grant(db: Database, name: str, columns: list[str] | None, ends: datetime | None) -> None:
    with db.transaction() as session:
        dataset = catalog.dataset_by_name(session, name)
        nyncj = session.query(Department).filter_by(code="NYNCJ").one()
        catalog.set_grant(session, ADMIN, dataset, nyncj, columns=columns, expires_at=ends)


def test_readable_sources_take_three_queries(db: Database) -> None:
    # datasets (with their columns, loaded by one more SELECT … IN), grants, newest versions:
    # the same statements whatever the size of the catalogue.
    catalogue(db, "first")
    with counted(db) as few:
        catalog.readable_sources(db, ANALYST)
    soon = datetime.now(UTC) + timedelta(days=1)
    past = datetime.now(UTC) - timedelta(days=1)
    for i, (columns, ends) in enumerate(
        [(["企业名称"], soon), (None, None), (["注册资本", "住所"], past), (None, soon)]
    ):
        catalogue(db, f"data-{i}")
        _grant(db, f"data-{i}", columns, ends)
    catalogue(db, "open-data", open_type=OpenType.OPEN)
    catalogue(db, "everyone", share_type=ShareType.UNCONDITIONAL)
    with counted(db) as statements:
        found = {s.dataset.name: s.columns for s in catalog.readable_sources(db, ANALYST)}
    assert len(statements) == len(few) == 4, statements
    assert found == {
        "data-0": frozenset({"企业名称"}),
        "data-1": None,
        "data-3": None,  # data-2's grant has ended
        "everyone": None,
        "open-data": None,
    }
    assert [d.name for d, _ in catalog.readable_versions(db, ANALYST)] == sorted(found)


@pytest.mark.parametrize(
    ("who", "share", "open_type", "granted", "expected"),
    [
        (ANALYST, ShareType.CONDITIONAL, OpenType.CLOSED, ("企业名称",), {"企业名称"}),
        (ANALYST, ShareType.CONDITIONAL, OpenType.CLOSED, None, None),  # a grant of all columns
        (ANALYST, ShareType.CONDITIONAL, OpenType.OPEN, ("企业名称",), None),  # open data: all
        (ANALYST, ShareType.UNCONDITIONAL, OpenType.CLOSED, ("企业名称",), None),
        (STEWARD, ShareType.CONDITIONAL, OpenType.CLOSED, ("企业名称",), None),  # the owner
        (Actor.public(), ShareType.CONDITIONAL, OpenType.OPEN, None, None),
    ],
)
def test_who_is_limited_by_a_grant(
    db: Database,
    who: Actor,
    share: ShareType,
    open_type: OpenType,
    granted: tuple[str, ...] | None,
    expected: set[str] | None,
) -> None:
    name = catalogue(db, share_type=share, open_type=open_type)
    dataset = catalog.get_dataset(db, ADMIN, name)
    found = catalog.readable_columns(who, dataset, granted)
    assert found == (None if expected is None else frozenset(expected))


def test_granted_to_ignores_ended_grants(db: Database) -> None:
    now = datetime(2026, 11, 27, tzinfo=UTC)
    catalogue(db, "aa")
    catalogue(db, "bb")
    _grant(db, "aa", None, now + timedelta(days=1))
    _grant(db, "bb", ["企业名称"], now - timedelta(seconds=1))
    with db.reading() as session:
        ids = {catalog.dataset_by_name(session, n).id: n for n in ("aa", "bb")}
        assert {ids[i] for i in catalog.granted_columns(session, "NYNCJ", now)} == {"aa"}
        earlier = catalog.granted_columns(session, "NYNCJ", now - timedelta(days=1))
        assert {ids[i]: c for i, c in earlier.items()} == {"aa": None, "bb": ("企业名称",)}
        assert catalog.granted_columns(session, None) == {}
    other = Actor(None, "x", Role.ANALYST, None)
    assert catalog.readable_sources(db, other) == []
