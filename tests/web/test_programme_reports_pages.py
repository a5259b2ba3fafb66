"""The reports pages: the list with the unit's due and overdue periods, the multipart form with
CSRF, the report page with figures, attachments and the correction chain, and the catalogs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from cityhub.config import Settings
from cityhub.db import Database
from cityhub.errors import InvalidInput
from cityhub.web.i18n import LANGUAGES, catalog
from cityhub.web.pages.programme_reports import parse_figure_lines
from tests.conftest import ADMIN_PASSWORD, PASSWORD, People
from tests.programme.test_reports import PDF, STEWARD, seed_reports, submit
from tests.web.test_pages import csrf_of, log_in

TEMPLATES = Path(__file__).parents[2] / "src" / "cityhub" / "web" / "templates" / "programme"
LOCALES = Path(__file__).parents[2] / "src" / "cityhub" / "web" / "locales" / "programme_reports"
LITERAL_ID = re.compile(r"""\bt\(\s*["']([a-z_.0-9-]+)["']\s*[,)]""")


@pytest.fixture
def seeded(db: Database, people: People) -> Database:
    seed_reports(db)
    return db


def test_the_pages_need_a_login(client: TestClient, seeded: Database) -> None:
    for path in ("/programme/reports", "/programme/reports/1"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith("/login")


def test_the_list_shows_the_units_overdue_periods_and_recent_reports(
    client: TestClient, seeded: Database, settings: Settings
) -> None:
    report = submit(seeded, settings, STEWARD)
    log_in(client, "slj.analyst", PASSWORD)
    page = client.get("/programme/reports").text
    assert 'id="overdue"' in page and "2020-Q2" in page  # SLJ never reported on 2020-Q2
    assert f'href="/programme/reports/{report.id}"' in page and "2021-Q3" in page
    assert 'id="report-form"' not in page  # analysts read only
    other = client.get("/programme/reports?department=NYNCJ").text
    assert "本单位(NYNCJ)待报送" in other


def test_a_steward_submits_with_a_file_and_sees_the_report(
    client: TestClient, seeded: Database
) -> None:
    log_in(client, "slj.steward", PASSWORD)
    page = client.get("/programme/reports").text
    assert 'enctype="multipart/form-data"' in page and 'name="department"' not in page
    assert '<option value="4"' in page and '<option value="5"' not in page  # SLJ's task only
    form = {
        "csrf_token": csrf_of(page),
        "task": "4",
        "period": "2021-Q3",
        "text": "本季度新建水位监测站 12 个。",
        "figures": "T4-STATIONS=12\n\nSLJ-SENSORS = 3\n",
    }
    sent = client.post(
        "/programme/reports", data=form, files=[("files", PDF)], follow_redirects=False
    )
    assert sent.status_code == 303, sent.text
    shown = client.get(sent.headers["location"]).text
    assert "本季度新建水位监测站 12 个。" in shown and "T4-STATIONS" in shown and ">12 " in shown
    assert "进度.pdf" in shown and 'id="report-chain"' in shown
    link = re.search(r'href="(/programme/reports/\d+/attachments/1)"', shown)
    assert link is not None
    download = client.get(link.group(1))
    assert download.content == PDF[1] and download.headers["x-content-type-options"] == "nosniff"


def test_a_refused_submission_comes_back_in_the_form(
    client: TestClient, seeded: Database, settings: Settings
) -> None:
    first = submit(seeded, settings, STEWARD)
    log_in(client, "slj.steward", PASSWORD)
    page = client.get("/programme/reports").text
    form = {"csrf_token": csrf_of(page), "task": "4", "period": "2021-Q3", "text": "重复"}
    again = client.post("/programme/reports", data=form)
    assert again.status_code == 400
    assert 'id="form-error"' in again.text and f"report {first.id}" in again.text
    assert "重复" in again.text  # the text the steward typed is kept


def test_the_form_needs_the_csrf_token(client: TestClient, seeded: Database) -> None:
    log_in(client, "slj.steward", PASSWORD)
    form = {"task": "4", "period": "2021-Q3", "text": "无令牌"}
    assert client.post("/programme/reports", data=form).status_code == 403


def test_an_admin_names_the_unit_and_sees_the_chain(
    client: TestClient, seeded: Database, settings: Settings
) -> None:
    first = submit(seeded, settings, STEWARD, attachments=[PDF])
    log_in(client, "admin", ADMIN_PASSWORD)
    page = client.get("/programme/reports").text
    assert 'name="department"' in page
    form = {
        "csrf_token": csrf_of(page),
        "task": "4",
        "period": "2021-Q3",
        "department": "SLJ",
        "text": "更正:新建 13 个。",
        "corrects": str(first.id),
    }
    sent = client.post("/programme/reports", data=form, follow_redirects=False)
    assert sent.status_code == 303, sent.text
    old = client.get(f"/programme/reports/{first.id}").text
    assert 'id="superseded"' in old and sent.headers["location"].rsplit("/", 1)[1] in old


@pytest.mark.parametrize(
    ("text", "parsed"),
    [("", {}), ("A=1\n B = 2.5 \n\n", {"A": 1.0, "B": 2.5})],
)
def test_figure_lines(text: str, parsed: dict[str, float]) -> None:
    assert parse_figure_lines(text) == parsed


def test_a_bad_figure_line_names_its_row() -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_figure_lines("A=1\nB")
    assert caught.value.details["row"] == 2


def test_catalogs_match_and_cover_the_templates() -> None:
    zh, en = (set(catalog(language)) for language in LANGUAGES)
    ids = {i for i in zh if i.startswith("programme.reports.")}
    assert ids == {i for i in en if i.startswith("programme.reports.")}
    used: set[str] = set()
    for template in TEMPLATES.glob("reports*.html"):
        used |= set(LITERAL_ID.findall(template.read_text(encoding="utf-8")))
    assert used <= zh
    assert all(path.exists() for path in (LOCALES / "zh-CN.json", LOCALES / "en.json"))
