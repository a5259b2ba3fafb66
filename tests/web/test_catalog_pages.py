"""The catalogue pages: search with facets, the dataset page with its preview, and uploads."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from cityhub import auth, catalog
from cityhub.catalog import ColumnChange, PersonalKind
from cityhub.db import Database
from cityhub.pool.ingest import ingest
from cityhub.pool.service import Pool
from cityhub.web.i18n import LANGUAGES
from cityhub.web.i18n import catalog as messages
from tests.conftest import PASSWORD, People
from tests.web.test_pages import csrf_of, log_in

SYSTEM = auth.Actor.system()
WATER = "站点,水位,联系人\n" + "".join(f"站{i % 3},{i * 1.5},张三丰\n" for i in range(30))


def _publish(pool: Pool, tmp_path: Path, spec: catalog.DatasetSpec, text: str) -> None:
    catalog.create_dataset(pool.db, SYSTEM, spec)
    path = tmp_path / f"{spec.name}.csv"
    path.write_text(text, encoding="utf-8")
    ingest(pool.db, SYSTEM, pool.warehouse, dataset=spec.name, path=path, file_name=path.name)


@pytest.fixture
def pool(client: TestClient) -> Pool:
    """The pool of the app under test."""
    app = client.app
    assert isinstance(app, FastAPI)
    app_pool: Pool = app.state.pool
    return app_pool


@pytest.fixture
def datasets(pool: Pool, db: Database, people: People, tmp_path: Path) -> None:
    """Three datasets: shared (with a personal column), conditional, and open to the public."""
    water = catalog.DatasetSpec(
        name="river-levels",
        title="河道水位监测",
        department="SLJ",
        abstract="徒骇河、马颊河主要站点的日水位。",
        resource_code="SLJ-2026-0001",
        resource_class=catalog.ResourceClass.SPATIAL,
        keywords=("水位", "河道"),
        update_cycle=catalog.UpdateCycle.DAILY,
        licence="政务共享许可",
        contact="水利局信息科 0635-1234567",
    )
    _publish(pool, tmp_path, water, WATER)
    catalog.describe_columns(
        db, SYSTEM, "river-levels", [ColumnChange("联系人", personal=PersonalKind.NAME)]
    )
    permits = catalog.DatasetSpec(
        name="water-permits",
        title="取水许可证",
        department="SLJ",
        share_type=catalog.ShareType.CONDITIONAL,
        share_conditions="仅用于水资源管理",
    )
    _publish(pool, tmp_path, permits, "证号,单位\nA1,聊城热电\n")
    rain = catalog.DatasetSpec(
        name="rainfall",
        title="降雨量",
        department="NYNCJ",
        category=catalog.DataCategory.CIVIL,
        open_type=catalog.OpenType.OPEN,
    )
    _publish(pool, tmp_path, rain, "日期,雨量\n2026-07-01,12.5\n2026-07-02,0\n")
    auth.create_user(
        db,
        SYSTEM,
        username="nyncj.analyst",
        password=PASSWORD,
        department_code="NYNCJ",
        role=auth.Role.ANALYST,
    )


def titles(html: str) -> list[str]:
    return re.findall(r'<h2><a href="/datasets/[^"]+">([^<]+)</a></h2>', html)


def test_public_sees_open_datasets_only(client: TestClient, datasets: None) -> None:
    page = client.get("/datasets")
    assert page.status_code == 200 and "数据目录" in page.text
    assert titles(page.text) == ["降雨量"]
    assert client.get("/datasets/river-levels").status_code == 404
    open_data = client.get("/datasets/rainfall")
    assert open_data.status_code == 200 and 'id="preview-table"' in open_data.text


def test_two_chinese_characters_find_a_dataset(
    client: TestClient, people: People, datasets: None
) -> None:
    log_in(client, people.analyst, PASSWORD)
    page = client.get("/datasets", params={"q": "水位"})
    assert titles(page.text) == ["河道水位监测"]
    assert "共找到 1 个数据集" in page.text
    assert "第 1 版 · 30 行" in page.text and "更新及时" in page.text
    assert 'class="badge share-unconditional">无条件共享<' in page.text


def test_facets_count_filter_and_are_labelled(
    client: TestClient, people: People, datasets: None
) -> None:
    log_in(client, people.analyst, PASSWORD)
    everything = client.get("/datasets")
    assert sorted(titles(everything.text)) == ["取水许可证", "河道水位监测", "降雨量"]
    departments = re.search(r'id="facet-department".*?</fieldset>', everything.text, re.S)
    assert departments is not None
    assert re.search(r"市水利局</span><span class=\"count\">2<", departments.group(0))
    assert "市农业农村局" in departments.group(0) and "有条件共享" in everything.text
    conditional = client.get("/datasets", params={"share_type": "conditional"})
    assert titles(conditional.text) == ["取水许可证"]
    assert 'value="conditional" checked' in conditional.text
    english = client.get("/datasets", params={"lang": "en", "department": "SLJ"})
    assert "Municipal Water Resources Bureau" in english.text and len(titles(english.text)) == 2


def test_dataset_page_shows_the_catalogue_entry(
    client: TestClient, people: People, datasets: None
) -> None:
    log_in(client, people.analyst, PASSWORD)
    page = client.get("/datasets/river-levels")
    assert page.status_code == 200
    metadata = page.text[page.text.index('id="dataset-metadata"') :]
    for text in ("SLJ-2026-0001", "空间地理基础库", "政务数据", "水位、河道", "每日", "无条件共享"):
        assert text in metadata, text
    for text in ("不予开放", "内部", "政务共享许可", "0635-1234567", "市水利局"):
        assert text in metadata, text
    columns = page.text[page.text.index('id="dataset-columns"') :]
    assert "<td>联系人</td><td>文本</td>" in columns and ">姓名</span>" in columns
    versions = page.text[page.text.index('id="dataset-versions"') :]
    assert "river-levels.csv" in versions and "UTF-8" in versions and "30 / 30" in versions
    assert 'id="preview-table"' in page.text and "张三丰" in page.text  # own department
    assert 'id="masked-note"' not in page.text
    assert "/api/datasets/river-levels/export?format=csv&amp;encoding=gb18030" in page.text
    assert 'id="upload-link"' not in page.text  # analysts do not upload


def test_other_departments_see_personal_columns_masked(client: TestClient, datasets: None) -> None:
    log_in(client, "nyncj.analyst", PASSWORD)
    page = client.get("/datasets/river-levels")
    assert 'id="masked-note"' in page.text and "个人信息字段(联系人)" in page.text
    assert "张**" in page.text and "张三丰" not in page.text


def test_conditional_dataset_without_a_grant_shows_how_to_apply(
    client: TestClient, people: People, datasets: None
) -> None:
    log_in(client, people.other_steward, PASSWORD)
    page = client.get("/datasets/water-permits")
    assert page.status_code == 200 and "取水许可证" in page.text
    assert 'id="preview-denied"' in page.text and "请向提供部门(市水利局)申请" in page.text
    assert "仅用于水资源管理" in page.text
    assert 'id="preview-table"' not in page.text and "聊城热电" not in page.text
    assert 'id="dataset-downloads"' not in page.text and 'id="chart-area"' not in page.text


def test_rows_partial_filters_for_htmx(client: TestClient, people: People, datasets: None) -> None:
    log_in(client, people.analyst, PASSWORD)
    params = {"column": "站点", "op": "eq", "value": "站1"}
    part = client.get("/datasets/river-levels/rows", params=params, headers={"HX-Request": "true"})
    assert part.status_code == 200 and "<html" not in part.text
    assert "符合条件的共 10 行" in part.text and "站0" not in part.text
    numbers = client.get(
        "/datasets/river-levels/rows", params={"column": "水位", "op": "gte", "value": "30"}
    )
    assert "共 10 行" in numbers.text
    paged = client.get("/datasets/river-levels/rows", params={"offset": 20})
    assert "显示第 21–30 行" in paged.text and 'id="rows-prev"' in paged.text
    bad = client.get("/datasets/river-levels/rows", params={"column": "水位", "value": "abc"})
    assert bad.status_code == 400 and 'id="preview-error"' in bad.text


def test_chart_counts_values_server_side(
    client: TestClient, people: People, datasets: None
) -> None:
    log_in(client, people.analyst, PASSWORD)
    assert (
        'hx-get="/datasets/river-levels/chart?chart="' in client.get("/datasets/river-levels").text
    )
    text = client.get("/datasets/river-levels/chart", params={"chart": "站点"}).text
    data = chart_data(text)
    assert data["kind"] == "top" and data["labels"] == ["站0", "站1", "站2"]
    assert data["values"] == [10, 10, 10]
    text = client.get("/datasets/river-levels/chart", params={"chart": "水位"}).text
    data = chart_data(text)
    assert data["kind"] == "histogram" and sum(data["values"]) == 30 and len(data["labels"]) == 10


def chart_data(html: str) -> dict[str, Any]:
    match = re.search(r'class="column-chart-data">(.*?)</script>', html, re.S)
    assert match, "no chart data in the partial"
    data: dict[str, Any] = json.loads(match.group(1))
    return data


def upload(client: TestClient, name: str, body: bytes, **extra: str) -> Any:
    token = csrf_of(client.get("/datasets").text)
    return client.post(
        f"/datasets/{name}/upload",
        data={"csrf_token": token, "mode": extra.pop("mode", "append")},
        files={"file": (extra.pop("filename", "水位.csv"), body, "text/csv")},
        follow_redirects=False,
        headers=extra,
    )


def test_owner_steward_uploads_a_gb18030_csv(
    client: TestClient, people: People, datasets: None
) -> None:
    log_in(client, people.steward, PASSWORD)
    assert 'id="upload-link"' in client.get("/datasets/river-levels").text
    form = client.get("/datasets/river-levels/upload")
    assert form.status_code == 200 and 'enctype="multipart/form-data"' in form.text
    response = upload(client, "river-levels", "站点,水位,联系人\n站9,3.5,李四\n".encode("gb18030"))
    assert response.status_code == 303
    assert response.headers["location"] == "/datasets/river-levels/upload?done=2"
    done = client.get("/datasets/river-levels/upload?done=2")
    assert 'data-field="version">2<' in done.text and "GB18030" in done.text
    assert 'data-field="row_count">31<' in done.text
    page = client.get("/datasets/river-levels")
    assert "第 2 版" in page.text and "站9" in page.text
    older = client.get("/datasets/river-levels", params={"version": 1})
    assert "第 1 版,符合条件的共 30 行" in older.text and "&amp;version=1" in older.text


def test_upload_answers_json_to_the_pages_script(
    client: TestClient, people: People, datasets: None
) -> None:
    log_in(client, people.steward, PASSWORD)
    token = csrf_of(client.get("/datasets").text)
    json_headers = {"Accept": "application/json", "X-CSRF-Token": token}
    body = "站点,水位,联系人\n站9,3.5,李四\n".encode("gb18030")
    response = upload(client, "river-levels", body, mode="replace", **json_headers)
    assert response.status_code == 200
    result = response.json()
    assert result["version"] == 2 and result["row_count"] == 1 and result["encoding"] == "gb18030"
    bad = upload(client, "river-levels", b"a,b\n", filename="empty.csv", **json_headers)
    assert bad.status_code == 400
    assert "no rows" in bad.json()["error"]["message"]
    assert bad.json()["error"]["details"]["file"] == "empty.csv"


def test_invalid_file_shows_the_error_on_the_form(
    client: TestClient, people: People, datasets: None
) -> None:
    log_in(client, people.steward, PASSWORD)
    response = upload(client, "river-levels", b"a,b\n", filename="empty.csv")
    assert response.status_code == 400
    text = response.text
    assert (
        "导入失败" in text and "has a header but no rows" in text and "<dd>empty.csv</dd>" in text
    )


def test_other_departments_may_not_upload(
    client: TestClient, pool: Pool, people: People, datasets: None
) -> None:
    assert client.get("/datasets/river-levels/upload", follow_redirects=False).status_code == 303
    log_in(client, people.other_steward, PASSWORD)
    assert client.get("/datasets/river-levels/upload").status_code == 403
    response = upload(client, "river-levels", b"a\n1\n")
    assert response.status_code == 403
    assert "出错了" in response.text
    versions = catalog.list_versions(pool.db, SYSTEM, "river-levels")
    assert [v.number for v in versions] == [1]


def test_upload_needs_the_csrf_token(client: TestClient, people: People, datasets: None) -> None:
    log_in(client, people.steward, PASSWORD)
    response = client.post(
        "/datasets/river-levels/upload",
        files={"file": ("x.csv", b"a\n1\n", "text/csv")},
        data={"csrf_token": "0" * 64},
    )
    assert response.status_code == 403
    forged = client.post(
        "/datasets/river-levels/upload",
        files={"file": ("x.csv", b"a\n1\n", "text/csv")},
        headers={"X-CSRF-Token": "forged"},
    )
    assert forged.status_code == 403


def test_unknown_dataset_is_a_404_page(client: TestClient) -> None:
    page = client.get("/datasets/no-such-thing")
    assert page.status_code == 404 and "出错了" in page.text


def test_vocabularies_are_translated() -> None:
    vocabularies = {
        "category": catalog.DataCategory,
        "resource_class": catalog.ResourceClass,
        "update_cycle": catalog.UpdateCycle,
        "share_type": catalog.ShareType,
        "open_type": catalog.OpenType,
        "security_level": catalog.SecurityLevel,
        "column_type": catalog.ColumnType,
        "personal": catalog.PersonalKind,
    }
    wanted = {
        f"{prefix}.{member.value}" for prefix, enum in vocabularies.items() for member in enum
    }
    wanted |= {f"facet.{facet}" for facet in catalog.FACETS}
    wanted |= {f"dataset.denied_{d}" for d in ("conditional", "none", "public")}
    wanted |= {f"mode.{m}" for m in ("append", "replace")} | {"op.eq", "op.isnull"}
    for language in LANGUAGES:
        assert wanted - set(messages(language)) == set()


def test_dataset_without_data_invites_the_first_upload(
    client: TestClient, db: Database, people: People
) -> None:
    spec = catalog.DatasetSpec(name="wells", title="机井台账", department="SLJ")
    catalog.create_dataset(db, SYSTEM, spec)
    log_in(client, people.steward, PASSWORD)
    page = client.get("/datasets/wells")
    assert page.status_code == 200 and 'id="preview-empty"' in page.text
    assert 'id="upload-link"' in page.text and 'id="rows-filter"' not in page.text
    assert 'id="chart-area"' not in page.text and 'id="dataset-downloads"' not in page.text
    listed = client.get("/datasets", params={"q": "机井"})
    assert titles(listed.text) == ["机井台账"] and "暂无数据" in listed.text
