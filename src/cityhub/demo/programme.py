"""The demo city's programme office: tasks, targets, registries, reports and declared facts.

Everything goes through the service functions of ``cityhub.programme`` (tasks, targets,
registries, reports, incentives), so the demo data passes the same validation and audit as
what departments enter; nothing is inserted directly. Reading the tables to see what is there
already keeps it idempotent: a second run adds nothing. The 2020–2022 history is fixed; the
years since are generated up to ``today``.

Order matters: the registries come before the targets' history, since the "十百千" targets
count them as of each quarter's end; the 5G survey's versions are uploaded in between, so the
SQL-computed target moves with each upload, as it would have.
"""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from cityhub import catalog
from cityhub.auth import Actor
from cityhub.catalog import DataCategory, DatasetSpec, OpenType, ResourceClass, UpdateCycle
from cityhub.config import Settings
from cityhub.db import Database
from cityhub.demo import programme_towns as towns
from cityhub.demo.programme_declaring import seed_declarations
from cityhub.demo.programme_milestones import POLICY_DONE, admin_milestones
from cityhub.demo.programme_registering import RegistrySeed, seed_registries
from cityhub.demo.programme_reporting import seed_reports
from cityhub.demo.programme_targets import FIXED, DemoTarget, follow_on, quarter_ends
from cityhub.errors import Conflict, InvalidInput
from cityhub.pool.ingest import IngestMode, ingest
from cityhub.pool.service import Pool
from cityhub.programme import milestones as milestone_service
from cityhub.programme import targets as target_service
from cityhub.programme import tasks as task_service
from cityhub.programme.computed import refresh_targets
from cityhub.programme.models_targets import ProgrammeTarget
from cityhub.programme.models_tasks import ProgrammeMilestone, ProgrammeTask
from cityhub.programme.target_specs import TargetSpec

SYSTEM = Actor.system()
HISTORY_ENDS = date(2022, 12, 31)  # the "十百千" deadline: what happened until then is fixed


@dataclass
class ProgrammeSeedReport:
    """What seeding added this time (all zero and empty on a second run)."""

    tasks: int = 0
    milestones: int = 0
    milestones_done: int = 0
    targets: list[str] = field(default_factory=list)
    datasets: list[str] = field(default_factory=list)
    computed_values: int = 0
    registries: RegistrySeed = field(default_factory=RegistrySeed)
    reports: int = 0
    declarations: int = 0
    seconds: float = 0.0


def seed_programme(
    db: Database, settings: Settings, pool: Pool, today: date | None = None
) -> ProgrammeSeedReport:
    """Add the programme office's demo data that is missing; safe to run any number of times."""
    started = time.perf_counter()
    today = today or task_service.city_today()
    if today <= HISTORY_ENDS:
        raise InvalidInput(
            f"the demo's fixed history runs to {HISTORY_ENDS}; seed it as of a later day",
            details={"field": "today", "value": today.isoformat()},
        )
    report = ProgrammeSeedReport()
    with db.transaction() as session:
        report.tasks = task_service.ensure_tasks(session)
        if target_service.ensure_goal_targets(session):
            report.targets += [spec.code for spec in target_service.GOAL_TARGETS]
    report.milestones, report.milestones_done = _seed_milestones(db, today)
    report.registries = seed_registries(db, today)
    report.targets += _seed_targets(db, today)
    report.datasets, report.computed_values = _seed_computed(db, settings, pool, today)
    if report.datasets:
        report.targets.append(_SQL_TARGET.code)
    report.reports = seed_reports(db, settings, today)
    report.declarations = seed_declarations(db, today)
    report.seconds = round(time.perf_counter() - started, 2)
    return report


def _seed_milestones(db: Database, today: date) -> tuple[int, int]:
    """Add the admin milestones that are missing and mark the met ones done; (added, done)."""
    with db.reading() as session:
        rows = session.execute(
            select(ProgrammeTask.number, ProgrammeMilestone).join(
                ProgrammeTask, ProgrammeTask.id == ProgrammeMilestone.task_id
            )
        ).all()
        existing = {(number, m.origin, m.title, m.due_on): (m.id, m.done_on) for number, m in rows}
    added = done = 0
    real_today = task_service.city_today()  # a milestone cannot be done in the future
    for demo in admin_milestones(today):
        key = (demo.task, "admin", demo.title, demo.due_on)
        if key in existing:
            milestone_id, done_on = existing[key]
        else:
            view = milestone_service.add_milestone(
                db, SYSTEM, demo.task, demo.title, demo.owner, demo.due_on, demo.clause
            )
            milestone_id, done_on = view.id, None
            added += 1
        if demo.done_on and done_on is None and demo.done_on <= min(today, real_today):
            milestone_service.update_milestone(db, SYSTEM, milestone_id, done_on=demo.done_on)
            done += 1
    for (number, origin, _title, due_on), (milestone_id, done_on) in existing.items():
        met = POLICY_DONE.get((number, due_on))
        if origin == "policy" and met and done_on is None and met <= min(today, real_today):
            milestone_service.update_milestone(db, SYSTEM, milestone_id, done_on=met)
            done += 1
    return added, done


def _spec(demo: DemoTarget) -> TargetSpec:
    return TargetSpec(
        code=demo.code,
        name_zh=demo.name_zh,
        name_en=demo.name_en,
        unit_zh=demo.unit_zh,
        unit_en=demo.unit_en,
        baseline=demo.baseline,
        baseline_on=demo.baseline_on,
        target_value=demo.target_value,
        deadline=demo.deadline,
        owner=demo.owner,
        task_number=demo.task,
        source=demo.source,
        sql=demo.sql,
    )


def _seed_targets(db: Database, today: date) -> list[str]:
    """Create the commitments' and follow-on targets that are missing (the SQL one later)."""
    with db.reading() as session:
        present = set(session.scalars(select(ProgrammeTarget.code)))
    wanted = [t for t in FIXED if t.source != "sql"]
    wanted += [item.target for item in follow_on(today)]
    created = []
    for demo in wanted:
        if demo.code in present:
            continue
        target_service.create_target(db, SYSTEM, _spec(demo))
        created.append(demo.code)
    return created


_SQL_TARGET = next(t for t in FIXED if t.source == "sql")
_SURVEY_DATASET = DatasetSpec(
    name=towns.DATASET,
    title="5G网络乡镇(街道)覆盖情况(演示)",
    department=towns.OWNER,
    abstract="各县(市、区)城区街道、重点乡镇和一般乡镇的5G基站数与是否实现5G网络覆盖,每年末普查"
    "一次,每次上传为一个新版本。演示数据。",
    resource_code="371500-GXJ-0003",
    category=DataCategory.COMMERCIAL,
    resource_class=ResourceClass.MACRO_ECONOMY,
    keywords=("5G", "乡镇", "覆盖率", "信息基础设施"),
    update_cycle=UpdateCycle.YEARLY,
    open_type=OpenType.CONDITIONAL,
)


def _seed_computed(
    db: Database, settings: Settings, pool: Pool, today: date
) -> tuple[list[str], int]:
    """The 5G survey dataset and its target, and the computed targets' history; (datasets
    created, values recorded).

    On the first run every quarter end since 2020 is replayed: each year-end survey is uploaded
    as a new version when its day comes, and the computed targets ("十百千" from the registries,
    5G coverage by SQL) are refreshed as of that day. Later runs refresh as of ``today`` only,
    which records nothing when nothing changed.
    """
    try:
        catalog.create_dataset(db, SYSTEM, _SURVEY_DATASET)
    except Conflict:  # seeded by an earlier run: only today's refresh
        return [], len(refresh_targets(db, pool, today).changed)
    folder = settings.data_dir / "demo-sources"
    folder.mkdir(parents=True, exist_ok=True)
    recorded, uploaded = 0, 0
    days = [end for _label, end in quarter_ends(date(2020, 4, 7), today)] + [today]
    for day in days:
        while uploaded < len(towns.SURVEYS) and towns.SURVEYS[uploaded] <= day:
            path = towns.write_survey(folder, uploaded)
            ingest(
                db,
                SYSTEM,
                pool.warehouse,
                dataset=towns.DATASET,
                path=path,
                file_name=path.name,
                mode=IngestMode.REPLACE,  # each survey covers every town again
            )
            if uploaded == 0:  # the target exists once its first survey does
                with contextlib.suppress(Conflict):  # an admin may have defined it already
                    target_service.create_target(db, SYSTEM, _spec(_SQL_TARGET))
            uploaded += 1
        recorded += len(refresh_targets(db, pool, day).changed)
    return [towns.DATASET], recorded
