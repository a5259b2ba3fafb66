"""batch.js on a stand-in batch page: the verdict, the ticks on the timeline and the checkpoint,
in Chinese and English; green only when verification ran and passed."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.trace.browser.conftest import Site, new_tab
from tests.trace.browser.evidence_builder import build, log_index
from tests.trace.browser.test_verify import tamper_payload

pytestmark = pytest.mark.browser

DONE = '#trace-verdict[data-state]:not([data-state="running"])'
NO_SUBTLE = "delete Crypto.prototype.subtle;"  # what a phone on plain http sees


@pytest.fixture(scope="module")
def valid() -> dict[str, Any]:
    return build()


@pytest.fixture
def open_page(browser: Any, site: Site) -> Iterator[Any]:
    tabs: list[Any] = []

    def open_(name: str, doc: dict[str, Any], lang: str, init: str = "", wait: bool = True) -> Any:
        path = site.add_batch_page(name, doc, lang)
        tab = new_tab(browser, site, locale=lang)
        if init:
            tab.add_init_script(init)
        tabs.append(tab)
        tab.goto(site.base + path)
        if wait:
            tab.wait_for_selector(DONE)
        return tab

    yield open_
    for tab in tabs:
        tab.context.close()


def marks(tab: Any) -> dict[int, tuple[str, str]]:
    """Log index → (data-verified, the tick) of each timeline item."""
    items = tab.locator("#trace-timeline li")
    return {
        int(items.nth(i).get_attribute("data-log-index")): (
            items.nth(i).get_attribute("data-verified"),
            items.nth(i).locator(".trace-mark").inner_text(),
        )
        for i in range(items.count())
    }


@pytest.mark.parametrize(("lang", "word"), [("zh-CN", "已验证"), ("en", "Verified")])
def test_a_genuine_batch_turns_green(
    open_page: Any, valid: dict[str, Any], lang: str, word: str
) -> None:
    tab = open_page(f"valid-{lang}", valid, lang)
    verdict = tab.locator("#trace-verdict")
    assert verdict.get_attribute("data-state") == "ok"
    assert verdict.inner_text() == word
    assert verdict.get_attribute("data-crypto") == "webcrypto"
    assert 0 < float(verdict.get_attribute("data-verify-ms")) < 1000
    assert set(marks(tab).values()) == {("ok", "✓")}
    assert len(marks(tab)) == 20
    # The site's green, not a default colour: the state drives the stylesheet.
    assert verdict.evaluate("n => getComputedStyle(n).backgroundColor") == "rgb(30, 126, 52)"
    checkpoint = tab.locator("#trace-checkpoint").inner_text()
    assert "w1, w2, w3" in checkpoint
    size = valid["events"][0]["bundle"].split("\n\n", 1)[1].split("\n")[1]
    assert size in checkpoint
    assert tab.locator("#trace-checks li[data-verified=ok]").count() == 8
    assert tab.console_errors == []


@pytest.mark.parametrize(
    ("lang", "prefix", "message"),
    [
        ("en", "Verification failed: ", "event 3 (log index {n}): signature invalid"),
        ("zh-CN", "验证失败：", "第 3 个事件（日志序号 {n}）：签名无效"),
    ],
)
def test_a_tampered_event_turns_red_and_is_crossed(
    open_page: Any, valid: dict[str, Any], lang: str, prefix: str, message: str
) -> None:
    doc = copy.deepcopy(valid)
    tamper_payload(doc)
    n = log_index(doc["events"][2])
    tab = open_page(f"tampered-{lang}", doc, lang)
    verdict = tab.locator("#trace-verdict")
    assert verdict.get_attribute("data-state") == "fail"
    assert verdict.inner_text() == prefix + message.format(n=n)
    ticks = marks(tab)
    assert ticks.pop(n) == ("fail", "✗")
    assert set(ticks.values()) == {("ok", "✓")}
    failure = tab.locator(f'#trace-timeline li[data-log-index="{n}"] .trace-failure').inner_text()
    assert failure.startswith(message.format(n=n))
    assert tab.console_errors == []


def test_without_webcrypto_the_fallback_verifies(open_page: Any, valid: dict[str, Any]) -> None:
    tab = open_page("no-subtle", valid, "zh-CN", init=NO_SUBTLE)
    verdict = tab.locator("#trace-verdict")
    assert verdict.get_attribute("data-state") == "ok"
    assert verdict.get_attribute("data-crypto") == "noble"
    assert tab.console_errors == []


def test_without_any_crypto_it_says_so_in_yellow(
    browser: Any, site: Site, valid: dict[str, Any]
) -> None:
    path = site.add_batch_page("no-crypto", valid, "zh-CN")
    tab = new_tab(browser, site)
    tab.add_init_script(NO_SUBTLE)
    tab.route(re.compile(r".*/vendor/noble/.*"), lambda route: route.abort())
    tab.goto(site.base + path)
    tab.wait_for_selector(DONE)
    verdict = tab.locator("#trace-verdict")
    assert verdict.get_attribute("data-state") == "unavailable"
    assert verdict.inner_text() == "无法在此浏览器验证"
    assert tab.locator("#trace-timeline li[data-verified]").count() == 0
    tab.context.close()


def test_it_shows_grey_while_verifying(browser: Any, site: Site, valid: dict[str, Any]) -> None:
    path = site.add_batch_page("pending", valid, "zh-CN")
    tab = new_tab(browser, site)
    tab.route(re.compile(r".*/evidence/pending\.json"), lambda route: None)  # never answered
    tab.goto(site.base + path)
    tab.wait_for_selector('#trace-verdict[data-state="running"]')
    verdict = tab.locator("#trace-verdict")
    assert verdict.inner_text() == "正在验证…"
    assert verdict.evaluate("n => getComputedStyle(n).backgroundColor") == "rgb(138, 143, 152)"
    tab.context.close()


def test_missing_evidence_is_an_error_not_a_pass(browser: Any, site: Site) -> None:
    page = site.add_batch_page("gone", build(), "en")
    del site.routes["/evidence/gone.json"]
    tab = new_tab(browser, site, locale="en")
    tab.goto(site.base + page)
    tab.wait_for_selector(DONE)
    verdict = tab.locator("#trace-verdict")
    assert verdict.get_attribute("data-state") == "error"
    assert verdict.inner_text() == "Could not load the evidence: HTTP 404"
    tab.context.close()
