"""Who may call the record-linking API, per role (the steward and analyst are of 水利局)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from cityhub import auth, catalog
from cityhub.config import Settings
from cityhub.db import Database, utcnow
from cityhub.linking import LinkPair, LinkRun
from cityhub.pool.ingest import ingest
from cityhub.pool.service import Pool
from tests.conftest import People, token_for
from tests.web.permission_table import ROLES, check_call

ROWS = {
    "wells-a": "编号,单位名称,地址\nA1,聊城市东昌湖水务有限公司,东昌府区柳园街道建设路1号\n"
    "A2,临清市运河灌溉服务有限公司,临清市先锋路街道运河路8号\n",
    "wells-b": "编号,单位名称,地址\nB1,聊城东昌湖水务有限责任公司,柳园街道建设路1号 东昌府区\n"
    "B2,冠县清泉水利工程有限公司,冠县清泉街道光岳路9号\n",
}
DETAIL = {
    "left": {"name": "聊城市东昌湖水务有限公司", "address": "东昌府区柳园街道建设路1号"},
    "right": {"name": "聊城东昌湖水务有限责任公司", "address": "东昌府区柳园街道建设路1号"},
    "levels": {"name": 4, "address": 3},
}
FIGURES = {"clusters": 3, "exact_links": 0, "probabilistic_links": 1, "review_band": 1,
           "timings": {"records": 0.1}}  # fmt: skip
SPEC = {
    "output": "well-links",
    "sources": [
        {"dataset": name, "key": "编号", "name": "单位名称", "address": "地址"} for name in ROWS
    ],
}


@pytest.fixture
def wells(db: Database, settings: Settings) -> None:
    """Two small datasets of 水利局, and a finished run of 水利局 (id 1) with one pair (id 1)."""
    system = auth.Actor.system()
    pool = Pool(db, settings)
    for name, text in ROWS.items():
        catalog.create_dataset(
            db, system, catalog.DatasetSpec(name=name, title=name, department="SLJ")
        )
        path = settings.data_dir / f"{name}.csv"
        path.write_text(text, encoding="utf-8")
        ingest(db, system, pool.warehouse, dataset=name, path=path, file_name=path.name)
    pool.close()
    with db.transaction() as session:
        run = LinkRun(
            kind="legal_entity", sources=[], threshold=0.9, review_lower=0.5, review_upper=0.95,
            status="finished", figures=FIGURES, department="SLJ", output_dataset="well-links",
            created_by="slj.steward", started_at=utcnow(),
        )  # fmt: skip
        session.add(run)
        session.flush()
        session.add(
            LinkPair(
                run_id=run.id, left_dataset="wells-a", left_key="A1", right_dataset="wells-b",
                right_key="B1", match_probability=0.8, match_weight=2.0, detail=DETAIL,
            )
        )  # fmt: skip


# (method, path, JSON body or None, expected status per role in ROLES order)
ENDPOINTS: list[tuple[str, str, Any, tuple[int, int, int, int]]] = [
    ("POST", "/api/linking/runs", SPEC, (401, 403, 201, 201)),
    ("GET", "/api/linking/runs", None, (401, 403, 200, 200)),
    ("GET", "/api/linking/runs/1", None, (401, 403, 200, 200)),
    ("GET", "/api/linking/runs/1/pairs", None, (401, 403, 200, 200)),
    ("POST", "/api/linking/pairs/1/decision", {"decision": "same"}, (401, 403, 200, 200)),
]
PLACEHOLDERS = {"runs/1": "runs/{run_id}", "pairs/1": "pairs/{pair_id}"}


@pytest.mark.parametrize(("method", "path", "body", "expected"), ENDPOINTS)
@pytest.mark.parametrize("role", ROLES)
def test_role_may_call_endpoint(
    client: TestClient,
    wells: None,
    headers: dict[str, dict[str, str]],
    role: str,
    method: str,
    path: str,
    body: dict[str, Any] | None,
    expected: tuple[int, int, int, int],
) -> None:
    check_call(client, headers[role], method, path, body, expected[ROLES.index(role)])


def test_another_departments_run_is_not_found(
    client: TestClient, wells: None, headers: dict[str, dict[str, str]], people: People
) -> None:
    mine = token_for(client, people.other_steward)
    assert client.get("/api/linking/runs/1", headers=mine).status_code == 404
    assert client.get("/api/linking/runs", headers=mine).json() == []
    decided = client.post(
        "/api/linking/pairs/1/decision", json={"decision": "maybe"}, headers=headers["steward"]
    )
    assert decided.status_code == 400


def test_a_run_through_the_api_links_and_reports(
    client: TestClient, wells: None, headers: dict[str, dict[str, str]]
) -> None:
    run = client.post("/api/linking/runs", json=SPEC, headers=headers["steward"]).json()
    assert (run["status"], run["department"], run["output_version"]) == ("finished", "SLJ", 1)
    rows = client.get(
        "/api/datasets/well-links/rows", params={"_limit": 10}, headers=headers["steward"]
    ).json()
    assert rows["total"] == 4
