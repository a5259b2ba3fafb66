"""Lagging warnings: targets behind their path or trend, missed deadlines, overdue milestones
and overdue progress reports, each saying why with the numbers, in Chinese and English.

``assess_target`` is pure: it reads only the values measured on or before ``on``. The rules:

- **behind_path**: the expected value on ``on`` (linear from baseline to target, or stepped at
  the linked task's milestones for path 'milestones') minus the latest measured value, in the
  target's direction, exceeds the tolerance (``trend.TOLERANCE_SHARE`` = 5 % of the span). With
  no value measured yet, the baseline stands for the latest.
- **trend_misses**: with ≥ 3 values on ≥ 2 dates, the least-squares line projected to the
  deadline falls short of the target by more than the tolerance.
- **missed**: after the deadline (the deadline day itself still counts as in time) the latest
  value has not reached the target; then the other two say nothing new and are left out.

A target whose latest value has reached the target never warns.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select

from cityhub.audit import record
from cityhub.auth.actor import Actor, Permission
from cityhub.db import Database
from cityhub.programme.models_tasks import ProgrammeTask
from cityhub.programme.target_specs import TargetView
from cityhub.programme.tasks import MilestoneView, overdue_milestones
from cityhub.programme.trend import Path, fmt, least_squares, linear_expected, milestone_expected

if TYPE_CHECKING:
    from cityhub.programme.reports import OverdueReport

KINDS = ("missed", "behind_path", "trend_misses", "milestone_overdue", "report_overdue")


@dataclass(frozen=True)
class Warning:
    """One lagging signal about a target or a task, for one department."""

    kind: str
    subject: str  # 'target' or 'task'
    key: str  # target code or task number
    department: str
    title_zh: str
    title_en: str
    reason_zh: str
    reason_en: str
    numbers: dict[str, float | str] = field(default_factory=dict)
    since: date | None = None


def _path(view: TargetView) -> Path:
    return Path(view.baseline, view.baseline_on, view.target_value, view.deadline, view.direction)


def _warning(
    view: TargetView,
    kind: str,
    zh: str,
    en: str,
    numbers: dict[str, float | str],
    since: date | None = None,
) -> Warning:
    return Warning(
        kind=kind,
        subject="target",
        key=view.code,
        department=view.owner,
        title_zh=view.name_zh,
        title_en=view.name_en,
        reason_zh=zh,
        reason_en=en,
        numbers=numbers,
        since=since,
    )


def assess_target(view: TargetView, on: date) -> list[Warning]:
    """The warnings of one target on ``on`` (see the module's rules)."""
    path = _path(view)
    known = [v for v in view.values if v.measured_on <= on]
    latest = known[-1].value if known else None
    if latest is not None and path.reached(latest):
        return []
    shown = latest if latest is not None else view.baseline
    uz, ue = view.unit_zh, view.unit_en
    if on > view.deadline:
        gap = path.shortfall(view.target_value, shown)
        return [
            _warning(
                view,
                "missed",
                f"截止日期 {view.deadline} 已过，目标 {fmt(view.target_value)} {uz}，"
                f"最新实测 {fmt(shown)} {uz}，差 {fmt(gap)} {uz}",
                f"the deadline {view.deadline} has passed: target {fmt(view.target_value)} {ue}, "
                f"latest measured {fmt(shown)} {ue}, {fmt(gap)} {ue} short",
                {
                    "target": view.target_value,
                    "latest": shown,
                    "deadline": view.deadline.isoformat(),
                    "gap": gap,
                },
                since=view.deadline + timedelta(days=1),
            )
        ]
    found: list[Warning] = []
    behind = _behind_path(view, path, on, shown, known[-1].measured_on if known else None)
    if behind is not None:
        found.append(behind)
    trend = _trend_misses(view, path, [(v.measured_on, v.value) for v in known])
    if trend is not None:
        found.append(trend)
    return found


def _behind_path(
    view: TargetView, path: Path, on: date, latest: float, latest_on: date | None
) -> Warning | None:
    if view.path == "milestones":
        expected = milestone_expected(path, on, view.milestone_dates)
        zh_path, en_path = "按里程碑进度", "On the milestone path"
    else:
        expected = linear_expected(path, on)
        zh_path, en_path = "按线性进度", "On the linear path"
    gap = path.shortfall(expected, latest)
    if gap <= path.tolerance:
        return None
    uz, ue = view.unit_zh, view.unit_en
    measured_zh = (
        f"最新实测 {fmt(latest)} {uz}（{latest_on}）" if latest_on else "尚无实测值（按基线计）"
    )
    measured_en = (
        f"the latest measured value is {fmt(latest)} {ue} ({latest_on})"
        if latest_on
        else f"no value is measured yet (counting the baseline {fmt(latest)} {ue})"
    )
    return _warning(
        view,
        "behind_path",
        f"{zh_path}，截至 {on} 应达到 {fmt(expected)} {uz}，{measured_zh}，"
        f"落后 {fmt(gap)} {uz}（容差 {fmt(path.tolerance)} {uz}）",
        f"{en_path} it should be at {fmt(expected)} {ue} by {on}; {measured_en}, "
        f"{fmt(gap)} {ue} behind (tolerance {fmt(path.tolerance)} {ue})",
        {
            "expected": expected,
            "latest": latest,
            "gap": gap,
            "tolerance": path.tolerance,
            "latest_on": latest_on.isoformat() if latest_on else "",
        },
    )


def _trend_misses(view: TargetView, path: Path, points: list[tuple[date, float]]) -> Warning | None:
    trend = least_squares(points)
    if trend is None:
        return None
    projected = trend.at(view.deadline)
    gap = path.shortfall(view.target_value, projected)
    if gap <= path.tolerance:
        return None
    uz, ue = view.unit_zh, view.unit_en
    per_year = trend.slope * 365.25
    return _warning(
        view,
        "trend_misses",
        f"按 {trend.points} 个实测值的最小二乘趋势（每年 {fmt(per_year)} {uz}），"
        f"到截止日期 {view.deadline} 预计 {fmt(projected)} {uz}，"
        f"低于目标 {fmt(view.target_value)} {uz} 差 {fmt(gap)} {uz}",
        f"the least-squares trend of {trend.points} measured values ({fmt(per_year)} {ue} a "
        f"year) projects {fmt(projected)} {ue} at the deadline {view.deadline}, "
        f"{fmt(gap)} {ue} short of the target {fmt(view.target_value)} {ue}",
        {
            "projected": projected,
            "target": view.target_value,
            "gap": gap,
            "per_year": per_year,
            "points": float(trend.points),
        },
    )


def _task_titles(number: int, title: str) -> tuple[str, str]:
    return f"任务{number}：{title}", f"Task {number}: {title}"


def milestone_warning(milestone: MilestoneView, task_title: str, on: date) -> Warning:
    """The warning for a milestone not done by its due date."""
    days = (on - milestone.due_on).days
    title_zh, title_en = _task_titles(milestone.task_number, task_title)
    return Warning(
        kind="milestone_overdue",
        subject="task",
        key=str(milestone.task_number),
        department=milestone.owner,
        title_zh=title_zh,
        title_en=title_en,
        reason_zh=f"里程碑“{milestone.title}”应于 {milestone.due_on} 完成，已逾期 {days} 天",
        reason_en=(
            f"the milestone “{milestone.title}” was due on {milestone.due_on} and is "
            f"{days} days overdue"
        ),
        numbers={
            "milestone_id": float(milestone.id),
            "due_on": milestone.due_on.isoformat(),
            "days_overdue": float(days),
        },
        since=milestone.due_on + timedelta(days=1),
    )


def report_warning(report: OverdueReport) -> Warning:
    """The warning for a progress report not submitted by its due date."""
    title_zh, title_en = _task_titles(report.task_number, report.task_title)
    return Warning(
        kind="report_overdue",
        subject="task",
        key=str(report.task_number),
        department=report.department,
        title_zh=title_zh,
        title_en=title_en,
        reason_zh=(
            f"{report.period} 进度报告应于 {report.due_on} 前报送，已逾期 {report.days_overdue} 天"
        ),
        reason_en=(
            f"the progress report for {report.period} was due on {report.due_on} and is "
            f"{report.days_overdue} days overdue"
        ),
        numbers={
            "period": report.period,
            "due_on": report.due_on.isoformat(),
            "days_overdue": float(report.days_overdue),
        },
        since=report.due_on + timedelta(days=1),
    )


def list_warnings(
    db: Database, actor: Actor, on: date, department: str | None = None, due_days: int = 10
) -> list[Warning]:
    """Every warning on ``on`` (targets, overdue milestones, overdue reports), by department
    and kind; only one department's with ``department``. The read is audited."""
    actor.require(Permission.PROGRAMME_READ)
    from cityhub.programme.reports import overdue_reports  # D's module, imported when needed
    from cityhub.programme.targets import all_target_views

    with db.transaction() as session:
        found = [w for view in all_target_views(session) for w in assess_target(view, on)]
        titles = dict(session.execute(select(ProgrammeTask.number, ProgrammeTask.title)).all())
        for milestone in overdue_milestones(session, on):
            found.append(milestone_warning(milestone, titles.get(milestone.task_number, ""), on))
        for report in overdue_reports(session, on, due_days):
            found.append(report_warning(report))
        if department is not None:
            found = [w for w in found if w.department == department]
        found.sort(key=lambda w: (w.department, KINDS.index(w.kind), w.key))
        record(
            session,
            actor,
            "programme.warning.read",
            object_type="programme_warning",
            details={"on": on.isoformat(), "department": department, "count": len(found)},
        )
    return found
