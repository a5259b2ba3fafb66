"""Column types from a sample of text, and text batches cast to them, vectorised with pyarrow.

The same parser decides inference and casting, so a sample that infers as INTEGER casts as
INTEGER. What counts as each type (after full-width characters are made half-width and spaces
trimmed, see :func:`normalise_strings`):

- BOOLEAN: true/false, yes/no, 是/否 (any case).
- INTEGER: an optional sign and at most 15 digits, without a leading zero. Identifiers that look
  numeric keep the column STRING, so no zero and no digit is lost: 18-digit ID numbers and other
  long codes, "007", a column of mainland mobile numbers (1[3-9] and 9 digits), and any column
  whose label names a code (代码, 编码, 编号, 号码, 电话, 手机, 邮编, 区划, id, code, phone...),
  such as 行政区划代码 371502.
- FLOAT: decimal or exponent notation, with no leading zero; a column needs at least one value
  with a point or an exponent (a column of long digit strings is an identifier, not a float).
- DATE: 2020-04-07, 2020/4/7, 2020.04.07, 2020年4月7日 (the separators are not required to
  match), and 20200407 - the 8-digit form only when the column's label contains 日期, 时间 or
  "date" (otherwise such a column is INTEGER). A DATE column once inferred accepts all forms.
- TIMESTAMP: a date as above followed by a time, 2020-04-07 08:30[:00[.123456]] (space or T),
  or 2020年4月7日 8时30分[15秒]; values with only a date are midnight. No time zones.
- anything else, and a column whose sample is all null, is STRING.

Rows are numbered for errors as the readers do: ``first_row`` is the 1-based data row of a
batch's first row, and the header is line 1, so data row ``n`` is line ``n + 1``.
"""

from __future__ import annotations

import re

import pyarrow as pa  # type: ignore[import-untyped, unused-ignore]
import pyarrow.compute as pc  # type: ignore[import-untyped, unused-ignore]

from cityhub.catalog.vocab import ColumnType
from cityhub.errors import InvalidInput

_ARROW = {
    ColumnType.STRING: pa.string(),
    ColumnType.INTEGER: pa.int64(),
    ColumnType.FLOAT: pa.float64(),
    ColumnType.BOOLEAN: pa.bool_(),
    ColumnType.DATE: pa.date32(),
    ColumnType.TIMESTAMP: pa.timestamp("us"),
    ColumnType.GEOMETRY: pa.string(),  # GeoJSON text
}
_NOUN = {
    ColumnType.INTEGER: "an integer",
    ColumnType.FLOAT: "a number",
    ColumnType.BOOLEAN: "a yes/no value",
    ColumnType.DATE: "a date",
    ColumnType.TIMESTAMP: "a date and time",
}
# RE2 syntax (pyarrow.compute): \x{...} is a code point.
_INTEGER = r"^[+-]?(?:0|[1-9][0-9]{0,14})$"
_FLOAT = r"^[+-]?(?:(?:0|[1-9][0-9]*)(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]{1,3})?$"
_YMD = r"(?P<y>[0-9]{4})[-/.年](?P<m>[0-9]{1,2})[-/.月](?P<d>[0-9]{1,2})日?"
_DATE = rf"^(?:{_YMD}|(?P<y8>[0-9]{{4}})(?P<m8>[0-9]{{2}})(?P<d8>[0-9]{{2}}))$"
_DATE_NO_8 = rf"^{_YMD}$"
_TIMESTAMP = (
    rf"^{_YMD}(?:(?:T|\s*)(?P<H>[0-9]{{1,2}})[:时](?P<M>[0-9]{{1,2}})"
    r"(?:[:分](?P<S>[0-9]{1,2})(?P<f>\.[0-9]{1,6})?秒?|分)?)?$"
)
_DATE_LABEL = re.compile(r"日期|时间|date", re.IGNORECASE)
# Labels of identifiers that are often all digits: 行政区划代码 371502, 邮编 100080, 手机号码.
_CODE_LABEL = re.compile(
    r"代码|编码|编号|号码|电话|手机|证号|账号|邮编|身份证|区划|(?<![a-z])(?:id|code|phone|tel|mobile)(?![a-z])",
    re.IGNORECASE,
)
_MOBILE = r"^1[3-9][0-9]{9}$"  # mainland mobile numbers: 11 digits, no leading zero
_TRUE = pa.array(["true", "yes", "是"])
_FALSE = pa.array(["false", "no", "否"])


def arrow_type(t: ColumnType) -> pa.DataType:
    """The Arrow type that stores a column of logical type ``t``."""
    return _ARROW[t]


class _NotOfType(Exception):
    """Value ``index`` of an array does not have the form of the type."""

    def __init__(self, index: int) -> None:
        super().__init__(index)
        self.index = index


def normalise_strings(values: pa.Array) -> pa.Array:
    """Text made comparable: full-width characters NFKC-normalised, spaces trimmed, blanks null.

    NFKC is slow on Chinese text, so only values holding a full-width character go through it.
    """
    values = values.cast(pa.string())
    if not pc.all(pc.string_is_ascii(values)).as_py():
        wide = _has_full_width(values)
        if pc.any(wide).as_py():
            normal = pc.utf8_normalize(values.filter(wide), form="NFKC")
            values = pc.replace_with_mask(values, wide, normal)
        values = pc.utf8_trim_whitespace(values)
    else:
        values = pc.ascii_trim_whitespace(values)
    blank = pc.equal(values, "")
    if pc.any(blank).as_py():
        values = pc.if_else(blank, pa.scalar(None, pa.string()), values)
    return values


def _has_full_width(values: pa.Array) -> pa.Array:
    """Whether each value holds U+3000 or a character of U+FF00..U+FF7F (null stays false).

    A byte search on the UTF-8 (lead bytes of those blocks) is ten times faster than a regex.
    """
    raw = values.cast(pa.binary())
    found = pc.match_substring(raw, b"\xe3\x80\x80")
    for lead in (b"\xef\xbc", b"\xef\xbd"):
        found = pc.or_(found, pc.match_substring(raw, lead))
    return pc.fill_null(found, False)


def infer_types(sample: pa.Table) -> dict[str, ColumnType]:
    """The logical type of each string column of ``sample`` (other columns are left out).

    A field's label is its ``b"label"`` metadata, or its name; it decides only whether
    8-digit values may be dates.
    """
    types: dict[str, ColumnType] = {}
    for field, column in zip(sample.schema, sample.columns, strict=True):
        if pa.types.is_string(field.type) or pa.types.is_large_string(field.type):
            types[field.name] = _infer(column.combine_chunks().cast(pa.string()), _label(field))
    return types


def _infer(column: pa.Array, label: str) -> ColumnType:
    values = normalise_strings(column).drop_null()
    if len(values) == 0:
        return ColumnType.STRING
    dated = _DATE_LABEL.search(label) is not None
    if dated:  # before INTEGER, so that 20200407 is a date
        order = [ColumnType.BOOLEAN, ColumnType.DATE, ColumnType.INTEGER, ColumnType.FLOAT]
    else:
        order = [ColumnType.BOOLEAN, ColumnType.INTEGER, ColumnType.FLOAT, ColumnType.DATE]
    if _CODE_LABEL.search(label) or pc.all(pc.match_substring_regex(values, _MOBILE)).as_py():
        order = [t for t in order if t not in (ColumnType.INTEGER, ColumnType.FLOAT)]
    for candidate in [*order, ColumnType.TIMESTAMP]:
        if (
            candidate is ColumnType.FLOAT
            and not pc.any(pc.match_substring_regex(values, "[.eE]")).as_py()
        ):
            continue
        try:
            _convert(values, candidate, eight_digit=dated)
        except (_NotOfType, pa.ArrowInvalid):
            continue
        return candidate
    return ColumnType.STRING


def cast_batch(
    batch: pa.RecordBatch, types: dict[str, ColumnType], *, file: str, first_row: int
) -> pa.RecordBatch:
    """``batch`` with each string column cast to its type in ``types`` (default STRING).

    STRING and GEOMETRY columns, and columns that are not strings, are kept as they are. A
    value that does not convert raises InvalidInput naming the file, line, data row (``row`` =
    ``first_row`` + index), column label and value. Field metadata is kept.
    """
    arrays, fields = [], []
    for field, column in zip(batch.schema, batch.columns, strict=True):
        t = ColumnType(types.get(field.name, ColumnType.STRING))
        if t not in _NOUN or not pa.types.is_string(field.type):
            arrays.append(column)
            fields.append(field)
            continue
        values = normalise_strings(column)
        try:
            typed = _convert(values, t, eight_digit=True)
        except _NotOfType as error:
            raise _error(file, first_row + error.index, field, column[error.index], t) from None
        except pa.ArrowInvalid:  # the form is right but not the value (say 2 月 30 日)
            index = _first_failure(values, t)
            raise _error(file, first_row + index, field, column[index], t) from None
        arrays.append(typed)
        fields.append(pa.field(field.name, typed.type, metadata=field.metadata))
    return pa.RecordBatch.from_arrays(arrays, schema=pa.schema(fields, batch.schema.metadata))


def _label(field: pa.Field) -> str:
    label: bytes = (field.metadata or {}).get(b"label", field.name.encode())
    return label.decode()


def _error(file: str, row: int, field: pa.Field, value: pa.Scalar, t: ColumnType) -> InvalidInput:
    text = str(value.as_py())
    why = ""
    if t is ColumnType.INTEGER and re.fullmatch(r"[+-]?0[0-9]+", text.strip()):
        why = " (it has a leading zero: make the column text to keep it)"
    elif t is ColumnType.INTEGER and re.fullmatch(r"[+-]?[0-9]{16,}", text.strip()):
        why = " (more than 15 digits, an identifier: make the column text)"
    label = _label(field)
    return InvalidInput(
        f'{file} line {row + 1}, column "{label}": "{text}" is not {_NOUN[t]}{why}',
        details={
            "file": file,
            "line": row + 1,
            "row": row,
            "column": field.name,
            "label": label,
            "value": text,
            "expected": t.value,
        },
    )


def _first_failure(values: pa.Array, t: ColumnType) -> int:
    """The index of the first value of ``values`` that does not convert, by bisection.

    Used when a cast fails without saying where: about two more passes over the batch.
    """
    low, high = 0, len(values)  # the first failure is in values[low:high]
    while high - low > 1:
        middle = (low + high) // 2
        try:
            _convert(values.slice(low, middle - low), t, eight_digit=True)
        except (_NotOfType, pa.ArrowInvalid):
            high = middle
        else:
            low = middle
    return low


def _convert(values: pa.Array, t: ColumnType, *, eight_digit: bool) -> pa.Array:
    """Normalised text as type ``t``.

    Raises _NotOfType for the first value without the type's form, pa.ArrowInvalid when a
    value has the form but no meaning (month 13).
    """
    if t is ColumnType.BOOLEAN:
        lower = pc.utf8_lower(values)
        true = pc.is_in(lower, value_set=_TRUE)
        _require(values, pc.or_(true, pc.is_in(lower, value_set=_FALSE)))
        return pc.if_else(pc.is_valid(values), true, pa.scalar(None, pa.bool_()))
    if t is ColumnType.INTEGER:
        # Arrow's cast is ten times faster than the regex, and checks all but the plus sign,
        # the length and leading zeros; the regex decides (and locates) when that is not enough.
        try:
            ints = pc.cast(values, pa.int64())
            too_long = pc.any(pc.greater(pc.abs(ints), 10**15 - 1)).as_py()
            if not too_long and not _any_leading_zero(values):
                return ints
        except pa.ArrowInvalid:
            pass
        _require(values, pc.match_substring_regex(values, _INTEGER))
        if pc.any(pc.starts_with(values, "+")).as_py():
            values = pc.utf8_ltrim(values, characters="+")  # the cast refuses a plus sign
        return pc.cast(values, pa.int64())
    if t is ColumnType.FLOAT:
        try:
            floats = pc.cast(values, pa.float64())
            finite = pc.all(pc.is_finite(floats)).as_py() is not False
            if finite and not _any_leading_zero(values):
                return floats
        except pa.ArrowInvalid:
            pass
        _require(values, pc.match_substring_regex(values, _FLOAT))
        floats = pc.cast(values, pa.float64())
        _require(values, pc.is_finite(floats))  # 1e999
        return floats
    if t is ColumnType.DATE:
        return _dates(values, eight_digit)
    if t is ColumnType.TIMESTAMP:
        return _timestamps(values)
    raise ValueError(f"no conversion to {t}")


def _any_leading_zero(values: pa.Array) -> bool:
    """Whether a value starts, after its sign, with 0 and another digit ("007", "-01.5").

    Few values start with a zero, so the regex runs on those only.
    """
    maybe = pc.starts_with(values, "0")
    for prefix in ("-0", "+0"):
        maybe = pc.or_(maybe, pc.starts_with(values, prefix))
    maybe = pc.fill_null(maybe, False)
    if not pc.any(maybe).as_py():
        return False
    return bool(pc.any(pc.match_substring_regex(values.filter(maybe), "^[+-]?0[0-9]")).as_py())


def _require(values: pa.Array, ok: pa.Array) -> None:
    """Raise _NotOfType for the first non-null value whose ``ok`` is false."""
    bad = pc.and_(pc.is_valid(values), pc.invert(pc.fill_null(ok, False)))
    index = pc.index(bad, True).as_py()
    if index >= 0:
        raise _NotOfType(index)


# Whole columns in one of these forms parse in one strptime pass, ten times faster than the regex.
_DATE_FORMATS = ("%Y年%m月%d日", "%Y/%m/%d", "%Y.%m.%d")


def _dates(values: pa.Array, eight_digit: bool) -> pa.Array:
    try:  # ISO dates, the usual case, cast directly
        return pc.cast(values, pa.date32())
    except pa.ArrowInvalid:
        pass
    for form in _DATE_FORMATS:
        try:
            return pc.cast(pc.strptime(values, format=form, unit="s"), pa.date32())
        except pa.ArrowInvalid:
            continue
    parts = pc.extract_regex(values, _DATE if eight_digit else _DATE_NO_8)
    _require(values, pc.is_valid(parts))
    if eight_digit:  # one of y and y8 is empty, and so on: join them
        y, m, d = (pc.binary_join_element_wise(*_fields(parts, n, f"{n}8"), "") for n in "ymd")
    else:
        y, m, d = _fields(parts, "y", "m", "d")
    return pc.cast(_iso_date(y, m, d), pa.date32())


def _timestamps(values: pa.Array) -> pa.Array:
    try:  # ISO date-times cast directly
        return pc.cast(values, pa.timestamp("us"))
    except pa.ArrowInvalid:
        pass
    parts = pc.extract_regex(values, _TIMESTAMP)
    _require(values, pc.is_valid(parts))
    date = _iso_date(*_fields(parts, "y", "m", "d"))
    hms = (pc.utf8_lpad(v, width=2, padding="0") for v in _fields(parts, "H", "M", "S"))
    time = pc.binary_join_element_wise(*hms, ":")  # an absent part is "", padded to "00"
    (fraction,) = _fields(parts, "f")
    text = pc.binary_join_element_wise(date, time, " ")
    return pc.cast(pc.binary_join_element_wise(text, fraction, ""), pa.timestamp("us"))


def _fields(parts: pa.Array, *names: str) -> list[pa.Array]:
    return [pc.struct_field(parts, name) for name in names]


def _iso_date(y: pa.Array, m: pa.Array, d: pa.Array) -> pa.Array:
    pad = [pc.utf8_lpad(v, width=2, padding="0") for v in (m, d)]
    return pc.binary_join_element_wise(y, *pad, "-")
