"""The leading group's cockpit (驾驶舱): every figure of the page, the Excel and the PDF, once.

``build_cockpit`` reads the other parts of the programme office as of a day (tasks and their
units, targets and their values, warnings, the project registry, reports) and ``assemble`` turns
those plain inputs into one frozen ``Cockpit``. The page, the JSON API and both briefing files
are drawn from that one value, so they cannot disagree.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy.orm import Session

from cityhub import audit
from cityhub.auth import Actor, Permission
from cityhub.auth.departments import DEPARTMENTS
from cityhub.db import Database
from cityhub.programme import measures, projects, reports, targets, tasks, warnings
from cityhub.programme.policy import GOAL, POLICY
from cityhub.programme.target_specs import MeasuredValue, TargetView, progress_of
from cityhub.programme.tasks import CITY_TIME

GOAL_TARGETS = ("SBQ-PARKS", "SBQ-PROJECTS", "SBQ-TALENT")  # 十 parks, 百 projects, 千 people
RECENT_REPORTS = 10
DOMAINS: tuple[tuple[str, str, str], ...] = (
    ("agri", "农业数字化", "Agricultural digitalisation"),
    ("manufacturing", "制造业数字化", "Manufacturing digitalisation"),
    ("services", "服务业数字化", "Service digitalisation"),
    ("industrialisation", "数字产业化", "Digital industrialisation"),
)
# The 8 county-level units of 聊城市 (GB/T 2260), in the order the city lists them.
COUNTIES: tuple[tuple[str, str, str], ...] = (
    ("371502", "东昌府区", "Dongchangfu"),
    ("371503", "茌平区", "Chiping"),
    ("371521", "阳谷县", "Yanggu"),
    ("371522", "莘县", "Shen County"),
    ("371524", "东阿县", "Dong'e"),
    ("371525", "冠县", "Guan County"),
    ("371526", "高唐县", "Gaotang"),
    ("371581", "临清市", "Linqing"),
)
# Investment bands in 万元 (lower bound inclusive); a project sits in the last band it reaches.
INVESTMENT_BANDS: tuple[tuple[float, str, str, str], ...] = (
    (0, "lt500", "500万元以下", "under 5M yuan"),
    (500, "500-2000", "500–2000万元", "5–20M yuan"),
    (2000, "2000-10000", "2000万–1亿元", "20–100M yuan"),
    (10000, "ge10000", "1亿元及以上", "100M yuan and more"),
)
_NAMES = {spec.code: (spec.name_zh, spec.name_en) for spec in DEPARTMENTS}


@dataclass(frozen=True)
class GoalItem:
    """One of the 十百千 goals: where it stands and where the straight path says it should."""

    code: str
    name_zh: str
    name_en: str
    unit_zh: str
    unit_en: str
    value: float
    target: float
    share: float  # value / target
    expected_share: float  # share of the time from the baseline to the deadline that has passed
    deadline: date


@dataclass(frozen=True)
class TargetItem:
    """A target as of the cockpit's day; ``status`` is on_track, lagging, reached or no_data."""

    code: str
    name_zh: str
    name_en: str
    unit_zh: str
    unit_en: str
    owner: str
    owner_zh: str
    owner_en: str
    task_number: int | None
    baseline: float
    target_value: float
    deadline: date
    latest: float | None
    measured_on: date | None
    progress: float | None  # share of the way from baseline to target (may exceed 1)
    expected: float  # share of the way the linear path expects by the cockpit's day
    status: str


@dataclass(frozen=True)
class UnitItem:
    """A responsible unit: its tasks on track and lagging, and how many warnings it has."""

    department: str
    name_zh: str
    name_en: str
    tasks: int
    on_track: int
    lagging: int
    warnings: int


@dataclass(frozen=True)
class WarningItem:
    """A lagging warning as the cockpit shows it (B's ``Warning`` with the unit's name)."""

    kind: str
    subject: str
    key: str
    department: str
    department_zh: str
    department_en: str
    title_zh: str
    title_en: str
    reason_zh: str
    reason_en: str
    since: date | None


@dataclass(frozen=True)
class Breakdown:
    """Projects in one domain, county or investment band: how many, selected, 万元 invested."""

    key: str
    label_zh: str
    label_en: str
    projects: int
    selected: int
    investment: float


@dataclass(frozen=True)
class ProjectFact:
    """What the cockpit needs of a registered project."""

    domain: str
    county: str
    investment: float
    screening: str  # submitted | screened | selected | rejected


@dataclass(frozen=True)
class ReportItem:
    """A submitted progress report, newest first on the cockpit."""

    id: int
    task_number: int
    task_title: str
    department: str
    department_zh: str
    department_en: str
    period: str
    submitted_at: datetime
    corrects: int | None


@dataclass(frozen=True)
class Cockpit:
    """Everything the leading group sees, as of ``on``."""

    on: date
    generated_at: datetime
    policy_number: str
    policy_title: str
    goal_due_on: date
    goals: tuple[GoalItem, ...]
    targets: tuple[TargetItem, ...]
    units: tuple[UnitItem, ...]
    warnings: tuple[WarningItem, ...]
    projects_by_domain: tuple[Breakdown, ...]
    projects_by_county: tuple[Breakdown, ...]
    projects_by_investment: tuple[Breakdown, ...]
    recent_reports: tuple[ReportItem, ...]


def department_names(code: str) -> tuple[str, str]:
    """(Chinese, English) name of a unit; the code itself when it is not a reference unit."""
    return _NAMES.get(code, (code, code))


def elapsed_share(start: date, deadline: date, on: date) -> float:
    """How much of the time from ``start`` to ``deadline`` has passed on ``on`` (0 to 1)."""
    if deadline <= start:
        return 1.0
    return min(1.0, max(0.0, (on - start).days / (deadline - start).days))


def goal_item(target: TargetItem) -> GoalItem:
    """A 十百千 goal: its target's value (the registries' count) against the target value."""
    value = target.latest if target.latest is not None else target.baseline
    return GoalItem(
        code=target.code,
        name_zh=target.name_zh,
        name_en=target.name_en,
        unit_zh=target.unit_zh,
        unit_en=target.unit_en,
        value=value,
        target=target.target_value,
        share=value / target.target_value if target.target_value else 0.0,
        expected_share=target.expected,
        deadline=target.deadline,
    )


def target_item(
    view: TargetView, on: date, flagged: set[str], counted: float | None = None
) -> TargetItem:
    """A target with its latest value measured by ``on`` (later values are not yet known), or
    with ``counted``, the registries' count on ``on`` for a target that names a measure."""
    known = [v for v in view.values if v.measured_on <= on]
    latest = known[-1] if known else None
    if counted is not None:
        latest = MeasuredValue(on, counted, "registry")
    progress = progress_of(view.baseline, view.target_value, latest.value if latest else None)
    if latest is None:
        status = "no_data"
    elif progress is not None and progress >= 1:
        status = "reached"
    elif view.code in flagged:
        status = "lagging"
    else:
        status = "on_track"
    zh, en = department_names(view.owner)
    return TargetItem(
        code=view.code,
        name_zh=view.name_zh,
        name_en=view.name_en,
        unit_zh=view.unit_zh,
        unit_en=view.unit_en,
        owner=view.owner,
        owner_zh=zh,
        owner_en=en,
        task_number=view.task_number,
        baseline=view.baseline,
        target_value=view.target_value,
        deadline=view.deadline,
        latest=None if latest is None else latest.value,
        measured_on=None if latest is None else latest.measured_on,
        progress=progress,
        expected=elapsed_share(view.baseline_on, view.deadline, on),
        status=status,
    )


def warning_item(found: warnings.Warning) -> WarningItem:
    zh, en = department_names(found.department)
    return WarningItem(
        kind=found.kind,
        subject=found.subject,
        key=found.key,
        department=found.department,
        department_zh=zh,
        department_en=en,
        title_zh=found.title_zh,
        title_en=found.title_en,
        reason_zh=found.reason_zh,
        reason_en=found.reason_en,
        since=found.since,
    )


def unit_items(
    units_of: dict[int, tuple[str, ...]],
    found: Sequence[WarningItem],
    task_of_target: dict[str, int | None],
) -> tuple[UnitItem, ...]:
    """Per unit: its tasks, which of them lag (a warning of that unit on the task or on one of
    the task's targets), and its warnings; units with the most lagging tasks first."""
    lagging: dict[str, set[int]] = defaultdict(set)
    counts: Counter[str] = Counter()
    for item in found:
        counts[item.department] += 1
        task = int(item.key) if item.subject == "task" else task_of_target.get(item.key)
        if task is not None:
            lagging[item.department].add(task)
    tasks_of: dict[str, set[int]] = defaultdict(set)
    for number, codes in units_of.items():
        for code in codes:
            tasks_of[code].add(number)
    rows = []
    for code in tasks_of.keys() | counts.keys():
        own = tasks_of.get(code, set())
        late = lagging.get(code, set()) & own
        zh, en = department_names(code)
        rows.append(UnitItem(code, zh, en, len(own), len(own - late), len(late), counts[code]))
    return tuple(sorted(rows, key=lambda u: (-u.lagging, -u.warnings, -u.tasks, u.department)))


def breakdowns(facts: Iterable[ProjectFact]) -> dict[str, tuple[Breakdown, ...]]:
    """Projects (rejected ones left out) by domain, by county and by investment band."""
    kept = [f for f in facts if f.screening != "rejected"]

    def band(amount: float) -> str:
        return [key for floor, key, _, _ in INVESTMENT_BANDS if amount >= floor][-1]

    def rows(labels: Sequence[tuple[str, str, str]], key_of: str | None) -> tuple[Breakdown, ...]:
        out = []
        for key, zh, en in labels:
            group = [
                f
                for f in kept
                if (band(f.investment) if key_of is None else getattr(f, key_of)) == key
            ]
            selected = sum(1 for f in group if f.screening == "selected")
            invested = round(sum(f.investment for f in group), 2)
            out.append(Breakdown(key, zh, en, len(group), selected, invested))
        return tuple(out)

    bands = [(key, zh, en) for _, key, zh, en in INVESTMENT_BANDS]
    return {
        "domain": rows(DOMAINS, "domain"),
        "county": rows(COUNTIES, "county"),
        "investment": rows(bands, None),
    }


def _counted(session: Session, views: Sequence[TargetView], on: date) -> dict[str, float]:
    """The registries' counts on ``on`` of the targets that name a measure (十百千): the true
    count on any day, where recorded values exist only for the days they were recorded."""
    return {
        view.code: measures.measure(session, view.measure, on)
        for view in views
        if view.measure in measures.MEASURES
    }


def _city_day(moment: datetime) -> date:
    return moment.astimezone(CITY_TIME).date()


def _report_item(report: reports.ReportView) -> ReportItem:
    zh, en = department_names(report.department)
    return ReportItem(
        id=report.id,
        task_number=report.task_number,
        task_title=report.task_title,
        department=report.department,
        department_zh=zh,
        department_en=en,
        period=report.period,
        submitted_at=report.submitted_at,
        corrects=report.corrects,
    )


def build_cockpit(db: Database, actor: Actor, on: date, due_days: int) -> Cockpit:
    """The cockpit as of ``on`` (reports are due ``due_days`` after their period); audited."""
    actor.require(Permission.PROGRAMME_READ)
    listed = warnings.list_warnings(db, actor, on, due_days=due_days)
    # Targets' warnings first (behind the path, trend, missed), then milestones, then reports.
    listed.sort(key=lambda w: (warnings.KINDS.index(w.kind), w.department, w.key))
    found = [warning_item(w) for w in listed]
    submitted = [
        r for r in reports.list_reports(db, actor, limit=1000) if _city_day(r.submitted_at) <= on
    ]
    submitted.sort(key=lambda r: (r.submitted_at, r.id), reverse=True)
    with db.transaction() as session:
        all_targets = targets.all_target_views(session)
        counted = _counted(session, all_targets, on)
        units_of = tasks.task_units(session)
        facts = [
            ProjectFact(p.domain, p.county, p.investment, p.screening)
            for p in projects.project_facts(session, on)
        ]
        audit.record(
            session,
            actor,
            "programme.cockpit.read",
            object_type="programme_cockpit",
            object_id=on.isoformat(),
            details={"warnings": len(found), "targets": len(all_targets)},
        )
    flagged = {w.key for w in found if w.subject == "target"}
    items = {
        view.code: target_item(view, on, flagged, counted.get(view.code)) for view in all_targets
    }
    goals = tuple(goal_item(items[code]) for code in GOAL_TARGETS if code in items)
    parts = breakdowns(facts)
    return Cockpit(
        on=on,
        generated_at=datetime.now(UTC),
        policy_number=POLICY.number,
        policy_title=POLICY.title,
        goal_due_on=GOAL.due_on,
        goals=goals,
        targets=tuple(items.values()),
        units=unit_items(units_of, found, {v.code: v.task_number for v in all_targets}),
        warnings=tuple(found),
        projects_by_domain=parts["domain"],
        projects_by_county=parts["county"],
        projects_by_investment=parts["investment"],
        recent_reports=tuple(_report_item(r) for r in submitted[:RECENT_REPORTS]),
    )
