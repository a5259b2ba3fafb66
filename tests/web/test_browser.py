"""In real headless Chromium: log in through the page, see Chinese, switch to English and back.

Chromium is Debian's (/usr/bin/chromium, installed by .ci/run), driven by Playwright. Where it is
missing the test is skipped with the reason, except under CI=true, where that is a failure.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from cityhub.db import Database
from tests.conftest import ADMIN_PASSWORD

CHROMIUM = os.environ.get("CITYHUB_CHROMIUM", "/usr/bin/chromium")
# The flags keep Chromium from reaching out to the network, which this machine does not have.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = pytest.mark.browser


def _require_chromium() -> None:
    if Path(CHROMIUM).exists() and shutil.which(CHROMIUM):
        return
    reason = f"Chromium not found at {CHROMIUM} (Debian package 'chromium'; .ci/run installs it)"
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture
def page(tmp_path: Path) -> Iterator[object]:
    _require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        context = browser.new_context(locale="zh-CN")
        errors: list[str] = []
        tab = context.new_page()
        tab.on(
            "console",
            lambda message: errors.append(message.text) if message.type == "error" else None,
        )
        yield tab
        context.close()
        browser.close()
        assert errors == [], f"browser console errors: {errors}"


def test_login_and_switch_language(live_server: str, page) -> None:
    page.goto(f"{live_server}/audit")
    assert page.url.endswith("/login?next=/audit")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert page.locator("h1").inner_text() == "登录"

    page.fill("#username", "admin")
    page.fill("#password", ADMIN_PASSWORD)
    page.click("#login-submit")
    page.wait_for_url(f"{live_server}/audit")
    assert page.locator("h1").inner_text() == "审计日志"
    assert "admin" in page.locator("#whoami").inner_text()
    assert page.locator("#audit-events tbody tr").first.inner_text().find("auth.login") >= 0

    page.click("#lang-toggle")
    page.wait_for_url(f"{live_server}/audit")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == "Audit log"

    page.click("#lang-toggle")
    assert page.locator("h1").inner_text() == "审计日志"

    page.click("#logout")
    page.wait_for_url(f"{live_server}/")
    assert page.locator("#login-link").is_visible()


def test_home_page_draws_its_chart(live_server: str, page, tmp_path: Path) -> None:
    page.goto(f"{live_server}/")
    assert page.locator("#fig-departments").inner_text() == "37"
    page.wait_for_selector("#departments-chart svg")
    page.screenshot(path=str(tmp_path / "home.png"), full_page=True)
    if shot := os.environ.get("CITYHUB_SCREENSHOT"):
        page.screenshot(path=shot, full_page=True)


def test_api_docs_render_without_a_cdn(live_server: str, page) -> None:
    page.goto(f"{live_server}/docs")
    page.wait_for_selector("#swagger-ui .opblock", timeout=15000)
    assert page.get_by_text("/api/auth/token", exact=True).count() > 0


def test_upload_filter_and_chart_a_dataset(
    live_server: str, page, db: Database, people, tmp_path: Path
) -> None:
    """A steward uploads a GB18030 CSV with progress, then filters the preview and sees a chart."""
    from cityhub import auth, catalog
    from tests.conftest import PASSWORD

    spec = catalog.DatasetSpec(
        name="river-levels",
        title="河道水位监测",
        department="SLJ",
        abstract="徒骇河、马颊河主要站点的日水位。",
        resource_code="SLJ-2026-0001",
        keywords=("水位", "河道"),
        update_cycle=catalog.UpdateCycle.DAILY,
        contact="水利局信息科 0635-1234567",
    )
    catalog.create_dataset(db, auth.Actor.system(), spec)
    stations = ("徒骇河桥", "马颊河闸", "位山")
    rows = "".join(f"{stations[i % 3]},{20 + (i % 10) * (i % 7) * 0.3:.2f}\n" for i in range(60))
    csv = tmp_path / "水位.csv"
    csv.write_bytes(("站点,水位\n" + rows).encode("gb18030"))

    page.goto(f"{live_server}/login?next=/datasets/river-levels/upload")
    page.fill("#username", people.steward)
    page.fill("#password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_url(f"{live_server}/datasets/river-levels/upload")
    page.set_input_files("#upload-file", str(csv))
    page.click("#upload-submit")
    page.wait_for_selector("#upload-result:not([hidden])")
    assert page.locator("#upload-progress").evaluate("node => node.value") == 100
    assert page.locator('#upload-result [data-field="version"]').inner_text() == "1"
    assert page.locator('#upload-result [data-field="row_count"]').inner_text() == "60"
    assert page.locator('#upload-result [data-field="encoding"]').inner_text() == "GB18030"
    assert page.locator("#upload-error").is_hidden()

    page.click("#upload-view")
    page.wait_for_url(f"{live_server}/datasets/river-levels?version=1")
    assert page.locator("#dataset-title").inner_text() == "河道水位监测"
    page.wait_for_selector("#chart-area .column-chart svg")
    assert "显示第 1–20 行" in page.locator("#preview-summary").inner_text()
    page.evaluate("window.__samePage = true")
    page.select_option("#filter-column", "站点")
    page.select_option("#filter-op", "eq")
    page.fill("#filter-value", "位山")
    page.click("#filter-submit")
    page.wait_for_selector("#preview-summary:has-text('共 20 行')")  # no eval: CSP forbids it
    cells = page.locator("#preview-table tbody tr td:first-child").all_inner_texts()
    assert set(cells) == {"位山"}
    page.select_option("#chart-column", "水位")
    page.wait_for_selector("#chart-caption:has-text('区间')")
    page.wait_for_selector("#chart-area .column-chart svg")
    page.hover("#chart-area .column-chart")  # tooltips must not break the CSP either
    assert page.evaluate("window.__samePage") is True  # htmx swapped; no page load
    page.screenshot(path=str(tmp_path / "dataset.png"), full_page=True)
    if shot := os.environ.get("CITYHUB_SCREENSHOT_DATASET"):
        page.screenshot(path=shot, full_page=True)
