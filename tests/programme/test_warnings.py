"""Lagging warnings: the pure assessment of a target (tables and properties) and the listing
with overdue milestones and reports."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from cityhub.audit.models import AuditEvent
from cityhub.auth import Actor, Role
from cityhub.db import Database
from cityhub.errors import NotAuthenticated, PermissionDenied
from cityhub.programme import targets
from cityhub.programme.target_specs import MeasuredValue, TargetView
from cityhub.programme.tasks import ensure_tasks
from cityhub.programme.trend import (
    Path,
    fmt,
    least_squares,
    linear_expected,
    milestone_expected,
    path_points,
)
from cityhub.programme.warnings import KINDS, assess_target, list_warnings

START = date(2020, 1, 1)
END = date(2022, 1, 1)  # 731 days after START
MID = date(2021, 1, 1)  # 366 days: just past half-way


def target(
    values: Sequence[tuple[date, float]] = (),
    *,
    baseline: float = 0.0,
    target_value: float = 100.0,
    direction: str = "up",
    path: str = "linear",
    milestones: tuple[date, ...] = (),
) -> TargetView:
    series = tuple(MeasuredValue(d, v, "manual") for d, v in values)
    return TargetView(
        code="T-1",
        name_zh="测试指标",
        name_en="Test target",
        unit_zh="个",
        unit_en="items",
        baseline=baseline,
        baseline_on=START,
        target_value=target_value,
        deadline=END,
        owner="SLJ",
        direction=direction,
        path=path,
        values=series,
        latest=series[-1].value if series else None,
        milestone_dates=milestones,
    )


def kinds(view: TargetView, on: date) -> list[str]:
    return [w.kind for w in assess_target(view, on)]


# --- the paths ---------------------------------------------------------------------------------

UP = Path(0.0, START, 100.0, END, "up")


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        (date(2019, 6, 1), 0.0),  # before the baseline: nothing expected yet
        (START, 0.0),
        (MID, 100.0 * 366 / 731),
        (END, 100.0),  # on the deadline: the whole target
        (date(2023, 1, 1), 100.0),  # after it: still the target
    ],
)
def test_linear_expected(on: date, expected: float) -> None:
    assert linear_expected(UP, on) == pytest.approx(expected)


def test_linear_expected_with_identical_dates_is_a_step() -> None:
    step = Path(5.0, START, 10.0, START, "up")
    assert linear_expected(step, START - timedelta(days=1)) == 5.0
    assert linear_expected(step, START) == 10.0


@pytest.mark.parametrize(
    ("milestones", "on", "expected"),
    [
        ((), MID, 0.0),  # no milestones: one step, at the deadline
        ((), END, 100.0),
        ((MID,), MID - timedelta(days=1), 0.0),
        ((MID,), MID, 50.0),  # a milestone on its due date counts
        ((date(2020, 7, 1), MID), MID, 100.0 * 2 / 3),
        ((date(2019, 1, 1), date(2023, 1, 1)), MID, 0.0),  # outside the span: ignored
    ],
)
def test_milestone_expected(milestones: tuple[date, ...], on: date, expected: float) -> None:
    assert milestone_expected(UP, on, milestones) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("points", "slope_per_day"),
    [
        ([(START, 0.0), (MID, 1.0)], None),  # two points: no trend
        ([(START, 1.0), (START, 2.0), (START, 3.0)], None),  # one date: no slope
        ([(START, 0.0), (START + timedelta(1), 1.0), (START + timedelta(2), 2.0)], 1.0),
        ([(START, 5.0), (START + timedelta(10), 5.0), (START + timedelta(20), 5.0)], 0.0),
    ],
)
def test_least_squares(points: list[tuple[date, float]], slope_per_day: float | None) -> None:
    trend = least_squares(points)
    if slope_per_day is None:
        assert trend is None
    else:
        assert trend is not None and trend.slope == pytest.approx(slope_per_day, abs=1e-9)
        assert trend.at(points[0][0]) == pytest.approx(points[0][1], abs=1e-6)


@pytest.mark.parametrize(
    ("value", "text"), [(10.0, "10"), (12.345, "12.35"), (-0.5, "-0.5"), (0.004, "0")]
)
def test_fmt(value: float, text: str) -> None:
    assert fmt(value) == text


# --- assess_target: a table of cases ---------------------------------------------------------

Q = [date(2020, 4, 1), date(2020, 7, 1), date(2020, 10, 1)]


@pytest.mark.parametrize(
    ("view", "on", "expected"),
    [
        # before the baseline: nothing is expected, nothing measured
        (target(), date(2019, 12, 1), []),
        # no values a year in: counted from the baseline, behind
        (target(), MID, ["behind_path"]),
        # on the line, three values: no warning
        (target([(d, linear_expected(UP, d)) for d in Q]), Q[-1], []),
        # a single value, far behind: behind, no trend from one value
        (target([(Q[0], 1.0)]), MID, ["behind_path"]),
        # within the 5 % tolerance (expected 50.07 on MID; 46 is 4.07 behind)
        (target([(MID, 46.0)]), MID, []),
        # just past it
        (target([(MID, 44.9)]), MID, ["behind_path"]),
        # slow but steady: behind the line and the trend misses the deadline
        (target([(Q[0], 2.0), (Q[1], 4.0), (Q[2], 6.0)]), Q[2], ["behind_path", "trend_misses"]),
        # ahead of the line now, but flat: only the trend warns
        (target([(Q[0], 60.0), (Q[1], 60.0), (Q[2], 60.0)]), Q[2], ["trend_misses"]),
        # three values on one day, ahead: no slope, no trend warning
        (target([(Q[0], 30.0), (Q[0], 30.0), (Q[0], 30.0)]), Q[0], []),
        # on the deadline, not reached: behind (expected = target), not yet missed
        (target([(MID, 99.0), (END, 90.0)]), END, ["behind_path"]),
        # the day after: missed, and only that
        (target([(MID, 99.0), (END, 90.0)]), END + timedelta(days=1), ["missed"]),
        # reached on the deadline: nothing, ever after
        (target([(END, 100.0)]), END + timedelta(days=400), []),
        # a value measured after `on` is not known yet
        (target([(Q[0], 2.0), (date(2021, 6, 1), 100.0)]), MID, ["behind_path"]),
    ],
)
def test_assess_target(view: TargetView, on: date, expected: list[str]) -> None:
    assert kinds(view, on) == expected


@pytest.mark.parametrize(
    ("values", "on", "expected"),
    [
        ([(MID, 60.0)], MID, []),  # expected 59.9 on MID: 0.1 above, inside the tolerance
        ([(MID, 80.0)], MID, ["behind_path"]),  # less is better: 80 is behind
        ([(MID, 20.0)], date(2023, 1, 1), []),  # reached (at the target)
        ([(MID, 10.0)], date(2023, 1, 1), []),  # beyond it
        ([(MID, 30.0)], date(2023, 1, 1), ["missed"]),
        ([(Q[0], 95.0), (Q[1], 94.0), (Q[2], 93.0)], Q[2], ["behind_path", "trend_misses"]),
    ],
)
def test_assess_target_downwards(
    values: list[tuple[date, float]], on: date, expected: list[str]
) -> None:
    view = target(values, baseline=100.0, target_value=20.0, direction="down")
    assert kinds(view, on) == expected


def test_milestone_path_waits_for_the_milestones() -> None:
    view = target([(MID, 10.0)], path="milestones", milestones=(date(2021, 6, 1),))
    assert kinds(view, MID) == []  # the linear path would warn (expected 50)
    assert kinds(replace(view, path="linear"), MID) == ["behind_path"]
    assert kinds(view, date(2021, 6, 1)) == ["behind_path"]  # the first step (50) is due


def test_reasons_carry_the_numbers_in_both_languages() -> None:
    (behind,) = assess_target(target([(MID, 30.0)]), MID)
    assert behind.numbers["latest"] == 30.0
    assert behind.numbers["expected"] == pytest.approx(100.0 * 366 / 731)
    assert behind.numbers["tolerance"] == 5.0
    assert "应达到 50.07 个" in behind.reason_zh and "最新实测 30 个" in behind.reason_zh
    assert "落后 20.07 个" in behind.reason_zh and "容差 5 个" in behind.reason_zh
    assert "should be at 50.07 items by 2021-01-01" in behind.reason_en
    assert "20.07 items behind (tolerance 5 items)" in behind.reason_en
    assert (behind.subject, behind.key, behind.department) == ("target", "T-1", "SLJ")
    assert behind.title_zh == "测试指标" and behind.title_en == "Test target"

    (missed,) = assess_target(target([(MID, 30.0)]), END + timedelta(days=1))
    assert missed.since == END + timedelta(days=1)
    assert "差 70 个" in missed.reason_zh and "70 items short" in missed.reason_en

    trend = assess_target(target([(Q[0], 2.0), (Q[1], 4.0), (Q[2], 6.0)]), Q[2])[1]
    assert trend.numbers["points"] == 3.0
    assert 0 < float(trend.numbers["projected"]) < 100
    assert "最小二乘趋势" in trend.reason_zh and "least-squares trend" in trend.reason_en


# --- properties --------------------------------------------------------------------------------

days = st.integers(min_value=0, max_value=(END - START).days)
spans = st.floats(min_value=1.0, max_value=1e6, allow_nan=False)
bases = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)


@settings(max_examples=200, deadline=None)
@given(
    offsets=st.lists(days, min_size=1, max_size=12),
    baseline=bases,
    span=spans,
    up=st.booleans(),
)
def test_a_series_on_the_linear_path_never_warns(
    offsets: list[int], baseline: float, span: float, up: bool
) -> None:
    target_value = baseline + span if up else baseline - span
    line = Path(baseline, START, target_value, END, "up" if up else "down")
    dates = sorted(START + timedelta(days=o) for o in offsets)
    view = target(
        [(d, linear_expected(line, d)) for d in dates],
        baseline=baseline,
        target_value=target_value,
        direction=line.direction,
    )
    assert assess_target(view, dates[-1]) == []


@settings(max_examples=200, deadline=None)
@given(
    offsets=st.lists(st.integers(min_value=0, max_value=2000), min_size=1, max_size=8),
    beyond=st.floats(min_value=0, max_value=1e6, allow_nan=False),
    later=st.integers(min_value=0, max_value=3000),
    up=st.booleans(),
)
def test_a_target_already_reached_never_warns(
    offsets: list[int], beyond: float, later: int, up: bool
) -> None:
    direction = "up" if up else "down"
    dates = sorted(START + timedelta(days=o) for o in offsets)
    values = [(d, 0.0) for d in dates[:-1]] + [(dates[-1], 100.0 + beyond if up else -beyond)]
    view = target(values, baseline=50.0, target_value=100.0 if up else 0.0, direction=direction)
    assert assess_target(view, dates[-1] + timedelta(days=later)) == []


@settings(max_examples=100, deadline=None)
@given(
    values=st.lists(
        st.tuples(days, st.floats(min_value=-1e4, max_value=1e4, allow_nan=False)), max_size=8
    ),
    on=st.integers(min_value=-100, max_value=1200),
)
def test_down_mirrors_up(values: list[tuple[int, float]], on: int) -> None:
    """A 'down' target is the mirror image of an 'up' one: the same warnings."""
    series = sorted((START + timedelta(days=d), v) for d, v in values)
    up = target(series)
    down = target([(d, -v) for d, v in series], target_value=-100.0, direction="down")
    when = START + timedelta(days=on)
    assert kinds(up, when) == kinds(down, when)


@pytest.mark.parametrize(
    ("kind", "milestones", "points"),
    [
        ("linear", (MID,), [(START, 0.0), (END, 100.0)]),
        ("milestones", (), [(START, 0.0), (END, 0.0), (END, 100.0)]),
        (
            "milestones",
            (MID, date(2030, 1, 1)),
            [(START, 0.0), (MID, 0.0), (MID, 50.0), (END, 50.0), (END, 100.0)],
        ),
    ],
)
def test_path_points(
    kind: str, milestones: tuple[date, ...], points: list[tuple[date, float]]
) -> None:
    assert path_points(UP, kind, milestones) == points


# --- list_warnings: targets, milestones and reports from the database -------------------------


@pytest.fixture
def programme(db: Database) -> Database:
    """The policy's tasks, and a target of SLJ with one value far behind its path."""
    with db.transaction() as session:
        ensure_tasks(session)
    spec = targets.TargetSpec(
        code="SLJ-SITES",
        name_zh="水利感知站点",
        name_en="Water sensing sites",
        unit_zh="个",
        unit_en="sites",
        baseline=0.0,
        baseline_on=date(2020, 4, 7),
        target_value=100.0,
        deadline=date(2022, 12, 31),
        owner="SLJ",
        task_number=4,
    )
    targets.create_target(db, Actor.system(), spec)
    targets.add_value(db, Actor.system(), spec.code, 1.0, date(2020, 6, 1))
    return db


def test_list_warnings_gathers_every_kind(programme: Database) -> None:
    on = date(2021, 1, 5)
    found = list_warnings(programme, Actor.system(), on)
    by_kind = {w.kind for w in found}
    assert {"behind_path", "milestone_overdue", "report_overdue"} <= by_kind
    milestone = next(w for w in found if w.kind == "milestone_overdue")
    assert (milestone.subject, milestone.key, milestone.department) == ("task", "1", "JTYSJ")
    assert milestone.since == date(2021, 1, 1) and milestone.numbers["days_overdue"] == 5.0
    assert "已逾期 5 天" in milestone.reason_zh and "5 days overdue" in milestone.reason_en
    assert milestone.title_zh.startswith("任务1：") and milestone.title_en.startswith("Task 1: ")
    report = next(w for w in found if w.kind == "report_overdue" and w.department == "SLJ")
    assert report.key == "4" and "进度报告" in report.reason_zh and "report" in report.reason_en
    assert report.since is not None and report.since <= on
    # By department, then the fixed order of kinds.
    order = [(w.department, KINDS.index(w.kind)) for w in found]
    assert order == sorted(order)


def test_list_warnings_of_one_department(programme: Database) -> None:
    found = list_warnings(programme, Actor.system(), date(2021, 1, 5), department="SLJ")
    assert found and {w.department for w in found} == {"SLJ"}
    assert {w.kind for w in found} == {"behind_path", "report_overdue"}
    with programme.reading() as session:
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "programme.warning.read")
        ).one()
    assert event.details == {"on": "2021-01-05", "department": "SLJ", "count": len(found)}


def test_nothing_warns_on_the_policy_date(programme: Database) -> None:
    assert list_warnings(programme, Actor.system(), date(2020, 4, 7)) == []


@pytest.mark.parametrize(
    ("actor", "error"),
    [
        (Actor.public(), NotAuthenticated),
        (Actor(None, "r", Role.RECORDER, "SLJ"), PermissionDenied),
    ],
)
def test_reading_warnings_needs_programme_read(
    programme: Database, actor: Actor, error: type[Exception]
) -> None:
    with pytest.raises(error):
        list_warnings(programme, actor, date(2021, 1, 5))
