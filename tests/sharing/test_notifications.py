"""Each side is told: owner stewards of new or withdrawn requests, the requester of answers."""

from __future__ import annotations

import pytest

from cityhub import sharing
from cityhub.auth import Actor
from cityhub.db import Database
from cityhub.errors import InvalidInput, NotAuthenticated, NotFound
from tests.sharing.conftest import (
    ADMIN,
    ANALYST,
    OWNER_ANALYST,
    REQUESTER_STEWARD,
    STEWARD,
)

PURPOSE = "核对涉农市场主体登记信息"


def kinds(db: Database, who: Actor, unread: bool = False) -> list[str]:
    return [n.kind for n in sharing.list_notifications(db, who, unread=unread)]


def test_the_other_side_is_told(db: Database, listed: str) -> None:
    first = sharing.request_access(db, ANALYST, listed, PURPOSE, 30)
    # The owner's stewards hear of it; the owner's analysts and the requester's side do not.
    assert kinds(db, STEWARD) == ["requested"]
    assert kinds(db, OWNER_ANALYST) == kinds(db, ANALYST) == kinds(db, ADMIN) == []
    notice = sharing.list_notifications(db, STEWARD)[0]
    assert notice.request_id == first.id
    assert (
        notice.params.items()
        >= {"title": "市场主体登记信息", "department_zh": "市农业农村局"}.items()
    )

    sharing.refuse(db, STEWARD, first.id, "申请用途与共享条件不符")
    assert kinds(db, ANALYST) == ["refused"]
    assert sharing.list_notifications(db, ANALYST)[0].params["reason"] == "申请用途与共享条件不符"
    assert kinds(db, REQUESTER_STEWARD) == []  # the decision goes to the person who asked

    second = sharing.request_access(db, REQUESTER_STEWARD, listed, PURPOSE, 30, ["企业名称"])
    sharing.approve(db, STEWARD, second.id)
    assert kinds(db, REQUESTER_STEWARD) == ["approved"]
    params = sharing.list_notifications(db, REQUESTER_STEWARD)[0].params
    assert params["columns"] == "企业名称" and len(params["until"]) == 10  # a day, 2026-12-27

    third = sharing.request_access(db, ANALYST, listed, PURPOSE + "(扩大范围)", 30)
    sharing.withdraw(db, ANALYST, third.id)
    assert kinds(db, STEWARD) == ["withdrawn", "requested", "requested", "requested"]


def test_reading_marks_once_for_the_department(db: Database, listed: str) -> None:
    sharing.request_access(db, ANALYST, listed, PURPOSE, 30)
    assert sharing.unread_count(db, STEWARD) == 1
    notice = sharing.list_notifications(db, STEWARD)[0]
    with pytest.raises(NotFound):
        sharing.mark_read(db, ANALYST, notice.id)  # not addressed to the analyst
    first = sharing.mark_read(db, STEWARD, notice.id)
    assert first.read_at is not None
    assert sharing.mark_read(db, STEWARD, notice.id).read_at == first.read_at
    assert sharing.unread_count(db, STEWARD) == 0
    assert kinds(db, STEWARD, unread=True) == [] and kinds(db, STEWARD) == ["requested"]


def test_notifications_need_a_login(db: Database) -> None:
    with pytest.raises(NotAuthenticated):
        sharing.list_notifications(db, Actor.public())
    assert sharing.unread_count(db, Actor.public()) == 0
    with pytest.raises(InvalidInput):
        sharing.list_notifications(db, STEWARD, limit=0)
