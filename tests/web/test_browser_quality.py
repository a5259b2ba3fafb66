"""In real headless Chromium: a steward reads the quality report, fixes a quarantined row with
htmx and re-admits it (pattern and Chromium rules as in ``test_browser.py``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cityhub import auth, catalog, quality
from cityhub.config import Settings
from cityhub.db import Database
from cityhub.pool.ingest import ingest
from cityhub.pool.service import Pool
from tests.conftest import PASSWORD, People
from tests.web.test_browser import page  # noqa: F401  (the Chromium fixture)

pytestmark = pytest.mark.browser


@pytest.fixture
def held_row(db: Database, settings: Settings, people: People, tmp_path: Path) -> None:
    """河道水位 of 水利局 with a blocking range rule and one quarantined row."""
    system = auth.Actor.system()
    catalog.create_dataset(
        db, system, catalog.DatasetSpec(name="river", title="河道水位", department="SLJ")
    )
    rule = {
        "id": "level",
        "kind": "range",
        "column": "水位",
        "params": {"max": 100},
        "blocking": True,
        "description": "水位不超过 100 米",
    }
    quality.set_rules(db, system, "river", {"rules": [rule]})
    csv = tmp_path / "水位.csv"
    csv.write_text("站名,水位\n聊城站,32.5\n临清站,999\n位山,28\n", encoding="utf-8")
    pool = Pool(db, settings)
    ingest(db, system, pool.warehouse, dataset="river", path=csv, file_name=csv.name)
    pool.close()


def test_fix_and_readmit_a_quarantined_row(
    live_server: str,
    page,  # noqa: F811  (the fixture imported above)
    held_row: None,
    people: People,
    tmp_path: Path,
) -> None:
    page.goto(f"{live_server}/login?next=/datasets/river/quality")
    page.fill("#username", people.steward)
    page.fill("#password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_url(f"{live_server}/datasets/river/quality")
    assert page.locator("#quality-score").inner_text() == "66.6"
    assert page.locator("#quality-quarantined").inner_text() == "1"
    assert "999.0" in page.locator('#quality-rules tr[data-rule="level"]').inner_text()

    page.click("#quality-tabs >> text=隔离区")
    page.wait_for_url(f"{live_server}/datasets/river/quarantine")
    row = page.locator("#row-1")
    assert "水位不超过 100 米" in row.locator("ul.reasons").inner_text()
    page.evaluate("window.__samePage = true")
    row.locator('input[data-column="水位"]').fill("29.5")
    row.locator("button.fix-submit").click()
    page.wait_for_selector("#row-1 .fix-result:has-text('已通过全部规则')")
    assert page.evaluate("window.__samePage") is True  # htmx swapped the row; no page load
    page.check("#pick-1")
    page.click("#readmit-submit")
    page.wait_for_selector("#quarantine-done")
    assert "第 2 版" in page.locator("#quarantine-done").inner_text()
    page.screenshot(path=str(tmp_path / "quarantine.png"), full_page=True)

    page.goto(f"{live_server}/datasets/river")
    assert "3" in page.locator("#dataset-versions tbody tr").first.inner_text()
