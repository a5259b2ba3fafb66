"""In real Chromium against a live server: the batch page verifies the history in the browser
(green, every event ticked) and turns red, naming the event, once one byte of a stored event
is changed; the key page makes a key in the browser and registers it; the recall page draws
the graph and lists the retailers. Skipped without Chromium, as in ``test_browser.py``.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from cityhub.config import Settings
from cityhub.db import Database
from cityhub.trace.models import TraceEvent, TraceKey
from cityhub.web import create_app
from tests.conftest import PASSWORD, People
from tests.trace.chain import FERTILISER, Chain
from tests.trace.people import FARM_CODE
from tests.web.test_browser import CHROMIUM, CHROMIUM_ARGS, _require_chromium
from tests.web.test_sensing_api import serving
from tests.web.test_trace_api import fast, log_of, seed_chain

pytestmark = pytest.mark.browser
PRODUCT_PAGE = "/01/06901234000061/10/P1"
VERDICT_COLOUR = "() => getComputedStyle(document.getElementById('trace-verdict')).backgroundColor"
GREEN, RED = "rgb(30, 126, 52)", "rgb(179, 38, 30)"
GRAPH = """() => {
  const chart = echarts.getInstanceByDom(document.getElementById('recall-graph'));
  const series = chart.getOption().series[0];
  return {nodes: series.data.length, links: series.links.length};
}"""


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return fast(settings)


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
def served(settings: Settings, db: Database, people: People) -> Iterator[tuple[str, Chain]]:
    app = create_app(settings, db)
    with serving(app) as base:
        yield base, seed_chain(app, db)
        assert log_of(app).published_size() > 0


def _tab(browser: Any, base: str, username: str | None = None) -> Any:
    """A tab of its own browser context (logged in as ``username``), recording console errors."""
    context = browser.new_context(locale="zh-CN")
    tab = context.new_page()
    errors: list[str] = []
    tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    tab.on("pageerror", lambda e: errors.append(str(e)))
    tab.console_errors = errors
    if username:
        tab.goto(f"{base}/login")
        tab.fill("#username", username)
        tab.fill("#password", PASSWORD)
        tab.click("#login-submit")
        tab.wait_for_url(f"{base}/")
    return tab


def _marks(tab: Any) -> list[tuple[str, str | None, str]]:
    items = tab.locator("#trace-timeline li[data-log-index]")
    return [
        (
            items.nth(i).get_attribute("data-log-index"),
            items.nth(i).get_attribute("data-verified"),
            items.nth(i).locator(".trace-mark").inner_text(),
        )
        for i in range(items.count())
    ]


def _change_one_byte(db: Database, log_index: int) -> None:
    """What someone with database access would do: edit a stored event's payload in place."""
    with db.transaction() as session:
        row = session.scalars(select(TraceEvent).where(TraceEvent.log_index == log_index)).one()
        payload = bytearray(base64.b64decode(row.envelope["payload"]))
        at = payload.index(b'"quantity":') + len(b'"quantity":')
        payload[at] = ord("9") if payload[at] != ord("9") else ord("8")
        row.envelope = row.envelope | {"payload": base64.b64encode(bytes(payload)).decode()}


def test_the_batch_page_verifies_and_a_changed_byte_turns_it_red(
    served: tuple[str, Chain], browser: Any, db: Database
) -> None:
    base, _chain = served
    tab = _tab(browser, base)
    tab.goto(base + PRODUCT_PAGE)
    tab.wait_for_selector("#trace-verdict[data-state=ok]", timeout=15_000)
    assert tab.locator("#trace-verdict").inner_text() == "已验证"
    assert tab.evaluate(VERDICT_COLOUR) == GREEN
    marks = _marks(tab)
    assert len(marks) == 4
    assert all(verified == "ok" and mark == "✓" for _, verified, mark in marks), marks
    assert tab.locator("#trace-checkpoint[data-quorum=ok]").count() == 1
    assert tab.locator("#trace-map svg").count() == 1
    assert tab.console_errors == []

    tampered = int(marks[0][0])  # the processing event that made the lot
    _change_one_byte(db, tampered)
    tab.reload()
    tab.wait_for_selector("#trace-verdict[data-state=fail]", timeout=15_000)
    assert tab.evaluate(VERDICT_COLOUR) == RED
    verdict = tab.locator("#trace-verdict").inner_text()
    assert verdict.startswith("验证失败：") and f"日志序号 {tampered}" in verdict, verdict
    failed = [index for index, verified, _ in _marks(tab) if verified == "fail"]
    assert failed == [str(tampered)]
    item = tab.locator(f'#trace-timeline li[data-log-index="{tampered}"]')
    assert item.locator(".trace-mark").inner_text() == "✗"
    assert "签名无效" in item.locator(".trace-failure").inner_text()


def test_the_batch_page_speaks_english_after_the_toggle(
    served: tuple[str, Chain], browser: Any
) -> None:
    base, _chain = served
    tab = _tab(browser, base)
    tab.goto(base + PRODUCT_PAGE)
    tab.click("#lang-toggle")
    tab.wait_for_selector("html[lang=en]")
    tab.wait_for_selector("#trace-verdict[data-state=ok]", timeout=15_000)
    assert tab.locator("#trace-verdict").inner_text() == "Verified"
    assert tab.locator("h2", has_text="History").count() == 1


def test_the_key_page_makes_a_key_in_the_browser_and_registers_it(
    served: tuple[str, Chain], browser: Any, db: Database
) -> None:
    base, _chain = served
    tab = _tab(browser, base, "farm.recorder")
    posted: list[str] = []
    tab.on("request", lambda r: posted.append(r.post_data or "") if r.method == "POST" else None)
    tab.goto(f"{base}/trace/keys/new?ref={FARM_CODE}")
    tab.click("#key-generate")
    tab.wait_for_selector("#key-status[data-state=registered]", timeout=15_000)
    key_id = tab.locator("#key-id").inner_text()
    vkey = tab.locator("#key-vkey").inner_text()
    assert vkey.startswith(f"{FARM_CODE}+{key_id}+")
    with db.reading() as session:
        row = session.scalars(select(TraceKey).where(TraceKey.key_id == key_id)).one()
        assert row.vkey == vkey
        index = row.registered_index
    assert tab.locator("#key-status").get_attribute("data-log-index") == str(index)
    download = tab.locator("#key-download")
    assert download.is_visible() and download.get_attribute("href", timeout=1000).startswith(
        "blob:"
    )
    with tab.expect_download() as caught:
        download.click()
    skey = Path(caught.value.path()).read_text(encoding="ascii").strip()
    assert skey.startswith(f"PRIVATE+KEY+{FARM_CODE}+{key_id}+")
    seed = skey.rsplit("+", 1)[1]
    assert all(seed not in body for body in posted)  # the private key never left the browser
    assert tab.console_errors == []


def test_the_recall_page_draws_the_graph_and_lists_the_retailers(
    served: tuple[str, Chain], browser: Any
) -> None:
    base, chain = served
    tab = _tab(browser, base)
    tab.goto(f"{base}/trace/recall")
    tab.fill("#recall-lot", FERTILISER)
    tab.click("#recall-submit")
    tab.wait_for_selector("#recall-graph svg", timeout=15_000)
    drawn = tab.evaluate(GRAPH)
    assert drawn["nodes"] >= 6 and drawn["links"] >= 5
    retailers = tab.locator("#recall-retailers li")
    refs = [retailers.nth(i).get_attribute("data-ref") for i in range(retailers.count())]
    assert sorted(refs) == sorted([chain.people.retailer_a, chain.people.retailer_b])
    assert "retailer_a公司" in tab.locator("#recall-retailers").inner_text()
    assert tab.console_errors == []
