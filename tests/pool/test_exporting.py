"""Exporting datasets: every format, masking for other departments, refusals, audit rows."""

from __future__ import annotations

import codecs
import csv
import io
import json
from pathlib import Path
from typing import Any

import openpyxl  # type: ignore[import-untyped, unused-ignore]
import pyarrow.parquet as pq  # type: ignore[import-untyped, unused-ignore]
import pytest

from cityhub import audit, auth, catalog
from cityhub.auth import Role
from cityhub.catalog import ColumnChange, PersonalKind
from cityhub.config import Settings
from cityhub.db import Database
from cityhub.errors import InvalidInput, NotFound, PermissionDenied
from cityhub.pool import exporting
from cityhub.pool.exporting import Export, export_dataset, file_title
from cityhub.pool.ingest import ingest
from cityhub.pool.service import Pool
from cityhub.query.rows import Filter

# Engine.stream reads through a DB-API cursor, for which duckdb 2 warns that it copies the rows;
# the fix (cursor.sql(...).to_arrow_reader()) belongs to engine.py.

OWNER = auth.Actor(1, "scjgj.analyst", Role.ANALYST, "SCJGJ", "10.0.0.1")
OTHER = auth.Actor(2, "slj.analyst", Role.ANALYST, "SLJ", "10.0.0.2")
RARE = "镕喆昇堃燊旸璟"
FIRMS = (
    "名称,备注,法定代表人,注册资本\n"
    f"{RARE}科技有限公司,=1+1,张三丰,100.5\n"
    "聊城昇堃商贸,@SUM(A1),李四,20\n"
)
STATIONS: dict[str, Any] = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "properties": {"站名": "聊城站", "水位": 32.5},
            "geometry": {"type": "Point", "coordinates": [115.98, 36.45]},
        },
        {
            "type": "Feature",
            "properties": {"站名": "临清站", "水位": 30.1},
            "geometry": {"type": "LineString", "coordinates": [[115.7, 36.8], [115.71, 36.81]]},
        },
    ],
}


def _publish(db: Database, pool: Pool, tmp_path: Path, name: str, file: str, text: str) -> str:
    spec = catalog.DatasetSpec(
        name=name,
        title=f"{name} 企业/名录",
        department="SCJGJ",
        share_type=catalog.ShareType.UNCONDITIONAL,
    )
    catalog.create_dataset(db, auth.Actor.system(), spec)
    path = tmp_path / file
    path.write_text(text, encoding="utf-8")
    ingest(db, auth.Actor.system(), pool.warehouse, dataset=name, path=path, file_name=file)
    return name


@pytest.fixture
def firms(pool: Pool, db: Database, tmp_path: Path) -> str:
    name = _publish(db, pool, tmp_path, "firms", "firms.csv", FIRMS)
    catalog.describe_columns(
        db,
        auth.Actor.system(),
        name,
        [ColumnChange("法定代表人", label="法人代表", personal=PersonalKind.NAME)],
    )
    return name


@pytest.fixture
def stations(pool: Pool, db: Database, tmp_path: Path) -> str:
    text = json.dumps(STATIONS, ensure_ascii=False)
    return _publish(db, pool, tmp_path, "stations", "stations.geojson", text)


def _body(export: Export) -> bytes:
    return b"".join(export.chunks)


def _csv(data: bytes, encoding: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode(encoding), newline="")))


def test_csv_is_utf8_with_bom_labels_and_neutralised_formulas(pool: Pool, firms: str) -> None:
    export = export_dataset(pool, OWNER, firms)
    assert export.media_type == "text/csv; charset=utf-8"
    assert (export.filename, export.ascii_filename) == ("firms 企业_名录.csv", "firms.csv")
    data = _body(export)
    assert data.startswith(codecs.BOM_UTF8)
    assert _csv(data, "utf-8-sig") == [
        ["名称", "备注", "法人代表", "注册资本"],
        [f"{RARE}科技有限公司", "'=1+1", "张三丰", "100.5"],
        ["聊城昇堃商贸", "'@SUM(A1)", "李四", "20"],
    ]


def test_gb18030_round_trip_is_character_exact(pool: Pool, firms: str) -> None:
    export = export_dataset(pool, OWNER, firms, encoding="gb18030")
    assert export.media_type == "text/csv; charset=gb18030"
    data = _body(export)
    assert not data.startswith(codecs.BOM_UTF8)
    assert _csv(data, "gb18030")[1][0] == f"{RARE}科技有限公司"


def test_xlsx_opens_with_openpyxl(pool: Pool, firms: str) -> None:
    data = _body(export_dataset(pool, OWNER, firms, fmt="xlsx"))
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0] == ["名称", "备注", "法人代表", "注册资本"]
    assert rows[1] == [f"{RARE}科技有限公司", "'=1+1", "张三丰", 100.5]


def test_parquet_reads_back_equal(pool: Pool, firms: str) -> None:
    data = _body(export_dataset(pool, OWNER, firms, fmt="parquet"))
    assert pq.read_table(io.BytesIO(data)).to_pylist() == [
        {"名称": f"{RARE}科技有限公司", "备注": "=1+1", "法定代表人": "张三丰", "注册资本": 100.5},
        {"名称": "聊城昇堃商贸", "备注": "@SUM(A1)", "法定代表人": "李四", "注册资本": 20.0},
    ]


def test_geojson_of_an_ingested_feature_collection(pool: Pool, stations: str) -> None:
    export = export_dataset(pool, OWNER, stations, fmt="geojson")
    assert export.media_type == "application/geo+json"
    collection = json.loads(_body(export))
    assert collection["type"] == "FeatureCollection"
    features = collection["features"]
    assert [f["geometry"] for f in features] == [f["geometry"] for f in STATIONS["features"]]
    assert features[0]["properties"]["站名"] == "聊城站"


def test_geojson_needs_a_geometry_column(pool: Pool, firms: str) -> None:
    with pytest.raises(InvalidInput, match="no geometry column"):
        export_dataset(pool, OWNER, firms, fmt="geojson")


def test_other_departments_get_masked_exports(pool: Pool, firms: str) -> None:
    rows = _csv(_body(export_dataset(pool, OTHER, firms)), "utf-8-sig")
    assert [r[2] for r in rows[1:]] == ["张**", "李*"]
    table = pq.read_table(io.BytesIO(_body(export_dataset(pool, OTHER, firms, fmt="parquet"))))
    assert table.column("法定代表人").to_pylist() == ["张**", "李*"]
    workbook = openpyxl.load_workbook(
        io.BytesIO(_body(export_dataset(pool, OTHER, firms, fmt="xlsx")))
    )
    cells = [[c.value for c in row] for row in workbook.active.iter_rows()]
    assert [row[2] for row in cells[1:]] == ["张**", "李*"]  # the same column as in the CSV
    assert not {"张三丰", "李四"} & {str(v) for row in cells for v in row}


def test_filters_sort_and_select_apply(pool: Pool, firms: str) -> None:
    export = export_dataset(
        pool,
        OWNER,
        firms,
        filters=(Filter("注册资本", "lt", "50"),),
        select=("名称",),
        sort=("-名称",),
    )
    assert _csv(_body(export), "utf-8-sig") == [["名称"], ["聊城昇堃商贸"]]


def test_refusals(pool: Pool, db: Database, firms: str) -> None:
    catalog.update_dataset(
        db, auth.Actor.system(), firms, catalog.DatasetPatch(share_type=catalog.ShareType.NONE)
    )
    with pytest.raises(PermissionDenied):
        export_dataset(pool, OTHER, firms)
    with pytest.raises(NotFound):
        export_dataset(pool, auth.Actor.public(), firms)
    with pytest.raises(InvalidInput, match="format"):
        export_dataset(pool, OWNER, firms, fmt="docx")
    with pytest.raises(InvalidInput, match="encoding"):
        export_dataset(pool, OWNER, firms, fmt="xlsx", encoding="gb18030")
    with pytest.raises(InvalidInput, match="encoding"):
        export_dataset(pool, OWNER, firms, encoding="latin-1")


def test_exports_and_refusals_are_audited(pool: Pool, db: Database, firms: str) -> None:
    _body(export_dataset(pool, OTHER, firms, fmt="xlsx"))
    catalog.update_dataset(
        db, auth.Actor.system(), firms, catalog.DatasetPatch(share_type=catalog.ShareType.NONE)
    )
    with pytest.raises(PermissionDenied):
        export_dataset(pool, OTHER, firms)
    with pytest.raises(InvalidInput):
        export_dataset(pool, OWNER, firms, filters=(Filter("无此列", "eq", "1"),))
    page = audit.list_events(db, auth.Actor.system(), audit.AuditFilter(action="dataset.export"))
    assert [(e.actor, e.outcome) for e in page.events] == [
        ("scjgj.analyst", "failure"),
        ("slj.analyst", "denied"),
        ("slj.analyst", "success"),
    ]
    success = page.events[2]
    assert success.object_id == "firms" and success.client_address == "10.0.0.2"
    assert success.details == {
        "version": 1,
        "format": "xlsx",
        "filters": [],
        "masked": True,
        "rows": 2,
    }


def test_chunks_close_their_file(
    pool: Pool, firms: str, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(exporting, "SPOOL_BYTES", 16)  # spill to disk at once
    export = export_dataset(pool, OWNER, firms)
    assert list((settings.data_dir / "exports").iterdir()) == []  # an unnamed file: no leftovers
    assert export.chunks.size == len(_body(export))
    assert list(export.chunks) == []
    export.chunks.close()  # a second close is harmless


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("河道水位", "河道水位"),
        ('a/b\\c:d*e?f"g<h>i|j', "a_b_c_d_e_f_g_h_i_j"),
        ("行\n换", "行_换"),
        (" .. ", "fallback"),
    ],
)
def test_file_title_is_safe_everywhere(title: str, expected: str) -> None:
    assert file_title(title, "fallback") == expected
