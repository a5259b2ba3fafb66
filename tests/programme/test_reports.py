"""Progress reports: who may submit, which periods, figures, attachments, corrections,
immutability, late and overdue reports, reminders, and the audit trail.

``seed_reports`` (also used by the web and CLI tests) loads the 19 tasks and three targets:
SLJ-SENSORS (owned by SLJ, no task), T4-STATIONS (task 4, owned by DSJJ) and NY-FARMS (task 5,
owned by NYNCJ). SLJ is a unit of task 4 only (quarterly, from 2020-04-07).
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from cityhub.audit.models import AuditEvent
from cityhub.auth import Actor, Role
from cityhub.config import Settings
from cityhub.db import Database
from cityhub.errors import (
    CityhubError,
    Conflict,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
)
from cityhub.programme import reports
from cityhub.programme.models_reports import ProgrammeReport
from cityhub.programme.models_targets import ProgrammeTargetValue
from cityhub.programme.reports import (
    MAX_ATTACHMENT_BYTES,
    MAX_ATTACHMENTS,
    attachment_dir,
    get_report,
    list_overdue,
    list_reminders,
    list_reports,
    read_attachment,
    sanitise_filename,
    submit_report,
)
from cityhub.programme.target_specs import TargetSpec
from cityhub.programme.targets import create_target, get_target
from cityhub.programme.tasks import ensure_tasks

ADMIN = Actor.system()
STEWARD = Actor(2, "slj.steward", Role.STEWARD, "SLJ")
ANALYST = Actor(3, "slj.analyst", Role.ANALYST, "SLJ")
OTHER_STEWARD = Actor(4, "nyncj.steward", Role.STEWARD, "NYNCJ")
PUBLIC = Actor.public()
ON_TIME = datetime(2021, 10, 5, 2, 0, tzinfo=UTC)  # 2021-Q3 is due on 2021-10-10
LATE = datetime(2021, 10, 12, 2, 0, tzinfo=UTC)
PDF = ("进度.pdf", b"%PDF-1.4 report", "application/pdf")


def _target(code: str, owner: str, task: int | None) -> TargetSpec:
    return TargetSpec(
        code=code,
        name_zh=f"{code} 指标",
        name_en=f"{code} target",
        unit_zh="个",
        unit_en="items",
        baseline=0,
        baseline_on=date(2020, 4, 7),
        target_value=100,
        deadline=date(2022, 12, 31),
        owner=owner,
        task_number=task,
    )


def seed_reports(db: Database) -> None:
    """The tasks and three targets (see the module's docstring)."""
    with db.transaction() as session:
        ensure_tasks(session)
    for code, owner, task in (
        ("SLJ-SENSORS", "SLJ", None),
        ("T4-STATIONS", "DSJJ", 4),
        ("NY-FARMS", "NYNCJ", 5),
    ):
        create_target(db, ADMIN, _target(code, owner, task))


@pytest.fixture
def seeded(db: Database) -> Database:
    seed_reports(db)
    return db


def submit(
    db: Database, settings: Settings, actor: Actor = STEWARD, **changes: Any
) -> reports.ReportView:
    arguments: dict[str, Any] = {
        "task_number": 4,
        "period": "2021-Q3",
        "text": "本季度新建水位监测站 12 个。",
        "figures": {"T4-STATIONS": 12.0},
        "attachments": [],
        "corrects": None,
        "now": ON_TIME,
    } | changes
    return submit_report(db, actor, settings, **arguments)


def test_a_steward_reports_and_the_figures_reach_the_targets(
    seeded: Database, settings: Settings
) -> None:
    view = submit(seeded, settings, figures={"T4-STATIONS": 12, "SLJ-SENSORS": 3.5})
    assert (view.task_number, view.department, view.period) == (4, "SLJ", "2021-Q3")
    assert (view.period_start, view.period_end) == (date(2021, 7, 1), date(2021, 9, 30))
    assert view.due_on == date(2021, 10, 10)
    assert view.submitted_by == "slj.steward" and not view.late
    assert {f.target: f.value for f in view.figures} == {"T4-STATIONS": 12.0, "SLJ-SENSORS": 3.5}
    assert view.chain == (view.id,) and view.corrects is None and view.corrected_by is None
    value = get_target(seeded, ADMIN, "T4-STATIONS").values[-1]
    assert (value.measured_on, value.value, value.source, value.source_ref) == (
        date(2021, 9, 30),
        12.0,
        "report",
        f"report:{view.id}",
    )


def test_a_report_after_the_due_day_is_marked_late(seeded: Database, settings: Settings) -> None:
    assert submit(seeded, settings, now=LATE).late
    assert submit(seeded, settings, period="2021-Q2", now=ON_TIME).late  # due 2021-07-10


def test_a_figure_of_a_running_period_counts_as_of_the_submission_day(
    seeded: Database, settings: Settings
) -> None:
    view = submit(seeded, settings, period="2021-Q4", now=ON_TIME)
    assert get_target(seeded, ADMIN, "T4-STATIONS").values[-1].measured_on == date(2021, 10, 5)
    assert view.period_end == date(2021, 12, 31)


@pytest.mark.parametrize(
    ("actor", "department", "error", "field"),
    [
        (PUBLIC, None, NotAuthenticated, None),
        (ANALYST, None, PermissionDenied, None),
        (OTHER_STEWARD, None, PermissionDenied, "department"),  # NYNCJ is no unit of task 4
        (STEWARD, "DSJJ", PermissionDenied, "department"),  # not the steward's own department
        (ADMIN, None, InvalidInput, "department"),  # an admin must name the unit
        (ADMIN, "NYNCJ", InvalidInput, "department"),  # not a unit of task 4
        (ADMIN, "NOPE", NotFound, "department"),
    ],
)
def test_who_may_submit(
    seeded: Database,
    settings: Settings,
    actor: Actor,
    department: str | None,
    error: type[CityhubError],
    field: str | None,
) -> None:
    with pytest.raises(error) as caught:
        submit(seeded, settings, actor, department=department, figures={})
    if field:
        assert caught.value.details["field"] == field


@pytest.mark.parametrize(
    ("actor", "department"), [(STEWARD, None), (STEWARD, "SLJ"), (ADMIN, "SLJ")]
)
def test_stewards_for_their_unit_and_admins_for_any(
    seeded: Database, settings: Settings, actor: Actor, department: str | None
) -> None:
    assert submit(seeded, settings, actor, department=department).department == "SLJ"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"period": "2021-07"}, "period"),  # task 4 reports quarterly
        ({"period": "2020-Q1"}, "period"),  # before 2020-04-07
        ({"period": "2021-Q4", "now": datetime(2021, 9, 30, 12, tzinfo=UTC)}, "period"),  # not yet
        ({"period": "Q3 2021"}, "period"),
        ({"text": "  \n "}, "text"),
        ({"text": "x" * 20_001}, "text"),
        ({"figures": {"NOPE": 1}}, "figures.NOPE"),
        ({"figures": {"NY-FARMS": 1}}, "figures.NY-FARMS"),  # task 5, owned by NYNCJ
        ({"figures": {"T4-STATIONS": float("nan")}}, "figures.T4-STATIONS"),
        ({"attachments": [("a.txt", b"", "text/plain")]}, "attachments.1"),
        ({"attachments": [PDF] * (MAX_ATTACHMENTS + 1)}, "attachments"),
        ({"corrects": 999}, "corrects"),
    ],
)
def test_bad_submissions_name_the_field(
    seeded: Database, settings: Settings, changes: dict[str, Any], field: str
) -> None:
    with pytest.raises((InvalidInput, NotFound)) as caught:
        submit(seeded, settings, **changes)
    assert caught.value.details["field"] == field
    with seeded.reading() as session:
        assert session.scalar(select(ProgrammeReport.id)) is None  # nothing half-stored


def test_an_attachment_over_the_limit_is_refused(seeded: Database, settings: Settings) -> None:
    big = ("big.bin", b"\0" * (MAX_ATTACHMENT_BYTES + 1), "application/octet-stream")
    with pytest.raises(InvalidInput) as caught:
        submit(seeded, settings, attachments=[PDF, big])
    assert caught.value.details == {
        "field": "attachments.2",
        "size": MAX_ATTACHMENT_BYTES + 1,
        "limit": MAX_ATTACHMENT_BYTES,
    }


def test_attachments_are_stored_by_content(seeded: Database, settings: Settings) -> None:
    page = ("../../etc/passwd", b"same bytes", "text/html; charset=utf-8")
    view = submit(seeded, settings, attachments=[PDF, page, ("copy.txt", b"same bytes", "bad")])
    digest = hashlib.sha256(b"same bytes").hexdigest()
    assert [(a.position, a.filename, a.media_type, a.size) for a in view.attachments] == [
        (1, "进度.pdf", "application/pdf", 15),
        (2, "passwd", "text/html", 10),
        (3, "copy.txt", "application/octet-stream", 10),
    ]
    assert view.attachments[2].sha256 == digest
    stored = sorted(p.name for p in attachment_dir(settings).iterdir())
    assert stored == sorted({hashlib.sha256(PDF[1]).hexdigest(), digest})
    found, content = read_attachment(seeded, ANALYST, settings, view.id, 1)
    assert (found.filename, content) == ("进度.pdf", PDF[1])


def test_a_damaged_or_missing_attachment_is_not_served(
    seeded: Database, settings: Settings
) -> None:
    view = submit(seeded, settings, attachments=[PDF])
    (attachment_dir(settings) / view.attachments[0].sha256).write_bytes(b"tampered")
    with pytest.raises(NotFound):
        read_attachment(seeded, ANALYST, settings, view.id, 1)
    with pytest.raises(NotFound) as caught:
        read_attachment(seeded, ANALYST, settings, view.id, 2)
    assert caught.value.details["field"] == "attachment"


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("进度报告.docx", "进度报告.docx"),
        ("C:\\Users\\me\\report.pdf", "report.pdf"),
        ("../../../etc/passwd", "passwd"),
        ("a b;rm -rf $HOME.txt", "a_b_rm_-rf_HOME.txt"),
        ("\x00\x1fname\u202e.txt", "name.txt"),
        (".hidden", "hidden"),
        ("...", "attachment"),
        ("", "attachment"),
        ("x" * 300 + ".pdf", "x" * 196 + ".pdf"),
    ],
)
def test_file_names_are_sanitised(name: str, safe: str) -> None:
    assert sanitise_filename(name) == safe
    assert len(sanitise_filename(name)) <= 200


def test_a_second_report_for_a_period_must_be_a_correction(
    seeded: Database, settings: Settings
) -> None:
    first = submit(seeded, settings)
    with pytest.raises(Conflict) as caught:
        submit(seeded, settings)
    assert caught.value.details == {"field": "corrects", "existing": first.id}
    assert f"report {first.id}" in caught.value.message
    # Another unit's report, or another period, is no conflict.
    submit(seeded, settings, ADMIN, department="DSJJ")
    submit(seeded, settings, period="2021-Q2")


def test_the_database_holds_one_original_per_period(seeded: Database, settings: Settings) -> None:
    """Even a submission that slipped past the check (a race) cannot add a second original."""
    first = submit(seeded, settings)
    with seeded.reading() as session:
        row = session.get_one(ProgrammeReport, first.id)
        columns = {c.key: getattr(row, c.key) for c in ProgrammeReport.__table__.columns}
    with pytest.raises(IntegrityError), seeded.transaction() as session:
        session.add(ProgrammeReport(**(columns | {"id": None, "text": "抢先"})))


def test_corrections_form_a_linear_chain(seeded: Database, settings: Settings) -> None:
    first = submit(seeded, settings)
    second = submit(seeded, settings, corrects=first.id, text="更正：新建 13 个。", figures={})
    third = submit(seeded, settings, corrects=second.id, text="再次更正。", figures={})
    assert get_report(seeded, ANALYST, first.id).corrected_by == second.id
    assert get_report(seeded, ANALYST, third.id).chain == (first.id, second.id, third.id)
    assert third.corrects == second.id and third.corrected_by is None
    with pytest.raises(Conflict) as caught:
        submit(seeded, settings, corrects=first.id)  # already corrected by the second
    assert caught.value.details == {"field": "corrects", "existing": second.id}


@pytest.mark.parametrize(
    "changes",
    [{"period": "2021-Q2"}, {"actor": ADMIN, "department": "DSJJ"}],
)
def test_a_correction_refers_to_a_report_of_the_same_task_unit_and_period(
    seeded: Database, settings: Settings, changes: dict[str, Any]
) -> None:
    first = submit(seeded, settings)
    with pytest.raises(InvalidInput) as caught:
        submit(seeded, settings, corrects=first.id, **changes)
    assert caught.value.details == {"field": "corrects", "value": first.id}


def test_reports_are_immutable(seeded: Database, settings: Settings) -> None:
    """No function changes or deletes a report; a correction leaves the original row as it was."""
    verbs = ("update", "delete", "remove", "edit", "change", "withdraw")
    assert not [name for name in dir(reports) if name.startswith(verbs)]
    first = submit(seeded, settings, attachments=[PDF])

    def row() -> dict[str, Any]:
        with seeded.reading() as session:
            report = session.get_one(ProgrammeReport, first.id)
            return {c.key: getattr(report, c.key) for c in ProgrammeReport.__table__.columns}

    before = row()
    submit(seeded, settings, corrects=first.id, text="更正。", figures={"T4-STATIONS": 13})
    assert row() == before
    assert get_report(seeded, ANALYST, first.id).text == first.text
    with seeded.reading() as session:  # the first figure stays recorded next to the new one
        refs = session.scalars(select(ProgrammeTargetValue.source_ref)).all()
    assert f"report:{first.id}" in refs and f"report:{first.id + 1}" in refs


def test_listing_filters_by_task_and_unit(seeded: Database, settings: Settings) -> None:
    mine = submit(seeded, settings)
    theirs = submit(seeded, settings, OTHER_STEWARD, task_number=5, figures={"NY-FARMS": 2})
    assert [r.id for r in list_reports(seeded, ANALYST)] == [theirs.id, mine.id]
    assert [r.id for r in list_reports(seeded, ANALYST, task_number=4)] == [mine.id]
    assert [r.id for r in list_reports(seeded, ANALYST, department="NYNCJ")] == [theirs.id]
    assert list_reports(seeded, ANALYST, task_number=5, department="SLJ") == []
    with pytest.raises(NotFound):
        list_reports(seeded, ANALYST, task_number=20)
    with pytest.raises(NotAuthenticated):
        list_reports(seeded, PUBLIC)


def test_reads_and_writes_are_audited(seeded: Database, settings: Settings) -> None:
    view = submit(seeded, settings, attachments=[PDF])
    get_report(seeded, ANALYST, view.id)
    list_reports(seeded, ANALYST, task_number=4)
    read_attachment(seeded, ANALYST, settings, view.id, 1)
    list_overdue(seeded, ANALYST, date(2022, 1, 1), 10)
    list_reminders(seeded, ANALYST, date(2022, 1, 1), 10, 5)
    with seeded.reading() as session:
        actions = [
            (e.actor, e.action)
            for e in session.scalars(
                select(AuditEvent)
                .where(AuditEvent.action.like("programme.report.%"))
                .order_by(AuditEvent.id)
            )
        ]
    assert actions == [
        ("slj.steward", "programme.report.submit"),
        ("slj.analyst", "programme.report.read"),
        ("slj.analyst", "programme.report.list"),
        ("slj.analyst", "programme.report.attachment.read"),
        ("slj.analyst", "programme.report.overdue"),
        ("slj.analyst", "programme.report.reminders"),
    ]
