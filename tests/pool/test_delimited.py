"""CSV and TSV reading: encodings, delimiters, quoting, headers, and errors that name the row."""

from __future__ import annotations

import codecs
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from cityhub.errors import InvalidInput
from cityhub.pool.readers.delimited import open_delimited
from cityhub.pool.source import SourceTable

RARE = ["朱镕基", "王喆", "李昇", "张堃", "陈燊", "刘旸", "赵璟"]
MIB = 1 << 20


def _open(tmp_path: Path, data: bytes, name: str = "人口.csv", **options: Any) -> SourceTable:
    path = tmp_path / name
    path.write_bytes(data)
    return open_delimited(path, display_name=name, **options)


def _rows(source: SourceTable) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = pa.Table.from_batches(
        list(source.batches), schema=source.schema
    ).to_pylist()
    return rows


@pytest.mark.parametrize(
    ("name", "data", "fmt", "note"),
    [
        ("a.csv", b"x,y\n1,2\n", "csv", None),
        ("a.tsv", b"x\ty\n1\t2\n", "tsv", None),  # by the suffix
        ("a.txt", b"x\ty\n1\t2\n", "tsv", "tab"),
        ("a.csv", b"x;y\n1;2\n", "csv", "semicolon"),
        ("a.csv", b"x|y\n1|2\n", "csv", "vertical bar"),
        ("a.csv", b'x;y\n"1,5";2\n"3,5";4\n', "csv", "semicolon"),  # decimal commas
        ("a.csv", b"x,y\r\n1,2\r\n", "csv", None),
    ],
)
def test_delimiter_is_sniffed(
    tmp_path: Path, name: str, data: bytes, fmt: str, note: str | None
) -> None:
    source = _open(tmp_path, data, name)
    assert source.format == fmt
    assert source.schema.names == ["x", "y"]
    assert _rows(source)[0]["y"] == "2"
    assert any(note in n for n in source.notes) if note else source.notes == []


def test_delimiter_can_be_given(tmp_path: Path) -> None:
    source = _open(tmp_path, b"x;y,z\n1;2,3\n", delimiter=";")
    assert _rows(source) == [{"x": "1", "y_z": "2,3"}]


@pytest.mark.parametrize(
    ("prefix", "encoding", "expected"),
    [
        (b"", "utf-8", "utf-8"),
        (codecs.BOM_UTF8, "utf-8", "utf-8-sig"),
        (b"", "gb18030", "gb18030"),
        (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16-le"),
    ],
)
def test_encodings_read_back_character_exact(
    tmp_path: Path, prefix: bytes, encoding: str, expected: str
) -> None:
    text = "姓名,城市\n" + "".join(f"{name},北京\n" for name in RARE)
    source = _open(tmp_path, prefix + text.encode(encoding))
    assert source.encoding == expected
    assert source.schema.names == ["姓名", "城市"]
    assert [r["姓名"] for r in _rows(source)] == RARE


def test_quoted_fields_hold_delimiters_quotes_and_line_breaks(tmp_path: Path) -> None:
    data = '"单位\n名称",备注\n"甲,乙","他说""好""\n第二行"\n丙,\n'.encode()
    source = _open(tmp_path, data)
    assert source.schema.names == ["单位_名称", "备注"]
    assert source.schema.field("单位_名称").metadata == {b"label": "单位\n名称".encode()}
    assert _rows(source) == [
        {"单位_名称": "甲,乙", "备注": '他说"好"\n第二行'},
        {"单位_名称": "丙", "备注": None},
    ]


def test_null_markers_become_null(tmp_path: Path) -> None:
    source = _open(tmp_path, b"a,b,c,d,e,f,g\n,NULL,null,NA,N/A,-,x\n")
    assert list(_rows(source)[0].values()) == [None] * 6 + ["x"]


def test_many_blocks_stream_in_order(tmp_path: Path) -> None:
    data = b"n,s\n" + b"".join(b"%d,%s\n" % (i, "镕".encode() * (i % 5)) for i in range(20000))
    source = _open(tmp_path, data, block_size=1 << 14)
    batches = list(source.batches)
    assert len(batches) > 5
    assert all(b.schema.equals(source.schema, check_metadata=True) for b in batches)
    numbers = pa.Table.from_batches(batches).column("n").to_pylist()
    assert numbers == [str(i) for i in range(20000)]


@pytest.mark.parametrize(
    ("data", "line", "expected", "found"),
    [
        (b"a,b\n1,2\n3\n4,5\n", 3, 2, 1),
        (b"a,b\n1,2\n3,4,5\n", 3, 2, 3),
        (b'a,b\n"1\n1",2\n3,4,5\n', 3, 2, 3),  # a record, not a physical line
        (b"a,b\n" + b"1,2\n" * 100_000 + b"3,4,5\n", 100_002, 2, 3),  # a later block
    ],
    ids=["short", "long", "after-multiline", "far"],
)
def test_ragged_row_names_its_line(
    tmp_path: Path, data: bytes, line: int, expected: int, found: int
) -> None:
    source = _open(tmp_path, data, block_size=1 << 14)
    with pytest.raises(InvalidInput, match=rf"人口\.csv line {line} ") as info:
        _rows(source)
    details = info.value.details
    assert (details["line"], details["row"]) == (line, line - 1)
    assert (details["expected"], details["found"]) == (expected, found)
    assert f"has {found} field" in info.value.message


@pytest.mark.parametrize("data", [b"a,b\n", b"a,b", "名称,人口\r\n".encode("gb18030")])
def test_header_only_file_has_no_rows(tmp_path: Path, data: bytes) -> None:
    source = _open(tmp_path, data)
    assert len(source.schema) == 2
    assert list(source.batches) == []


def test_empty_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match=r"人口\.csv is empty"):
        _open(tmp_path, b"")


@pytest.mark.parametrize(
    ("header", "message", "column"),
    [
        (b"a,,c\n", "column 2 of the header is empty", 2),
        (b"a, ,c\n", "column 2 of the header is empty", 2),
        ("名称,人口,名称\n".encode(), "column 3 repeats the header '名称' of column 1", 3),
        ("人口,人口 \n".encode(), "column 2 repeats", 2),
    ],
)
def test_bad_headers_name_the_column(
    tmp_path: Path, header: bytes, message: str, column: int
) -> None:
    with pytest.raises(InvalidInput, match=message) as info:
        _open(tmp_path, header + b"1,2,3\n")
    assert info.value.details["column"] == column


@pytest.mark.parametrize("data", [b'"a,b\n1,2\n', b'"a,b\n' + b"1,2\n" * 300_000])
def test_header_with_an_unclosed_quote_is_refused(tmp_path: Path, data: bytes) -> None:
    with pytest.raises(InvalidInput, match="header row"):
        _open(tmp_path, data)


def test_stray_quote_inside_a_header_cell_is_literal(tmp_path: Path) -> None:
    source = _open(tmp_path, b'x"y,b\n1,2\n')
    assert [f.metadata[b"label"] for f in source.schema] == [b'x"y', b"b"]
    assert _rows(source) == [{"x_y": "1", "b": "2"}]


def test_labels_that_give_the_same_name_are_noted(tmp_path: Path) -> None:
    source = _open(tmp_path, "人口(2020),人口 2020\n1,2\n".encode())
    assert source.schema.names == ["人口_2020", "人口_2020_2"]
    assert any("人口_2020_2" in note for note in source.notes)


def test_invalid_utf8_past_the_sample_names_the_byte(tmp_path: Path) -> None:
    good = "张三,镕\n".encode()
    rows = MIB // len(good) + 10
    source = _open(tmp_path, b"a,b\n" + good * rows + b"x,\xff\n")
    assert source.encoding == "utf-8"
    with pytest.raises(InvalidInput, match=f"byte {4 + len(good) * rows + 2} ") as info:
        _rows(source)
    assert info.value.details["line"] == rows + 2


def test_invalid_gb18030_past_the_sample_names_the_byte(tmp_path: Path) -> None:
    good = "张三,镕\n".encode("gb18030")
    rows = MIB // len(good) + 10
    with pytest.raises(InvalidInput, match=f"byte {4 + len(good) * rows + 2} ") as info:
        _rows(_open(tmp_path, b"a,b\n" + good * rows + b"x,\xff\n"))  # may raise at open
    assert info.value.details["line"] == rows + 2


def test_neither_encoding_is_refused_at_open(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="neither UTF-8 nor GB18030"):
        _open(tmp_path, b"a,b\n\xff,1\n")


def test_abandoned_stream_closes_quietly(tmp_path: Path) -> None:
    source = _open(tmp_path, b"a\n" + b"1\n" * 50_000, block_size=1 << 12)
    batches = iter(source.batches)
    assert next(batches).num_rows > 0
    del batches  # the generator's close() shuts the stream; warnings would be errors here
