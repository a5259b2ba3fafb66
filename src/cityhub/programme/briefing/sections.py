"""The cockpit as tables: one ``Section`` per part, shared by the Excel and the PDF writers.

Both files are written from these rows, so a number in the workbook is the number in the PDF
(and on the page, which reads the same ``Cockpit``). Cells stay typed (numbers, dates, shares)
so that Excel gets real numbers; ``text`` formats a cell for the PDF.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from cityhub.programme.cockpit import Breakdown, Cockpit

Cell = str | int | float | date | None
CITY_TIME = ZoneInfo("Asia/Shanghai")  # report times are shown in the city's time

KINDS_ZH = {
    "behind_path": "落后于进度",
    "trend_misses": "趋势难达标",
    "missed": "逾期未达标",
    "milestone_overdue": "节点逾期",
    "report_overdue": "报告逾期",
}
STATUS_ZH = {"on_track": "正常", "lagging": "滞后", "reached": "已达成", "no_data": "无数据"}


@dataclass(frozen=True)
class Share:
    """A fraction shown as a percentage (Excel keeps the fraction with a % format)."""

    value: float


@dataclass(frozen=True)
class Section:
    """One table of the briefing: its sheet name, title, column headers and rows."""

    key: str
    sheet: str  # ≤ 31 characters, Excel's limit
    title_zh: str
    title_en: str
    headers: tuple[str, ...]
    rows: tuple[tuple[Cell | Share, ...], ...]


def text(cell: Cell | Share) -> str:
    """A cell as the PDF prints it."""
    if cell is None:
        return "—"
    if isinstance(cell, Share):
        return f"{cell.value:.1%}"
    if isinstance(cell, bool):
        return "是" if cell else "否"
    if isinstance(cell, float):
        return f"{cell:,.0f}" if cell.is_integer() else f"{cell:,.2f}"
    if isinstance(cell, int):
        return f"{cell:,}"
    if isinstance(cell, datetime):
        return cell.strftime("%Y-%m-%d %H:%M")
    if isinstance(cell, date):
        return cell.isoformat()
    return cell


def _projects(key: str, sheet: str, zh: str, en: str, rows: tuple[Breakdown, ...]) -> Section:
    return Section(
        key,
        sheet,
        zh,
        en,
        ("分类", "项目数", "其中入选", "投资额（万元）"),
        tuple((b.label_zh, b.projects, b.selected, b.investment) for b in rows),
    )


def sections(cockpit: Cockpit) -> tuple[Section, ...]:
    """The briefing's tables, in reading order."""
    goals = Section(
        "goals",
        "十百千",
        "“十百千”目标进展",
        "Ten parks, a hundred projects, a thousand people",
        ("目标", "当前值", "目标值", "单位", "完成率", "时间进度", "截止日期"),
        tuple(
            (
                g.name_zh,
                g.value,
                g.target,
                g.unit_zh,
                Share(g.share),
                Share(g.expected_share),
                g.deadline,
            )
            for g in cockpit.goals
        ),
    )
    targets = Section(
        "targets",
        "指标",
        "指标进度与期限",
        "Targets against their deadlines",
        (
            "代码",
            "指标",
            "责任单位",
            "任务",
            "基数",
            "最新值",
            "测量日期",
            "目标值",
            "单位",
            "完成进度",
            "应达进度",
            "截止日期",
            "状态",
        ),
        tuple(
            (
                t.code,
                t.name_zh,
                t.owner_zh,
                t.task_number,
                t.baseline,
                t.latest,
                t.measured_on,
                t.target_value,
                t.unit_zh,
                None if t.progress is None else Share(t.progress),
                Share(t.expected),
                t.deadline,
                STATUS_ZH.get(t.status, t.status),
            )
            for t in cockpit.targets
        ),
    )
    units = Section(
        "units",
        "责任单位",
        "责任单位任务状态",
        "Task status by responsible unit",
        ("单位", "负责任务", "正常", "滞后", "预警数"),
        tuple((u.name_zh, u.tasks, u.on_track, u.lagging, u.warnings) for u in cockpit.units),
    )
    lagging = Section(
        "warnings",
        "滞后预警",
        "滞后预警及原因",
        "Lagging warnings and why",
        ("类型", "对象", "责任单位", "原因", "起始日期"),
        tuple(
            (KINDS_ZH.get(w.kind, w.kind), w.title_zh, w.department_zh, w.reason_zh, w.since)
            for w in cockpit.warnings
        ),
    )
    reports = Section(
        "reports",
        "近期报告",
        "近期进展报告",
        "Recent progress reports",
        ("编号", "任务", "报送单位", "期次", "报送时间", "更正"),
        tuple(
            (
                r.id,
                f"（{r.task_number}）{r.task_title}",
                r.department_zh,
                r.period,
                r.submitted_at.astimezone(CITY_TIME).replace(tzinfo=None),
                r.corrects,
            )
            for r in cockpit.recent_reports
        ),
    )
    return (
        goals,
        targets,
        units,
        lagging,
        _projects(
            "domain", "项目-领域", "项目按领域", "Projects by domain", cockpit.projects_by_domain
        ),
        _projects(
            "county",
            "项目-县市区",
            "项目按县（市、区）",
            "Projects by county",
            cockpit.projects_by_county,
        ),
        _projects(
            "investment",
            "项目-投资",
            "项目按投资规模",
            "Projects by investment",
            cockpit.projects_by_investment,
        ),
        reports,
    )
