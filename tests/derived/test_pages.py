"""Derived-dataset pages and API: define with a preview, the list, lineage on the dataset page."""

from __future__ import annotations

import html
import json
import re
from typing import Any

from fastapi.testclient import TestClient

from cityhub import catalog
from cityhub.pool.service import Pool
from tests.conftest import PASSWORD, People, token_for
from tests.derived.conftest import STEWARD
from tests.web.test_pages import csrf_of, log_in

JOIN = (
    'SELECT e."统一社会信用代码", e."名称", b."带宽" '
    'FROM "legal-entities" AS e JOIN broadband AS b USING ("统一社会信用代码")'
)


def _define(client: TestClient, **fields: str) -> Any:
    token = csrf_of(client.get("/derived/new").text)
    data = {"csrf_token": token, "schedule": "manual"} | fields
    return client.post("/derived/new", data=data, follow_redirects=False)


def test_a_steward_defines_a_derived_dataset_and_sees_its_lineage(
    client: TestClient, city: Pool, people: People
) -> None:
    log_in(client, people.steward, PASSWORD)
    form = client.get("/derived/new")
    assert form.status_code == 200 and 'id="derived-sql"' in form.text
    assert 'href="/derived"' in client.get("/").text  # in the navigation for stewards

    preview = client.post("/derived/preview", data={"csrf_token": csrf_of(form.text), "sql": JOIN})
    assert preview.status_code == 200
    assert "聊城市东昌府区甲公司" in preview.text and 'id="derived-preview-table"' in preview.text

    response = _define(client, name="entity-broadband", title="企业宽带接入情况", sql=JOIN)
    assert response.status_code == 303
    assert response.headers["location"] == "/datasets/entity-broadband"

    page = client.get("/datasets/entity-broadband").text
    assert 'id="lineage-graph"' in page and "/static/lineage.js" in page
    chart = json.loads(html.unescape(re.search(r"data-lineage='([^']*)'", page).group(1)))  # type: ignore[union-attr]
    assert chart["self"] == "entity-broadband"
    assert {n["name"]: n["role"] for n in chart["nodes"]} == {
        "entity-broadband": "self",
        "legal-entities": "upstream",
        "broadband": "upstream",
    }
    sources = re.search(r'<ul id="lineage-sources">(.*?)</ul>', page, re.S).group(1)  # type: ignore[union-attr]
    assert "法人单位基本信息" in sources and "市市场监管局" in sources and "企业宽带接入" in sources
    assert 'id="derived-sql-text"' in page and 'id="derived-refresh"' in page

    # A source page lists what is made from it.
    source_page = client.get("/datasets/legal-entities").text
    assert re.search(r'<ul id="lineage-consumers">.*企业宽带接入情况.*</ul>', source_page, re.S)

    listing = client.get("/derived").text
    assert "entity-broadband" in listing and 'id="derived-new-link"' in listing

    refreshed = client.post(
        "/derived/entity-broadband/refresh",
        data={"csrf_token": csrf_of(page)},
        follow_redirects=False,
    )
    assert refreshed.status_code == 303
    assert [v.number for v in catalog.list_versions(city.db, STEWARD, "entity-broadband")] == [
        2,
        1,
    ]


def test_a_refused_query_comes_back_in_the_form(
    client: TestClient, city: Pool, people: People
) -> None:
    log_in(client, people.steward, PASSWORD)
    response = _define(
        client, name="leak", title="越权", sql="SELECT * FROM read_csv('/etc/passwd')"
    )
    assert response.status_code == 400
    text = response.text
    assert 'id="derived-error"' in text and "file_access" in text
    assert "read_csv(&#39;/etc/passwd&#39;)" in text  # the query stays in the textarea
    preview = client.post(
        "/derived/preview",
        data={"csrf_token": csrf_of(text), "sql": "SELECT * FROM '/etc/passwd'"},
    )
    assert preview.status_code == 200 and 'id="derived-preview-error"' in preview.text


def test_pages_need_the_right_people(client: TestClient, city: Pool, people: People) -> None:
    assert client.get("/derived", follow_redirects=False).status_code == 303  # to the login
    log_in(client, people.analyst, PASSWORD)
    assert client.get("/derived").status_code == 200
    assert client.get("/derived/new").status_code == 403
    assert 'href="/derived"' not in client.get("/").text


def test_the_lineage_api(client: TestClient, city: Pool, people: People) -> None:
    headers = token_for(client, people.steward)
    created = client.post(
        "/api/derived",
        json={"name": "eb", "title": "企业宽带", "sql": JOIN, "schedule": "daily"},
        headers=headers,
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert (body["version"], body["share_type"], body["last_error"]) == (1, "conditional", None)
    assert body["next_due_at"] is not None and body["department"] == "SLJ"
    lineage = client.get("/api/datasets/eb/lineage", headers=headers).json()
    assert lineage["dataset"] == "eb"
    assert sorted(
        (e["source"], e["source_version"], e["target_version"]) for e in lineage["edges"]
    ) == [
        ("broadband", 1, 1),
        ("legal-entities", 1, 1),
    ]
    nodes = {n["name"]: n for n in lineage["nodes"]}
    assert nodes["legal-entities"]["department"] == "SCJGJ"
    assert nodes["legal-entities"]["department_name"] == "市市场监管局"
    refused = client.patch(
        "/api/datasets/eb", json={"share_type": "unconditional"}, headers=headers
    )
    assert refused.status_code == 409
    assert refused.json()["error"]["details"]["source"] == "broadband"
    refreshed = client.post("/api/derived/eb/refresh", headers=headers).json()
    assert refreshed["version"] == 2
    assert sorted(refreshed["sources"], key=str) == sorted(
        [{"dataset": "broadband", "version": 1}, {"dataset": "legal-entities", "version": 1}],
        key=str,
    )
