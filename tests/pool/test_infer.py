"""Type inference over text samples and casting of text batches, with errors naming the cell."""

from __future__ import annotations

import datetime as dt
import re

import pyarrow as pa
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from cityhub.catalog.vocab import ColumnType
from cityhub.errors import InvalidInput
from cityhub.pool.infer import _MOBILE, arrow_type, cast_batch, infer_types, normalise_strings

T = ColumnType
DATE_FORMS = [
    "{y:04d}-{m:02d}-{d:02d}",
    "{y:04d}-{m}-{d}",
    "{y:04d}/{m}/{d}",
    "{y:04d}/{m:02d}/{d:02d}",
    "{y:04d}.{m:02d}.{d:02d}",
    "{y:04d}年{m}月{d}日",
    "{y:04d}年{m:02d}月{d:02d}日",
    "{y:04d}{m:02d}{d:02d}",
]
TIME_FORMS = [
    "{date} {H:02d}:{M:02d}:{S:02d}",
    "{date}T{H:02d}:{M:02d}:{S:02d}",
    "{date} {H}:{M:02d}",
    "{y:04d}年{m}月{d}日 {H}时{M}分",
    "{y:04d}年{m}月{d}日{H}时{M}分{S}秒",
]


def _batch(columns: dict[str, list[str | None]], labels: dict[str, str] | None = None) -> pa.Table:
    labels = labels or {}
    fields = [
        pa.field(n, pa.string(), metadata={b"label": labels.get(n, n).encode()}) for n in columns
    ]
    return pa.table([pa.array(v, pa.string()) for v in columns.values()], schema=pa.schema(fields))


def _infer(values: list[str | None], label: str = "值") -> ColumnType:
    return infer_types(_batch({"c": values}, {"c": label}))["c"]


def _cast(values: list[str | None], t: ColumnType, label: str = "值") -> list[object]:
    batch = _batch({"c": values}, {"c": label}).to_batches()[0]
    column = cast_batch(batch, {"c": t}, file="人口.csv", first_row=1).column(0)
    assert column.type == arrow_type(t)
    return list(column.to_pylist())


@pytest.mark.parametrize(
    ("values", "label", "expected"),
    [
        (["1", "-2", "+3", " 4 ", None], "值", T.INTEGER),
        (["１２３", "４５６"], "值", T.INTEGER),  # full-width digits
        (["0", "10", "999999999999999"], "值", T.INTEGER),
        (["1", "007"], "值", T.STRING),
        (["371502", "110105"], "行政区划代码", T.STRING),
        (["100080", "250000"], "邮编", T.STRING),
        (["13800138000", "13912345678"], "联系方式", T.STRING),  # mobile numbers
        (["110105194912310021", "37150219800101002X"], "值", T.STRING),
        (["1234567890123456"], "值", T.STRING),  # 16 digits: an identifier
        (["1.5", "2", "-3e2", ".5", "0.25"], "值", T.FLOAT),
        (["1.5", "007.5"], "值", T.STRING),
        (["nan", "1.5"], "值", T.STRING),
        (["是", "否", "TRUE", "no", "Yes", "false"], "值", T.BOOLEAN),
        (["2020-04-07", "2020/4/7", "2020.04.07", "2020年4月7日"], "值", T.DATE),
        (["２０２０年４月７日"], "值", T.DATE),
        (["20200407", "20201231"], "出生日期", T.DATE),
        (["20200407", "20201231"], "值", T.INTEGER),
        (["20200407", "20201399"], "出生日期", T.INTEGER),  # not all valid dates
        (["2020-02-30"], "值", T.STRING),
        (["2020-04-07 08:30:00", "2020-04-07"], "值", T.TIMESTAMP),
        (["2020年4月7日 8时30分", "2020/4/7 8:30:15.5"], "时间", T.TIMESTAMP),
        (["2020-04-07T08:30:00+08:00"], "值", T.STRING),
        (["张三", "1"], "值", T.STRING),
        ([None, None], "值", T.STRING),
        (["", "  "], "值", T.STRING),
    ],
)
def test_infer(values: list[str | None], label: str, expected: ColumnType) -> None:
    assert _infer(values, label) is expected


def test_infer_reads_labels_from_metadata_and_skips_typed_columns() -> None:
    values = [pa.array(["20200407"]), pa.array([1], pa.int64())]
    table = pa.table(values, names=["日期", "n"])  # no metadata: the name is the label
    assert infer_types(table) == {"日期": T.DATE}
    labelled = pa.field("d", pa.string(), metadata={b"label": "出生日期".encode()})
    table = pa.table(values, schema=pa.schema([labelled, pa.field("n", pa.int64())]))
    assert infer_types(table) == {"d": T.DATE}
    assert infer_types(pa.table(values, names=["d", "n"])) == {"d": T.INTEGER}


@pytest.mark.parametrize(
    ("values", "t", "expected"),
    [
        (["1", "-2", "+3", " 4 ", "１２", None, ""], T.INTEGER, [1, -2, 3, 4, 12, None, None]),
        (["1.5", "-3e2", ".5", "１.５"], T.FLOAT, [1.5, -300.0, 0.5, 1.5]),
        (["是", "否", "TRUE", "No", None], T.BOOLEAN, [True, False, True, False, None]),
        (
            ["2020年4月7日", "2020/12/1", "20200407"],
            T.DATE,
            [dt.date(2020, 4, 7), dt.date(2020, 12, 1), dt.date(2020, 4, 7)],
        ),
        (
            ["2020-04-07 08:30", "2020年4月7日 8时5分", "2020/4/7 8:30:15.25", "2020-04-07"],
            T.TIMESTAMP,
            [
                dt.datetime(2020, 4, 7, 8, 30),
                dt.datetime(2020, 4, 7, 8, 5),
                dt.datetime(2020, 4, 7, 8, 30, 15, 250000),
                dt.datetime(2020, 4, 7),
            ],
        ),
        (["  张三 ", "００７"], T.STRING, ["  张三 ", "００７"]),  # text is kept as it is
        (['{"type":"Point"}'], T.GEOMETRY, ['{"type":"Point"}']),
    ],
)
def test_cast(values: list[str | None], t: ColumnType, expected: list[object]) -> None:
    assert _cast(values, t) == expected


@pytest.mark.parametrize(
    ("values", "t", "index", "why"),
    [
        (["2020-04-07"] * 777 + ["2020-02-30"] + ["2020-04-07"] * 222, T.DATE, 777, "a date"),
        (["2020/4/7"] * 5 + ["2020/13/1"], T.DATE, 5, "a date"),
        (["2020-04-07"] * 3 + ["明天"], T.DATE, 3, "a date"),
        (["1", "2", "x"], T.INTEGER, 2, "an integer"),
        (["1", "007"], T.INTEGER, 1, "leading zero"),
        (["1", "12345678901234567"], T.INTEGER, 1, "more than 15 digits"),
        (["1.5", "inf"], T.FLOAT, 1, "a number"),
        (["1.5", "1e999"], T.FLOAT, 1, "a number"),
        (["是", "对"], T.BOOLEAN, 1, "yes/no"),
        (["2020-04-07 08:00"] * 9 + ["2020-04-07 24:30"], T.TIMESTAMP, 9, "date and time"),
    ],
)
def test_cast_error_names_file_line_column_and_value(
    values: list[str | None], t: ColumnType, index: int, why: str
) -> None:
    batch = _batch({"birth": values}, {"birth": "出生日期"}).to_batches()[0]
    with pytest.raises(InvalidInput, match=why) as info:
        cast_batch(batch, {"birth": t}, file="人口.csv", first_row=4001)
    row = 4001 + index
    assert info.value.message.startswith(f'人口.csv line {row + 1}, column "出生日期": ')
    assert f'"{values[index]}" is not' in info.value.message
    assert info.value.details == {
        "file": "人口.csv",
        "line": row + 1,
        "row": row,
        "column": "birth",
        "label": "出生日期",
        "value": values[index],
        "expected": t.value,
    }


def test_cast_batch_keeps_metadata_untyped_and_unlisted_columns() -> None:
    batch = _batch({"n": ["1"], "s": ["a"]}, {"n": "人口"}).to_batches()[0]
    batch = pa.RecordBatch.from_arrays(
        [*batch.columns, pa.array([2.5])],
        schema=batch.schema.append(pa.field("f", pa.float64())),
    )
    out = cast_batch(batch, {"n": T.INTEGER, "f": T.INTEGER}, file="x", first_row=1)
    assert out.schema.field("n").metadata == {b"label": "人口".encode()}
    assert out.to_pylist() == [{"n": 1, "s": "a", "f": 2.5}]


def test_arrow_types() -> None:
    assert {t: arrow_type(t) for t in T} == {
        T.STRING: pa.string(),
        T.INTEGER: pa.int64(),
        T.FLOAT: pa.float64(),
        T.BOOLEAN: pa.bool_(),
        T.DATE: pa.date32(),
        T.TIMESTAMP: pa.timestamp("us"),
        T.GEOMETRY: pa.string(),
    }


def test_normalise_strings() -> None:
    values = pa.array(["１２３", "\u3000４\u3000", " a ", "", "  ", None, "张三", "ＡＢＣ"])
    assert normalise_strings(values).to_pylist() == [
        "123",
        "4",
        "a",
        None,
        None,
        None,
        "张三",
        "ABC",
    ]


dates = st.dates(min_value=dt.date(1000, 1, 1), max_value=dt.date(9999, 12, 31))


@settings(max_examples=60, deadline=None)
@given(day=dates, form=st.sampled_from(DATE_FORMS))
def test_any_date_in_any_form_round_trips(day: dt.date, form: str) -> None:
    text = form.format(y=day.year, m=day.month, d=day.day)
    label = "日期" if form == DATE_FORMS[-1] else "值"
    assert _infer([text], label) is T.DATE
    assert _cast([text], T.DATE, label) == [day]


@settings(max_examples=60, deadline=None)
@given(
    moment=st.datetimes(min_value=dt.datetime(1000, 1, 1), max_value=dt.datetime(9999, 1, 1)),
    form=st.sampled_from(TIME_FORMS),
)
def test_any_timestamp_in_any_form_round_trips(moment: dt.datetime, form: str) -> None:
    moment = moment.replace(microsecond=0)
    parts = {"y": moment.year, "m": moment.month, "d": moment.day}
    text = form.format(
        date=f"{moment:%Y-%m-%d}", H=moment.hour, M=moment.minute, S=moment.second, **parts
    )
    if ":{S" not in form and "{S}" not in form:
        moment = moment.replace(second=0)
    assert _infer([text]) is T.TIMESTAMP
    assert _cast([text], T.TIMESTAMP) == [moment]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(-(10**15) + 1, 10**15 - 1), min_size=1, max_size=20))
def test_integers_round_trip(numbers: list[int]) -> None:
    texts: list[str | None] = [str(n) for n in numbers]
    # A column of mainland mobile numbers only stays text on purpose (tested on its own).
    assume(not all(re.fullmatch(_MOBILE, str(n)) for n in numbers))
    assert _infer(texts) is T.INTEGER
    assert _cast(texts, T.INTEGER) == numbers


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(allow_nan=False, allow_infinity=False), min_size=1, max_size=20))
def test_floats_round_trip(numbers: list[float]) -> None:
    texts: list[str | None] = [f"{n:.17g}" if n else "0.0" for n in numbers]
    texts[0] = "1.5"  # at least one value with a point
    assert _infer(texts) is T.FLOAT
    assert _cast(texts, T.FLOAT) == [float(t) for t in texts if t]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(0, 10**6), min_size=1, max_size=20),
    st.integers(0, 19),
    st.integers(1, 5),
)
def test_values_with_leading_zeros_stay_strings(numbers: list[int], at: int, zeros: int) -> None:
    texts: list[str | None] = [str(n) for n in numbers]
    texts[at % len(texts)] = "0" * zeros + str(numbers[at % len(numbers)] + 1)
    assert _infer(texts) is T.STRING
