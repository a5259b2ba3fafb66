"""The incentives API end to end: the acceptance case, errors, pages of 免申即享, declarations."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from cityhub.config import Settings
from cityhub.db import Database
from tests.conftest import People
from tests.programme.incentive_entities import DIGITAL, FACTORY, make_entities

CHECK = "/api/programme/incentives/check"


@pytest.fixture
def entities(db: Database, settings: Settings, tmp_path: Path, people: People) -> None:
    make_entities(db, settings.data_dir, tmp_path)


def test_rules_carry_clause_dates_and_units(client: TestClient) -> None:
    rules = {r["id"]: r for r in client.get("/api/programme/incentives/rules").json()}
    assert len(rules) == 5
    tax = rules["tax-halving"]
    assert (tax["valid_from"], tax["valid_to"]) == ("2019-01-01", "2021-12-31")
    assert "SWUJ" in tax["units"] and "减半征收" in tax["clause"]


@pytest.mark.parametrize(("day", "applies"), [("2020-06-01", True), ("2022-06-01", False)])
def test_acceptance_small_scale_digital_taxpayer(
    client: TestClient, entities: None, headers: dict[str, dict[str, str]], day: str, applies: bool
) -> None:
    body = {"credit_code": DIGITAL, "on": day, "declared": {"small_scale_vat": True}}
    response = client.post(CHECK, json=body, headers=headers["analyst"])
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["base_status"] == "found"
    [tax] = [a for a in result["answers"] if a["rule"]["id"] == "tax-halving"]
    assert tax["applies"] is applies
    assert "增值税小规模纳税人减半征收" in tax["rule"]["clause"]
    if applies:
        assert len(tax["taxes"]) == 8
    else:
        [failed] = [r for r in tax["reasons"] if not r["met"]]
        assert "2021-12-31" in failed["en"] and "ended" in failed["en"]
    sources = {r["source"]: r["source_ref"] for r in tax["reasons"]}
    assert sources["base"] == "legal-entities@1" and "declared" in sources


def test_bad_credit_code_names_the_field(client: TestClient) -> None:
    response = client.post(CHECK, json={"credit_code": "91371502MA3C0000", "declared": {}})
    assert response.status_code == 400
    assert response.json()["error"]["details"]["field"] == "credit_code"


def test_negative_counts_are_refused(client: TestClient) -> None:
    response = client.post(CHECK, json={"declared": {"provincial_members": -1}})
    assert response.status_code == 400
    assert "provincial_members" in response.text


def test_declarations_drive_the_qualifying_list(
    client: TestClient, entities: None, headers: dict[str, dict[str, str]]
) -> None:
    for code in (DIGITAL, FACTORY):
        stored = client.put(
            f"/api/programme/incentives/declarations/{code}",
            json={"facts": {"small_scale_vat": True}},
            headers=headers["steward"],
        )
        assert stored.status_code == 200, stored.text
        assert stored.json()["department"] == "SLJ"
    page = client.get(
        "/api/programme/incentives/rules/tax-halving/qualifying?on=2021-12-31&limit=10",
        headers=headers["analyst"],
    ).json()
    assert (page["total"], [q["credit_code"] for q in page["items"]]) == (1, [DIGITAL])
    assert page["items"][0]["answer"]["applies"] is True
    ended = client.get(
        "/api/programme/incentives/rules/tax-halving/qualifying?on=2022-01-01",
        headers=headers["analyst"],
    ).json()
    assert ended["total"] == 0
