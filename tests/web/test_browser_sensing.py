"""In real Chromium: the live map changes colour without a reload when the river rises, and goes
back to green when a steward clears the alarm on the console; the station page draws its
thresholds and follows new values. Skipped without Chromium, as in ``test_browser.py``.

Observations go the way every ingest goes (``cityhub.sensing.ingest`` on the app's bus): the
alarm engine raises the alarm and the app's live feed tells the open pages.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from cityhub.auth import Actor
from cityhub.config import Settings
from cityhub.db import Database
from cityhub.sensing.alarms import create_rule, water_level_rule
from cityhub.sensing.ingest import ingest
from cityhub.sensing.observations import NewObservation
from tests.conftest import PASSWORD, People
from tests.sensing.test_dashboard import ADMIN, build_network
from tests.web.test_browser import CHROMIUM, CHROMIUM_ARGS, _require_chromium
from tests.web.test_sensing_api import sensing_app, serving

pytestmark = pytest.mark.browser
TUHAI_LEVEL = 1  # 徒骇河聊城站's water level, the first Datastream of the network

# Where the map script keeps a station: the series of its state, and that series' colour.
STATION_ON_MAP = """(id) => {
  const chart = echarts.getInstanceByDom(document.getElementById('sensing-map'));
  const series = chart.getOption().series.find(s => s.data.some(d => d.stationId === id));
  return series ? [series.id, series.itemStyle.color] : null;
}"""
CHART_OF = """(id) => {
  const option = echarts.getInstanceByDom(document.getElementById('chart-' + id)).getOption();
  const values = option.series[0];
  return {points: values.data.length, lines: values.markLine.data.map(l => l.yAxis)};
}"""


@pytest.fixture
def browser() -> Iterator[Any]:
    _require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


@pytest.fixture
def served(settings: Settings, db: Database, people: People) -> Iterator[tuple[str, Any]]:
    network = build_network(db)
    create_rule(db, ADMIN, water_level_rule(network.tuhai_level, 32.0, 33.0, 34.5))
    app = sensing_app(settings, db)
    with serving(app) as base:
        yield base, app


def _tab(browser: Any, base: str, username: str) -> Any:
    """A logged-in tab of its own browser context, recording console errors."""
    context = browser.new_context(locale="zh-CN")
    tab = context.new_page()
    errors: list[str] = []
    tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    tab.console_errors = errors
    tab.goto(f"{base}/login")
    tab.fill("#username", username)
    tab.fill("#password", PASSWORD)
    tab.click("#login-submit")
    tab.wait_for_url(f"{base}/")
    return tab


def _rise(db: Database, app: Any, level: float, minutes_ago: float = 0) -> None:
    """A water level of 徒骇河聊城站 (Datastream 1), through the ingest and the app's bus."""
    at = datetime.now(UTC) - timedelta(minutes=minutes_ago)
    row = NewObservation(TUHAI_LEVEL, at, level)
    ingest(db, Actor.system(), [row], bus=app.state.sensing.bus, source="test")


def test_the_map_changes_colour_without_reload(
    served: tuple[str, Any], browser: Any, db: Database, tmp_path: Path
) -> None:
    base, app = served
    watcher = _tab(browser, base, "slj.analyst")
    watcher.goto(f"{base}/sensing")
    watcher.wait_for_selector("#live-status[data-live=open]")
    watcher.wait_for_selector("#sensing-map svg")
    watcher.evaluate("window.loadedOnce = 'yes'")  # gone if the page reloads
    row = watcher.locator("#station-1")
    assert row.get_attribute("data-state") == "ok"
    assert watcher.evaluate(STATION_ON_MAP, 1) == ["state-ok", "#1e7e34"]

    _rise(db, app, 32.4)  # 警戒水位 32.0 m: yellow
    watcher.wait_for_selector("#station-1[data-state=yellow]", timeout=10_000)
    assert watcher.evaluate(STATION_ON_MAP, 1) == ["state-yellow", "#d4a500"]
    assert row.locator("[data-role=state]").inner_text() == "黄色预警"
    assert row.locator('[data-datastream-id="1"] [data-role=value]').inner_text() == "32.4"

    _rise(db, app, 33.2)  # 保证水位 33.0 m: orange, the same alarm raised in place
    watcher.wait_for_selector("#station-1[data-state=orange]", timeout=10_000)
    assert watcher.evaluate(STATION_ON_MAP, 1) == ["state-orange", "#ef7d00"]
    watcher.screenshot(path=str(tmp_path / "map-orange.png"), full_page=True)

    steward = _tab(browser, base, "slj.steward")
    steward.goto(f"{base}/sensing/alarms")
    steward.click("#acknowledge-1 button")
    steward.wait_for_url(f"{base}/sensing/alarms?status=open&done=acknowledged")
    assert watcher.locator("#station-1").get_attribute("data-state") == "orange"  # still on
    steward.click("#clear-1 button")
    steward.wait_for_url(f"{base}/sensing/alarms?status=open&done=cleared")
    watcher.wait_for_selector("#station-1[data-state=ok]", timeout=10_000)
    assert watcher.evaluate(STATION_ON_MAP, 1) == ["state-ok", "#1e7e34"]
    assert watcher.evaluate("window.loadedOnce") == "yes"

    steward.goto(f"{base}/sensing/alarms?status=")
    steward.click("#history-toggle-1")
    steward.wait_for_selector("#history-list-1")
    assert "预警升级" in steward.locator("#history-list-1").inner_text()
    for tab in (watcher, steward):
        tab.context.close()
        assert tab.console_errors == [], tab.console_errors


def test_the_station_page_draws_thresholds_and_follows_values(
    served: tuple[str, Any], browser: Any, db: Database, tmp_path: Path
) -> None:
    base, app = served
    _rise(db, app, 31.2, minutes_ago=30)
    tab = _tab(browser, base, "slj.analyst")
    tab.goto(f"{base}/sensing/stations/1")
    tab.wait_for_selector("#live-status[data-live=open]")
    tab.wait_for_selector("#chart-1 svg")
    tab.wait_for_function(
        "() => echarts.getInstanceByDom(document.getElementById('chart-1'))"
        ".getOption().series.length > 0"
    )
    drawn = tab.evaluate(CHART_OF, 1)
    assert drawn["points"] == 1
    assert [round(v, 3) for v in drawn["lines"]] == [31.7, 32.0, 33.0, 34.5]

    _rise(db, app, 32.6)
    tab.wait_for_selector("#station-state[data-state=yellow]", timeout=10_000)
    assert tab.locator("#stream-1 [data-role=value]").inner_text() == "32.6"
    assert tab.evaluate(CHART_OF, 1)["points"] == 2
    tab.wait_for_selector("#station-alarms li[data-alarm-id]")
    assert "黄色" in tab.locator("#station-alarms").inner_text()

    tab.click("button[data-hours='6']")
    tab.wait_for_function(
        "() => document.querySelector(\"button[data-hours='6']\")"
        ".getAttribute('aria-pressed') === 'true'"
    )
    tab.screenshot(path=str(tmp_path / "station.png"), full_page=True)
    tab.context.close()
    assert tab.console_errors == [], tab.console_errors
