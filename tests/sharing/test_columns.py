"""Reading through a grant limited to some columns: those columns, masked, in every read path."""

from __future__ import annotations

import csv
import io
import json

import pytest
from fastapi.testclient import TestClient

from cityhub import catalog, sharing
from cityhub.catalog import ShareType
from cityhub.db import Database
from cityhub.errors import InvalidInput
from cityhub.pool.exporting import export_dataset
from cityhub.pool.service import Pool, read_rows, readable, run_sql
from cityhub.query.rows import Filter, RowQuery
from tests.conftest import token_for
from tests.sharing.conftest import ANALYST, COLUMNS, OUTSIDER, STEWARD

TWO = ["企业名称", "法定代表人"]  # one plain column, one personal (masked as a name)
MASKED = [("聊城市东昌府区绿野农业有限公司", "张**"), ("冠县鸭梨合作社", "李*")]


@pytest.fixture
def granted(db: Database, entities: str) -> str:
    """市农业农村局 may read two columns of 市场监管局's dataset for 30 days."""
    request = sharing.request_access(db, ANALYST, entities, "核对涉农市场主体登记信息", 30, TWO)
    sharing.approve(db, STEWARD, request.id)
    return entities


def test_row_api_gives_the_granted_columns_masked(pool: Pool, granted: str) -> None:
    page = read_rows(pool, ANALYST, granted, RowQuery())
    assert page.columns == TWO and page.rows == MASKED
    assert page.masked and page.limited
    # The owner still reads every column in clear.
    owner = read_rows(pool, STEWARD, granted, RowQuery())
    assert owner.columns == COLUMNS and not owner.limited and not owner.masked


@pytest.mark.parametrize(
    "query",
    [
        RowQuery(select=("企业名称", "联系电话")),
        RowQuery(filters=(Filter("注册资本", "gt", "100"),)),
        RowQuery(sort=("-住所",)),
    ],
)
def test_row_api_cannot_name_other_columns(pool: Pool, granted: str, query: RowQuery) -> None:
    with pytest.raises(InvalidInput):
        read_rows(pool, ANALYST, granted, query)


def test_sql_sees_the_granted_columns_only(pool: Pool, granted: str) -> None:
    everything = run_sql(pool, ANALYST, 'SELECT * FROM "market-entities" ORDER BY 1 DESC')
    assert everything.columns == TWO and everything.rows == MASKED
    for sql in (
        'SELECT 联系电话 FROM "market-entities"',
        'SELECT count(*) FROM "market-entities" WHERE 注册资本 > 100',
        'SELECT 企业名称 FROM "market-entities" ORDER BY 住所',
    ):
        with pytest.raises(InvalidInput, match="not found") as caught:
            run_sql(pool, ANALYST, sql)
        # The engine's message lists the columns it has: the granted ones, nothing else.
        assert "13812345678" not in caught.value.message and "统一社会信用代码" not in (
            caught.value.message
        )


def test_each_column_set_has_its_own_view(pool: Pool, db: Database, granted: str) -> None:
    other = sharing.request_access(
        db, OUTSIDER, granted, "统计各类市场主体的注册资本", 10, ["注册资本"]
    )
    sharing.approve(db, STEWARD, other.id)
    mine = readable(pool, ANALYST, granted, None, "dataset.read")
    theirs = readable(pool, OUTSIDER, granted, None, "dataset.read")
    owner = readable(pool, STEWARD, granted, None, "dataset.read")
    assert len({mine.relation.name, theirs.relation.name, owner.relation.name}) == 3
    # Both are served by the one engine at once, each seeing its own columns.
    assert run_sql(pool, OUTSIDER, 'SELECT * FROM "market-entities" ORDER BY 1').rows == [
        (120,),
        (500,),
    ]
    assert run_sql(pool, ANALYST, 'SELECT * FROM "market-entities"').columns == TWO


def test_export_has_the_granted_columns_masked(pool: Pool, granted: str) -> None:
    done = export_dataset(pool, ANALYST, granted, fmt="csv")
    text = b"".join(done.chunks).decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(text))) == [TWO, *[list(r) for r in MASKED]]
    with pytest.raises(InvalidInput):
        export_dataset(pool, ANALYST, granted, fmt="csv", select=["联系电话"])


def test_ckan_datastore_search_has_the_granted_columns(
    client: TestClient, users: None, granted: str, db: Database
) -> None:
    headers = token_for(client, "nyncj.analyst")
    rid = catalog.get_dataset(db, ANALYST, granted).resource_uuid
    found = client.post(
        "/api/3/action/datastore_search",
        json={"resource_id": rid, "sort": "企业名称 desc"},
        headers=headers,
    ).json()["result"]
    assert [f["id"] for f in found["fields"]] == TWO
    assert [tuple(r.values()) for r in found["records"]] == MASKED
    # q runs through the SQL sandbox: it searches the granted columns only.
    by_q = client.post(
        "/api/3/action/datastore_search",
        json={"resource_id": rid, "q": "鸭梨"},
        headers=headers,
    ).json()["result"]
    assert [r["企业名称"] for r in by_q["records"]] == ["冠县鸭梨合作社"]
    hidden = client.post(
        "/api/3/action/datastore_search",
        json={"resource_id": rid, "fields": ["联系电话"]},
        headers=headers,
    )
    assert hidden.status_code == 409 and hidden.json()["success"] is False
    sql = client.post(
        "/api/3/action/datastore_search_sql",
        json={"sql": 'SELECT "联系电话" FROM "market-entities"'},
        headers=headers,
    )
    assert sql.status_code == 409 and "13812345678" not in sql.text


def test_row_api_over_http(client: TestClient, users: None, granted: str) -> None:
    headers = token_for(client, "nyncj.analyst")
    rows = client.get(f"/api/datasets/{granted}/rows", headers=headers).json()
    assert rows["columns"] == TWO and rows["masked"] is True
    assert (
        client.get(
            f"/api/datasets/{granted}/rows", params={"_select": "联系电话"}, headers=headers
        ).status_code
        == 400
    )
    sql = client.post("/api/sql", json={"sql": 'SELECT * FROM "market-entities"'}, headers=headers)
    assert sql.json()["columns"] == TWO


def test_unconditional_readers_see_every_column(pool: Pool, db: Database, granted: str) -> None:
    # A limited grant only limits reads that go through it: once the data is shared
    # unconditionally, the department reads it like everyone else.
    patch = catalog.DatasetPatch(share_type=ShareType.UNCONDITIONAL)
    catalog.update_dataset(db, STEWARD, granted, patch)
    assert read_rows(pool, ANALYST, granted, RowQuery()).columns == COLUMNS


def test_catalogue_metadata_still_lists_every_column(
    client: TestClient, users: None, granted: str
) -> None:
    # The catalogue (目录) is how departments find data and choose columns to request: it
    # describes every column to every user; only the data is limited.
    headers = token_for(client, "nyncj.analyst")
    entry = client.get(f"/api/datasets/{granted}", headers=headers).json()
    assert [c["name"] for c in entry["columns"]] == COLUMNS
    dcat = client.get(f"/api/datasets/{granted}/dcat.jsonld", headers=headers)
    assert all(name in json.dumps(dcat.json(), ensure_ascii=False) for name in COLUMNS)
