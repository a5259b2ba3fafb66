"""Targets: definitions checked field by field, who may read, define and record, every step
audited, and the 十百千 goal targets."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from cityhub.audit.models import AuditEvent
from cityhub.auth import Actor, Role
from cityhub.db import Database
from cityhub.errors import Conflict, InvalidInput, NotAuthenticated, NotFound, PermissionDenied
from cityhub.programme import targets
from cityhub.programme.targets import TargetSpec, progress_of
from cityhub.programme.tasks import city_today, ensure_tasks

ADMIN = Actor.system()
SLJ_STEWARD = Actor(None, "slj.steward", Role.STEWARD, "SLJ")
SLJ_ANALYST = Actor(None, "slj.analyst", Role.ANALYST, "SLJ")
NYNCJ_STEWARD = Actor(None, "nyncj.steward", Role.STEWARD, "NYNCJ")

SPEC = TargetSpec(
    code="SENSING-SITES",
    name_zh="水利感知站点",
    name_en="Water sensing sites",
    unit_zh="个",
    unit_en="sites",
    baseline=10.0,
    baseline_on=date(2020, 4, 7),
    target_value=200.0,
    deadline=date(2022, 12, 31),
    owner="SLJ",
    task_number=4,
)


@pytest.fixture
def loaded(db: Database) -> Database:
    with db.transaction() as session:
        ensure_tasks(session)
    return db


def actions(db: Database, object_id: str) -> list[str]:
    with db.reading() as session:
        return list(
            session.scalars(
                select(AuditEvent.action)
                .where(AuditEvent.object_id == object_id)
                .order_by(AuditEvent.id)
            )
        )


def test_create_read_update_and_audit(loaded: Database) -> None:
    created = targets.create_target(loaded, ADMIN, replace(SPEC, name_zh="  水利感知站点 "))
    assert created.name_zh == "水利感知站点" and created.task_number == 4
    assert created.values == () and created.latest is None and created.progress is None
    assert targets.get_target(loaded, SLJ_ANALYST, SPEC.code) == created
    assert [t.code for t in targets.list_targets(loaded, SLJ_ANALYST)] == [SPEC.code]

    changed = targets.update_target(loaded, ADMIN, SPEC.code, target_value=300.0, task_number=None)
    assert changed.target_value == 300.0 and changed.task_number is None
    assert changed.name_en == SPEC.name_en  # left out, left as it was
    assert actions(loaded, SPEC.code) == [
        "programme.target.create",
        "programme.target.read",
        "programme.target.update",
    ]
    with loaded.reading() as session:
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "programme.target.update")
        ).one()
    assert event.details["before"]["target_value"] == 200.0
    assert event.details["after"]["target_value"] == 300.0
    assert event.details["after"]["task_number"] is None


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"code": "sbq parks"}, "code"),
        ({"code": "X"}, "code"),
        ({"name_zh": " "}, "name_zh"),
        ({"unit_en": "u" * 41}, "unit_en"),
        ({"direction": "sideways"}, "direction"),
        ({"source": "guess"}, "source"),
        ({"path": "curved"}, "path"),
        ({"baseline": float("nan")}, "baseline"),
        ({"target_value": float("inf")}, "target_value"),
        ({"deadline": date(2020, 4, 7)}, "deadline"),  # not after the baseline date
        ({"target_value": 5.0}, "target_value"),  # below the baseline, direction up
        ({"target_value": 10.0}, "target_value"),  # equal to the baseline
        ({"direction": "down"}, "target_value"),  # above the baseline, direction down
        ({"source": "sql"}, "sql"),  # a computed target needs its query
        ({"source": "registry", "measure": "bridges"}, "measure"),
        ({"owner": "NOPE"}, "owner"),
        ({"task_number": 20}, "task_number"),
    ],
)
def test_invalid_definitions_name_the_field(
    loaded: Database, changes: dict[str, Any], field: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        targets.create_target(loaded, ADMIN, replace(SPEC, **changes))
    assert caught.value.details["field"] == field


def test_codes_are_unique_and_looked_up(loaded: Database) -> None:
    targets.create_target(loaded, ADMIN, SPEC)
    with pytest.raises(Conflict):
        targets.create_target(loaded, ADMIN, SPEC)
    with pytest.raises(NotFound):
        targets.get_target(loaded, ADMIN, "NO-SUCH")
    with pytest.raises(InvalidInput) as caught:
        targets.update_target(loaded, ADMIN, SPEC.code, values=())
    assert caught.value.details["field"] == "values"  # not a field of the definition


@pytest.mark.parametrize(
    ("actor", "error"),
    [
        (Actor.public(), NotAuthenticated),
        (SLJ_ANALYST, PermissionDenied),
        (SLJ_STEWARD, PermissionDenied),
    ],
)
def test_only_admins_define_targets(loaded: Database, actor: Actor, error: type[Exception]) -> None:
    with pytest.raises(error):
        targets.create_target(loaded, actor, SPEC)
    targets.create_target(loaded, ADMIN, SPEC)
    with pytest.raises(error):
        targets.update_target(loaded, actor, SPEC.code, target_value=250.0)


def test_public_cannot_read(loaded: Database) -> None:
    with pytest.raises(NotAuthenticated):
        targets.list_targets(loaded, Actor.public())


def record(
    db: Database, actor: Actor, code: str, source: str = "manual", on: date | None = None
) -> None:
    with db.transaction() as session:
        targets.record_value(session, actor, code, 20.0, on or date(2021, 1, 1), source)


def test_who_records_values(loaded: Database) -> None:
    targets.create_target(loaded, ADMIN, SPEC)  # owner SLJ
    dsjj = targets.create_target(loaded, ADMIN, replace(SPEC, code="DSJJ-KPI", owner="DSJJ"))
    record(loaded, SLJ_STEWARD, SPEC.code)  # own department
    record(loaded, ADMIN, dsjj.code)  # admins: any
    for actor in (SLJ_ANALYST, NYNCJ_STEWARD):
        with pytest.raises(PermissionDenied):
            record(loaded, actor, SPEC.code)
    with pytest.raises(PermissionDenied):  # DSJJ's target, typed in by SLJ
        record(loaded, SLJ_STEWARD, dsjj.code)
    record(loaded, SLJ_STEWARD, dsjj.code, "report")  # SLJ is a unit of task 4: with a report
    with pytest.raises(PermissionDenied):  # NYNCJ is not
        record(loaded, NYNCJ_STEWARD, dsjj.code, "report")
    series = targets.get_target(loaded, ADMIN, dsjj.code).values
    assert [(v.source, v.value) for v in series] == [("manual", 20.0), ("report", 20.0)]
    assert actions(loaded, SPEC.code).count("programme.target_value.record") == 1


@pytest.mark.parametrize(
    ("source", "on", "field"),
    [
        ("typed", date(2021, 1, 1), "source"),
        ("manual", date(2020, 4, 6), "measured_on"),  # before the baseline date
        ("manual", city_today() + timedelta(days=2), "measured_on"),  # in the future
    ],
)
def test_invalid_values(loaded: Database, source: str, on: date, field: str) -> None:
    targets.create_target(loaded, ADMIN, SPEC)
    with pytest.raises(InvalidInput) as caught:
        record(loaded, ADMIN, SPEC.code, source, on)
    assert caught.value.details["field"] == field


def test_series_latest_and_progress(loaded: Database) -> None:
    targets.create_target(loaded, ADMIN, SPEC)
    targets.add_value(loaded, SLJ_STEWARD, SPEC.code, 105.0, date(2021, 6, 30))
    view = targets.add_value(loaded, SLJ_STEWARD, SPEC.code, 48.0, date(2020, 12, 31))
    assert [v.measured_on for v in view.values] == [date(2020, 12, 31), date(2021, 6, 30)]
    assert view.latest == 105.0  # the newest measurement, not the newest entry
    assert view.progress == pytest.approx(0.5)
    assert view.values[0].source == "manual"


@pytest.mark.parametrize(
    ("baseline", "target", "latest", "progress"),
    [
        (0.0, 10.0, None, None),
        (0.0, 10.0, 5.0, 0.5),
        (0.0, 10.0, 12.0, 1.2),  # beyond the target
        (100.0, 20.0, 60.0, 0.5),  # downwards
        (100.0, 20.0, 110.0, -0.125),  # the wrong way
        (5.0, 5.0, 1.0, 1.0),  # no span: done
    ],
)
def test_progress_of(
    baseline: float, target: float, latest: float | None, progress: float | None
) -> None:
    assert progress_of(baseline, target, latest) == progress


def test_goal_targets(db: Database) -> None:
    with db.transaction() as session:
        assert targets.ensure_goal_targets(session) == 3  # before the tasks: unlinked
    with db.transaction() as session:
        assert targets.ensure_goal_targets(session) == 0
    views = {v.code: v for v in targets.list_targets(db, ADMIN)}
    assert set(views) == {"SBQ-PARKS", "SBQ-PROJECTS", "SBQ-TALENT"}
    parks = views["SBQ-PARKS"]
    assert (parks.baseline, parks.target_value, parks.deadline) == (0, 10, date(2022, 12, 31))
    assert (parks.owner, parks.source, parks.measure) == ("DSJJ", "registry", "parks")
    assert parks.baseline_on == date(2020, 4, 7) and parks.task_number is None
    assert views["SBQ-TALENT"].target_value == 1000 and views["SBQ-TALENT"].measure == "trained"


def test_goal_targets_link_their_tasks(loaded: Database) -> None:
    with loaded.transaction() as session:
        targets.ensure_goal_targets(session)
    numbers = {v.code: v.task_number for v in targets.list_targets(loaded, ADMIN)}
    assert numbers == {"SBQ-PARKS": 9, "SBQ-PROJECTS": 17, "SBQ-TALENT": 19}
