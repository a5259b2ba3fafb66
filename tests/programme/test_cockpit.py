"""The cockpit's parts as tables of cases; then the whole cockpit built over a real database."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from cityhub.audit.models import AuditEvent
from cityhub.auth import Actor, Role
from cityhub.config import Settings
from cityhub.db import Database
from cityhub.demo.city import credit_code
from cityhub.errors import NotAuthenticated
from cityhub.programme.cockpit import (
    COUNTIES,
    ProjectFact,
    WarningItem,
    breakdowns,
    build_cockpit,
    elapsed_share,
    target_item,
    unit_items,
)
from cityhub.programme.projects import (
    ProjectSpec,
    register_project,
    reject_project,
    screen_project,
    select_project,
)
from cityhub.programme.reports import submit_report
from cityhub.programme.target_specs import MeasuredValue, TargetSpec, TargetView
from cityhub.programme.targets import add_value, create_target, ensure_goal_targets
from cityhub.programme.tasks import ensure_tasks

START, DEADLINE = date(2020, 4, 7), date(2022, 12, 31)


@pytest.mark.parametrize(
    ("on", "share"),
    [
        (date(2020, 1, 1), 0.0),  # before the baseline
        (START, 0.0),
        (date(2021, 8, 20), 500 / 998),  # 998 days from the baseline to the deadline
        (DEADLINE, 1.0),
        (date(2023, 6, 30), 1.0),  # after the deadline: all the time has passed
    ],
)
def test_elapsed_share(on: date, share: float) -> None:
    assert elapsed_share(START, DEADLINE, on) == pytest.approx(share)


def test_a_deadline_on_the_start_counts_as_passed() -> None:
    assert elapsed_share(START, START, START) == 1.0


def _view(values: tuple[tuple[date, float], ...], baseline: float = 0.0) -> TargetView:
    return TargetView(
        code="T",
        name_zh="指标",
        name_en="Target",
        unit_zh="个",
        unit_en="items",
        baseline=baseline,
        baseline_on=START,
        target_value=100.0,
        deadline=DEADLINE,
        owner="SLJ",
        task_number=12,
        values=tuple(MeasuredValue(day, value, "manual") for day, value in values),
    )


@pytest.mark.parametrize(
    ("values", "flagged", "latest", "status"),
    [
        ((), False, None, "no_data"),
        (((date(2021, 1, 1), 40.0),), False, 40.0, "on_track"),
        (((date(2021, 1, 1), 40.0),), True, 40.0, "lagging"),
        (((date(2021, 1, 1), 100.0),), True, 100.0, "reached"),
        # A value measured after the cockpit's day is not known yet on that day.
        (((date(2021, 1, 1), 40.0), (date(2021, 9, 1), 90.0)), False, 40.0, "on_track"),
        (((date(2021, 9, 1), 90.0),), False, None, "no_data"),
    ],
)
def test_target_item_as_of_the_day(
    values: tuple[tuple[date, float], ...], flagged: bool, latest: float | None, status: str
) -> None:
    item = target_item(_view(values), date(2021, 6, 30), {"T"} if flagged else set())
    assert (item.latest, item.status) == (latest, status)
    assert item.owner_zh == "市水利局"
    assert item.expected == pytest.approx(elapsed_share(START, DEADLINE, date(2021, 6, 30)))
    if latest is not None:
        assert item.progress == pytest.approx(latest / 100)


def test_progress_counts_from_the_baseline() -> None:
    item = target_item(_view(((date(2021, 1, 1), 60.0),), baseline=20.0), date(2021, 6, 30), set())
    assert item.progress == pytest.approx(0.5)


def _warning(subject: str, key: str, department: str) -> WarningItem:
    return WarningItem("behind_path", subject, key, department, "", "", "", "", "", "", None)


def test_units_count_their_lagging_tasks() -> None:
    units_of = {1: ("DSJJ", "GXJ"), 2: ("GXJ",), 12: ("SLJ", "DSJJ")}
    found = [
        _warning("task", "12", "SLJ"),  # an overdue report of SLJ on task 12
        _warning("target", "WATER", "SLJ"),  # a target of task 12: the same task, once
        _warning("target", "LOOSE", "GXJ"),  # a target of no task: a warning, no lagging task
        _warning("task", "5", "ZJJ"),  # a unit not (or no longer) on task 5
    ]
    rows = {u.department: u for u in unit_items(units_of, found, {"WATER": 12, "LOOSE": None})}
    assert (rows["SLJ"].tasks, rows["SLJ"].on_track, rows["SLJ"].lagging) == (1, 0, 1)
    assert rows["SLJ"].warnings == 2
    assert (rows["GXJ"].tasks, rows["GXJ"].lagging, rows["GXJ"].warnings) == (2, 0, 1)
    assert (rows["DSJJ"].tasks, rows["DSJJ"].on_track, rows["DSJJ"].warnings) == (2, 2, 0)
    assert (rows["ZJJ"].tasks, rows["ZJJ"].lagging, rows["ZJJ"].warnings) == (0, 0, 1)
    ordered = [u.department for u in unit_items(units_of, found, {"WATER": 12})]
    assert ordered[0] == "SLJ"  # the most lagging first


@pytest.mark.parametrize(
    ("investment", "band"),
    [
        (0.0, "lt500"),
        (499.99, "lt500"),
        (500.0, "500-2000"),
        (1999.0, "500-2000"),
        (2000.0, "2000-10000"),
        (9999.99, "2000-10000"),
        (10000.0, "ge10000"),
        (250000.0, "ge10000"),
    ],
)
def test_investment_bands(investment: float, band: str) -> None:
    rows = breakdowns([ProjectFact("agri", "371502", investment, "selected")])["investment"]
    assert [b.key for b in rows if b.projects] == [band]


def test_breakdowns_leave_rejected_projects_out() -> None:
    facts = [
        ProjectFact("agri", "371502", 100.0, "selected"),
        ProjectFact("agri", "371502", 300.0, "submitted"),
        ProjectFact("services", "371581", 900.0, "rejected"),
    ]
    parts = breakdowns(facts)
    domain = {b.key: (b.projects, b.selected, b.investment) for b in parts["domain"]}
    assert domain == {
        "agri": (2, 1, 400.0),
        "manufacturing": (0, 0, 0.0),
        "services": (0, 0, 0.0),
        "industrialisation": (0, 0, 0.0),
    }
    county = {b.key: b.projects for b in parts["county"]}
    assert list(county) == [code for code, _, _ in COUNTIES]  # all 8, even when empty
    assert county["371502"] == 2 and county["371581"] == 0


# --- the whole cockpit over a real database -----------------------------------------------------

ON_DAY = date(2021, 6, 30)
SYSTEM = Actor.system()
WATER = TargetSpec(
    code="WATER-SENSORS",
    name_zh="水利感知站点",
    name_en="Water sensing stations",
    unit_zh="个",
    unit_en="stations",
    baseline=0.0,
    baseline_on=date(2020, 4, 7),
    target_value=200.0,
    deadline=date(2022, 12, 31),
    owner="SLJ",
    task_number=4,
)


# (domain, county, 万元, submitted on, [(decision, on)]): as of ON_DAY two are selected, one is
# screened (selected later), one submitted, one rejected, and one not yet submitted.
PROJECTS = [
    (
        "agri",
        "371502",
        800.0,
        date(2021, 1, 5),
        [("screen", date(2021, 2, 1)), ("select", date(2021, 3, 1))],
    ),
    (
        "manufacturing",
        "371581",
        12000.0,
        date(2021, 1, 9),
        [("screen", date(2021, 2, 1)), ("select", date(2021, 5, 1))],
    ),
    ("services", "371503", 1500.0, date(2021, 2, 2), []),
    ("industrialisation", "371525", 600.0, date(2021, 2, 3), [("reject", date(2021, 4, 1))]),
    (
        "agri",
        "371521",
        300.0,
        date(2021, 3, 3),
        [("screen", date(2021, 6, 1)), ("select", date(2021, 8, 1))],
    ),
    ("services", "371526", 900.0, date(2021, 9, 1), []),
]
SELECTED_BY_ON_DAY = 2
PROJECTS_KEPT = 4


def seed_projects(db: Database) -> None:
    rng = random.Random(7)
    for number, (domain, county, investment, submitted, steps) in enumerate(PROJECTS, 1):
        spec = ProjectSpec(
            name=f"数字化项目{number}",
            owner_code=credit_code(rng, county, "91"),
            owner_name=f"聊城企业{number}",
            county=county,
            domain=domain,
            kind="other",
            investment=investment,
            start_on=submitted,
            end_on=date(2022, 12, 31),
        )
        project = register_project(db, SYSTEM, spec, department="DSJJ", submitted_on=submitted)
        for verb, on in steps:
            if verb == "screen":
                screen_project(db, SYSTEM, project.id, on=on)
            elif verb == "select":
                select_project(db, SYSTEM, project.id, on=on)
            else:
                reject_project(db, SYSTEM, project.id, "不属于数字经济项目", on=on)


def seed_programme(db: Database, settings: Settings) -> None:
    """Tasks, the 十百千 targets, a lagging target of SLJ, projects, and one report."""
    with db.transaction() as session:
        ensure_tasks(session)
        ensure_goal_targets(session)
    create_target(db, SYSTEM, WATER)
    add_value(db, SYSTEM, WATER.code, 20.0, date(2021, 3, 31))  # 10 % where ~42 % is due
    add_value(db, SYSTEM, WATER.code, 150.0, date(2021, 12, 31))  # after ON_DAY: not yet known
    seed_projects(db)
    submit_report(
        db,
        SYSTEM,
        settings,
        4,
        "2021-Q1",
        "感知站点建设进展",
        {},
        [],
        department="SLJ",
        now=datetime(2021, 4, 8, 2, 0, tzinfo=UTC),
    )


ANALYST = Actor(None, "slj.analyst", Role.ANALYST, "SLJ")


def test_the_cockpit_over_the_registries_targets_warnings_and_reports(
    db: Database, settings: Settings
) -> None:
    seed_programme(db, settings)
    cockpit = build_cockpit(db, ANALYST, ON_DAY, 10)

    assert [g.code for g in cockpit.goals] == ["SBQ-PARKS", "SBQ-PROJECTS", "SBQ-TALENT"]
    goals = {g.code: g for g in cockpit.goals}
    assert goals["SBQ-PROJECTS"].value == SELECTED_BY_ON_DAY  # selected by then, from C's measure
    assert goals["SBQ-PROJECTS"].share == pytest.approx(SELECTED_BY_ON_DAY / 100)
    assert goals["SBQ-PROJECTS"].expected_share == pytest.approx(
        elapsed_share(date(2020, 4, 7), date(2022, 12, 31), ON_DAY)
    )

    # The goal's bullet shows the same count as its gauge: the registries' on that day.
    projects = next(t for t in cockpit.targets if t.code == "SBQ-PROJECTS")
    assert (projects.latest, projects.measured_on) == (SELECTED_BY_ON_DAY, ON_DAY)

    water = next(t for t in cockpit.targets if t.code == WATER.code)
    assert (water.latest, water.measured_on, water.status) == (20.0, date(2021, 3, 31), "lagging")
    behind = [w for w in cockpit.warnings if w.key == WATER.code]
    assert behind and behind[0].kind == "behind_path" and "20" in behind[0].reason_zh
    assert cockpit.warnings[0].subject == "target"  # target warnings lead the list

    # SLJ reported 2021-Q1 on task 4; 东昌府区, a co-responsible unit, did not.
    overdue = [w for w in cockpit.warnings if w.kind == "report_overdue"]
    assert any(w.department == "GOV-371502" and w.key == "4" for w in overdue)
    assert not any(w.department == "SLJ" and "2021-Q1" in w.reason_en for w in overdue)
    units = {u.department: u for u in cockpit.units}
    assert (units["SLJ"].tasks, units["SLJ"].lagging) == (1, 1)  # task 4, by its target

    assert [(r.task_number, r.department, r.period) for r in cockpit.recent_reports] == [
        (4, "SLJ", "2021-Q1")
    ]
    assert build_cockpit(db, ANALYST, date(2021, 4, 1), 10).recent_reports == ()

    by_county = {b.key: b.projects for b in cockpit.projects_by_county}
    assert sum(by_county.values()) == PROJECTS_KEPT
    assert sum(b.projects for b in cockpit.projects_by_domain) == PROJECTS_KEPT

    with db.reading() as session:
        actions = list(
            session.scalars(select(AuditEvent.action).where(AuditEvent.actor == "slj.analyst"))
        )
    assert actions.count("programme.cockpit.read") == 2


def test_the_cockpit_needs_programme_read(db: Database) -> None:
    with pytest.raises(NotAuthenticated):
        build_cockpit(db, Actor.public(), ON_DAY, 10)


def test_a_counted_target_shows_the_registries_count_on_the_day() -> None:
    item = target_item(_view(((date(2021, 1, 1), 40.0),)), date(2021, 6, 30), set(), 55.0)
    assert (item.latest, item.measured_on, item.progress) == (55.0, date(2021, 6, 30), 0.55)
