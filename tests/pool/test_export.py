"""Exports: exact round trips, neutralised spreadsheet formulas, streaming in bounded memory."""

from __future__ import annotations

import codecs
import csv
import io
import json
import weakref
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import openpyxl  # type: ignore[import-untyped, unused-ignore]
import pyarrow as pa  # type: ignore[import-untyped, unused-ignore]
import pyarrow.compute as pc  # type: ignore[import-untyped, unused-ignore]
import pyarrow.parquet as pq  # type: ignore[import-untyped, unused-ignore]
import pytest
from openpyxl.worksheet import _writer as openpyxl_writer  # type: ignore[import-untyped, unused-ignore]

from cityhub.errors import InvalidInput
from cityhub.pool.export import (
    EXCEL_MAX_ROWS,
    EXPORT_FORMATS,
    write_csv,
    write_geojson,
    write_parquet,
    write_xlsx,
)

TEXTS = [
    "镕喆昇堃燊旸璟",
    "😀 emoji 👨‍👩‍👧 and 𠀀𪚥",  # supplementary planes: four bytes in UTF-8 and in GB18030
    'say "你好"',
    "a,b,,c",
    "line one\nline two",
    "windows\r\nline end",
    " leading and trailing ",
    "中文，全角标点；“引号”",
    "\u3000全角空格",
    "",
]
POINT = '{"type": "Point", "coordinates": [115.98, 36.45]}'


def _batch(**columns: Any) -> pa.RecordBatch:
    return pa.record_batch(columns)


def _csv_rows(data: bytes, encoding: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode(encoding), newline="")))


def _xml_text(text: str) -> str:
    """``text`` as openpyxl gives it back; with lxml (a dependency) carriage returns survive."""
    return text


def _reopen(data: bytes) -> Any:
    return openpyxl.load_workbook(io.BytesIO(data)).active


# --- CSV -------------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030"])
def test_csv_round_trip_is_character_exact(encoding: Any) -> None:
    batch = _batch(名称=pa.array(TEXTS), 序号=pa.array(range(len(TEXTS))))
    out = io.BytesIO()
    assert write_csv([batch], out, encoding=encoding, labels={"名称": "单位名称"}) == len(TEXTS)
    data = out.getvalue()
    assert data.startswith(codecs.BOM_UTF8) == (encoding == "utf-8-sig")
    rows = _csv_rows(data, encoding)
    assert rows[0] == ["单位名称", "序号"]
    assert rows[1:] == [[text, str(index)] for index, text in enumerate(TEXTS)]


def test_csv_cell_formats() -> None:
    batch = _batch(
        flag=pa.array([True, False, None]),
        day=pa.array([date(2024, 1, 31), None, date(1999, 12, 1)]),
        at=pa.array([datetime(2024, 1, 31, 8, 30), None, datetime(2024, 1, 31, 8, 30, 0, 500)]),
        utc=pa.array([datetime(2024, 1, 31, tzinfo=UTC)] * 3, pa.timestamp("us", "UTC")),
        small=pa.array([0.1, None, -2.5], pa.float32()),
        amount=pa.array([Decimal("1.50"), None, Decimal("-3.00")], pa.decimal128(10, 2)),
        blob=pa.array([b"\x00\xff", None, b""]),
        tags=pa.array([["a", "中"], None, []]),
    )
    out = io.BytesIO()
    write_csv([batch], out)
    tail = ["0.1", "1.50", "00ff", '["a", "中"]']
    last = ["-2.5", "-3.00", "", "[]"]
    assert _csv_rows(out.getvalue(), "utf-8-sig")[1:] == [
        ["true", "2024-01-31", "2024-01-31 08:30:00", "2024-01-31 00:00:00+00:00", *tail],
        ["false", "", "", "2024-01-31 00:00:00+00:00", "", "", "", ""],
        ["", "1999-12-01", "2024-01-31 08:30:00.000500", "2024-01-31 00:00:00+00:00", *last],
    ]


def test_csv_header_without_rows() -> None:
    schema = pa.schema([("a", pa.string()), ("b", pa.int64())])
    out = io.BytesIO()
    assert write_csv(iter([]), out, schema=schema, labels={"a": "甲"}) == 0
    assert out.getvalue() == codecs.BOM_UTF8 + "甲,b\r\n".encode()
    empty = io.BytesIO()
    assert write_csv([], empty, encoding="gb18030") == 0
    assert empty.getvalue() == b""


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030"])
def test_csv_unencodable_text_is_invalid_input(encoding: Any) -> None:
    batch = _batch(a=pa.array(["x"]))
    with pytest.raises(InvalidInput, match=encoding):
        write_csv([batch], io.BytesIO(), encoding=encoding, labels={"a": "bad \ud800"})


def test_csv_unknown_encoding_is_invalid_input() -> None:
    with pytest.raises(InvalidInput):
        write_csv([], io.BytesIO(), encoding="latin-1")  # type: ignore[arg-type]


# --- spreadsheet injection ------------------------------------------------------------------

INJECTIONS = [
    ("=1+1", "'=1+1"),
    ("+SUM(A1)", "'+SUM(A1)"),
    ("-2+3", "'-2+3"),
    ("@cmd", "'@cmd"),
    ("\t=1", "'\t=1"),
    ("\r=1", "'\r=1"),
    ('=HYPERLINK("http://evil.example","点我")', '\'=HYPERLINK("http://evil.example","点我")'),
    ("1+1", "1+1"),
    ("a=b", "a=b"),
    ("＝1+1", "＝1+1"),  # full-width: not a formula to Excel
]


@pytest.mark.parametrize(("text", "expected"), INJECTIONS)
def test_csv_neutralises_formulas_in_string_columns(text: str, expected: str) -> None:
    batch = _batch(s=pa.array([text]), n=pa.array([-5], pa.int64()), f=pa.array([-2.5]))
    out = io.BytesIO()
    write_csv([batch], out, labels={"n": "=label"})
    assert _csv_rows(out.getvalue(), "utf-8-sig") == [
        ["s", "'=label", "f"],
        [expected, "-5", "-2.5"],
    ]


@pytest.mark.parametrize(("text", "expected"), INJECTIONS)
def test_xlsx_neutralises_formulas_in_string_columns(text: str, expected: str) -> None:
    batch = _batch(s=pa.array([text]), n=pa.array([-5], pa.int64()))
    out = io.BytesIO()
    write_xlsx([batch], out, labels={"n": "=label"})
    sheet = _reopen(out.getvalue())
    header, row = list(sheet.iter_rows())
    assert [cell.value for cell in header] == ["s", "'=label"]
    assert row[0].value == _xml_text(expected)
    assert row[0].data_type == "s"
    assert (row[1].value, row[1].data_type) == (-5, "n")


# --- Excel -----------------------------------------------------------------------------------


def test_xlsx_round_trip() -> None:
    count = len(TEXTS)
    batch = _batch(
        name=pa.array(TEXTS),
        n=pa.array(range(count), pa.int64()),
        big=pa.array([371502199001011234] * count, pa.int64()),
        x=pa.array([0.5, float("nan")] + [None] * (count - 2)),
        ok=pa.array([True, False] + [None] * (count - 2)),
        day=pa.array([date(2024, 1, 31)] * count),
        at=pa.array([datetime(2024, 1, 31, 8, 30, tzinfo=UTC)] * count, pa.timestamp("us", "UTC")),
        odd=pa.array(["#N/A", "bell\x07"] + [None] * (count - 2)),
    )
    out = io.BytesIO()
    assert write_xlsx([batch], out, labels={"name": "名称", "day": "日期"}) == count
    rows = list(_reopen(out.getvalue()).iter_rows())
    assert all(cell.data_type != "f" for row in rows for cell in row)
    values = [[cell.value for cell in row] for row in rows]
    assert values[0] == ["名称", "n", "big", "x", "ok", "日期", "at", "odd"]
    # Excel keeps no difference between an empty string and an empty cell, and XML turns a
    # carriage return into a line feed (which is how Excel breaks lines anyway).
    assert [row[0] for row in values[1:]] == [_xml_text(text) or None for text in TEXTS]
    assert [row[1] for row in values[1:]] == list(range(count))
    assert values[1][2:] == [
        "371502199001011234",  # text, since Excel would round it to 15 digits
        0.5,
        True,
        datetime(2024, 1, 31),
        datetime(2024, 1, 31, 8, 30),
        "#N/A",
    ]
    assert values[2][3:5] == ["nan", False]
    assert values[2][7] == "bell\ufffd"
    assert rows[1][7].data_type == "s"  # text, not Excel's error value


def test_xlsx_row_limit_is_invalid_input_and_leaves_no_temporary_file() -> None:
    temporary = list(openpyxl_writer.ALL_TEMP_FILES)
    batches = [_batch(n=pa.array(range(3))), _batch(n=pa.array(range(3)))]
    with pytest.raises(InvalidInput, match="more than 5 rows") as raised:
        write_xlsx(batches, io.BytesIO(), max_rows=5)
    assert raised.value.details == {"limit": 5}
    assert temporary == openpyxl_writer.ALL_TEMP_FILES
    with pytest.raises(InvalidInput, match="1,048,575"):
        write_xlsx(batches, io.BytesIO(), max_rows=EXCEL_MAX_ROWS + 1)


def test_xlsx_too_long_text_is_invalid_input() -> None:
    with pytest.raises(InvalidInput, match="32,767"):
        write_xlsx([_batch(s=pa.array(["x" * 32_768]))], io.BytesIO())


# --- Parquet ---------------------------------------------------------------------------------


def test_parquet_round_trip() -> None:
    batches = [
        _batch(name=pa.array(TEXTS), day=pa.array([date(2024, 1, day + 1) for day in range(10)])),
        _batch(name=pa.array(["镕", None]), day=pa.array([None, date(1999, 12, 31)])),
    ]
    schema = batches[0].schema
    out = io.BytesIO()
    assert write_parquet(iter(batches), out, schema=schema) == 12
    table = pq.read_table(io.BytesIO(out.getvalue()))
    assert table.equals(pa.Table.from_batches(batches))
    metadata = pq.ParquetFile(io.BytesIO(out.getvalue())).metadata
    assert metadata.row_group(0).column(0).compression == "ZSTD"


def test_parquet_gathers_small_batches_into_row_groups() -> None:
    batches = [_batch(n=pa.array(range(i * 100, i * 100 + 100))) for i in range(10)]
    out = io.BytesIO()
    write_parquet(batches, out, schema=batches[0].schema, row_group_rows=300)
    assert pq.ParquetFile(io.BytesIO(out.getvalue())).metadata.num_row_groups == 4


def test_parquet_schema_mismatch_is_invalid_input() -> None:
    schema = pa.schema([("n", pa.int64())])
    with pytest.raises(InvalidInput):
        write_parquet([_batch(n=pa.array(["1"]))], io.BytesIO(), schema=schema)


# --- GeoJSON ---------------------------------------------------------------------------------


def test_geojson_feature_collection() -> None:
    batch = _batch(
        名称=pa.array(["聊城市政府", "东昌湖", "无坐标"]),
        geom=pa.array(
            [POINT, '{"type":"Polygon","coordinates":[[[0,0],[1,0],[0,1],[0,0]]]}', None]
        ),
        day=pa.array([date(2024, 1, 31), None, None]),
        x=pa.array([1.5, float("nan"), None]),
        amount=pa.array([Decimal("1.25"), Decimal("0.10"), None], pa.decimal128(5, 2)),
    )
    out = io.BytesIO()
    assert write_geojson([batch, batch.slice(0, 0)], out, geometry_column="geom") == 3
    text = out.getvalue().decode("utf-8")
    assert "聊城市政府" in text  # not \u escapes
    assert json.loads(text) == {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": json.loads(POINT),
                "properties": {"名称": "聊城市政府", "day": "2024-01-31", "x": 1.5, "amount": 1.25},
            },
            {
                "type": "Feature",
                "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [0, 1], [0, 0]]]},
                "properties": {"名称": "东昌湖", "day": None, "x": None, "amount": 0.1},
            },
            {
                "type": "Feature",
                "geometry": None,
                "properties": {"名称": "无坐标", "day": None, "x": None, "amount": None},
            },
        ],
    }


def test_geojson_without_rows_is_an_empty_collection() -> None:
    out = io.BytesIO()
    assert write_geojson([], out, geometry_column="geom") == 0
    assert json.loads(out.getvalue()) == {"type": "FeatureCollection", "features": []}


@pytest.mark.parametrize("bad", ["not json", "[1, 2]", '{"coordinates": []}', '{"type": NaN}'])
def test_geojson_bad_geometry_names_the_row(bad: str) -> None:
    batch = _batch(geom=pa.array([POINT, bad]))
    with pytest.raises(InvalidInput) as raised:
        write_geojson([batch], io.BytesIO(), geometry_column="geom")
    assert raised.value.details == {"row": 2, "column": "geom"}


def test_geojson_missing_geometry_column() -> None:
    with pytest.raises(InvalidInput, match="shape"):
        write_geojson([_batch(geom=pa.array([POINT]))], io.BytesIO(), geometry_column="shape")


def test_export_formats() -> None:
    assert EXPORT_FORMATS["csv"] == ("text/csv; charset=utf-8", ".csv")
    assert EXPORT_FORMATS["xlsx"].media_type == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert EXPORT_FORMATS["parquet"].media_type == "application/vnd.apache.parquet"
    assert EXPORT_FORMATS["geojson"] == ("application/geo+json", ".geojson")


# --- streaming -------------------------------------------------------------------------------


def _streamed(
    count: int, rows: int, out: io.BytesIO, *, window: int, sizes: list[int]
) -> Iterator[pa.RecordBatch]:
    """``count`` batches, failing if more than ``window`` earlier ones are still referenced.

    A writer that materialised the iterator (``list(batches)``) or kept old batches would keep
    them alive; ``sizes`` records how much output existed when each batch was asked for.
    """
    refs: list[weakref.ref[Any]] = []
    for index in range(count):
        alive = [number for number, ref in enumerate(refs) if ref() is not None]
        assert all(number >= index - window for number in alive), (index, alive)
        sizes.append(out.tell())
        first = index * rows
        ids = pa.array(range(first, first + rows), pa.int64())
        names = pc.binary_join_element_wise("居民", ids.cast(pa.string()), "")
        geometries = pa.repeat(pa.scalar(POINT), rows)
        batch = pa.record_batch([ids, names, geometries], schema=STREAM_SCHEMA)
        refs.append(weakref.ref(batch))
        yield batch
        del batch


STREAM_SCHEMA = pa.schema([("id", pa.int64()), ("name", pa.string()), ("geom", pa.string())])
Writer = Callable[[Iterator[pa.RecordBatch], io.BytesIO], int]


# 200,000 rows for CSV and Parquet; GeoJSON and Excel cost more per row, so fewer there.
@pytest.mark.parametrize(
    ("writer", "count", "rows", "window", "grows_every"),
    [
        (lambda batches, out: write_csv(batches, out), 20, 10_000, 1, 1),
        (lambda batches, out: write_geojson(batches, out, geometry_column="geom"), 4, 5_000, 1, 1),
        (
            lambda batches, out: write_parquet(
                batches, out, schema=STREAM_SCHEMA, row_group_rows=50_000
            ),
            20,
            10_000,
            5,  # a row group gathers five batches
            5,
        ),
        # An .xlsx file is a zip archive, written out at the end: no growth to watch.
        (lambda batches, out: write_xlsx(batches, out), 4, 1_000, 1, 0),
    ],
    ids=["csv", "geojson", "parquet", "xlsx"],
)
def test_writers_stream_batch_by_batch(
    writer: Writer, count: int, rows: int, window: int, grows_every: int
) -> None:
    out = io.BytesIO()
    sizes: list[int] = []
    assert writer(_streamed(count, rows, out, window=window, sizes=sizes), out) == count * rows
    assert len(sizes) == count
    if grows_every:
        # Output appears while the source is still being read, not only at the end.
        for index in range(grows_every, count):
            assert sizes[index] > sizes[index - grows_every], (index, sizes)
