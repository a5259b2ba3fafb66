"""Values a steward types into a quarantined row, read as the column's type.

JSON carries text, numbers and booleans; dates come as ISO text (``2020-04-07``), timestamps as
``2020-04-07T08:30:00``. An empty string is an empty value (NULL), as in an uploaded file.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from typing import Any

import pyarrow as pa

from cityhub.catalog import ColumnType
from cityhub.errors import InvalidInput
from cityhub.pool.infer import arrow_type

_INTEGER = re.compile(r"[+-]?[0-9]{1,18}")
_TRUE = {"true", "yes", "是", "1"}
_FALSE = {"false", "no", "否", "0"}
_NOUNS = {
    ColumnType.INTEGER: "an integer",
    ColumnType.FLOAT: "a number",
    ColumnType.BOOLEAN: "true or false",
    ColumnType.DATE: "a date (YYYY-MM-DD)",
    ColumnType.TIMESTAMP: "a date and time (YYYY-MM-DDTHH:MM:SS)",
    ColumnType.STRING: "text",
    ColumnType.GEOMETRY: "GeoJSON text",
}


def _wrong(column: str, value: Any, kind: ColumnType) -> InvalidInput:
    return InvalidInput(
        f"{column}: {value!r} is not {_NOUNS[kind]}",
        details={"field": f"values.{column}", "value": str(value), "type": kind.value},
    )


def parse_value(column: str, value: Any, kind: ColumnType) -> Any:
    """``value`` as a Python value of the column's type; InvalidInput names the column."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, (dict, list)):
        raise _wrong(column, value, kind)
    try:
        return _PARSERS[kind](value)
    except (ValueError, TypeError, OverflowError):
        raise _wrong(column, value, kind) from None


def _text(value: Any) -> str:
    if isinstance(value, bool):
        raise ValueError("a boolean is not text")
    return str(value)


def _integer(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError("a boolean is not a number")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = str(value).strip()
    if isinstance(value, str) and _INTEGER.fullmatch(text):
        return int(text)
    raise ValueError(text)


def _float(value: Any) -> float:
    if isinstance(value, bool):
        raise ValueError("a boolean is not a number")
    number = float(value.strip() if isinstance(value, str) else value)
    if not math.isfinite(number):
        raise ValueError("not finite")
    return number


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(text)


def _date(value: Any) -> date:
    text = value.strip() if isinstance(value, str) else ""
    if len(text) != 10:  # fromisoformat would also take 20200407 and week dates
        raise ValueError("a date is YYYY-MM-DD text")
    return date.fromisoformat(text)


def _timestamp(value: Any) -> datetime:
    if not isinstance(value, str):
        raise ValueError("a timestamp is text")
    moment = datetime.fromisoformat(value.strip())
    if moment.tzinfo is not None:
        raise ValueError("timestamps carry no time zone")
    return moment


_PARSERS = {
    ColumnType.STRING: _text,
    ColumnType.GEOMETRY: _text,
    ColumnType.INTEGER: _integer,
    ColumnType.FLOAT: _float,
    ColumnType.BOOLEAN: _boolean,
    ColumnType.DATE: _date,
    ColumnType.TIMESTAMP: _timestamp,
}


def parse_row(values: dict[str, Any], types: dict[str, ColumnType]) -> dict[str, Any]:
    """Every value of a row as its column's type; unknown columns are refused."""
    unknown = sorted(set(values) - set(types))
    if unknown:
        raise InvalidInput(
            f"no column {unknown[0]!r} in this dataset",
            details={"field": f"values.{unknown[0]}", "columns": list(types)},
        )
    return {name: parse_value(name, value, types[name]) for name, value in values.items()}


def typed_table(rows: list[dict[str, Any]], types: dict[str, ColumnType]) -> pa.Table:
    """Rows (JSON values) as an Arrow table of the columns' types."""
    parsed = [parse_row({k: v for k, v in row.items() if k in types}, types) for row in rows]
    schema = pa.schema([pa.field(name, arrow_type(kind)) for name, kind in types.items()])
    return pa.Table.from_pylist(parsed, schema=schema)
