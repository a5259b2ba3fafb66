"""Encoding detection (BOM, strict UTF-8, strict GB18030, else refuse) and the UTF-8 stream."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cityhub.errors import InvalidInput
from cityhub.pool.encoding import detect_encoding, open_text_stream, validate_stream

# Name characters outside GB2312 that chardet mislabels (data-catalog §1.5).
RARE = "朱镕基,王喆,李昇,张堃,陈燊,刘旸,赵璟"
TEXT = f"姓名,城市\n{RARE}\n全角１２３,“引号”\n"
MIB = 1 << 20


def _write(tmp_path: Path, data: bytes, name: str = "data.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _read(path: Path, encoding: str, chunk: int = 4 << 20) -> bytes:
    with open_text_stream(path, encoding, chunk=chunk) as stream:
        return stream.read()


@pytest.mark.parametrize(
    ("text", "prefix", "written_as", "encoding", "bom"),
    [
        (TEXT, b"", "utf-8", "utf-8", False),
        (TEXT, codecs.BOM_UTF8, "utf-8", "utf-8-sig", True),
        (TEXT, b"", "gb18030", "gb18030", False),
        (RARE, b"", "gbk", "gb18030", False),  # Excel's "CSV" on Chinese Windows
        (TEXT, codecs.BOM_UTF16_LE, "utf-16-le", "utf-16-le", True),
        (TEXT, codecs.BOM_UTF16_BE, "utf-16-be", "utf-16-be", True),
        ("a,b\n1,2\n", b"", "ascii", "utf-8", False),
    ],
    ids=["utf-8", "utf-8-bom", "gb18030", "gbk", "utf-16-le", "utf-16-be", "ascii"],
)
def test_detects_and_reads_back_character_exact(
    tmp_path: Path, text: str, prefix: bytes, written_as: str, encoding: str, bom: bool
) -> None:
    path = _write(tmp_path, prefix + text.encode(written_as))
    guess = detect_encoding(path)
    assert (guess.encoding, guess.bom) == (encoding, bom)
    assert guess.reason
    expected = text.encode("utf-8")
    assert _read(path, guess.encoding) == expected
    assert _read(path, guess.encoding, chunk=3) == expected  # characters cut between chunks


def test_never_answers_gbk_or_gb2312(tmp_path: Path) -> None:
    path = _write(tmp_path, ("姓名\n" + "王喆\n" * 1000).encode("gb2312", errors="ignore"))
    assert detect_encoding(path).encoding == "gb18030"


def test_utf8_character_cut_by_the_sample_is_still_utf8(tmp_path: Path) -> None:
    path = _write(tmp_path, "ab镕镕镕\n".encode())
    for size in range(1, 12):
        assert detect_encoding(path, sample_bytes=size).encoding == "utf-8"


def test_truncated_character_at_the_end_of_the_file_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, "a,b\n1,镕".encode()[:-2])  # E9 95 would be GB18030
    with pytest.raises(InvalidInput, match="neither UTF-8 nor GB18030"):
        detect_encoding(path)


def test_gb18030_after_a_long_ascii_start_is_found(tmp_path: Path) -> None:
    data = b"a,b\n" + b"1,2\n" * (MIB // 4) + "张,镕\n".encode("gb18030")
    guess = detect_encoding(_write(tmp_path, data))
    assert guess.encoding == "gb18030"
    assert str(MIB + 4) in guess.reason


@pytest.mark.parametrize(
    ("data", "offset", "line"),
    [
        (b"\xff", 0, 1),
        (b"a,b\n\x80\n", 4, 2),  # 0x80 is the euro sign in cp936 but nothing in GB18030
        ("name\ncafé, bar\n".encode("latin-1"), 8, 2),
        (b"a,b\n" + b"1,2\n" * (MIB // 4) + b"x,\xff\n", MIB + 6, MIB // 4 + 2),
        ("张三\n".encode("gb18030") + b"\xff\xff", 5, 2),
    ],
    ids=["ff", "80", "latin-1", "after-ascii-mib", "gb-then-ff"],
)
def test_neither_utf8_nor_gb18030_is_refused_with_the_offset(
    tmp_path: Path, data: bytes, offset: int, line: int
) -> None:
    with pytest.raises(InvalidInput, match=f"neither UTF-8 nor GB18030.*offset {offset}") as info:
        detect_encoding(_write(tmp_path, data, "坏.csv"))
    assert info.value.details | {"file": "坏.csv", "offset": offset, "line": line} == (
        info.value.details
    )
    assert f"line {line}" in info.value.message


def test_nul_bytes_mean_not_text(tmp_path: Path) -> None:
    path = _write(tmp_path, "a,b\n".encode("utf-16-le"))  # UTF-16 without its BOM
    with pytest.raises(InvalidInput, match="NUL byte at offset 1"):
        detect_encoding(path)


def test_bom_with_bad_bytes_after_it_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, codecs.BOM_UTF8 + b"a,b\n\xff\n")
    with pytest.raises(InvalidInput, match="byte order mark") as info:
        detect_encoding(path)
    assert (info.value.details["offset"], info.value.details["line"]) == (7, 2)


@pytest.mark.parametrize("encoding", ["gb18030", "utf-16-le"])
def test_bad_byte_far_past_the_sample_fails_while_streaming(tmp_path: Path, encoding: str) -> None:
    good = "张三,镕\n".encode(encoding)
    rows = (MIB + MIB // 2) // len(good)
    bom = codecs.BOM_UTF16_LE if encoding == "utf-16-le" else b""
    bad = b"\xff\xff" if encoding == "gb18030" else b"\x00\xdc\x00\xdc"  # lone surrogates
    path = _write(tmp_path, bom + good * rows + bad + good, "大.csv")
    assert detect_encoding(path).encoding == encoding
    offset = len(bom) + len(good) * rows
    with pytest.raises(InvalidInput, match=f"byte {offset} \\(line {rows + 1}\\)") as info:
        _read(path, encoding)
    assert info.value.details == {"file": "大.csv", "offset": offset, "line": rows + 1}
    with pytest.raises(InvalidInput, match=f"byte {offset}"):
        validate_stream(path, encoding)


def test_utf8_is_passed_through_without_its_bom(tmp_path: Path) -> None:
    path = _write(tmp_path, codecs.BOM_UTF8 + b"a\xff")  # not checked here: pyarrow checks
    assert _read(path, "utf-8-sig") == b"a\xff"
    with pytest.raises(InvalidInput, match="byte 4 \\(line 1\\) is not valid utf-8"):
        validate_stream(path, "utf-8-sig")


@settings(max_examples=40, deadline=None)
@given(
    text=st.text(st.characters(codec="gb18030", exclude_categories=["Cs"]), max_size=200),
    chunk=st.integers(1, 64),
)
def test_any_gb18030_text_streams_back_exactly(
    tmp_path_factory: pytest.TempPathFactory, text: str, chunk: int
) -> None:
    path = tmp_path_factory.mktemp("any") / "any.csv"
    path.write_bytes(text.encode("gb18030"))
    assert _read(path, "gb18030", chunk=chunk) == text.encode("utf-8")
