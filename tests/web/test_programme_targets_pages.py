"""The targets and warnings pages: progress bars, the chart's data and expected path, the forms
(CSRF, who sees which), the warnings grouped by unit, and the message catalogs."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from cityhub.auth import Actor
from cityhub.db import Database
from cityhub.programme import targets, tasks
from cityhub.web.i18n import LANGUAGES, catalog
from tests.conftest import ADMIN_PASSWORD, PASSWORD, People
from tests.web.test_pages import csrf_of, log_in

ROOT = Path(__file__).parents[2] / "src" / "cityhub" / "web"
TEMPLATES = [
    *sorted((ROOT / "templates" / "programme").glob("targets*.html")),
    *sorted((ROOT / "templates" / "programme").glob("warnings*.html")),
]
LOCALES = ROOT / "locales" / "programme_targets"
LITERAL_ID = re.compile(r"""\bt\(\s*["']([a-z_.0-9-]+)["']\s*[,)]""")

SITES = targets.TargetSpec(
    code="SLJ-SITES",
    name_zh="水利感知站点",
    name_en="Water sensing sites",
    unit_zh="个",
    unit_en="sites",
    baseline=0.0,
    baseline_on=date(2020, 4, 7),
    target_value=100.0,
    deadline=date(2022, 12, 31),
    owner="SLJ",
    task_number=4,
)


@pytest.fixture
def loaded(db: Database, people: People) -> Database:
    with db.transaction() as session:
        tasks.ensure_tasks(session)
    targets.create_target(db, Actor.system(), SITES)
    targets.add_value(db, Actor.system(), SITES.code, 40.0, date(2021, 6, 30))
    return db


def test_pages_need_a_login(client: TestClient, loaded: Database) -> None:
    for path in ("/programme/targets", "/programme/targets/SLJ-SITES", "/programme/warnings"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith("/login")


def test_the_list_shows_progress_bars(client: TestClient, loaded: Database) -> None:
    log_in(client, "slj.analyst", PASSWORD)
    page = client.get("/programme/targets").text
    assert 'id="target-SLJ-SITES"' in page and "水利感知站点" in page and "市水利局" in page
    assert '<progress max="100" value="40.0">' in page and "40.0%" in page
    assert 'id="target-form"' not in page and 'id="refresh-form"' not in page
    english = client.get("/programme/targets?lang=en").text
    assert "Water sensing sites" in english and "Progress" in english


def test_the_detail_page_draws_the_series_against_the_path(
    client: TestClient, loaded: Database
) -> None:
    log_in(client, "slj.steward", PASSWORD)
    page = client.get("/programme/targets/SLJ-SITES").text
    assert "/static/vendor/echarts/echarts.min.js" in page
    assert "/static/programme/targets.js" in page
    raw = re.search(r'id="target-chart-data">(.*?)</script>', page, re.S)
    assert raw is not None
    chart = json.loads(raw.group(1))
    assert chart["values"] == [["2021-06-30", 40.0]]
    assert chart["path"] == [["2020-04-07", 0.0], ["2022-12-31", 100.0]]
    assert chart["target"] == 100.0
    # The steward of the owner department records; only admins edit.
    assert 'id="value-form"' in page and 'id="edit-form"' not in page


def test_a_steward_records_a_value_with_the_form(client: TestClient, loaded: Database) -> None:
    log_in(client, "slj.steward", PASSWORD)
    page = client.get("/programme/targets/SLJ-SITES")
    form = {"value": "55", "measured_on": "2021-09-30", "csrf_token": csrf_of(page.text)}
    done = client.post("/programme/targets/SLJ-SITES/values", data=form, follow_redirects=False)
    assert done.status_code == 303
    assert targets.get_target(loaded, Actor.system(), SITES.code).latest == 55.0
    bad = client.post(
        "/programme/targets/SLJ-SITES/values",
        data=form | {"value": "many"},
        follow_redirects=False,
    )
    assert bad.status_code == 400 and 'id="form-error"' in bad.text and "value" in bad.text
    no_token = client.post(
        "/programme/targets/SLJ-SITES/values",
        data={"value": "1", "measured_on": "2021-09-30"},
        follow_redirects=False,
    )
    assert no_token.status_code == 403


def test_another_department_sees_no_value_form(client: TestClient, loaded: Database) -> None:
    log_in(client, "nyncj.steward", PASSWORD)
    page = client.get("/programme/targets/SLJ-SITES").text
    assert 'id="value-form"' not in page


def test_an_admin_defines_edits_and_refreshes(client: TestClient, loaded: Database) -> None:
    log_in(client, "admin", ADMIN_PASSWORD)
    page = client.get("/programme/targets").text
    assert 'id="target-form"' in page and 'id="refresh-form"' in page
    token = csrf_of(page)
    form = {
        "code": "NEW-KPI",
        "name_zh": "新指标",
        "name_en": "New KPI",
        "unit_zh": "个",
        "unit_en": "items",
        "baseline": "0",
        "baseline_on": "2020-04-07",
        "target_value": "10",
        "deadline": "2022-12-31",
        "owner": "DSJJ",
        "task_number": "",
        "direction": "up",
        "path": "linear",
        "sql": "",
        "csrf_token": token,
    }
    made = client.post("/programme/targets", data=form, follow_redirects=False)
    assert made.status_code == 303 and made.headers["location"] == "/programme/targets/NEW-KPI"
    refused = client.post("/programme/targets", data=form | {"code": "X Y"})
    assert refused.status_code == 400 and 'id="form-error"' in refused.text
    assert 'value="X Y"' in refused.text  # the form keeps what was typed

    edit = {
        "name_zh": "新指标（修订）",
        "name_en": "New KPI",
        "target_value": "12",
        "deadline": "2022-12-31",
        "owner": "DSJJ",
        "path": "milestones",
        "csrf_token": token,
    }
    edited = client.post("/programme/targets/NEW-KPI/edit", data=edit, follow_redirects=False)
    assert edited.status_code == 303
    view = targets.get_target(loaded, Actor.system(), "NEW-KPI")
    assert (view.name_zh, view.target_value, view.path) == ("新指标（修订）", 12.0, "milestones")

    refreshed = client.post("/programme/targets/refresh", data={"csrf_token": token})
    assert refreshed.status_code == 200 and 'id="refresh-outcome"' in refreshed.text


def test_the_warnings_page_groups_by_unit(client: TestClient, loaded: Database) -> None:
    log_in(client, "slj.analyst", PASSWORD)
    page = client.get("/programme/warnings?on=2021-07-01").text
    assert 'id="warnings-SLJ"' in page and 'id="warnings-JTYSJ"' in page
    assert "落后于预期进度" in page and "应达到" in page  # the kind and the reason
    assert 'data-key="SLJ-SITES"' in page and "里程碑逾期" in page
    only = client.get("/programme/warnings?on=2021-07-01&department=SLJ").text
    assert 'id="warnings-SLJ"' in only and 'id="warnings-JTYSJ"' not in only
    english = client.get("/programme/warnings?on=2021-07-01&lang=en").text
    assert "Behind the expected path" in english and "should be at" in english


def test_catalogs_match_and_cover_the_templates() -> None:
    files = {lang: json.loads((LOCALES / f"{lang}.json").read_text("utf-8")) for lang in LANGUAGES}
    assert set(files["zh-CN"]) == set(files["en"])
    assert all(key.startswith("programme.targets.") for key in files["en"])
    ids = set(catalog("zh-CN"))
    for template in TEMPLATES:
        used = set(LITERAL_ID.findall(template.read_text(encoding="utf-8")))
        assert used - ids == set(), template.name
    dynamic = {f"programme.targets.warnings.kind.{k}" for k in ("behind_path", "trend_misses")}
    dynamic |= {"programme.targets.warnings.kind.missed"}
    dynamic |= {f"programme.targets.warnings.kind.{k}_overdue" for k in ("milestone", "report")}
    dynamic |= {f"programme.targets.source.{s}" for s in targets.SOURCES}
    dynamic |= {f"programme.targets.value_source.{s}" for s in targets.VALUE_SOURCES}
    dynamic |= {f"programme.targets.direction.{d}" for d in targets.DIRECTIONS}
    dynamic |= {f"programme.targets.path.{p}" for p in targets.PATHS}
    dynamic |= {f"programme.targets.chart.{c}" for c in ("measured", "expected", "target", "empty")}
    assert dynamic <= ids
