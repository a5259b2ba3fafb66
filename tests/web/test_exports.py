"""``GET /api/datasets/{name}/export``: file names, formats, sharing, masking, audit, streaming."""

from __future__ import annotations

import codecs
import csv
import io
from urllib.parse import unquote

import pytest
from fastapi.testclient import TestClient

from cityhub import auth, catalog
from cityhub.catalog import ColumnChange, PersonalKind
from cityhub.config import Settings
from cityhub.db import Database
from cityhub.pool.ingest import ingest
from cityhub.pool.service import Pool
from tests.conftest import People, token_for

# Engine.stream warns under duckdb 2 (a copy of the rows); the fix belongs to engine.py.

ROLES = ("public", "analyst", "steward", "admin")
WATER = "站名,水位,联系人\n聊城站,32.5,张三\n临清站,=HYPERLINK(1),李四\n"


def _publish(db: Database, settings: Settings, name: str, title: str, text: str) -> None:
    spec = catalog.DatasetSpec(name=name, title=title, department="SLJ")
    catalog.create_dataset(db, auth.Actor.system(), spec)
    path = settings.data_dir / f"{name}.csv"
    path.write_text(text, encoding="utf-8")
    pool = Pool(db, settings)
    ingest(db, auth.Actor.system(), pool.warehouse, dataset=name, path=path, file_name="w.csv")
    pool.close()


@pytest.fixture
def water(db: Database, settings: Settings, people: People) -> None:
    """水利局's dataset, shared unconditionally and closed to the public; 联系人 is personal."""
    _publish(db, settings, "water", "河道水位", WATER)
    change = ColumnChange("联系人", personal=PersonalKind.NAME)
    catalog.describe_columns(db, auth.Actor.system(), "water", [change])


def _rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


@pytest.mark.parametrize(("role", "status"), list(zip(ROLES, (404, 200, 200, 200), strict=True)))
def test_roles(
    client: TestClient, water: None, headers: dict[str, dict[str, str]], role: str, status: int
) -> None:
    response = client.get("/api/datasets/water/export", headers=headers[role])
    assert response.status_code == status, response.text
    if status >= 400:
        assert set(response.json()["error"]) == {"code", "message", "details"}


def test_csv_download_headers_and_cells(
    client: TestClient, water: None, headers: dict[str, dict[str, str]]
) -> None:
    response = client.get("/api/datasets/water/export", headers=headers["analyst"])
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    disposition = response.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="water.csv"; ')
    assert unquote(disposition.partition("filename*=UTF-8''")[2]) == "河道水位.csv"
    assert response.content.startswith(codecs.BOM_UTF8)
    assert int(response.headers["content-length"]) == len(response.content)
    rows = _rows(response.content)
    assert rows[1] == ["聊城站", "32.5", "张三"]  # the owner department reads clear text
    assert rows[2][1] == "'=HYPERLINK(1)"  # no formula reaches a spreadsheet


@pytest.mark.parametrize(
    ("fmt", "media_type"),
    [
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("parquet", "application/vnd.apache.parquet"),
    ],
)
def test_binary_formats(
    client: TestClient, water: None, headers: dict[str, dict[str, str]], fmt: str, media_type: str
) -> None:
    response = client.get(f"/api/datasets/water/export?format={fmt}", headers=headers["admin"])
    assert response.status_code == 200
    assert response.headers["content-type"] == media_type
    assert f'filename="water.{fmt}"' in response.headers["content-disposition"]


def test_gb18030_and_filters(
    client: TestClient, water: None, headers: dict[str, dict[str, str]]
) -> None:
    response = client.get(
        "/api/datasets/water/export",
        params={"encoding": "gb18030", "站名": "聊城站", "_select": "站名"},
        headers=headers["analyst"],
    )
    assert response.headers["content-type"] == "text/csv; charset=gb18030"
    assert response.content.decode("gb18030") == "站名\r\n聊城站\r\n"


def test_other_department_gets_masked_rows(
    client: TestClient, water: None, headers: dict[str, dict[str, str]]
) -> None:
    other = token_for(client, "nyncj.steward")
    rows = _rows(client.get("/api/datasets/water/export", headers=other).content)
    assert [r[2] for r in rows[1:]] == ["张*", "李*"]


def test_unshared_data_is_403_and_audited(
    client: TestClient, db: Database, water: None, headers: dict[str, dict[str, str]]
) -> None:
    patch = catalog.DatasetPatch(share_type=catalog.ShareType.NONE)
    catalog.update_dataset(db, auth.Actor.system(), "water", patch)
    other = token_for(client, "nyncj.steward")
    assert client.get("/api/datasets/water/export", headers=other).status_code == 403
    client.get("/api/datasets/water/export?format=parquet", headers=headers["analyst"])
    events = client.get(
        "/api/audit", params={"action": "dataset.export"}, headers=headers["admin"]
    ).json()["data"]
    assert [(e["actor"], e["outcome"]) for e in events] == [
        ("slj.analyst", "success"),
        ("nyncj.steward", "denied"),
    ]
    assert events[0]["details"]["format"] == "parquet" and events[0]["details"]["rows"] == 2


@pytest.mark.parametrize(
    "query", ["format=docx", "encoding=latin-1", "format=geojson", "format=xlsx&encoding=gb18030"]
)
def test_bad_requests_are_400(
    client: TestClient, water: None, headers: dict[str, dict[str, str]], query: str
) -> None:
    response = client.get(f"/api/datasets/water/export?{query}", headers=headers["analyst"])
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_input"


def test_large_export_is_streamed(
    client: TestClient, db: Database, settings: Settings, headers: dict[str, dict[str, str]]
) -> None:
    rows = 200_000
    text = "序号,名称\n" + "".join(f"{i},站点{i}\n" for i in range(rows))
    _publish(db, settings, "big", "大表", text)
    with client.stream("GET", "/api/datasets/big/export", headers=headers["analyst"]) as response:
        assert response.status_code == 200
        chunks = list(response.iter_bytes())
    assert len(chunks) > 1
    data = b"".join(chunks)
    assert data.count(b"\r\n") == rows + 1
    assert data.endswith(f"{rows - 1},站点{rows - 1}\r\n".encode())


def test_row_api_pages_as_csv(
    client: TestClient, water: None, headers: dict[str, dict[str, str]]
) -> None:
    response = client.get(
        "/api/datasets/water/rows",
        params={"_format": "csv", "_limit": 5},
        headers=headers["steward"],
    )
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    rows = _rows(response.content)
    assert len(rows) == 1 + min(5, len(WATER.splitlines()) - 1)
    assert rows[0] == WATER.splitlines()[0].split(",")
