"""In real Chromium: an analyst asks for a dataset, the owner's steward grants two columns, the
analyst then sees exactly those columns (masked where personal). Skipped without Chromium, as
in ``test_browser.py``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cityhub.config import Settings
from cityhub.db import Database
from cityhub.pool.service import Pool
from tests.conftest import ADMIN_PASSWORD, PASSWORD
from tests.sharing.conftest import DATASET, create_users, publish
from tests.web.test_browser import CHROMIUM, CHROMIUM_ARGS, _require_chromium

pytestmark = pytest.mark.browser


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Any]:
    _require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


@pytest.fixture
def scenario(db: Database, settings: Settings, tmp_path: Path) -> Iterator[None]:
    create_users(db)
    pool = Pool(db, settings)
    publish(db, pool, tmp_path)
    pool.close()
    yield


def _tab(browser: Any, live_server: str, username: str, password: str = PASSWORD) -> Any:
    """A fresh browser context (its own cookies) logged in as ``username``."""
    context = browser.new_context(locale="zh-CN")
    tab = context.new_page()
    errors: list[str] = []
    tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    tab.console_errors = errors
    tab.goto(f"{live_server}/login")
    tab.fill("#username", username)
    tab.fill("#password", password)
    tab.click("#login-submit")
    tab.wait_for_url(f"{live_server}/")
    return tab


def test_request_approve_two_columns_and_read_them(
    live_server: str, browser: Any, scenario: None, tmp_path: Path
) -> None:
    analyst = _tab(browser, live_server, "nyncj.analyst")
    analyst.goto(f"{live_server}/datasets/{DATASET}")
    assert analyst.locator("#preview-denied").is_visible()
    analyst.fill("#request-purpose", "涉农企业监管:核对农业经营主体的登记信息")
    analyst.fill("#request-days", "30")
    analyst.click("#request-submit")
    analyst.wait_for_url(f"{live_server}/sharing?tab=outbox&done=requested")
    assert "待答复" in analyst.locator("#sharing-requests").inner_text()

    steward = _tab(browser, live_server, "scjgj.steward")
    steward.wait_for_selector("#notices-count")  # the unread count, loaded by htmx
    assert steward.locator("#notices-count").inner_text() == "1"
    steward.goto(f"{live_server}/sharing")
    form = steward.locator("#approve-1")
    for box in form.locator("input[name=columns]").all():
        if box.get_attribute("value") not in ("企业名称", "法定代表人"):
            box.uncheck()
    form.locator("input[name=days]").fill("30")
    form.locator("button[type=submit]").click()
    steward.wait_for_url(f"{live_server}/sharing?tab=inbox&done=approved")
    assert "已同意" in steward.locator("#request-1").inner_text()

    analyst.goto(f"{live_server}/datasets/{DATASET}")
    heads = analyst.locator("#preview-table thead th").all_inner_texts()
    assert heads == ["企业名称", "法定代表人"]
    cells = analyst.locator("#preview-table tbody tr").first.locator("td").all_inner_texts()
    assert cells == ["聊城市东昌府区绿野农业有限公司", "张**"]
    assert analyst.locator("#grant-held").is_visible()
    analyst.screenshot(path=str(tmp_path / "granted.png"), full_page=True)

    admin = _tab(browser, live_server, "admin", ADMIN_PASSWORD)
    admin.goto(f"{live_server}/sharing/admin")
    admin.wait_for_selector("#sharing-chart svg")
    for tab in (analyst, steward, admin):
        assert tab.console_errors == [], tab.console_errors
