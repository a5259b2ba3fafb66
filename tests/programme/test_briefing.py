"""The leading group's report: the Excel and the PDF carry the cockpit's numbers, and the PDF
embeds its Chinese font (checked in the PDF's font objects, by extracting the text back, and by
rendering the page with PDFium)."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import pypdfium2 as pdfium  # type: ignore[import-untyped]
import pypdfium2.raw as pdfium_c  # type: ignore[import-untyped]
import pytest
from openpyxl import load_workbook

from cityhub.programme.briefing import write_pdf, write_xlsx
from cityhub.programme.briefing.counties import counties
from cityhub.programme.briefing.fonts import FAMILY, cjk_font
from cityhub.programme.briefing.sections import Share, sections, text
from cityhub.programme.cockpit import (
    COUNTIES,
    Cockpit,
    GoalItem,
    ProjectFact,
    ReportItem,
    TargetItem,
    UnitItem,
    WarningItem,
    breakdowns,
)

# A cockpit made by hand: the writers need no other module.
ON = date(2021, 6, 30)
LAG_REASON = "按线性进度应达 62.0%，实际 30.0%（3 / 10 个）"

FACTS = [
    ProjectFact("agri", "371502", 800.0, "selected"),
    ProjectFact("agri", "371521", 300.0, "screened"),
    ProjectFact("manufacturing", "371502", 12000.0, "selected"),
    ProjectFact("manufacturing", "371581", 2500.0, "selected"),
    ProjectFact("services", "371526", 1500.0, "submitted"),
    ProjectFact("industrialisation", "371503", 6000.0, "selected"),
    ProjectFact("industrialisation", "371525", 999.0, "rejected"),  # left out everywhere
]


def sample_cockpit(on: date = ON) -> Cockpit:
    parts = breakdowns(FACTS)
    return Cockpit(
        on=on,
        generated_at=datetime(2021, 7, 1, 1, 30, tzinfo=UTC),
        policy_number="聊政办字〔2020〕20号",
        policy_title="关于支持数字经济发展的实施意见",
        goal_due_on=date(2022, 12, 31),
        goals=(
            GoalItem(
                "SBQ-PARKS",
                "数字经济园区",
                "Digital economy parks",
                "个",
                "parks",
                3.0,
                10.0,
                0.3,
                0.62,
                date(2022, 12, 31),
            ),
            GoalItem(
                "SBQ-PROJECTS",
                "数字经济项目",
                "Digital economy projects",
                "个",
                "projects",
                64.0,
                100.0,
                0.64,
                0.62,
                date(2022, 12, 31),
            ),
            GoalItem(
                "SBQ-TALENT",
                "数字经济人才培训",
                "People trained",
                "人",
                "people",
                720.0,
                1000.0,
                0.72,
                0.62,
                date(2022, 12, 31),
            ),
        ),
        targets=(
            TargetItem(
                "SBQ-PARKS",
                "数字经济园区",
                "Digital economy parks",
                "个",
                "parks",
                "DSJJ",
                "市大数据局",
                "Big Data Bureau",
                9,
                0.0,
                10.0,
                date(2022, 12, 31),
                3.0,
                date(2021, 6, 1),
                0.3,
                0.62,
                "lagging",
            ),
            TargetItem(
                "5G-TOWNS",
                "重点镇5G覆盖率",
                "5G coverage of key towns",
                "%",
                "%",
                "GXJ",
                "市工业和信息化局",
                "Industry Bureau",
                2,
                20.0,
                100.0,
                date(2022, 12, 31),
                80.0,
                date(2021, 6, 1),
                0.75,
                0.62,
                "on_track",
            ),
            TargetItem(
                "WATER-SENSORS",
                "水利感知站点",
                "Water sensing stations",
                "个",
                "stations",
                "SLJ",
                "市水利局",
                "Water Bureau",
                12,
                0.0,
                200.0,
                date(2022, 12, 31),
                None,
                None,
                None,
                0.62,
                "no_data",
            ),
        ),
        units=(
            UnitItem("DSJJ", "市大数据局", "Big Data Bureau", 6, 5, 1, 1),
            UnitItem("SLJ", "市水利局", "Water Bureau", 2, 1, 1, 1),
            UnitItem("GXJ", "市工业和信息化局", "Industry Bureau", 4, 4, 0, 0),
        ),
        warnings=(
            WarningItem(
                "behind_path",
                "target",
                "SBQ-PARKS",
                "DSJJ",
                "市大数据局",
                "Big Data Bureau",
                "数字经济园区",
                "Digital economy parks",
                LAG_REASON,
                "62.0% expected on the linear path, 30.0% reached (3 of 10)",
                date(2021, 3, 1),
            ),
            WarningItem(
                "report_overdue",
                "task",
                "12",
                "SLJ",
                "市水利局",
                "Water Bureau",
                "推进智慧水利建设",
                "Smart water",
                "2021-Q1 报告应于 2021-04-10 前报送，已逾期 81 天",
                "The 2021-Q1 report was due on 2021-04-10: 81 days overdue",
                date(2021, 4, 10),
            ),
        ),
        projects_by_domain=parts["domain"],
        projects_by_county=parts["county"],
        projects_by_investment=parts["investment"],
        recent_reports=(
            ReportItem(
                7,
                12,
                "推进智慧水利建设",
                "SLJ",
                "市水利局",
                "Water Bureau",
                "2021-Q2",
                datetime(2021, 6, 28, 2, 0, tzinfo=UTC),
                None,
            ),
            ReportItem(
                5,
                9,
                "建设数字经济园区",
                "DSJJ",
                "市大数据局",
                "Big Data Bureau",
                "2021-Q1",
                datetime(2021, 4, 8, 8, 0, tzinfo=UTC),
                3,
            ),
        ),
    )


@pytest.fixture(scope="module")
def pdf_bytes() -> bytes:
    return write_pdf(sample_cockpit())


def _fonts(page: pdfium.PdfPage) -> dict[str, bool]:
    """Base font name → embedded, for every text object of the page."""
    found: dict[str, bool] = {}
    for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_TEXT]):
        font = pdfium_c.FPDFTextObj_GetFont(obj.raw)
        size = pdfium_c.FPDFFont_GetBaseFontName(font, None, 0)
        buffer = bytes(size)
        pdfium_c.FPDFFont_GetBaseFontName(font, buffer, size)
        name = buffer.rstrip(b"\0").decode()
        found[name] = bool(pdfium_c.FPDFFont_GetIsEmbedded(font))
    return found


def test_the_font_is_the_simplified_chinese_face_of_the_collection() -> None:
    font = cjk_font()
    assert font.path.name == "NotoSansCJK-Regular.ttc"
    assert font.family == FAMILY
    assert font.face == 2  # JP, KR, SC, … in Noto's collection; found by name, not assumed


def test_the_pdf_embeds_a_subset_of_the_cjk_font(pdf_bytes: bytes) -> None:
    doc = pdfium.PdfDocument(pdf_bytes)
    try:
        fonts = _fonts(doc[0])
    finally:
        doc.close()
    assert fonts, "no text on the first page"
    assert all(fonts.values()), fonts  # every font the page uses is embedded
    assert all("NotoSansCJK" in name for name in fonts), fonts
    assert b"/FontFile3" in pdf_bytes or b"/FontFile2" in pdf_bytes  # the font program itself
    assert len(pdf_bytes) < 400_000  # a subset, not the 19 MB collection


def test_the_chinese_text_extracts_back(pdf_bytes: bytes) -> None:
    doc = pdfium.PdfDocument(pdf_bytes)
    try:
        pages = [doc[i].get_textpage().get_text_range() for i in range(len(doc))]
    finally:
        doc.close()
    everything = "\n".join(pages)
    assert "数字聊城建设领导小组 · 数字经济发展工作简报" in pages[0]
    assert "聊政办字〔2020〕20号" in pages[0]
    assert "数字经济园区 3 / 10 个（30.0%，时间进度 62.0%）" in pages[0]
    assert "东昌府区" in pages[0] and "茌平区" in pages[0]
    assert LAG_REASON in everything.replace("\r\n", "").replace("\n", "")
    assert "推进智慧水利建设" in everything


def test_the_map_has_the_eight_counties_of_the_cockpit() -> None:
    shapes = counties()
    assert sorted((c.code, c.name) for c in shapes) == sorted((k, zh) for k, zh, _ in COUNTIES)
    for county in shapes:
        lon, lat = county.label_at
        assert 115.2 < lon < 116.6 and 35.7 < lat < 37.1  # inside 聊城市
        assert all(len(ring) > 20 for ring in county.rings)


def test_the_pdf_draws_the_map_with_its_counts(pdf_bytes: bytes) -> None:
    doc = pdfium.PdfDocument(pdf_bytes)
    try:
        text_of = [doc[i].get_textpage().get_text_range() for i in range(len(doc))]
    finally:
        doc.close()
    page = next(t for t in text_of if "项目分布地图" in t)
    assert "东昌府区\r\n2" in page or "东昌府区\n2" in page  # name and count on the map


def test_the_rendered_title_has_ink(pdf_bytes: bytes) -> None:
    """PDFium draws the title's glyphs: the strip where it sits is not blank."""
    doc = pdfium.PdfDocument(pdf_bytes)
    try:
        image = doc[0].render(scale=1).to_pil().convert("L")
    finally:
        doc.close()
    title = image.crop((40, 25, 600, 65))  # A4 landscape at 72 dpi: 842 × 595
    dark = sum(title.histogram()[:128])  # pixels darker than mid-grey
    assert dark > 800


def test_the_workbook_has_a_sheet_per_section_with_the_same_numbers() -> None:
    cockpit = sample_cockpit()
    book = load_workbook(io.BytesIO(write_xlsx(cockpit)))
    assert book.sheetnames == ["概览", *(s.sheet for s in sections(cockpit))]
    cover = book["概览"]
    assert cover["B4"].value == datetime(2021, 6, 30)
    assert cover["B7"].value == 2  # warnings
    assert cover["B8"].value == 6  # projects, the rejected one left out
    goals = book["十百千"]
    assert [c.value for c in goals[2]] == [
        "目标",
        "当前值",
        "目标值",
        "单位",
        "完成率",
        "时间进度",
        "截止日期",
    ]
    assert [c.value for c in goals[3]][:5] == ["数字经济园区", 3.0, 10.0, "个", 0.3]
    assert goals["E3"].number_format == "0.0%"
    counties = {row[0].value: row[1].value for row in book["项目-县市区"].iter_rows(min_row=3)}
    assert counties == {b.label_zh: b.projects for b in cockpit.projects_by_county}
    warnings = book["滞后预警"]
    assert warnings["D3"].value == LAG_REASON
    reports = book["近期报告"]
    assert reports["E3"].value == datetime(2021, 6, 28, 10, 0)  # 02:00 UTC in 聊城
    assert reports["F4"].value == 3  # corrects report 3


def test_an_empty_cockpit_still_makes_both_files() -> None:
    empty = sample_cockpit()
    empty = type(empty)(
        **{
            **empty.__dict__,
            "goals": (),
            "targets": (),
            "units": (),
            "warnings": (),
            "recent_reports": (),
        }
    )
    book = load_workbook(io.BytesIO(write_xlsx(empty)))
    assert book["滞后预警"]["A3"].value == "（无）"
    assert write_pdf(empty).startswith(b"%PDF-")


@pytest.mark.parametrize(
    ("cell", "shown"),
    [
        (None, "—"),
        (Share(0.305), "30.5%"),
        (Share(1.25), "125.0%"),
        (3.0, "3"),
        (1234.5, "1,234.50"),
        (12000, "12,000"),
        (date(2022, 12, 31), "2022-12-31"),
        (datetime(2021, 6, 28, 10, 0), "2021-06-28 10:00"),
        ("市水利局", "市水利局"),
    ],
)
def test_cells_print_in_the_pdf_like_this(cell: object, shown: str) -> None:
    assert text(cell) == shown  # type: ignore[arg-type]
