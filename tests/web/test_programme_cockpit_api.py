"""The cockpit API and the briefing downloads: the JSON, the Excel and the PDF agree."""

from __future__ import annotations

import io

import pypdfium2 as pdfium  # type: ignore[import-untyped]
import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select

from cityhub.audit.models import AuditEvent
from cityhub.config import Settings
from cityhub.db import Database
from tests.conftest import PASSWORD, People
from tests.programme.test_cockpit import ON_DAY, WATER, seed_programme
from tests.web.test_pages import log_in

ON = ON_DAY.isoformat()


@pytest.fixture
def seeded(db: Database, settings: Settings) -> Database:
    seed_programme(db, settings)
    return db


def test_the_cockpit_json(
    client: TestClient, headers: dict[str, dict[str, str]], seeded: Database
) -> None:
    response = client.get(f"/api/programme/cockpit?on={ON}", headers=headers["analyst"])
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["on"] == ON
    assert body["policy_number"] == "聊政办字〔2020〕20号"
    assert [g["code"] for g in body["goals"]] == ["SBQ-PARKS", "SBQ-PROJECTS", "SBQ-TALENT"]
    water = next(t for t in body["targets"] if t["code"] == WATER.code)
    assert (water["latest"], water["status"]) == (20.0, "lagging")
    assert body["warnings"][0]["reason_zh"]
    assert len(body["projects_by_county"]) == 8


def test_a_bad_day_is_refused(client: TestClient, headers: dict[str, dict[str, str]]) -> None:
    response = client.get("/api/programme/cockpit?on=2021-13-01", headers=headers["analyst"])
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_input"
    assert "on" in response.json()["error"]["message"]


def test_the_excel_and_the_pdf_carry_the_same_numbers(
    client: TestClient, headers: dict[str, dict[str, str]], seeded: Database
) -> None:
    body = client.get(f"/api/programme/cockpit?on={ON}", headers=headers["admin"]).json()

    xlsx = client.get(f"/api/programme/briefing.xlsx?on={ON}", headers=headers["admin"])
    assert xlsx.status_code == 200
    assert xlsx.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert f'filename="briefing-{ON}.xlsx"' in xlsx.headers["content-disposition"]
    book = load_workbook(io.BytesIO(xlsx.content))
    goals = {row[0].value: row[1].value for row in book["十百千"].iter_rows(min_row=3)}
    assert goals == {g["name_zh"]: g["value"] for g in body["goals"]}
    counties = {row[0].value: row[1].value for row in book["项目-县市区"].iter_rows(min_row=3)}
    assert counties == {b["label_zh"]: b["projects"] for b in body["projects_by_county"]}

    pdf = client.get(f"/api/programme/briefing.pdf?on={ON}", headers=headers["admin"])
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    doc = pdfium.PdfDocument(pdf.content)
    try:
        first = doc[0].get_textpage().get_text_range()
    finally:
        doc.close()
    projects = next(g for g in body["goals"] if g["code"] == "SBQ-PROJECTS")
    assert f"数字经济项目 {projects['value']:.0f} / 100 个" in first
    assert f"统计截至 {ON}" in first

    with seeded.reading() as session:
        exports = list(
            session.scalars(
                select(AuditEvent.details).where(AuditEvent.action == "programme.briefing.export")
            )
        )
    assert [e["format"] for e in exports] == ["xlsx", "pdf"]


def test_the_page_refuses_a_bad_day(client: TestClient, people: People) -> None:
    log_in(client, people.analyst, PASSWORD)
    page = client.get("/cockpit?on=30.06.2021")
    assert page.status_code == 400
    assert "2021-06-30" in page.text  # the message says what a day looks like
    assert client.get("/cockpit/briefing.docx").status_code == 400


def test_the_county_boundaries_are_served(client: TestClient) -> None:
    response = client.get("/cockpit/counties.geojson")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/geo+json"
    codes = {f["properties"]["adcode"] for f in response.json()["features"]}
    assert len(codes) == 8 and "371503" in codes
