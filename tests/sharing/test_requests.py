"""The request → approval workflow: who may do what in which state, and what each step checks."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest

from cityhub import audit, catalog, sharing
from cityhub.auth import Actor
from cityhub.catalog import OpenType, ShareType
from cityhub.db import Database
from cityhub.errors import (
    CityhubError,
    Conflict,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
)
from cityhub.sharing import RequestStatus
from tests.sharing.conftest import (
    ADMIN,
    ANALYST,
    OTHER_STEWARD,
    OUTSIDER,
    OWNER_ANALYST,
    REQUESTER_STEWARD,
    STEWARD,
    catalogue,
)

PURPOSE = "核对涉农市场主体的登记信息"
NOW = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)  # a Friday morning in Liaocheng


def ask(db: Database, dataset: str, **kwargs: object) -> sharing.RequestView:
    values: dict[str, object] = {"purpose": PURPOSE, "days": 30, "now": NOW} | kwargs
    return sharing.request_access(db, ANALYST, dataset, **values)  # type: ignore[arg-type]


def in_state(db: Database, dataset: str, state: RequestStatus) -> tuple[int, datetime]:
    """A request of 市农业农村局 in ``state``, and a moment at which it is in that state."""
    request = ask(db, dataset, days=1)
    if state is RequestStatus.APPROVED:
        sharing.approve(db, STEWARD, request.id, now=NOW)
    elif state is RequestStatus.EXPIRED:
        sharing.approve(db, STEWARD, request.id, now=NOW)
        return request.id, NOW + timedelta(days=2)
    elif state is RequestStatus.REFUSED:
        sharing.refuse(db, STEWARD, request.id, "与申请用途无关", now=NOW)
    elif state is RequestStatus.WITHDRAWN:
        sharing.withdraw(db, ANALYST, request.id, now=NOW)
    return request.id, NOW + timedelta(hours=1)


ACTIONS: dict[str, Callable[[Database, int, datetime], sharing.RequestView]] = {
    "approve": lambda db, rid, now: sharing.approve(db, STEWARD, rid, now=now),
    "refuse": lambda db, rid, now: sharing.refuse(db, STEWARD, rid, "理由充分", now=now),
    "withdraw": lambda db, rid, now: sharing.withdraw(db, ANALYST, rid, now=now),
}
AFTER = {"approve": "approved", "refuse": "refused", "withdraw": "withdrawn"}


@pytest.mark.parametrize("state", list(RequestStatus))
@pytest.mark.parametrize("action", list(ACTIONS))
def test_only_pending_requests_change(
    db: Database, listed: str, state: RequestStatus, action: str
) -> None:
    request_id, moment = in_state(db, listed, state)
    assert sharing.get_request(db, ADMIN, request_id, now=moment).status is state
    if state is RequestStatus.PENDING:
        assert ACTIONS[action](db, request_id, moment).status.value == AFTER[action]
        return
    with pytest.raises(Conflict) as caught:
        ACTIONS[action](db, request_id, moment)
    assert caught.value.details == {"request": request_id, "status": state.value}


PUBLIC = Actor.public()
# Who may decide, withdraw or read a pending request of 市农业农村局 for 市场监管局's dataset.
WHO: list[tuple[str, Actor, type[CityhubError] | None]] = [
    ("approve", STEWARD, None),
    ("approve", ADMIN, None),
    ("approve", OWNER_ANALYST, PermissionDenied),  # owner department, but not a steward
    ("approve", REQUESTER_STEWARD, PermissionDenied),  # a steward, of the wrong side
    ("approve", ANALYST, PermissionDenied),
    ("approve", OTHER_STEWARD, NotFound),  # a third department does not see the request
    ("approve", OUTSIDER, PermissionDenied),
    ("approve", PUBLIC, NotAuthenticated),
    ("refuse", STEWARD, None),
    ("refuse", ADMIN, None),
    ("refuse", OWNER_ANALYST, PermissionDenied),
    ("refuse", REQUESTER_STEWARD, PermissionDenied),
    ("refuse", OTHER_STEWARD, NotFound),
    ("refuse", PUBLIC, NotAuthenticated),
    ("withdraw", ANALYST, None),
    ("withdraw", REQUESTER_STEWARD, None),  # anyone of the requesting department
    ("withdraw", STEWARD, PermissionDenied),
    ("withdraw", ADMIN, PermissionDenied),  # admins decide, they do not withdraw for others
    ("withdraw", OUTSIDER, NotFound),
    ("withdraw", PUBLIC, NotAuthenticated),
    ("read", ANALYST, None),
    ("read", REQUESTER_STEWARD, None),
    ("read", STEWARD, None),
    ("read", OWNER_ANALYST, None),
    ("read", ADMIN, None),
    ("read", OUTSIDER, NotFound),
    ("read", OTHER_STEWARD, NotFound),
    ("read", PUBLIC, NotAuthenticated),
]


def _do(db: Database, action: str, who: Actor, request_id: int) -> sharing.RequestView:
    if action == "approve":
        return sharing.approve(db, who, request_id)
    if action == "refuse":
        return sharing.refuse(db, who, request_id, "不符合共享条件")
    if action == "withdraw":
        return sharing.withdraw(db, who, request_id)
    return sharing.get_request(db, who, request_id)


@pytest.mark.parametrize(("action", "who", "error"), WHO, ids=lambda v: getattr(v, "username", v))
def test_who_may_do_what(
    db: Database, listed: str, action: str, who: Actor, error: type[CityhubError] | None
) -> None:
    request_id = ask(db, listed, now=None).id
    if error is None:
        assert _do(db, action, who, request_id).id == request_id
    else:
        with pytest.raises(error):
            _do(db, action, who, request_id)
        assert sharing.get_request(db, ADMIN, request_id).status is RequestStatus.PENDING


def _spec(**changes: object) -> dict[str, object]:
    return {"share_type": ShareType.CONDITIONAL} | changes


@pytest.mark.parametrize(
    ("changes", "error", "field"),
    [
        ({"purpose": "看看"}, InvalidInput, "purpose"),
        ({"purpose": "          核对登记 "}, InvalidInput, "purpose"),  # spaces do not count
        ({"days": 0}, InvalidInput, "days"),
        ({"days": 366}, InvalidInput, "days"),
        ({"columns": ["企业名称", "注册地址"]}, InvalidInput, "columns"),
        ({"columns": []}, InvalidInput, "columns"),
    ],
)
def test_requests_are_checked(
    db: Database, listed: str, changes: dict[str, object], error: type[Exception], field: str
) -> None:
    with pytest.raises(error) as caught:
        ask(db, listed, **changes)
    assert caught.value.details["field"] == field  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("spec", "error", "words"),
    [
        ({"share_type": ShareType.UNCONDITIONAL}, InvalidInput, "无条件共享"),
        ({"share_type": ShareType.NONE}, InvalidInput, "不予共享"),
        (_spec(open_type=OpenType.OPEN), Conflict, "无条件开放"),
    ],
)
def test_only_conditional_data_is_requested(
    db: Database, spec: dict[str, object], error: type[Exception], words: str
) -> None:
    name = catalogue(db, "other-data", **spec)
    with pytest.raises(error, match=words):
        ask(db, name)


def test_the_owner_and_the_public_cannot_request(db: Database, listed: str) -> None:
    with pytest.raises(Conflict, match="owns it"):
        sharing.request_access(db, STEWARD, listed, PURPOSE, 30)
    with pytest.raises(NotAuthenticated):
        sharing.request_access(db, PUBLIC, listed, PURPOSE, 30)
    with pytest.raises(PermissionDenied, match="department"):
        sharing.request_access(db, Actor.system(), listed, PURPOSE, 30)


def test_one_pending_request_per_department(db: Database, listed: str) -> None:
    first = ask(db, listed)
    with pytest.raises(Conflict) as caught:
        sharing.request_access(db, REQUESTER_STEWARD, listed, PURPOSE, 10)
    assert caught.value.details["request"] == first.id
    # Another department may ask at the same time; after a withdrawal, the first may ask again.
    sharing.request_access(db, OUTSIDER, listed, PURPOSE, 10)
    sharing.withdraw(db, ANALYST, first.id)
    assert ask(db, listed).status is RequestStatus.PENDING


def test_more_columns_may_be_asked_for_but_not_the_same(db: Database, listed: str) -> None:
    first = ask(db, listed, columns=["企业名称"])
    sharing.approve(db, STEWARD, first.id)
    with pytest.raises(Conflict, match="holds a grant"):
        ask(db, listed, columns=["企业名称"])
    wider = ask(db, listed, columns=["企业名称", "注册资本"])
    assert wider.status is RequestStatus.PENDING


def test_approval_defaults_to_the_request_and_narrows(db: Database, listed: str) -> None:
    request = ask(db, listed, columns=["企业名称", "法定代表人", "注册资本"], days=60)
    done = sharing.approve(db, STEWARD, request.id, ["注册资本", "企业名称"], 30, now=NOW)
    # Columns come back in the dataset's order; the period ends exactly 30 days on.
    assert done.approved_columns == ["企业名称", "注册资本"]
    assert done.grant_expires_at == NOW + timedelta(days=30)
    assert (done.decided_by, done.decided_at) == ("scjgj.steward", NOW)
    dataset_id = catalog.get_dataset(db, ADMIN, listed).id
    with db.reading() as session:
        held = catalog.grant_of(session, dataset_id, "NYNCJ")
        assert held is not None
        assert (held.columns, held.request_id) == (["企业名称", "注册资本"], request.id)

    other = sharing.request_access(db, OUTSIDER, listed, PURPOSE, 20, now=NOW)
    same = sharing.approve(db, STEWARD, other.id, now=NOW)
    assert same.approved_columns is None and same.grant_expires_at == NOW + timedelta(days=20)


@pytest.mark.parametrize(
    ("who", "columns", "days", "field"),
    [
        (STEWARD, ["企业名称", "不存在"], None, "columns"),
        (STEWARD, [], None, "columns"),
        (STEWARD, None, 31, "days"),  # more than asked for
        (STEWARD, None, 0, "days"),
        (ADMIN, None, 366, "days"),
    ],
)
def test_approvals_are_checked(
    db: Database, listed: str, who: Actor, columns: list[str] | None, days: int, field: str
) -> None:
    request = ask(db, listed)
    with pytest.raises(InvalidInput) as caught:
        sharing.approve(db, who, request.id, columns, days)
    assert caught.value.details["field"] == field
    assert sharing.get_request(db, ADMIN, request.id).status is RequestStatus.PENDING


def test_admins_may_grant_longer_than_asked(db: Database, listed: str) -> None:
    request = ask(db, listed, days=30)
    assert sharing.approve(db, ADMIN, request.id, days=90, now=NOW).grant_expires_at == NOW + (
        timedelta(days=90)
    )


def test_a_refusal_needs_a_reason(db: Database, listed: str) -> None:
    request = ask(db, listed)
    with pytest.raises(InvalidInput, match="reason"):
        sharing.refuse(db, STEWARD, request.id, "   ")
    assert sharing.refuse(db, STEWARD, request.id, " 超出共享条件 ").reason == "超出共享条件"


def test_data_no_longer_conditional_cannot_be_granted(db: Database, listed: str) -> None:
    request = ask(db, listed)
    catalog.update_dataset(
        db, Actor.system(), listed, catalog.DatasetPatch(share_type=ShareType.NONE)
    )
    with pytest.raises(Conflict, match="no longer"):
        sharing.approve(db, STEWARD, request.id)


def test_the_deadline_counts_working_days(db: Database, listed: str) -> None:
    request = ask(db, listed, now=NOW, response_days=10)
    # Friday 2026-11-27 → the tenth working day is Friday 2026-12-11, due by its midnight.
    assert request.due_at == datetime(2026, 12, 11, 16, 0, tzinfo=UTC)
    assert request.due_day == date(2026, 12, 11)
    short = sharing.request_access(db, OUTSIDER, listed, PURPOSE, 5, now=NOW, response_days=1)
    assert short.due_at == datetime(2026, 11, 30, 16, 0, tzinfo=UTC)  # Monday


def test_boxes(db: Database, listed: str) -> None:
    mine = ask(db, listed)
    theirs = sharing.request_access(db, OUTSIDER, listed, PURPOSE, 10)
    assert [r.id for r in sharing.list_requests(db, STEWARD, "inbox")] == [theirs.id, mine.id]
    assert [r.id for r in sharing.list_requests(db, OWNER_ANALYST, "inbox")] == [theirs.id, mine.id]
    assert [r.id for r in sharing.list_requests(db, REQUESTER_STEWARD, "outbox")] == [mine.id]
    assert sharing.list_requests(db, ANALYST, "inbox") == []
    assert len(sharing.list_requests(db, ADMIN, "all")) == 2
    with pytest.raises(PermissionDenied):
        sharing.list_requests(db, STEWARD, "all")
    with pytest.raises(InvalidInput):
        sharing.list_requests(db, STEWARD, "everything")
    with pytest.raises(NotAuthenticated):
        sharing.list_requests(db, PUBLIC, "inbox")


def test_overdue_requests(db: Database, listed: str) -> None:
    request = ask(db, listed, now=NOW)
    assert sharing.overdue(db, ADMIN, now=request.due_at) == []
    late = request.due_at + timedelta(seconds=1)
    assert [r.id for r in sharing.overdue(db, ADMIN, now=late)] == [request.id]
    assert sharing.get_request(db, STEWARD, request.id, now=late).overdue
    with pytest.raises(PermissionDenied):
        sharing.overdue(db, STEWARD)
    sharing.approve(db, STEWARD, request.id, now=late)  # late, but still allowed
    assert sharing.overdue(db, ADMIN, now=late) == []


def test_every_change_is_audited(db: Database, listed: str) -> None:
    first = ask(db, listed)
    sharing.approve(db, STEWARD, first.id, ["企业名称"], 10)
    second = sharing.request_access(db, OUTSIDER, listed, PURPOSE, 10)
    sharing.refuse(db, STEWARD, second.id, "无关")
    third = sharing.request_access(db, OTHER_STEWARD, listed, PURPOSE, 10)
    sharing.withdraw(db, OTHER_STEWARD, third.id)
    with pytest.raises(PermissionDenied):
        sharing.approve(db, OWNER_ANALYST, third.id)
    events = audit.list_events(db, Actor.system(), audit.AuditFilter(action="sharing.")).events
    seen = [(e.action, e.actor, e.outcome, e.details.get("request")) for e in reversed(events)]
    assert seen == [
        ("sharing.request", "nyncj.analyst", "success", first.id),
        ("sharing.approve", "scjgj.steward", "success", first.id),
        ("sharing.request", "fgw.analyst", "success", second.id),
        ("sharing.refuse", "scjgj.steward", "success", second.id),
        ("sharing.request", "slj.steward", "success", third.id),
        ("sharing.withdraw", "slj.steward", "success", third.id),
        ("sharing.approve", "scjgj.analyst", "denied", None),
    ]
    approval = next(e for e in events if e.action == "sharing.approve" and e.outcome == "success")
    assert approval.object_id == listed
    assert approval.details["columns"] == ["企业名称"] and approval.details["department"] == "NYNCJ"
