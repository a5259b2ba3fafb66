"""The leading group's report as an Excel workbook: a cover sheet, then a sheet per section."""

from __future__ import annotations

import io
from datetime import date, datetime

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from cityhub.programme.briefing.sections import CITY_TIME, Cell, Section, Share, sections
from cityhub.programme.cockpit import Cockpit

HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
HEADER_FONT = Font(bold=True, color="FFFFFF")
TITLE_FONT = Font(bold=True, size=14)
MAX_WIDTH = 60


def _value(cell: Cell | Share) -> tuple[object, str | None]:
    """The value Excel stores, and its number format."""
    if isinstance(cell, Share):
        return cell.value, "0.0%"
    if isinstance(cell, datetime):
        return cell, "yyyy-mm-dd hh:mm"
    if isinstance(cell, date):
        return cell, "yyyy-mm-dd"
    if isinstance(cell, float):
        return cell, "#,##0.##"
    return cell, None


def _sheet(book: Workbook, section: Section) -> None:
    sheet = book.create_sheet(section.sheet)
    sheet.append([f"{section.title_zh}  {section.title_en}"])
    sheet["A1"].font = TITLE_FONT
    sheet.append(list(section.headers))
    for column in range(1, len(section.headers) + 1):
        cell = sheet.cell(row=2, column=column)
        cell.fill, cell.font = HEADER_FILL, HEADER_FONT
    for row in section.rows:
        values = [_value(cell) for cell in row]
        sheet.append([value for value, _ in values])
        for column, (_, number_format) in enumerate(values, start=1):
            if number_format:
                sheet.cell(row=sheet.max_row, column=column).number_format = number_format
    if not section.rows:
        sheet.append(["（无）"])
    sheet.freeze_panes = "A3"
    for column, header in enumerate(section.headers, start=1):
        longest = max(
            [len(header) * 2, *(len(str(row[column - 1])) for row in section.rows)], default=8
        )
        letter = get_column_letter(column)
        sheet.column_dimensions[letter].width = min(MAX_WIDTH, max(8, longest + 2))
    for row in sheet.iter_rows(min_row=3):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")


def write_xlsx(cockpit: Cockpit) -> bytes:
    """The workbook's bytes: 概览 (cover) and one sheet per section of ``sections``."""
    book = Workbook()
    cover = book.active
    cover.title = "概览"
    generated = cockpit.generated_at.astimezone(CITY_TIME).replace(tzinfo=None)
    for label, value in (
        ("数字聊城建设领导小组 · 数字经济发展工作简报", None),
        ("Leading group briefing: digital economy programme", None),
        ("政策文件", f"{cockpit.policy_number}《{cockpit.policy_title}》"),
        ("统计截至", cockpit.on),
        ("生成时间", generated),
        ("十百千目标期限", cockpit.goal_due_on),
        ("滞后预警数", len(cockpit.warnings)),
        ("项目总数", sum(b.projects for b in cockpit.projects_by_domain)),
        ("项目总投资（万元）", sum(b.investment for b in cockpit.projects_by_domain)),
    ):
        cover.append([label] if value is None else [label, value])
    cover["A1"].font = TITLE_FONT
    cover["B4"].number_format = "yyyy-mm-dd"
    cover["B5"].number_format = "yyyy-mm-dd hh:mm"
    cover["B6"].number_format = "yyyy-mm-dd"
    cover.column_dimensions["A"].width = 24
    cover.column_dimensions["B"].width = 60
    for section in sections(cockpit):
        _sheet(book, section)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
