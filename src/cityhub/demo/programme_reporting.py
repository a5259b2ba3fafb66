"""The responsible units' progress reports of the demo city, from 2020-Q2 up to ``today``.

Every unit of every task reports each ended period (``reports.submit_report``, backdated with
``now``), mostly within the ten days allowed, some late. A few units have stopped reporting
lately, so their overdue reports show up as warnings; one report was corrected by a later one.
Reports carry the figures of the targets their unit owns on that task (``programme_targets``),
which is how those targets get their values. Each (task, unit, period) has its own random
stream, so what one report says does not depend on which others exist.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from cityhub.auth import Actor, Role
from cityhub.auth.models import Department
from cityhub.config import Settings
from cityhub.db import Database
from cityhub.demo.programme_targets import FIXED_FIGURES, follow_on, follow_on_figures
from cityhub.programme import reports as report_service
from cityhub.programme.models_reports import ProgrammeReport
from cityhub.programme.models_targets import ProgrammeTarget
from cityhub.programme.models_tasks import ProgrammeTask
from cityhub.programme.periods import Period, ended_periods
from cityhub.programme.reports import Upload
from cityhub.programme.tasks import CITY_TIME, task_units

# (task, unit) → how many of the latest periods the unit has not reported (overdue warnings)
MISSING: dict[tuple[int, str], int] = {
    (1, "OP-CU"): 2,
    (12, "OP-CU"): 2,
    (4, "GOV-371522"): 1,
    (16, "GOV-371522"): 1,
    (17, "GOV-371522"): 1,
    (4, "ZONE-DJQ"): 3,
    (13, "WHLYJ"): 1,
}
LATE_SHARE = 0.07
# The report that was corrected: (task, unit, period, figure first sent); the figures file has
# the corrected value.
CORRECTED = (4, "SLJ", "2022-Q2", 591.0)
_PROGRESS = (
    "各项工作按计划推进,",
    "重点工作取得阶段性进展,",
    "克服疫情影响,主要工作基本按进度推进,",
    "召开专题推进会议,协调解决了建设中的问题,",
    "完成了本季度的年度计划任务,",
)
_NEXT = (
    "加强调度,确保按期完成年度目标",
    "加快项目建设进度,做好资金和用地保障",
    "完善工作机制,加强部门协同",
    "总结经验做法,抓好推广应用",
)


def _steward(department: str) -> Actor:
    """The unit's data steward, who submits its reports."""
    return Actor(None, f"{department.lower()}.steward", Role.STEWARD, department, "local")


def _figures(
    task: int, unit: str, owners: dict[str, tuple[str, int]], today: date
) -> dict[str, dict[str, float]]:
    """Target code → period label → value, for the targets ``unit`` owns on ``task``."""
    series: dict[str, dict[str, float]] = {}
    for code, values in FIXED_FIGURES.items():
        if owners.get(code) == (unit, task):
            series[code] = values
    for item in follow_on(today):
        spec = item.target
        if (spec.owner, spec.task) == (unit, task):
            series[spec.code] = follow_on_figures(item, today)
    return series


def _submitted_on(rng: random.Random, period: Period, due_days: int, today: date) -> date | None:
    """When the report came in; None when it has not come in yet (not due yet)."""
    due = period.due_on(due_days)
    if rng.random() < LATE_SHARE:
        day = due + timedelta(days=rng.randint(1, 25))
    else:
        day = period.end + timedelta(days=rng.randint(1, due_days))
    if day < today:
        return day
    if due >= today and rng.random() < 0.5 and period.end < today - timedelta(days=1):
        return today - timedelta(days=1)  # not due yet: some units are early
    return None


def _moment(rng: random.Random, day: date) -> datetime:
    clock = time(rng.randint(8, 17), rng.randint(0, 59))
    return datetime.combine(day, clock, tzinfo=CITY_TIME)


def _text(rng: random.Random, period: str, unit_name: str, title: str, figures: str) -> str:
    return (
        f"{period}工作进展:{unit_name}围绕{title}任务,{rng.choice(_PROGRESS)}"
        f"{'目前' + figures if figures else ''}下一步将{rng.choice(_NEXT)}。"
    )


def seed_reports(db: Database, settings: Settings, today: date) -> int:
    """Submit the reports that are missing; how many were submitted."""
    due_days = settings.programme_report_due_days
    with db.reading() as session:
        units = task_units(session)
        tasks = {t.number: t for t in session.scalars(select(ProgrammeTask))}
        departments = {d.code: d.name_zh for d in session.scalars(select(Department))}
        ids = {d.id: d.code for d in session.scalars(select(Department))}
        task_numbers = {t.id: t.number for t in tasks.values()}
        done = {
            (task_numbers[r.task_id], ids[r.department_id], r.period)
            for r in session.scalars(select(ProgrammeReport))
        }
        targets = list(session.scalars(select(ProgrammeTarget)))
        owners = {
            t.code: (ids[t.owner_department_id], task_numbers.get(t.task_id or 0, 0))
            for t in targets
        }
        names = {t.code: (t.name_zh, t.unit_zh) for t in targets}
    submitted = 0
    for number, codes in sorted(units.items()):
        task = tasks[number]
        periods = ended_periods(task.report_period, task.reporting_from, today)
        for unit in codes:
            series = _figures(number, unit, owners, today)
            skipped = MISSING.get((number, unit), 0)
            for period in periods[: len(periods) - skipped] if skipped else periods:
                if (number, unit, period.label) in done:
                    continue
                rng = random.Random(f"{number}/{unit}/{period.label}")
                day = _submitted_on(rng, period, due_days, today)
                if day is None:
                    continue
                figures = {c: v[period.label] for c, v in series.items() if period.label in v}
                said = "".join(
                    f"{names[c][0]}{v:g}{names[c][1]};" for c, v in sorted(figures.items())
                )
                text = _text(rng, period.label, departments[unit], task.title, said)
                submitted += _submit(
                    db, settings, rng, (number, unit, period.label), day, figures, text
                )
    return submitted


def _submit(
    db: Database,
    settings: Settings,
    rng: random.Random,
    key: tuple[int, str, str],
    day: date,
    figures: dict[str, float],
    text: str,
) -> int:
    """Submit one report (two for the corrected one); how many were submitted."""
    number, unit, label = key
    attachments: list[Upload] = []
    if figures and label.endswith("Q4"):
        table = "指标,期间,数值\n" + "".join(f"{c},{label},{v:g}\n" for c, v in figures.items())
        attachments.append((f"{label}进度统计表.csv", table.encode("utf-8"), "text/csv"))
    actor = _steward(unit)
    if key[:3] != CORRECTED[:3]:
        report_service.submit_report(
            db, actor, settings, number, label, text, figures, attachments, now=_moment(rng, day)
        )
        return 1
    code = next(iter(figures))
    wrong = {code: CORRECTED[3]}
    first = report_service.submit_report(
        db, actor, settings, number, label, text.replace(f"{figures[code]:g}", f"{CORRECTED[3]:g}"),
        wrong, attachments, now=_moment(rng, day),
    )  # fmt: skip
    fixed = f"更正{label}报告(编号{first.id}):数值误报为{CORRECTED[3]:g},应为{figures[code]:g}。"
    report_service.submit_report(
        db, actor, settings, number, label, fixed + text, figures, [], corrects=first.id,
        now=_moment(rng, day + timedelta(days=6)),
    )  # fmt: skip
    return 2
