"""Masking of personal information: the documented rules, and SQL and Python agreeing on them."""

from __future__ import annotations

import functools

import duckdb
import pyarrow as pa  # type: ignore[import-untyped, unused-ignore]
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cityhub.catalog.vocab import PersonalKind
from cityhub.pool.masking import mask_expression, mask_value

ID = PersonalKind.ID_NUMBER
PHONE = PersonalKind.PHONE
NAME = PersonalKind.NAME
ADDRESS = PersonalKind.ADDRESS
OTHER = PersonalKind.OTHER

EXPECTED = [
    (ID, "371502199001011234", "371502********1234"),
    (ID, "37150219900101123X", "371502********123X"),
    (ID, "371502900101123", "371502*****1123"),  # 15-character ID of before 1999
    (ID, "12345678901", "123456*8901"),
    (ID, "1234567890", "**********"),  # 10 characters: keeping 6 + 4 would hide nothing
    (ID, "123", "***"),
    (ID, "", ""),
    (PHONE, "13812345678", "138****5678"),
    (PHONE, "+8613812345678", "+86*******5678"),
    (PHONE, "+86 138 1234 5678", "+86**********5678"),
    (PHONE, "0635-1234567", "063*****4567"),
    (PHONE, "12345678", "123*5678"),
    (PHONE, "1234567", "*******"),
    (NAME, "张三", "张*"),
    (NAME, "张三丰", "张**"),
    (NAME, "欧阳修", "欧**"),
    (NAME, "买买提·艾力", "买*****"),
    (NAME, "张", "*"),
    (NAME, "Li Lei", "L*****"),
    (NAME, "", ""),
    (ADDRESS, "山东省聊城市东昌府区柳园街道1号", "山东省聊城市****"),
    (ADDRESS, "聊城市", "聊城市****"),
    (ADDRESS, "", "****"),
    (OTHER, "anything at all", "******"),
    (OTHER, "", "******"),
]

SAMPLES = [
    None,
    "",
    " ",
    "a",
    "张",
    "张三",
    "欧阳修",
    "镕喆昇堃燊旸璟",
    "Zhang San",
    "371502199001011234",
    "37150219900101123x",
    "371502900101123",
    "13812345678",
    "+8613812345678",
    "+86 138-1234-5678",
    "0635-1234567",
    "😀",
    "😀😁😂🤣😃😄😅😆😉😊😋😎",
    "👨‍👩‍👧‍👦 family",  # one grapheme, seven code points
    "é",  # e + combining accent: two code points
    "山东省聊城市东昌府区柳园街道1号",
    "O'Brien",
    "a\x00b",
    "line\nbreak\ttab",
    "x" * 200,
]


@functools.cache
def _duckdb() -> duckdb.DuckDBPyConnection:
    """One in-memory DuckDB for the module: connecting costs tens of milliseconds."""
    return duckdb.connect()


def _sql_masks_all(values: list[str | None]) -> dict[PersonalKind, list[str | None]]:
    """``values`` masked for every kind by the SQL expressions, in one query."""
    connection = _duckdb()
    connection.register("people", pa.table({"值": pa.array(values, pa.string())}))
    try:
        columns = ", ".join(mask_expression('"值"', kind) for kind in PersonalKind)
        rows = connection.execute(f"SELECT {columns} FROM people").fetchall()
    finally:
        connection.unregister("people")
    return {kind: [row[index] for row in rows] for index, kind in enumerate(PersonalKind)}


def _sql_masks(values: list[str | None], kind: PersonalKind) -> list[str | None]:
    """``values`` masked for ``kind`` by its SQL expression in a real in-memory DuckDB."""
    return _sql_masks_all(values)[kind]


@pytest.mark.parametrize(("kind", "value", "masked"), EXPECTED)
def test_documented_rules(kind: PersonalKind, value: str, masked: str) -> None:
    assert mask_value(value, kind) == masked
    assert _sql_masks([value], kind) == [masked]


@pytest.mark.parametrize("kind", list(PersonalKind))
def test_sql_and_python_agree(kind: PersonalKind) -> None:
    expected = [mask_value(value, kind) for value in SAMPLES]
    assert _sql_masks(SAMPLES, kind) == expected
    assert expected[0] is None  # NULL stays NULL


@pytest.mark.parametrize("kind", list(PersonalKind))
def test_mask_length_counts_characters(kind: PersonalKind) -> None:
    masked = mask_value("😀😁😂🤣😃😄😅😆😉😊😋😎", kind)
    assert masked is not None
    if kind in (ID, PHONE, NAME):
        assert len(masked) == 12  # one star per hidden character, not per UTF-8 byte


def test_non_string_columns_are_cast() -> None:
    expressions = [
        mask_expression("371502199001011234::BIGINT", ID),
        mask_expression("DATE '2024-01-31'", ADDRESS),
        mask_expression("NULL::INTEGER", OTHER),
        mask_expression("13812345678", PHONE),
    ]
    row = duckdb.connect().execute(f"SELECT {', '.join(expressions)}").fetchone()
    assert row == ("371502********1234", "2024-0****", None, "138****5678")


def test_kind_may_be_given_as_its_value() -> None:
    assert mask_value("张三", "name") == "张*"  # type: ignore[arg-type]
    assert mask_expression('"x"', "name") == mask_expression('"x"', NAME)  # type: ignore[arg-type]


@settings(max_examples=60, deadline=None)
@given(values=st.lists(st.none() | st.text(max_size=30), min_size=1, max_size=20))
def test_sql_equals_python_for_any_text(values: list[str | None]) -> None:
    for kind, masked in _sql_masks_all(values).items():
        assert masked == [mask_value(value, kind) for value in values]


@settings(max_examples=300, deadline=None)
@given(value=st.text())
def test_id_mask_hides_every_middle_character(value: str) -> None:
    masked = mask_value(value, ID)
    assert masked is not None
    assert len(masked) == len(value)
    if len(value) > 10:
        assert masked[:6] == value[:6]
        assert masked[-4:] == value[-4:]
        assert set(masked[6:-4]) == {"*"}
    else:
        assert set(masked) <= {"*"}


@settings(max_examples=30, deadline=None)
@given(
    ids=st.lists(
        st.one_of(
            st.text(alphabet="0123456789", min_size=17, max_size=17).map(lambda s: s + "X"),
            st.text(alphabet="0123456789X", min_size=18, max_size=18),
            st.text(alphabet="0123456789", min_size=15, max_size=15),
        ),
        min_size=1,
        max_size=10,
    )
)
def test_masked_id_never_contains_its_middle(ids: list[str]) -> None:
    for value, sql_masked in zip(ids, _sql_masks(list(ids), ID), strict=True):
        assert sql_masked is not None
        assert sql_masked == mask_value(value, ID)
        if len(value) == 18:  # in a 15-character ID the 5 hidden digits may recur in the 6 shown
            assert value[6:14] not in sql_masked


@settings(max_examples=150, deadline=None)
@given(
    value=st.text(alphabet="0123456789X", min_size=11, max_size=18),
    other=st.text(alphabet="0123456789X", min_size=8, max_size=8),
)
def test_masked_id_does_not_depend_on_its_middle(value: str, other: str) -> None:
    changed = value[:6] + other[: len(value) - 10] + value[-4:]
    assert mask_value(value, ID) == mask_value(changed, ID)
