"""In real headless Chromium: the cockpit shows the 十百千 progress, a lagging warning with its
reason, the targets' bullets and the county map; the wall-screen and print layouts apply.
Skipped without Chromium, as in ``test_browser.py`` (a failure under CI=true)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cityhub.config import Settings
from cityhub.db import Database
from cityhub.web.app import create_app
from tests.conftest import PASSWORD, People
from tests.programme.test_cockpit import ON_DAY, WATER, seed_programme
from tests.web.test_browser import CHROMIUM, CHROMIUM_ARGS, _require_chromium
from tests.web.test_sensing_api import serving

pytestmark = pytest.mark.browser
ON = ON_DAY.isoformat()
# Where the charts keep their numbers: the gauge's value, the bullets', the map's regions.
GAUGE = """(code) => echarts.getInstanceByDom(document.getElementById('gauge-' + code))
  .getOption().series.find(s => s.id === 'share').data[0].value"""
BULLETS = """() => {
  const option = echarts.getInstanceByDom(document.getElementById('targets-chart')).getOption();
  const bars = option.series.find(s => s.id === 'progress').data;
  return bars.map(b => [b.code, b.value]);
}"""
MAP = """() => {
  const option = echarts.getInstanceByDom(document.getElementById('county-map')).getOption();
  return option.series[0].data.map(d => [d.code, d.value]);
}"""


@pytest.fixture
def tab(settings: Settings, db: Database, people: People) -> Iterator[tuple[str, Any]]:
    _require_chromium()
    from playwright.sync_api import sync_playwright

    seed_programme(db, settings)
    with serving(create_app(settings, db)) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        context = browser.new_context(locale="zh-CN", viewport={"width": 1600, "height": 1000})
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(f"{base}/login?next=/cockpit")
        page.fill("#username", people.analyst)
        page.fill("#password", PASSWORD)
        page.click("#login-submit")
        page.wait_for_url(f"{base}/cockpit")
        yield base, page
        context.close()
        browser.close()
        assert errors == [], f"browser console errors: {errors}"


def _shot(page: Any, tmp_path: Path, name: str) -> None:
    """Keep a screenshot to look at (CITYHUB_SCREENSHOTS names a folder to keep them in)."""
    folder = Path(os.environ.get("CITYHUB_SCREENSHOTS", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / name), full_page=True)


def test_the_cockpit_shows_the_goals_a_warning_and_the_map(
    tab: tuple[str, Any], tmp_path: Path
) -> None:
    base, page = tab
    page.goto(f"{base}/cockpit?on={ON}")
    page.wait_for_selector("#cockpit[data-ready=yes]")
    assert page.locator("h1").inner_text() == "数字经济发展驾驶舱"
    for code in ("SBQ-PARKS", "SBQ-PROJECTS", "SBQ-TALENT"):
        page.wait_for_selector(f"#gauge-{code} svg")
        share = float(page.locator(f"#goal-{code}").get_attribute("data-share"))
        assert page.evaluate(GAUGE, code) == pytest.approx(round(share * 100, 1))
    projects = page.locator("#goal-SBQ-PROJECTS [data-role=value]").inner_text()
    assert projects.endswith("/ 100 个")

    warning = page.locator(f"#warnings li[data-key='{WATER.code}']")
    assert warning.locator(".badge").inner_text() == "落后于进度"
    assert "水利感知站点" in warning.inner_text()
    assert warning.locator(".reason").inner_text().strip() != ""
    assert page.locator("#warnings li[data-kind=report_overdue]").count() > 0

    bullets = dict(page.evaluate(BULLETS))
    assert bullets[WATER.code] == pytest.approx(10.0)  # 20 of 200 stations
    regions = dict(page.evaluate(MAP))
    assert len(regions) == 8 and "371503" in regions
    page.wait_for_selector("#county-map svg path")
    assert page.locator("#reports-table tr[data-report]").count() == 1
    _shot(page, tmp_path, "cockpit.png")


def test_wall_screen_and_print_layouts(tab: tuple[str, Any], tmp_path: Path) -> None:
    base, page = tab
    page.goto(f"{base}/cockpit?on={ON}&screen=1")
    page.wait_for_selector("#cockpit[data-ready=yes]")
    assert page.locator("header.top").is_hidden()
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(11, 19, 32)"
    _shot(page, tmp_path, "cockpit-screen.png")

    page.goto(f"{base}/cockpit?on={ON}")
    page.wait_for_selector("#cockpit[data-ready=yes]")
    assert page.locator("#targets-table").is_hidden()
    page.emulate_media(media="print")
    assert page.locator("#targets-table").is_visible()  # the tables print beside the charts
    assert page.locator(".cockpit-tools").is_hidden()
    assert page.locator("header.top").is_hidden()
    pdf = page.pdf(format="A4", landscape=True)
    assert pdf.startswith(b"%PDF-")
