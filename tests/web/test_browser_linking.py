"""In real headless Chromium: a steward reviews a linking run's pair and decides it with htmx
(pattern and Chromium rules as in ``test_browser.py``)."""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORD, People
from tests.web.test_browser import page  # noqa: F401  (the Chromium fixture)
from tests.web.test_linking_permissions import wells  # noqa: F401  (run 1 with pair 1)

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("wells")]


def test_review_a_pair_and_decide_it(
    live_server: str,
    page,  # noqa: F811  (the fixture imported above)
    people: People,
) -> None:
    page.goto(f"{live_server}/login?next=/linking")
    page.fill("#username", people.steward)
    page.fill("#password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_url(f"{live_server}/linking")
    page.click('#linking-runs tr[data-run="1"] .review-link')
    page.wait_for_url(f"{live_server}/linking/1/review")
    card = page.locator("#pair-1")
    assert card.locator('tr.differs[data-field="name"]').count() == 1
    assert card.locator('tr.same[data-field="address"]').count() == 1
    card.locator("button.decide-same").click()
    page.wait_for_selector("#pair-1.decision-same")
    assert "已判定:同一主体" in page.locator("#pair-1").inner_text()
    assert page.url == f"{live_server}/linking/1/review"  # swapped in place, no reload
