"""Ingest end to end: formats and encodings in, versions out, nothing half-written on failure."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from pyiceberg.table import Table

from cityhub import auth, catalog
from cityhub.errors import InvalidInput
from cityhub.pool import warehouse as warehouse_module
from cityhub.pool.ingest import IngestMode, ingest, safe_file_name
from cityhub.pool.service import Pool, read_rows, run_sql
from cityhub.query.rows import RowQuery

SYSTEM = auth.Actor.system()
RARE = "王镕 李喆 张昇 赵堃 钱燊 孙旸 周璟"  # outside GB2312: chardet calls such files GB2312


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def rows_of(pool: Pool, name: str, version: int | None = None) -> list[tuple[object, ...]]:
    page = read_rows(pool, SYSTEM, name, RowQuery(sort=("no",), limit=1000, version=version))
    return page.rows


def load(
    pool: Pool, path: Path, mode: IngestMode = IngestMode.APPEND, name: str | None = None
) -> int:
    result = ingest(
        pool.db,
        SYSTEM,
        pool.warehouse,
        dataset="legal-entities",
        path=path,
        file_name=name or path.name,
        mode=mode,
    )
    return result.version


CSV = (
    "no,企业名称,注册资本,成立日期\n"
    "1,{0},100.5,2020年4月7日\n"
    "2,聊城市大数据有限公司,200,2019-01-31\n"
)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_in_any_encoding_reads_back_exactly(
    pool: Pool, entities: catalog.Dataset, tmp_path: Path, encoding: str
) -> None:
    path = write(tmp_path / "企业.csv", CSV.format(RARE), encoding)
    load(pool, path)
    assert rows_of(pool, "legal-entities")[0][1] == RARE
    version = catalog.list_versions(pool.db, SYSTEM, "legal-entities")[0]
    assert version.source_encoding == {"utf-8-sig": "utf-8-sig"}.get(encoding, encoding)
    types = {c["name"]: c["type"] for c in version.schema}
    assert types == {"no": "integer", "企业名称": "string", "注册资本": "float", "成立日期": "date"}
    sql = run_sql(pool, SYSTEM, 'SELECT "企业名称" FROM "legal-entities" WHERE no = 1')
    assert sql.rows == [(RARE,)]


def test_append_replace_and_time_travel(
    pool: Pool, entities: catalog.Dataset, tmp_path: Path
) -> None:
    first = write(tmp_path / "v1.csv", "no,name\n1,甲\n2,乙\n")
    second = write(tmp_path / "v2.csv", "no,name\n3,丙\n")
    third = write(tmp_path / "v3.csv", "no,name\n9,辛\n")
    assert load(pool, first) == 1
    assert load(pool, second) == 2
    assert [r[0] for r in rows_of(pool, "legal-entities")] == [1, 2, 3]
    assert load(pool, third, IngestMode.REPLACE) == 3
    assert [r[0] for r in rows_of(pool, "legal-entities")] == [9]
    assert [r[0] for r in rows_of(pool, "legal-entities", version=1)] == [1, 2]
    assert [r[0] for r in rows_of(pool, "legal-entities", version=2)] == [1, 2, 3]


def test_schema_evolution_and_diff(pool: Pool, entities: catalog.Dataset, tmp_path: Path) -> None:
    load(pool, write(tmp_path / "a.csv", "no,name\n1,甲\n"))
    load(pool, write(tmp_path / "b.csv", "no,name,地址\n2,乙,东昌府区\n"))
    diff = catalog.diff_versions(pool.db, SYSTEM, "legal-entities", 1, 2)
    assert [c["name"] for c in diff["added"]] == ["地址"] and diff["removed"] == []
    assert rows_of(pool, "legal-entities") == [(1, "甲", None), (2, "乙", "东昌府区")]


def test_wrong_typed_value_names_line_and_column_and_changes_nothing(
    pool: Pool, entities: catalog.Dataset, tmp_path: Path
) -> None:
    load(pool, write(tmp_path / "a.csv", "no,name\n1,甲\n"))
    bad = write(tmp_path / "b.csv", "no,name\n2,乙\nthree,丙\n")
    with pytest.raises(InvalidInput) as error:
        load(pool, bad)
    assert error.value.details["file"] == "b.csv"
    assert "three" in error.value.message and "no" in error.value.message
    assert rows_of(pool, "legal-entities") == [(1, "甲")]
    assert len(catalog.list_versions(pool.db, SYSTEM, "legal-entities")) == 1


@pytest.mark.parametrize(
    ("name", "content", "fragment"),
    [
        ("empty.csv", b"", "empty"),
        ("header.csv", b"no,name\n", "no rows"),
        ("ragged.csv", "no,name\n1,甲\n2,乙,多余\n".encode(), "line 3"),
        ("dup.csv", b"no,no\n1,2\n", "repeats"),
        ("blank.csv", b"no,\n1,2\n", "empty"),
        ("latin.csv", b"no,name\n1,caf\xe9\xff\xfe\n", "neither"),
        ("data.exe", b"MZ\x90\x00", "unknown file type"),
        ("fake.xlsx", b"no,name\n", "not an xlsx"),
    ],
)
def test_bad_files_are_refused_clearly(
    pool: Pool, entities: catalog.Dataset, tmp_path: Path, name: str, content: bytes, fragment: str
) -> None:
    path = tmp_path / "upload"
    path.write_bytes(content)
    with pytest.raises(InvalidInput) as error:
        load(pool, path, name=name)
    assert fragment in error.value.message
    assert catalog.list_versions(pool.db, SYSTEM, "legal-entities") == []


@pytest.mark.parametrize(
    "raw", ["../../etc/passwd", "..\\..\\boot.ini", "a/../../b.csv", "/abs/x.csv", "..", ""]
)
def test_path_traversal_names_are_refused(raw: str) -> None:
    with pytest.raises(InvalidInput):
        safe_file_name(raw)


@pytest.mark.parametrize(
    ("raw", "expected"), [("企业.csv", "企业.csv"), (" data.csv ", "data.csv")]
)
def test_plain_names_pass(raw: str, expected: str) -> None:
    assert safe_file_name(raw) == expected


KILLER = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    from cityhub import auth
    from cityhub.config import Settings
    from cityhub.db import Database
    from cityhub.pool import ingest as module
    from cityhub.pool.warehouse import Warehouse

    db = Database(sys.argv[1])
    settings = Settings(data_dir=Path(sys.argv[2]))
    stage = sys.argv[4]
    if stage == "after-commit":
        # die after the Iceberg commit, before the catalogue records the version
        def die(*args, **kwargs):
            os.kill(os.getpid(), signal.SIGKILL)
        module.catalog.record_version = die
    def progress(rows):
        if stage == "writing" and rows >= 100_000:
            os.kill(os.getpid(), signal.SIGKILL)
    module.ingest(db, auth.Actor.system(), Warehouse(db, settings.data_dir),
                  dataset="legal-entities", path=Path(sys.argv[3]), file_name="big.csv",
                  progress=progress)
    """
)


@pytest.mark.parametrize("stage", ["writing", "after-commit"])
def test_killed_ingest_leaves_the_dataset_as_it_was(
    pool: Pool, entities: catalog.Dataset, tmp_path: Path, stage: str
) -> None:
    load(pool, write(tmp_path / "a.csv", "no,name\n1,甲\n"))
    big = tmp_path / "big.csv"
    with big.open("w", encoding="utf-8") as handle:
        handle.write("no,name\n")
        for i in range(2, 300_002):
            handle.write(f"{i},名称{i}\n")
    child = subprocess.run(
        [
            sys.executable,
            "-c",
            KILLER,
            pool.db.url.render_as_string(hide_password=False),
            str(pool.settings.data_dir),
            str(big),
            stage,
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env=os.environ.copy(),
    )
    assert child.returncode == -signal.SIGKILL, child.stderr
    assert len(catalog.list_versions(pool.db, SYSTEM, "legal-entities")) == 1
    assert rows_of(pool, "legal-entities") == [(1, "甲")]
    # The next ingest builds on the recorded version, not on what the killed one left behind.
    load(pool, write(tmp_path / "c.csv", "no,name\n2,乙\n"))
    assert rows_of(pool, "legal-entities") == [(1, "甲"), (2, "乙")]


def test_a_type_change_iceberg_cannot_make_is_refused_clearly(
    pool: Pool, entities: catalog.Dataset, tmp_path: Path
) -> None:
    load(pool, write(tmp_path / "a.csv", "no,name\n1,甲\n"))
    # The steward declares the integer column text; Iceberg cannot turn a long into a string.
    as_text = catalog.ColumnChange("no", type=catalog.ColumnType.STRING)
    catalog.describe_columns(pool.db, SYSTEM, "legal-entities", [as_text])
    with pytest.raises(InvalidInput) as error:
        load(pool, write(tmp_path / "b.csv", "no,name\nA-2,乙\n"))
    assert error.value.details["reason"] == "schema_change"
    assert "no" in error.value.message
    assert rows_of(pool, "legal-entities") == [(1, "甲")]
    assert len(catalog.list_versions(pool.db, SYSTEM, "legal-entities")) == 1


def test_concurrent_appends_queue_on_the_dataset_and_lose_nothing(
    pool: Pool, entities: catalog.Dataset, tmp_path: Path
) -> None:
    files = [
        write(tmp_path / f"part-{n}.csv", f"no,name\n{2 * n},甲{n}\n{2 * n + 1},乙{n}\n")
        for n in range(6)
    ]
    with ThreadPoolExecutor(3) as threads:
        versions = list(threads.map(lambda path: load(pool, path), files))
    assert sorted(versions) == [1, 2, 3, 4, 5, 6]  # each its own version, none lost
    assert [v.row_count for v in catalog.list_versions(pool.db, SYSTEM, "legal-entities")] == [
        12,
        10,
        8,
        6,
        4,
        2,
    ]
    assert [row[0] for row in rows_of(pool, "legal-entities")] == list(range(12))


def test_a_lost_iceberg_commit_race_is_retried(
    pool: Pool, entities: catalog.Dataset, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    load(pool, write(tmp_path / "v1.csv", "no,name\n1,甲\n"))
    real_add = warehouse_module._add
    raced: list[bool] = []

    def another_writer_first(table: Table, *args: Any, **kwargs: Any) -> None:
        if not raced:  # between loading the table and committing, someone else commits
            raced.append(True)
            other = pool.warehouse.catalog.load_table(table.name())
            other.append(pa.table({"no": [99], "name": ["外"]}, schema=other.schema().as_arrow()))
        real_add(table, *args, **kwargs)

    monkeypatch.setattr(warehouse_module, "_add", another_writer_first)
    assert load(pool, write(tmp_path / "v2.csv", "no,name\n2,乙\n")) == 2
    assert raced == [True]
    assert [row[0] for row in rows_of(pool, "legal-entities")] == [1, 2, 99]
