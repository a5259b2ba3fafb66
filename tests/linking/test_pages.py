"""The linking pages: runs and the start form, the review with its two buttons (htmx)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.conftest import PASSWORD, People
from tests.web.test_linking_permissions import wells  # noqa: F401  (the fixture)
from tests.web.test_pages import csrf_of, log_in


@pytest.mark.usefixtures("wells")
def test_stewards_see_their_runs_and_the_form(client: TestClient, people: People) -> None:
    log_in(client, people.steward, PASSWORD)
    page = client.get("/linking")
    assert page.status_code == 200
    assert 'id="linking-runs"' in page.text and 'data-run="1"' in page.text
    assert 'id="linking-form"' in page.text and "wells-a" in page.text
    assert 'href="/linking"' in page.text  # in the navigation


def test_analysts_may_not_open_the_linking_page(client: TestClient, people: People) -> None:
    log_in(client, people.analyst, PASSWORD)
    assert client.get("/linking").status_code == 403
    assert 'href="/linking"' not in client.get("/").text


@pytest.mark.usefixtures("wells")
def test_the_form_starts_a_run_and_shows_its_review(client: TestClient, people: People) -> None:
    log_in(client, people.steward, PASSWORD)
    form = client.get("/linking")
    data = {"csrf_token": csrf_of(form.text), "kind": "legal_entity", "output": "well-links",
            "threshold": "0.9"}  # fmt: skip
    for slot, name in ((1, "wells-a"), (2, "wells-b")):
        data |= {f"dataset_{slot}": name, f"key_{slot}": "编号", f"name_{slot}": "单位名称",
                 f"address_{slot}": "地址"}  # fmt: skip
    started = client.post("/linking", data=data, follow_redirects=False)
    assert started.status_code == 303, started.text
    assert started.headers["location"] == "/linking/2/review"
    review = client.get("/linking/2/review")
    assert review.status_code == 200 and "well-links" in review.text


@pytest.mark.usefixtures("wells")
def test_a_wrong_form_comes_back_with_the_reason(client: TestClient, people: People) -> None:
    log_in(client, people.steward, PASSWORD)
    form = client.get("/linking")
    data = {"csrf_token": csrf_of(form.text), "output": "Bad Name", "dataset_1": "wells-a",
            "key_1": "编号", "name_1": "单位名称"}  # fmt: skip
    answer = client.post("/linking", data=data)
    assert answer.status_code == 400
    assert 'id="linking-error"' in answer.text and 'value="Bad Name"' in answer.text


@pytest.mark.usefixtures("wells")
def test_review_shows_pairs_side_by_side_and_takes_decisions(
    client: TestClient, people: People
) -> None:
    log_in(client, people.steward, PASSWORD)
    review = client.get("/linking/1/review")
    assert review.status_code == 200
    assert 'id="pair-1"' in review.text
    assert 'class="differs" data-field="name"' in review.text  # 有限公司 vs 有限责任公司
    assert 'class="same" data-field="address"' in review.text
    token = csrf_of(review.text)
    decided = client.post(
        "/linking/pairs/1/decision",
        data={"csrf_token": token, "decision": "different"},
        headers={"HX-Request": "true"},
    )
    assert decided.status_code == 200
    assert decided.text.lstrip().startswith('<article class="card link-pair decision-different"')
    again = client.post(
        "/linking/pairs/1/decision",
        data={"csrf_token": token, "decision": "same"},
        follow_redirects=False,
    )
    assert again.status_code == 303 and again.headers["location"] == "/linking/1/review"
    assert "decision-same" in client.get("/linking/1/review").text
