"""Readers for Excel, JSON, NDJSON, GeoJSON and Parquet: tables, text values, errors, zip bombs."""

from __future__ import annotations

import datetime as dt
import json
import struct
import time
import zipfile
import zlib
from pathlib import Path
from typing import Any

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cityhub.errors import InvalidInput
from cityhub.pool.readers import excel, jsonrecords
from cityhub.pool.readers.excel import cell_text, open_excel, refuse_zip_bomb
from cityhub.pool.readers.geojson import open_geojson
from cityhub.pool.readers.jsonrecords import open_json, open_ndjson
from cityhub.pool.readers.parquet import open_parquet
from cityhub.pool.source import SourceTable


def rows(source: SourceTable) -> list[dict[str, Any]]:
    table: list[dict[str, Any]] = pa.Table.from_batches(
        list(source.batches), source.schema
    ).to_pylist()
    return table


def labels(source: SourceTable) -> list[str]:
    return [f.metadata[b"label"].decode() for f in source.schema]


def failure(opener: Any, path: Path, **kwargs: Any) -> InvalidInput:
    """The InvalidInput raised by opening ``path`` or by reading its batches."""
    with pytest.raises(InvalidInput) as caught:
        rows(opener(path, display_name=path.name, **kwargs))
    return caught.value


# ---------------------------------------------------------------- Excel


def workbook(path: Path, sheets: dict[str, list[list[Any]]], hidden: tuple[str, ...] = ()) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, grid in sheets.items():
        sheet = book.create_sheet(title)
        sheet.sheet_state = "hidden" if title in hidden else "visible"
        for row in grid:
            sheet.append(row)
    book.save(path)
    return path


def test_excel_reads_the_first_visible_sheet_as_text(tmp_path: Path) -> None:
    grid: list[list[Any]] = [
        [],
        [None, "名称", "人口(万)", "日期", "时刻", "有效", None],  # header in row 2, from column B
        [None, "北京市", 2184.3, dt.datetime(2024, 1, 2, 3, 4, 5), dt.time(8, 30), True],
        [None, "上海市", 2487.0, dt.date(2024, 2, 29), None, False],
        [],  # a blank row is skipped
        [None, "深圳", 1766],  # a short row: missing cells are null
    ]
    path = workbook(tmp_path / "人口.xlsx", {"旧": [["x"]], "数据": grid}, hidden=("旧",))
    source = open_excel(path, display_name="人口.xlsx", batch_rows=2)
    assert (source.format, source.encoding, source.path_name) == ("xlsx", None, "人口.xlsx")
    assert source.schema.names == ["名称", "人口_万", "日期", "时刻", "有效"]
    assert labels(source) == ["名称", "人口(万)", "日期", "时刻", "有效"]
    batches = list(source.batches)
    assert [b.num_rows for b in batches] == [2, 1]
    assert [list(r.values()) for r in pa.Table.from_batches(batches).to_pylist()] == [
        ["北京市", "2184.3", "2024-01-02T03:04:05", "08:30:00", "true"],
        ["上海市", "2487", "2024-02-29", None, "false"],
        ["深圳", "1766", None, None, None],
    ]
    assert any("数据" in note for note in source.notes)
    other = open_excel(path, display_name="人口.xlsx", sheet="旧")
    assert rows(other) == [] and other.schema.names == ["x"]  # header only: zero rows


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("", None),
        ("文本", "文本"),
        (1.0, "1"),
        (2.5, "2.5"),
        (12345678901234.0, "12345678901234"),
        (1e20, "1e+20"),
        (7, "7"),
        (True, "true"),
        (dt.datetime(2024, 1, 2, 3, 4, 5), "2024-01-02T03:04:05"),
        (dt.date(2024, 1, 2), "2024-01-02"),
        (dt.timedelta(days=1, hours=3, minutes=30), "27:30:00"),
    ],
)
def test_cell_text(value: Any, text: str | None) -> None:
    assert cell_text(value) == text


@pytest.mark.parametrize(
    ("grid", "message", "details"),
    [
        ([], "is empty", {"sheet": "表"}),
        ([["a", "b", "a"], [1, 2, 3]], "cell C1", {"column": 3, "row": 1}),
        ([[None], ["a", None, "c"]], "cell B2", {"column": 2, "row": 2}),
        ([["a", "b"], [1, 2], [1, 2, "多"]], "cell C3", {"column": 3, "row": 3}),
        ([["2024年统计表"], ["区", "人口"]], "is row 1 a title?", {"cell": "B2"}),
        ([[None, "a", "a"]], "cell C1", {"column": 3, "cell": "C1"}),
    ],
    ids=["empty", "duplicate label", "empty label", "beyond header", "title", "offset"],
)
def test_excel_errors_name_the_cell(tmp_path: Path, grid: Any, message: str, details: Any) -> None:
    error = failure(open_excel, workbook(tmp_path / "bad.xlsx", {"表": grid}))
    assert message in error.message and "bad.xlsx" in error.message
    assert details.items() <= error.details.items()


def test_excel_refuses_other_files(tmp_path: Path) -> None:
    text = tmp_path / "fake.xlsx"
    text.write_text("名称,人口\n", encoding="utf-8")
    assert failure(open_excel, text).details["reason"] == "not_a_workbook"
    other_zip = tmp_path / "other.xlsx"
    with zipfile.ZipFile(other_zip, "w") as archive:
        archive.writestr("readme.txt", "not a workbook")
    assert failure(open_excel, other_zip).details["reason"] == "unreadable"
    path = workbook(tmp_path / "ok.xlsx", {"a": [["x"]]})
    assert "no sheet named '缺'" in failure(open_excel, path, sheet="缺").message


def raw_zip(path: Path, members: list[tuple[str, bytes, int, int]]) -> Path:
    """A deflated zip written by hand: (name, raw deflate data, CRC-32, declared size)."""
    local, central = bytearray(), bytearray()
    for name, data, crc, size in members:
        offset, encoded = len(local), name.encode()
        fields = struct.pack("<HHHHHIII", 20, 0, 8, 0, 0, crc, len(data), size)
        local += b"PK\x03\x04" + fields + struct.pack("<HH", len(encoded), 0) + encoded + data
        central += b"PK\x01\x02" + struct.pack("<H", 20) + fields
        central += struct.pack("<HHHHHII", len(encoded), 0, 0, 0, 0, 0, offset) + encoded
    end = struct.pack("<HHHHIIH", 0, 0, len(members), len(members), len(central), len(local), 0)
    path.write_bytes(bytes(local + central) + b"PK\x05\x06" + end)
    return path


def zeros(mib: int) -> tuple[bytes, int]:
    """Raw deflate data of ``mib`` MiB of zeros, and their CRC, in well under a second.

    After a full flush the compressor forgets its history, so every further MiB of zeros
    compresses to the same bytes: the stream is built by repetition, not by compressing.
    """
    chunk = bytes(1 << 20)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    first = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    again = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(mib):
        crc = zlib.crc32(chunk, crc)
    return first + again * (mib - 1) + compressor.flush(), crc


def test_zip_bombs_are_refused_before_calamine_opens_them(tmp_path: Path) -> None:
    started = time.monotonic()
    big, big_crc = zeros(1100)  # a real member inflating to 1.1 GiB, ~1 MB on disk
    small, small_crc = zeros(20)
    bombs = {
        "real 1.1 GiB member": [("xl/worksheets/sheet1.xml", big, big_crc, 1100 << 20)],
        "declared total": [(f"xl/media/{i}.bin", b"\x03\x00", 0, 9 << 20) for i in range(120)],
        "ratio": [("xl/sharedStrings.xml", small, small_crc, 20 << 20)],
        "lying size": [("xl/sharedStrings.xml", small, small_crc, 1000)],
        "lying total": [("xl/a.xml", big, big_crc, 1000), ("xl/b.xml", b"\x03\x00", 0, 0)],
    }
    for label, members in bombs.items():
        path = raw_zip(tmp_path / f"{label}.xlsx", members)
        error = failure(open_excel, path)
        assert error.details == {"file": path.name, "reason": "zip_bomb"}, label
    assert time.monotonic() - started < 10
    fine = workbook(tmp_path / "fine.xlsx", {"a": [["x"], [1]]})
    assert "xl/workbook.xml" in refuse_zip_bomb(fine, file="fine.xlsx")


def test_zip_total_is_measured_not_declared(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(excel, "MAX_UNCOMPRESSED", 30 << 20)
    data, crc = zeros(10)  # at the ratio floor: only the total can refuse these
    path = raw_zip(tmp_path / "many.xlsx", [(f"m{i}.xml", data, crc, 1000) for i in range(4)])
    with pytest.raises(InvalidInput, match="inflate to more than"):
        refuse_zip_bomb(path, file="many.xlsx")


# ---------------------------------------------------------------- JSON and NDJSON


def test_json_array_values_become_text(tmp_path: Path) -> None:
    records = [
        {"名称": "北京", "人口": 2184.3, "编号": 1, "有效": True, "备注": None},
        {"名称": "上海", "人口": 2487.0, "区": ["黄浦", "徐汇"], "坐标": {"x": 1.5}},
    ]
    path = tmp_path / "城市.json"
    path.write_text(json.dumps(records, ensure_ascii=False, indent=2), encoding="gb18030")
    source = open_json(path, display_name="城市.json")
    assert (source.format, source.encoding) == ("json", "gb18030")
    assert source.schema.names == ["名称", "人口", "编号", "有效", "备注", "区", "坐标"]
    assert rows(source) == [
        {"名称": "北京", "人口": "2184.3", "编号": "1", "有效": "true", "备注": None, "区": None,
         "坐标": None},
        {"名称": "上海", "人口": "2487", "编号": None, "有效": None, "备注": None,
         "区": '["黄浦","徐汇"]', "坐标": '{"x":1.5}'},
    ]  # fmt: skip
    bom = tmp_path / "bom.json"
    bom.write_bytes(b"\xef\xbb\xbf" + json.dumps([{"a": "é"}]).encode())
    source = open_json(bom, display_name="bom.json")
    assert (source.encoding, rows(source)) == ("utf-8-sig", [{"a": "é"}])


TRICKY = [
    {"s": 'a "quoted" \\ \u4e2d \n', "n": -12.5e-3, "big": 12345678901234567890, "t": True},
    {"s": "", "n": 0, "nested": [[], {}, [1, [2, {"k": None}]]], "f": False, "z": None},
    {"s": "x" * 50, "n": 1e300},
]


@pytest.mark.parametrize("chunk", [1, 2, 3, 7, 64])
def test_json_values_straddling_chunks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    monkeypatch.setattr(jsonrecords, "CHUNK", chunk)  # every token cut at some boundary
    path = tmp_path / "t.json"
    path.write_text(" \r\n [ " + " ,\n".join(json.dumps(r) for r in TRICKY) + " ] \n")
    got = rows(open_json(path, display_name="t.json"))
    expected = [{k: jsonrecords.value_text(r.get(k)) for k in got[0]} for r in TRICKY]
    assert got == expected
    path.write_text('[{"a": 1},\n {"a": 2},\n  {"a": tru}]')
    error = failure(open_json, path)
    assert (error.details["line"], error.details["column"]) == (3, 9)


def test_json_array_larger_than_the_buffer(tmp_path: Path) -> None:
    records = [{"id": i, "名称": f"第{i}号" * (i % 7), "v": i / 3} for i in range(40_000)]
    records[20_000]["名称"] = "长" * (3 << 20)  # one value larger than a chunk: the buffer grows
    path = tmp_path / "big.json"
    path.write_text(json.dumps(records, ensure_ascii=False))
    assert path.stat().st_size > 3 * jsonrecords.CHUNK
    source = open_json(path, display_name="big.json", batch_rows=10_000)
    batches = list(source.batches)
    assert [b.num_rows for b in batches] == [10_000] * 4
    table = pa.Table.from_batches(batches)
    assert table.column("id").to_pylist() == [str(i) for i in range(40_000)]
    assert table.column("名称")[20_000].as_py() == "长" * (3 << 20)
    assert table.column("v")[39_999].as_py() == jsonrecords.float_text(39_999 / 3)


@pytest.mark.parametrize(
    ("text", "message", "details"),
    [
        ('{"a": 1}', "holds an object", {"line": 1, "column": 1}),
        ("42", "holds a single value", {"line": 1}),
        ("", "holds nothing", {}),
        ("[]", "no records", {}),
        ("[{}, {}]", "no keys", {}),
        ('[{"a": 1},\n 2]', "record 2 is not a JSON object", {"line": 2, "column": 2}),
        ('[\n{"a": 1,}]', "invalid JSON", {"line": 2, "column": 9}),
        ('[{"a": 1}] x', "after the end", {"line": 1, "column": 12}),
        ('[{"a": 1},]', "invalid JSON", {"line": 1, "column": 11}),
        ('[{"A": 1, "Ａ": 2}]', "repeats the header", {"column": 2}),
        ('[{"a": 1}, {"a": 2}, {"b": 3}]', "record 3 (line 1) has the key 'b'", {"key": "b"}),
    ],
)
def test_json_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, message: str, details: Any
) -> None:
    monkeypatch.setattr(jsonrecords, "SAMPLE", 2)
    path = tmp_path / "bad.json"
    path.write_text(text, encoding="utf-8")
    error = failure(open_json, path)
    assert message in error.message and error.message.startswith("bad.json")
    assert details.items() <= error.details.items()


def test_ndjson_reads_line_by_line(tmp_path: Path) -> None:
    path = tmp_path / "a.ndjson"
    path.write_text('{"a": 1, "b": "甲"}\r\n\n  \n{"a": 2.0, "c": [1]}\n{"b": null}')
    source = open_ndjson(path, display_name="a.ndjson")
    assert (source.format, source.encoding, source.schema.names) == ("ndjson", "utf-8", list("abc"))
    assert rows(source) == [
        {"a": "1", "b": "甲", "c": None},
        {"a": "2", "b": None, "c": "[1]"},
        {"a": None, "b": None, "c": None},
    ]


@pytest.mark.parametrize(
    ("text", "message", "details"),
    [
        ('{"a": 1}\n\n[1]\n', "line 3, column 1: record 2 is not", {"line": 3, "column": 1}),
        ('{"a": 1}\n{"a" 1}\n', "line 2, column 6: invalid JSON", {"line": 2, "column": 6}),
        ('{"a": 1}\n{"a": 1,\n', "line 3, column 1: invalid JSON", {"line": 3}),
        ('{"a": 1}\n{"a": 2}\n{"a": 3, "b": 4}', "record 3 (line 3)", {"key": "b"}),
        ("\n\n", "no records", {}),
    ],
)
def test_ndjson_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, message: str, details: Any
) -> None:
    monkeypatch.setattr(jsonrecords, "SAMPLE", 2)
    path = tmp_path / "bad.ndjson"
    path.write_text(text, encoding="utf-8")
    error = failure(open_ndjson, path)
    assert message in error.message
    assert details.items() <= error.details.items()


# ---------------------------------------------------------------- GeoJSON


def feature(geometry: Any, properties: Any) -> dict[str, Any]:
    return {"type": "Feature", "properties": properties, "geometry": geometry}


POINT = {"type": "Point", "coordinates": [116.39, 39.91]}
SQUARE = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]}


def test_geojson_properties_and_geometry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jsonrecords, "CHUNK", 16)  # the streaming path, in small steps
    collection = {
        "features": [  # before "type": members may come in any order
            feature(POINT, {"名称": "天安门", "级别": 1, "geometry": "点"}),
            feature(SQUARE, {"名称": "广场", "tags": {"a": [1]}}),
            {"type": "Feature", "properties": None, "geometry": None},
        ],
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "EPSG:4490"}},
    }
    path = tmp_path / "地标.geojson"
    path.write_text(json.dumps(collection, ensure_ascii=False, indent=1), encoding="utf-8")
    source = open_geojson(path, display_name="地标.geojson")
    assert (source.format, source.encoding, source.geometry_columns) == (
        "geojson",
        "utf-8",
        ("geometry",),
    )
    assert source.schema.names == ["名称", "级别", "properties_geometry", "tags", "geometry"]
    assert labels(source)[2] == "properties.geometry"
    got = rows(source)
    assert got[0] == {"名称": "天安门", "级别": "1", "properties_geometry": "点", "tags": None,
                      "geometry": '{"type":"Point","coordinates":[116.39,39.91]}'}  # fmt: skip
    assert json.loads(got[1]["geometry"]) == SQUARE and got[1]["tags"] == '{"a":[1]}'
    assert got[2] == dict.fromkeys(source.schema.names)
    assert any("EPSG:4490" in note for note in source.notes)
    assert any("properties.geometry" in note for note in source.notes)


def collection(*features: Any) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": list(features)}


@pytest.mark.parametrize(
    ("document", "message", "details"),
    [
        (
            collection(feature(POINT, {"a": 1}), feature({"type": "Circle"}, {})),
            "line 1, column 152: feature 2 has a geometry with type 'Circle'",
            {"feature": 2, "geometry_type": "Circle", "column": 152},  # where feature 2 starts
        ),
        (
            collection(feature(POINT, {"a": 1}), {"type": "Point"}),
            "feature 2 is not a GeoJSON Feature",
            {"feature": 2},
        ),
        (collection(feature([1, 2], {"a": 1})), "not an object", {"feature": 1}),
        (feature(POINT, {}), "only a FeatureCollection", {"line": 1}),
        (collection(), "has no features", {}),
        ({"features": [feature(POINT, {"a": 1})]}, "no 'type' member", {}),
        (
            collection(feature(POINT, []), feature(None, {})),
            "properties that are not",
            {"feature": 1},
        ),
        ([feature(POINT, {"a": 1})], "expected a GeoJSON FeatureCollection", {"column": 1}),
    ],
)
def test_geojson_errors(tmp_path: Path, document: Any, message: str, details: Any) -> None:
    path = tmp_path / "bad.geojson"
    path.write_text(json.dumps(document), encoding="utf-8")
    error = failure(open_geojson, path)
    assert message in error.message
    assert details.items() <= error.details.items()


# ---------------------------------------------------------------- Parquet


def test_parquet_keeps_types_and_flattens_nested_columns(tmp_path: Path) -> None:
    table = pa.table(
        {
            "人口 (2020)": pa.array([1, None, 3], pa.int64()),
            "人口_2020": [1.5, 2.5, None],
            "日期": pa.array([dt.date(2024, 1, 1)] * 3, pa.date32()),
            "类别": pa.array(["甲", "乙", "甲"]).dictionary_encode(),
            "属性": [{"k": 1, "d": dt.date(2024, 1, 2)}, None, {"k": 2, "d": None}],
            "标签": [["a", "b"], [], None],
            "映射": pa.array([[("x", 1)], [], None], pa.map_(pa.string(), pa.int64())),
        }
    )
    path = tmp_path / "数据.parquet"
    pq.write_table(table, path, row_group_size=2)
    source = open_parquet(path, display_name="数据.parquet", batch_rows=1)
    assert (source.format, source.encoding) == ("parquet", None)
    assert source.schema.names == [
        "人口_2020",
        "人口_2020_2",
        "日期",
        "类别",
        "属性",
        "标签",
        "映射",
    ]
    assert labels(source)[:2] == ["人口 (2020)", "人口_2020"]
    assert [str(t) for t in source.schema.types] == ["int64", "double", "date32[day]"] + [
        "string"
    ] * 4
    got = rows(source)
    assert got[0]["属性"] == '{"k":1,"d":"2024-01-02"}' and got[0]["映射"] == '{"x":1}'
    assert [r["标签"] for r in got] == ['["a","b"]', "[]", None]
    assert [r["类别"] for r in got] == ["甲", "乙", "甲"] and got[1]["人口_2020"] is None
    assert any("JSON text" in note for note in source.notes)


def test_parquet_errors(tmp_path: Path) -> None:
    not_parquet = tmp_path / "a.parquet"
    not_parquet.write_text("名称,人口\n")
    assert failure(open_parquet, not_parquet).details["reason"] == "unreadable"
    good = tmp_path / "good.parquet"
    pq.write_table(pa.table({"a": list(range(1000))}), good)
    cut = tmp_path / "cut.parquet"
    cut.write_bytes(good.read_bytes()[:-100])
    assert "cut.parquet" in failure(open_parquet, cut).message
    pq.write_table(pa.table({"a": list(range(2000))}), good, row_group_size=1000)
    data = bytearray(good.read_bytes())
    start = pq.ParquetFile(good).metadata.row_group(1).column(0).data_page_offset
    data[start : start + 200] = b"\xab" * 200  # the page header of row group 2
    broken = tmp_path / "broken.parquet"
    broken.write_bytes(bytes(data))
    error = failure(open_parquet, broken)
    assert "row group 2 (rows 1001–2000)" in error.message and error.details["row"] == 1001
    duplicated = tmp_path / "dup.parquet"
    pq.write_table(pa.table([[1], [2]], names=["a", "a"]), duplicated)
    assert failure(open_parquet, duplicated).details["column"] == 2
