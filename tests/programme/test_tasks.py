"""The tasks service: loading from the policy, reading, admin edits, milestones, the audit trail."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from cityhub.audit.models import AuditEvent
from cityhub.auth import Actor, Role
from cityhub.db import Database
from cityhub.errors import Conflict, InvalidInput, NotAuthenticated, NotFound, PermissionDenied
from cityhub.programme import milestones, tasks
from cityhub.programme.policy import policy_tasks

ADMIN = Actor(1, "admin", Role.ADMIN, "DSJJ")
ANALYST = Actor(2, "slj.analyst", Role.ANALYST, "SLJ")
STEWARD = Actor(3, "slj.steward", Role.STEWARD, "SLJ")


@pytest.fixture
def loaded(db: Database) -> Database:
    with db.transaction() as session:
        assert tasks.ensure_tasks(session) == 19
    return db


def audit_rows(db: Database, action: str) -> list[AuditEvent]:
    with db.reading() as session:
        return list(
            session.scalars(
                select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
            )
        )


def test_ensure_tasks_is_idempotent(loaded: Database) -> None:
    with loaded.transaction() as session:
        assert tasks.ensure_tasks(session) == 0
    views = tasks.list_tasks(loaded, ANALYST)
    assert [v.number for v in views] == list(range(1, 20))
    assert sum(len(v.milestones) for v in views) == 6
    assert len(audit_rows(loaded, "programme.task.load")) == 1


def test_tasks_carry_the_policy_units_lead_first(loaded: Database) -> None:
    views = {v.number: v for v in tasks.list_tasks(loaded, ANALYST)}
    for spec in policy_tasks():
        assert views[spec.number].units == spec.unit_codes
        assert views[spec.number].lead == spec.unit_codes[0]
        assert views[spec.number].report_period == "quarterly"
        assert views[spec.number].reporting_from == date(2020, 4, 7)
    assert (views[1].lead_name_zh, views[1].lead_name_en) == (
        "市交通运输局",
        "Municipal Transport Bureau",
    )
    with loaded.reading() as session:
        assert tasks.task_units(session) == {s.number: s.unit_codes for s in policy_tasks()}


def test_policy_commitments_become_milestones_of_the_lead(loaded: Database) -> None:
    task = tasks.get_task(loaded, ANALYST, 1)
    assert [(m.due_on, m.origin, m.owner) for m in task.milestones] == [
        (date(2020, 12, 31), "policy", "JTYSJ"),
        (date(2020, 12, 31), "policy", "JTYSJ"),
        (date(2022, 12, 31), "policy", "JTYSJ"),
    ]
    assert task.milestones[0].title.startswith("基本普及中小型企业千兆宽带")
    tax = tasks.get_task(loaded, ANALYST, 18).milestones[0]
    assert (tax.start_on, tax.due_on) == (date(2019, 1, 1), date(2021, 12, 31))


def test_reads_are_audited_once_per_call(loaded: Database) -> None:
    tasks.list_tasks(loaded, ANALYST)
    tasks.get_task(loaded, STEWARD, 4)
    rows = audit_rows(loaded, "programme.task.read")
    assert [(r.actor, r.object_id) for r in rows] == [("slj.analyst", None), ("slj.steward", "4")]
    assert rows[0].details == {"count": 19}


@pytest.mark.parametrize(
    ("actor", "error"),
    [(Actor.public(), NotAuthenticated), (ANALYST, PermissionDenied), (STEWARD, PermissionDenied)],
)
def test_only_admins_edit(loaded: Database, actor: Actor, error: type[Exception]) -> None:
    with pytest.raises(error):
        tasks.update_task(loaded, actor, 1, title="x")
    with pytest.raises(error):
        milestones.add_milestone(loaded, actor, 1, "x", "JTYSJ", date(2021, 1, 1))
    if actor.role is Role.PUBLIC:
        with pytest.raises(NotAuthenticated):
            tasks.list_tasks(loaded, actor)
    else:
        assert len(tasks.list_tasks(loaded, actor)) == 19


def test_update_task_audits_before_and_after(loaded: Database) -> None:
    view = tasks.update_task(
        loaded, ADMIN, 5, title=" 创新发展智慧农业(修订) ", report_period="monthly", units=["SLJ"]
    )
    assert (view.title, view.report_period, view.lead, view.units) == (
        "创新发展智慧农业(修订)",
        "monthly",
        "NYNCJ",
        ("NYNCJ", "SLJ"),
    )
    (row,) = audit_rows(loaded, "programme.task.update")
    assert row.object_id == "5"
    assert row.details["before"]["title"] == "创新发展智慧农业"
    assert row.details["before"]["units"] == ["NYNCJ"]
    assert row.details["after"]["units"] == ["NYNCJ", "SLJ"]
    assert row.details["after"]["report_period"] == "monthly"


def test_changing_the_lead_keeps_it_first_and_a_unit(loaded: Database) -> None:
    view = tasks.update_task(loaded, ADMIN, 7, lead="NYNCJ")
    assert view.units == ("NYNCJ", "SWTCJ", "GXJ")
    assert (view.lead, view.lead_name_zh) == ("NYNCJ", "市农业农村局")
    view = tasks.update_task(loaded, ADMIN, 7, lead="DSJJ", units=["GXJ", "GXJ"])
    assert view.units == ("DSJJ", "GXJ")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"report_period": "weekly"}, "report_period"),
        ({"title": "  "}, "title"),
        ({"title": "长" * 201}, "title"),
        ({"lead": "NOPE"}, "lead"),
        ({"units": ["DSJJ", "NOPE"]}, "units"),
    ],
)
def test_invalid_task_changes(loaded: Database, changes: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        tasks.update_task(loaded, ADMIN, 3, **changes)
    assert caught.value.details["field"] == field
    assert tasks.get_task(loaded, ADMIN, 3).title == "优化数据资源供给"


@pytest.mark.parametrize("number", [0, 20])
def test_unknown_task(loaded: Database, number: int) -> None:
    with pytest.raises(NotFound):
        tasks.get_task(loaded, ADMIN, number)


def test_milestone_lifecycle_is_audited(loaded: Database) -> None:
    added = milestones.add_milestone(
        loaded, ADMIN, 9, "首批3个数字经济园区挂牌", "DSJJ", date(2021, 6, 30), clause="十百千"
    )
    assert (added.task_number, added.origin, added.owner, added.done_on) == (
        9,
        "admin",
        "DSJJ",
        None,
    )
    moved = milestones.update_milestone(
        loaded, ADMIN, added.id, owner="GXJ", due_on=date(2021, 9, 30)
    )
    assert (moved.owner, moved.due_on) == ("GXJ", date(2021, 9, 30))
    done = milestones.complete_milestone(loaded, ADMIN, added.id, date(2021, 9, 1))
    assert done.done_on == date(2021, 9, 1)
    reopened = milestones.update_milestone(loaded, ADMIN, added.id, reopen=True)
    assert reopened.done_on is None
    milestones.delete_milestone(loaded, ADMIN, added.id)
    assert tasks.get_task(loaded, ADMIN, 9).milestones == ()

    counts = {v: len(audit_rows(loaded, f"programme.milestone.{v}")) for v in ("update",)}
    assert counts == {"update": 2}
    (add,) = audit_rows(loaded, "programme.milestone.add")
    assert (
        add.details["before"] is None and add.details["after"]["title"] == "首批3个数字经济园区挂牌"
    )
    (complete,) = audit_rows(loaded, "programme.milestone.complete")
    assert complete.details["before"]["done_on"] is None
    assert complete.details["after"]["done_on"] == "2021-09-01"
    (removed,) = audit_rows(loaded, "programme.milestone.delete")
    assert removed.details["before"]["owner"] == "GXJ" and removed.details["after"] is None


def test_policy_milestones_keep_their_words_and_date(loaded: Database) -> None:
    water = tasks.get_task(loaded, ADMIN, 4).milestones[1]
    with pytest.raises(Conflict):
        milestones.update_milestone(loaded, ADMIN, water.id, due_on=date(2023, 12, 31))
    with pytest.raises(Conflict):
        milestones.update_milestone(loaded, ADMIN, water.id, title="别的")
    with pytest.raises(Conflict):
        milestones.delete_milestone(loaded, ADMIN, water.id)
    done = milestones.update_milestone(
        loaded, ADMIN, water.id, owner="SLJ", done_on=date(2022, 11, 30)
    )
    assert (done.owner, done.done_on, done.title) == ("SLJ", date(2022, 11, 30), water.title)


def test_milestone_errors(loaded: Database) -> None:
    with pytest.raises(NotFound):
        milestones.update_milestone(loaded, ADMIN, 9999, title="x")
    with pytest.raises(NotFound):
        milestones.add_milestone(loaded, ADMIN, 20, "x", "DSJJ", date(2021, 1, 1))
    with pytest.raises(InvalidInput) as caught:
        milestones.add_milestone(loaded, ADMIN, 2, "x", "NOPE", date(2021, 1, 1))
    assert caught.value.details["field"] == "owner"
    first = tasks.get_task(loaded, ADMIN, 1).milestones[0]
    with pytest.raises(InvalidInput) as caught:
        milestones.complete_milestone(
            loaded, ADMIN, first.id, tasks.city_today() + timedelta(days=1)
        )
    assert caught.value.details["field"] == "done_on"


@pytest.mark.parametrize(
    ("due", "done", "on", "status"),
    [
        (date(2020, 12, 31), None, date(2020, 12, 31), "open"),
        (date(2020, 12, 31), None, date(2021, 1, 1), "overdue"),
        (date(2020, 12, 31), date(2021, 3, 1), date(2021, 6, 1), "done"),
    ],
)
def test_milestone_status(due: date, done: date | None, on: date, status: str) -> None:
    view = tasks.MilestoneView(1, 1, "t", "DSJJ", due, done, "admin", None)
    assert view.status(on) == status


def test_overdue_milestones(loaded: Database) -> None:
    with loaded.reading() as session:
        late = tasks.overdue_milestones(session, date(2021, 1, 1))
    assert [(m.task_number, m.due_on) for m in late] == [
        (1, date(2020, 12, 31)),
        (1, date(2020, 12, 31)),
    ]
    milestones.complete_milestone(loaded, ADMIN, late[0].id, date(2020, 12, 20))
    with loaded.reading() as session:
        assert len(tasks.overdue_milestones(session, date(2022, 1, 1))) == 3
