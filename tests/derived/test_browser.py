"""In real headless Chromium: define a derived dataset with a preview, then see its lineage graph.

Skipped where Chromium is missing, except under CI=true (see tests/web/test_browser.py). The
browser's console must stay free of errors, CSP violations included.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from cityhub.pool.service import Pool
from tests.conftest import PASSWORD, People
from tests.web.conftest import live_server  # noqa: F401  (fixture)
from tests.web.test_browser import page  # noqa: F401  (fixture)

pytestmark = pytest.mark.browser

JOIN = (
    'SELECT e."统一社会信用代码", e."名称", b."带宽" '
    'FROM "legal-entities" AS e JOIN broadband AS b USING ("统一社会信用代码")'
)


def test_define_with_a_preview_and_see_the_lineage_graph(
    live_server: str,  # noqa: F811
    page,  # noqa: F811
    city: Pool,
    people: People,
    tmp_path: Path,
) -> None:
    page.goto(f"{live_server}/login?next=/derived/new")
    page.fill("#username", people.steward)
    page.fill("#password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_url(f"{live_server}/derived/new")
    page.fill("#derived-name", "entity-broadband")
    page.fill("#derived-title", "企业宽带接入情况")
    page.fill("#derived-sql", JOIN)
    page.click("#derived-preview")
    page.wait_for_selector("#derived-preview-table")
    assert "聊城市东昌府区甲公司" in page.locator("#derived-preview-table").inner_text()
    page.click("#derived-submit")
    page.wait_for_url(f"{live_server}/datasets/entity-broadband")
    page.wait_for_selector("#lineage-graph svg")
    page.hover("#lineage-graph")  # tooltips render inside the SVG, within the CSP
    sources = page.locator("#lineage-sources li").all_inner_texts()
    assert any("法人单位基本信息" in s for s in sources)
    assert any("企业宽带接入" in s for s in sources)
    page.screenshot(path=str(tmp_path / "lineage.png"), full_page=True)
    if shot := os.environ.get("CITYHUB_SCREENSHOT_LINEAGE"):
        page.screenshot(path=shot, full_page=True)
