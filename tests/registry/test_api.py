"""``/api/validators/{kind}``: the answer's shape, batches, the limit, unknown kinds."""

from __future__ import annotations

from fastapi.testclient import TestClient

from cityhub.registry.service import MAX_VALUES
from cityhub.registry.validators import KINDS


def test_one_value(client: TestClient, headers: dict[str, dict[str, str]]) -> None:
    response = client.get(
        "/api/validators/credit_code",
        params={"value": "９１３５０１００Ｍ０００１００Ｙ４４"},
        headers=headers["analyst"],
    )
    assert response.status_code == 200
    assert response.json() == {
        "kind": "credit_code",
        "value": "９１３５０１００Ｍ０００１００Ｙ４４",
        "valid": False,
        "normalised": "91350100M000100Y44",
        "reason": {"zh": "校验码应为 3，实为 4", "en": "check character expected 3 got 4"},
        "details": {},
    }


def test_a_valid_value_has_no_reason(
    client: TestClient, headers: dict[str, dict[str, str]]
) -> None:
    response = client.get(
        "/api/validators/region_code", params={"value": "371502"}, headers=headers["analyst"]
    )
    body = response.json()
    assert (body["valid"], body["reason"], body["details"]["name"]) == (True, None, "东昌府区")


def test_a_batch_answers_in_order(client: TestClient, headers: dict[str, dict[str, str]]) -> None:
    values = ["2020年4月7日", "二〇二〇年四月七日", "2021-02-29", ""]
    response = client.post(
        "/api/validators/date", json={"values": values}, headers=headers["steward"]
    )
    assert response.status_code == 200
    answers = response.json()
    assert [a["value"] for a in answers] == values
    assert [a["normalised"] for a in answers] == ["2020-04-07", "2020-04-07", None, None]
    assert answers[2]["reason"]["en"] == "2021-02-29 is not a calendar date"


def test_a_batch_over_the_limit_is_refused(
    client: TestClient, headers: dict[str, dict[str, str]]
) -> None:
    values = ["252000"] * (MAX_VALUES + 1)
    response = client.post(
        "/api/validators/postal_code", json={"values": values}, headers=headers["analyst"]
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["message"] == f"at most {MAX_VALUES} values per request, got {MAX_VALUES + 1}"
    assert error["details"] == {"field": "values", "limit": MAX_VALUES, "given": MAX_VALUES + 1}


def test_a_full_batch_is_answered(client: TestClient, headers: dict[str, dict[str, str]]) -> None:
    values = ["11010519491231002X"] * MAX_VALUES
    response = client.post(
        "/api/validators/id_card", json={"values": values}, headers=headers["analyst"]
    )
    assert response.status_code == 200
    assert sum(a["valid"] for a in response.json()) == MAX_VALUES


def test_unknown_kind_lists_the_kinds(
    client: TestClient, headers: dict[str, dict[str, str]]
) -> None:
    response = client.get("/api/validators/iban", params={"value": "x"}, headers=headers["admin"])
    assert response.status_code == 404
    assert response.json()["error"]["details"] == {"kind": "iban", "kinds": list(KINDS)}


def test_value_is_required(client: TestClient, headers: dict[str, dict[str, str]]) -> None:
    response = client.get("/api/validators/phone", headers=headers["analyst"])
    assert response.status_code == 400


def test_calls_are_not_audited(client: TestClient, headers: dict[str, dict[str, str]]) -> None:
    before = client.get("/api/audit", headers=headers["admin"]).json()["data"]
    client.get("/api/validators/phone", params={"value": "1"}, headers=headers["analyst"])
    after = client.get("/api/audit", headers=headers["admin"]).json()["data"]
    assert len(after) == len(before) + 1  # only the admin's own audit read
    assert after[0]["action"] == "audit.list"
