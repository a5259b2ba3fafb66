"""The target page in headless Chromium: the chart draws the measured series and the expected
path from the page's JSON, with no console errors (CSP allows no inline script)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from cityhub.auth import Actor
from cityhub.config import Settings
from cityhub.db import Database
from cityhub.programme import targets, tasks
from cityhub.web.app import create_app
from tests.conftest import PASSWORD, People
from tests.web.test_browser import CHROMIUM, CHROMIUM_ARGS, _require_chromium
from tests.web.test_programme_targets_pages import SITES
from tests.web.test_sensing_api import serving

pytestmark = pytest.mark.browser
SERIES = """() => echarts.getInstanceByDom(document.getElementById('target-chart'))
  .getOption().series.map(s => [s.name, s.data.length])"""


@pytest.fixture
def tab(settings: Settings, db: Database, people: People) -> Iterator[tuple[str, Any]]:
    _require_chromium()
    from playwright.sync_api import sync_playwright

    with db.transaction() as session:
        tasks.ensure_tasks(session)
    targets.create_target(db, Actor.system(), SITES)
    for value, day in ((10.0, date(2020, 12, 31)), (30.0, date(2021, 6, 30))):
        targets.add_value(db, Actor.system(), SITES.code, value, day)
    with serving(create_app(settings, db)) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        page = browser.new_page(locale="zh-CN")
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(f"{base}/login?next=/programme/targets/{SITES.code}")
        page.fill("#username", people.analyst)
        page.fill("#password", PASSWORD)
        page.click("#login-submit")
        page.wait_for_url(f"{base}/programme/targets/{SITES.code}")
        yield base, page
        browser.close()
        assert errors == [], f"browser console errors: {errors}"


def test_the_chart_shows_the_series_and_the_path(tab: tuple[str, Any]) -> None:
    _, page = tab
    page.wait_for_selector("#target-chart svg")
    assert page.evaluate(SERIES) == [["预期进度", 2], ["实测值", 2]]
