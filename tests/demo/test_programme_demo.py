"""The programme office's demo data: seeded twice into a fresh database, read back.

Seeded once for the module (it takes a while): the legal-entity base database first (the
incentive checks look enterprises up there), then ``seed_programme`` twice as of a fixed day,
so that the data and the warnings do not depend on when the tests run.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

import cityhub.models  # noqa: F401  (every table registers with Base)
from cityhub import auth
from cityhub.catalog import templates
from cityhub.config import Settings
from cityhub.db import Database, upgrade
from cityhub.db.base import Base
from cityhub.demo.basedb import BASE_DATASETS
from cityhub.demo.programme import ProgrammeSeedReport, seed_programme
from cityhub.demo.programme_facts import declarations, showcase
from cityhub.demo.programme_parks import parks
from cityhub.demo.programme_projects import SELECTED_BY_DEADLINE, library
from cityhub.demo.programme_reporting import MISSING
from cityhub.demo.programme_targets import (
    FOLLOW_ON_START,
    follow_on,
    follow_on_figures,
    quarter_ends,
)
from cityhub.demo.programme_towns import coverage
from cityhub.demo.programme_training import certified_people, events, talent
from cityhub.errors import InvalidInput
from cityhub.pool.ingest import ingest
from cityhub.pool.service import Pool
from cityhub.programme import incentives
from cityhub.programme.incentives.rules import TAX_HALVING
from cityhub.programme.measures import measure
from cityhub.programme.models_reports import ProgrammeReport
from cityhub.programme.parks import list_parks
from cityhub.programme.projects import list_projects
from cityhub.programme.reports import list_reports
from cityhub.programme.targets import get_target
from cityhub.programme.tasks import list_tasks
from cityhub.programme.warnings import list_warnings
from cityhub.registry.credit_code import validate_credit_code
from cityhub.registry.id_card import validate_id_card
from tests.conftest import ADMIN_PASSWORD, ON_POSTGRES, postgres_schema_url

TODAY = date(2026, 11, 28)  # a fixed "today": the follow-on targets run to 2027-12-31
SYSTEM = auth.Actor.system()
ANALYST = auth.Actor(None, "dsjj.analyst", auth.Role.ANALYST, "DSJJ")
GOAL_DEADLINE = date(2022, 12, 31)


@dataclass(frozen=True)
class Seeded:
    db: Database
    settings: Settings
    pool: Pool
    first: ProgrammeSeedReport
    second: ProgrammeSeedReport
    counts_after_first: dict[str, int]
    counts_after_second: dict[str, int]


def _programme_counts(db: Database) -> dict[str, int]:
    """Rows of every programme table."""
    with db.reading() as session:
        return {
            name: session.scalar(select(func.count()).select_from(table)) or 0
            for name, table in Base.metadata.tables.items()
            if name.startswith("programme_")
        }


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seeded]:
    folder = tmp_path_factory.mktemp("programme")
    urls = postgres_schema_url() if ON_POSTGRES else iter([f"sqlite:///{folder / 'city.db'}"])
    settings = Settings(
        data_dir=folder,
        database_url=next(urls),
        secret_key="test-secret-key",
        admin_password=ADMIN_PASSWORD,
    )
    db = Database(settings.database_url_effective)
    upgrade(db)
    auth.bootstrap(db, admin_password=ADMIN_PASSWORD)
    pool = Pool(db, settings)
    _legal_entities(db, pool, folder)
    first = seed_programme(db, settings, pool, TODAY)
    after_first = _programme_counts(db)
    second = seed_programme(db, settings, pool, TODAY)
    yield Seeded(db, settings, pool, first, second, after_first, _programme_counts(db))
    pool.close()
    db.dispose()
    for _ in urls:  # drops the PostgreSQL schema
        pass


def _legal_entities(db: Database, pool: Pool, folder: Path) -> None:
    demo = next(d for d in BASE_DATASETS if d.name == "legal-entities")
    templates.create_from_template(
        db, SYSTEM, demo.template, demo.name, demo.department, **demo.overrides
    )
    path = demo.make_source(folder)
    ingest(db, SYSTEM, pool.warehouse, dataset=demo.name, path=path, file_name=path.name)


def test_a_second_run_adds_nothing(seeded: Seeded) -> None:
    second = seeded.second
    assert (second.tasks, second.milestones, second.milestones_done) == (0, 0, 0)
    assert (second.targets, second.datasets, second.computed_values) == ([], [], 0)
    assert (second.reports, second.declarations) == (0, 0)
    assert seeded.counts_after_second == seeded.counts_after_first
    assert seeded.first.reports > 1000 and seeded.first.declarations == 320


def test_the_policy_tasks_and_milestones(seeded: Seeded) -> None:
    tasks = list_tasks(seeded.db, SYSTEM)
    assert [t.number for t in tasks] == list(range(1, 20))
    milestones = [m for t in tasks for m in t.milestones]
    admin = [m for m in milestones if m.origin == "admin"]
    assert len(admin) == 17
    overdue = [m for m in milestones if m.done_on is None and m.due_on < TODAY]
    assert {m.title for m in overdue} == {
        "存储计算中心二期主体工程完工",
        "地下管网实时监测覆盖中心城区",
    }
    late = [m for m in milestones if m.done_on and m.done_on > m.due_on]
    assert late  # some were met late, e.g. SME gigabit broadband


def test_the_registries_reach_the_goal(seeded: Seeded) -> None:
    with seeded.db.reading() as session:
        parks = measure(session, "parks", GOAL_DEADLINE)
        projects = measure(session, "projects", GOAL_DEADLINE)
        trained = measure(session, "trained", GOAL_DEADLINE)
        trained_mid_2021 = measure(session, "trained", date(2021, 6, 30))
    assert parks == 10
    assert projects == SELECTED_BY_DEADLINE == 103
    assert len(library(TODAY)) == 120
    all_events = events(TODAY)
    assert trained == certified_people(all_events, GOAL_DEADLINE)
    assert 1_100 <= trained <= 1_250
    assert trained_mid_2021 == certified_people(all_events, date(2021, 6, 30)) < 1_000


def test_projects_go_through_screening(seeded: Seeded) -> None:
    projects = list_projects(seeded.db, SYSTEM)
    states = Counter(p.screening for p in projects)
    assert states == {"selected": 103, "rejected": 10, "screened": 3, "submitted": 4}
    assert all(p.reason for p in projects if p.screening == "rejected")
    assert {p.domain for p in projects} == {
        "agri",
        "manufacturing",
        "services",
        "industrialisation",
    }
    assert len({p.county for p in projects}) == 8
    selected = [p for p in projects if p.screening == "selected"]
    assert all(
        [s.to_state for s in p.history] == ["submitted", "screened", "selected"] for p in selected
    )
    assert all(validate_credit_code(p.owner_code).valid for p in projects)


def test_parks_are_tiered_from_their_scores(seeded: Seeded) -> None:
    parks = list_parks(seeded.db, SYSTEM)
    tiers = Counter(p.evaluation.tier for p in parks if p.evaluation)
    assert tiers == {"demonstration": 3, "growth": 6, "candidate": 1}
    weak = next(p for p in parks if p.name == "东阿阿胶数字农业园")
    assert weak.evaluation is not None and weak.evaluation.total >= 85
    assert weak.evaluation.below_bar == ("innovation",)
    assert all(p.residents for p in parks)


def test_goal_targets_count_the_registries_quarter_by_quarter(seeded: Seeded) -> None:
    talent = get_target(seeded.db, SYSTEM, "SBQ-TALENT")
    values = {v.measured_on: v.value for v in talent.values}
    assert values[date(2021, 6, 30)] < values[date(2021, 12, 31)] < values[GOAL_DEADLINE]
    assert talent.latest is not None and talent.latest >= 1_000
    projects = get_target(seeded.db, SYSTEM, "SBQ-PROJECTS")
    assert max(v.value for v in projects.values if v.measured_on <= GOAL_DEADLINE) == 103


def test_the_5g_target_follows_each_survey_upload(seeded: Seeded) -> None:
    view = get_target(seeded.db, SYSTEM, "GXJ-5G-TOWNS")
    assert view.source == "sql"
    assert [(v.measured_on, v.value, v.source_ref) for v in view.values] == [
        (date(2020, 12, 31), coverage(0), "5g-town-coverage@1"),
        (date(2021, 12, 31), coverage(1), "5g-town-coverage@2"),
        (date(2022, 12, 31), coverage(2), "5g-town-coverage@3"),
    ]
    assert coverage(2) == 100.0


@pytest.mark.parametrize(
    ("kind", "key", "words"),
    [
        ("behind_path", "DSJJ-STORAGE-PB-2", ("PB", "2026-11-28")),
        ("trend_misses", "DSJJ-STORAGE-PB-2", ("500",)),
        ("trend_misses", "NYNCJ-SMART-FARMS", ("60",)),
        ("missed", "DSJJ-STORAGE-PB", ("2022-12-31", "500")),
        ("report_overdue", "1", ("2026-Q2", "2026-07-10", "逾期")),
        ("milestone_overdue", "2", ("存储计算中心二期主体工程完工",)),
    ],
)
def test_warnings_say_why(seeded: Seeded, kind: str, key: str, words: tuple[str, ...]) -> None:
    warnings = list_warnings(seeded.db, SYSTEM, TODAY)
    found = [w for w in warnings if w.kind == kind and w.key == key]
    assert found, f"no {kind} warning for {key}"
    reasons = [w.reason_zh for w in found]
    assert any(all(word in reason for word in words) for reason in reasons), reasons


def test_on_track_targets_raise_no_warning(seeded: Seeded) -> None:
    warnings = list_warnings(seeded.db, SYSTEM, TODAY)
    keys = {w.key for w in warnings}
    assert not keys & {"GXJ-5G-VILLAGES", "SWTCJ-ONLINE-RETAIL", "GXJ-5G-TOWNS"}


def test_only_the_units_that_stopped_reporting_are_overdue(seeded: Seeded) -> None:
    warnings = list_warnings(seeded.db, SYSTEM, TODAY)
    overdue = {(int(w.key), w.department) for w in warnings if w.kind == "report_overdue"}
    assert overdue == set(MISSING)
    per_unit = [w for w in warnings if w.kind == "report_overdue" and w.department == "ZONE-DJQ"]
    assert len(per_unit) == MISSING[(4, "ZONE-DJQ")]


def test_reports_include_late_ones_and_a_correction(seeded: Seeded) -> None:
    reports = list_reports(seeded.db, SYSTEM, task_number=4, department="SLJ")
    corrections = [r for r in reports if r.corrects is not None]
    assert len(corrections) == 1 and corrections[0].period == "2022-Q2"
    assert "591" in corrections[0].text and corrections[0].figures[0].value == 519
    with seeded.db.reading() as session:
        rows = session.scalars(select(ProgrammeReport)).all()
    late = [r for r in rows if r.submitted_at.date() > r.due_on]
    assert 0.03 < len(late) / len(rows) < 0.15
    storage = get_target(seeded.db, SYSTEM, "SLJ-SENSING-STATIONS")
    assert storage.latest == 614 and all(v.source == "report" for v in storage.values)


@pytest.mark.parametrize(("on", "applies"), [(date(2020, 6, 30), True), (date(2022, 6, 30), False)])
def test_the_small_scale_digital_tech_taxpayer(seeded: Seeded, on: date, applies: bool) -> None:
    result = incentives.check(seeded.db, seeded.pool, ANALYST, showcase().credit_code, None, on)
    assert result.base_status == "found" and result.declared_stored
    answer = next(a for a in result.answers if a.rule.id == TAX_HALVING)
    assert answer.applies is applies
    assert "2021年12月31日" in answer.rule.clause
    digital = next(r for r in answer.reasons if "I6513" in r.zh)  # from the base database
    assert digital.met and digital.source == "base"
    if not applies:
        assert any(not r.met and "2021-12-31" in r.zh for r in answer.reasons), answer.reasons


# --- the data modules alone (no database) --------------------------------------------------


DAYS = [date(2023, 1, 2), date(2024, 5, 15), date(2026, 11, 28), date(2031, 3, 31)]


@pytest.mark.parametrize("today", DAYS)
def test_dated_data_stays_before_today(today: date) -> None:
    projects = library(today)
    assert all(p.submitted_on < today for p in projects)
    assert all(p.decided_on is None or p.decided_on < today for p in projects)
    fixed = [p for p in projects if p.submitted_on <= GOAL_DEADLINE]
    assert sum(1 for p in fixed if p.outcome == "selected") == SELECTED_BY_DEADLINE
    assert all(e.held_on < today for e in events(today))
    assert certified_people(events(today), GOAL_DEADLINE) == 1_187  # history does not move
    for item in follow_on(today):
        assert item.target.deadline == date(today.year + 1, 12, 31)
        figures = follow_on_figures(item, today)
        assert all(end < today for _label, end in quarter_ends(FOLLOW_ON_START, today))
        assert len(figures) == len(quarter_ends(FOLLOW_ON_START, today))


def test_seeding_refuses_a_day_inside_the_fixed_history(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'x.db'}")
    db = Database(settings.database_url_effective)
    pool = Pool(db, settings)
    try:
        with pytest.raises(InvalidInput) as raised:
            seed_programme(db, settings, pool, date(2022, 6, 30))
        assert raised.value.details["field"] == "today"
    finally:
        pool.close()
        db.dispose()


def test_people_and_enterprises_are_well_formed() -> None:
    attendees = [a for e in events(DAYS[2]) for a in e.attendees]
    assert all(validate_id_card(a.id_number).valid for a in attendees)
    assert all(re.fullmatch(r"1[3578]\d{9}", a.phone) for a in attendees)
    owners = {p.owner.credit_code for p in library(DAYS[2])}
    residents = {code for park in parks() for code in park.residents}
    employers = {t.employer for t in talent()}
    assert all(validate_credit_code(c).valid for c in owners | residents | employers)
    sample = declarations(DAYS[2])
    assert len({f.credit_code for f in sample}) == len(sample) == 320
    first = sample[0]
    assert first.credit_code == showcase().credit_code
    assert (first.small_scale_vat, showcase().industry) == (True, "I6513")
    levels = {
        ("provincial" if f.provincial_members else "municipal")
        for f in sample
        if f.long_term_employer
    }
    assert levels == {"provincial", "municipal"}
