"""Figures per department: received, answered, pending, overdue, late, average working days."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from cityhub import sharing
from cityhub.auth import Actor
from cityhub.db import Database
from cityhub.errors import NotAuthenticated
from cityhub.sharing import DepartmentMetrics
from tests.sharing.conftest import (
    ADMIN,
    ANALYST,
    OTHER_STEWARD,
    OUTSIDER,
    OWNER_ANALYST,
    STEWARD,
    catalogue,
)

PURPOSE = "核对涉农市场主体登记信息"
FRIDAY = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)  # 10:00 in Liaocheng; due 2026-12-11
TUESDAY = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)  # two working days later
MONDAY_AFTER = datetime(2026, 12, 14, 1, 0, tzinfo=UTC)  # eleven working days: late
LATER = datetime(2026, 12, 20, 0, 0, tzinfo=UTC)


@pytest.fixture
def history(db: Database, listed: str) -> None:
    """Three requests to 市场监管局 (approved, refused late, withdrawn), one to 农业农村局."""
    first = sharing.request_access(db, ANALYST, listed, PURPOSE, 30, now=FRIDAY)
    sharing.approve(db, STEWARD, first.id, now=TUESDAY)
    second = sharing.request_access(db, OUTSIDER, listed, PURPOSE, 30, now=FRIDAY)
    sharing.refuse(db, STEWARD, second.id, "超出共享条件", now=MONDAY_AFTER)
    third = sharing.request_access(db, OTHER_STEWARD, listed, PURPOSE, 30, now=FRIDAY)
    sharing.withdraw(db, OTHER_STEWARD, third.id, now=TUESDAY)
    farms = catalogue(db, "farm-subsidies", department="NYNCJ", title="耕地地力保护补贴")
    sharing.request_access(db, STEWARD, farms, "核对补贴对象的市场主体登记状态", 60, now=FRIDAY)


def row(code: str, name: str, **figures: object) -> DepartmentMetrics:
    counts: dict[str, object] = dict.fromkeys(
        ("received", "approved", "refused", "withdrawn", "pending", "overdue", "late", "sent"), 0
    )
    values = counts | {"average_response_days": None} | figures
    return DepartmentMetrics(code, name, "", **values)  # type: ignore[arg-type]


def plain(found: list[DepartmentMetrics]) -> list[DepartmentMetrics]:
    """The figures without the English names, to keep the expected table short."""
    return [replace(m, name_en="") for m in found]


def test_admins_see_every_department(db: Database, history: None) -> None:
    assert plain(sharing.metrics(db, ADMIN, now=LATER)) == [
        row(
            "SCJGJ",
            "市市场监管局",
            received=3,
            approved=1,
            refused=1,
            withdrawn=1,
            late=1,
            average_response_days=6.5,  # (2 + 11) / 2 working days
            sent=1,
        ),
        row("NYNCJ", "市农业农村局", received=1, pending=1, overdue=1, sent=1),
        row("FGW", "市发展改革委", sent=1),
        row("SLJ", "市水利局", sent=1),
    ]


def test_others_see_their_own_department(db: Database, history: None) -> None:
    for who in (STEWARD, OWNER_ANALYST):
        assert [m.department for m in sharing.metrics(db, who, now=LATER)] == ["SCJGJ"]
    mine = sharing.metrics(db, ANALYST, now=FRIDAY)
    assert plain(mine) == [row("NYNCJ", "市农业农村局", received=1, pending=1, sent=1)]
    with pytest.raises(NotAuthenticated):
        sharing.metrics(db, Actor.public())


def test_a_department_without_requests_has_zeros(db: Database) -> None:
    assert plain(sharing.metrics(db, STEWARD)) == [row("SCJGJ", "市市场监管局")]
    assert sharing.metrics(db, ADMIN) == []
