"""The incentives pages: the public no-JavaScript check form and the 免申即享 list."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from cityhub import auth
from cityhub.config import Settings
from cityhub.db import Database
from cityhub.programme import incentives
from tests.conftest import PASSWORD, People
from tests.programme.incentive_entities import DIGITAL, make_entities
from tests.web.test_pages import log_in


@pytest.fixture
def entities(db: Database, settings: Settings, tmp_path: Path, people: People) -> None:
    make_entities(db, settings.data_dir, tmp_path, open_to_public=True)


def test_the_form_needs_no_login(client: TestClient) -> None:
    page = client.get("/incentives")
    assert page.status_code == 200
    assert 'id="incentives-form"' in page.text and "哪些政策适用于我" in page.text
    assert "incentives-result" not in page.text


@pytest.mark.parametrize(
    ("day", "applies", "words"),
    [("2020-06-01", "yes", "在执行期"), ("2022-06-01", "no", "已于 2021-12-31 结束")],
)
def test_public_check_shows_answers_reasons_and_clause(
    client: TestClient, entities: None, day: str, applies: str, words: str
) -> None:
    query = {"check": "1", "credit_code": DIGITAL, "on": day, "small_scale_vat": "yes"}
    page = client.get("/incentives", params=query)
    assert page.status_code == 200, page.text
    assert f'id="answer-tax-halving" data-applies="{applies}"' in page.text
    assert words in page.text and "聊城数智软件有限公司" in page.text
    assert "对数字技术企业中的增值税小规模纳税人减半征收" in page.text
    assert "legal-entities@1" in page.text


def test_english_page(client: TestClient, entities: None) -> None:
    query = {"check": "1", "credit_code": DIGITAL, "on": "2022-01-01", "small_scale_vat": "yes"}
    page = client.get("/incentives", params=query | {"lang": "en"})
    assert "ended on 2021-12-31" in page.text and "Which policies apply to me" in page.text


def test_a_bad_code_comes_back_in_the_form(client: TestClient) -> None:
    page = client.get("/incentives", params={"check": "1", "credit_code": "12345"})
    assert page.status_code == 400 and 'id="incentives-error"' in page.text


def test_qualifying_page_for_logged_in_users(
    client: TestClient, db: Database, entities: None
) -> None:
    incentives.save_declaration(
        db, auth.Actor.system(), DIGITAL, incentives.DeclaredFacts(small_scale_vat=True)
    )
    assert client.get("/incentives/qualifying", follow_redirects=False).status_code in (
        303,
        401,
    )
    log_in(client, "slj.analyst", PASSWORD)
    page = client.get("/incentives/qualifying", params={"rule": "tax-halving", "on": "2020-01-01"})
    assert page.status_code == 200, page.text
    assert DIGITAL in page.text and 'id="qualifying-count"' in page.text
