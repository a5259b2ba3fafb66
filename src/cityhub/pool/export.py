"""Streaming exports of Arrow record batches to CSV, Excel, Parquet and GeoJSON, in bounded memory.

Every writer takes an iterable of ``pyarrow.RecordBatch`` (a ``RecordBatchReader`` will do) and a
binary file-like object, pulls one batch at a time, converts at most ``CHUNK_ROWS`` rows to Python
objects at once, and returns the number of rows written. Nothing holds on to earlier batches, so
memory depends on the batch size, not on the size of the export.

Spreadsheet injection (OWASP "CSV Injection"): in CSV and Excel output, a cell of a string column
that starts with ``=``, ``+``, ``-``, ``@``, tab or carriage return gets a leading ``'``, so that
Excel/WPS show it as text instead of evaluating it. Only string-typed columns are touched: ``-5``
in an integer column is a number and stays one, while the text ``-5`` in a string column becomes
``'-5``. The header row is neutralised too, since labels come from users.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import json
import math
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date, datetime, time
from decimal import Decimal
from types import MappingProxyType
from typing import Any, BinaryIO, Literal, NamedTuple

import pyarrow as pa  # type: ignore[import-untyped, unused-ignore]
import pyarrow.parquet as pq  # type: ignore[import-untyped, unused-ignore]
from openpyxl import Workbook  # type: ignore[import-untyped, unused-ignore]
from openpyxl.cell import WriteOnlyCell  # type: ignore[import-untyped, unused-ignore]
from openpyxl.styles import Font  # type: ignore[import-untyped, unused-ignore]

from cityhub.errors import InvalidInput

CHUNK_ROWS = 8192  # rows turned into Python objects at a time
EXCEL_MAX_ROWS = 1_048_575  # 1,048,576 rows per sheet, less the header row
EXCEL_MAX_CELL_CHARS = 32_767
EXCEL_EXACT_INTEGER = 10**15  # Excel keeps 15 significant digits; longer integers become text
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

# Control characters that XML 1.0, and so an .xlsx file, cannot hold.
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


class ExportFormat(NamedTuple):
    """The HTTP media type and the file name extension (with its dot) of an export format."""

    media_type: str
    extension: str


EXPORT_FORMATS: Mapping[str, ExportFormat] = MappingProxyType(
    {
        "csv": ExportFormat("text/csv; charset=utf-8", ".csv"),
        "xlsx": ExportFormat(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"
        ),
        "parquet": ExportFormat("application/vnd.apache.parquet", ".parquet"),
        "geojson": ExportFormat("application/geo+json", ".geojson"),
    }
)

# The CSV media type for each encoding ``write_csv`` offers; the BOM of utf-8-sig is still UTF-8.
CSV_MEDIA_TYPES: Mapping[str, str] = MappingProxyType(
    {"utf-8-sig": "text/csv; charset=utf-8", "gb18030": "text/csv; charset=gb18030"}
)

CsvEncoding = Literal["utf-8-sig", "gb18030"]


def neutralise(text: str) -> str:
    """``text`` with a leading ``'`` if a spreadsheet would otherwise read it as a formula."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def write_csv(
    batches: Iterable[pa.RecordBatch],
    out: BinaryIO,
    *,
    encoding: CsvEncoding = "utf-8-sig",
    labels: Mapping[str, str] | None = None,
    schema: pa.Schema | None = None,
) -> int:
    """Write the batches as CSV (RFC 4180, CRLF line ends) and return the number of rows.

    UTF-8 with a BOM by default, so that Excel opens Chinese text correctly; ``gb18030`` for
    older tools. The header row holds ``labels[column]`` where given, else the column name;
    ``schema`` supplies it when there are no batches at all. Cells: NULL is empty, booleans
    ``true``/``false``, dates ``2024-01-31``, timestamps ``2024-01-31 08:30:00`` (RFC 3339 with
    the space separator, which Excel recognises; an offset such as ``+08:00`` when the column
    has a time zone), floats in their shortest exact form, binary as hex, nested values as JSON.

    Raises InvalidInput for an unknown encoding or text it cannot encode (only lone surrogates,
    as both encodings cover all of Unicode).
    """
    if encoding not in CSV_MEDIA_TYPES:
        raise InvalidInput(f"unknown CSV encoding {encoding!r}", details={"encoding": encoding})
    encoder = codecs.getincrementalencoder(encoding)()  # writes the BOM once, not per chunk
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush(final: bool = False) -> None:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        try:
            out.write(encoder.encode(text, final))
        except UnicodeEncodeError as error:
            bad = error.object[error.start : error.end]
            raise InvalidInput(
                f"the export contains {bad!r}, which cannot be encoded in {encoding}",
                details={"encoding": encoding},
            ) from error

    schema, batches = _start(batches, schema)
    if schema is not None:
        writer.writerow(neutralise(label) for label in _header(schema, labels))
    rows = 0
    for chunk in _chunks(batches):
        columns = [_csv_column(column) for column in chunk.columns]
        writer.writerows(zip(*columns, strict=True))
        rows += chunk.num_rows
        flush()
    flush(final=True)
    return rows


def write_xlsx(
    batches: Iterable[pa.RecordBatch],
    out: BinaryIO,
    *,
    labels: Mapping[str, str] | None = None,
    max_rows: int = EXCEL_MAX_ROWS,
    schema: pa.Schema | None = None,
    sheet_title: str = "数据",
) -> int:
    """Write the batches as one Excel sheet, streamed by openpyxl, and return the number of rows.

    Header and ``schema`` as in ``write_csv``. String cells are neutralised and stored as text
    (never as formulas or error values such as ``#N/A``); control characters that XML cannot
    hold become U+FFFD, and a carriage return reads back as a line feed (XML end-of-line
    handling; Excel breaks lines with line feeds anyway). Dates and timestamps are real Excel
    dates (a time zone is dropped, keeping the wall-clock time of the column's zone); integers
    of 16 digits or more are text, because Excel would round them; NaN and infinities are the
    text ``nan``/``inf``/``-inf``; an empty string reads back as an empty cell.

    Raises InvalidInput when the data has more than ``max_rows`` rows (at most Excel's
    1,048,575 below the header) or a string longer than Excel's 32,767 characters. Nothing is
    written to ``out`` until the end, because an .xlsx file is a zip archive.
    """
    if not 0 <= max_rows <= EXCEL_MAX_ROWS:
        raise InvalidInput(
            f"max_rows must be between 0 and {EXCEL_MAX_ROWS:,}", details={"max_rows": max_rows}
        )
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title)
    sheet.freeze_panes = "A2"  # must precede the first row in write-only mode
    rows = 0
    try:
        schema, batches = _start(batches, schema)
        if schema is not None:
            bold = Font(bold=True)
            header = _header(schema, labels)
            sheet.append([_text_cell(sheet, neutralise(label), bold) for label in header])
        for chunk in _chunks(batches):
            if rows + chunk.num_rows > max_rows:
                raise InvalidInput(
                    f"the export has more than {max_rows:,} rows, the most an Excel sheet can "
                    "hold here; export CSV or Parquet instead",
                    details={"limit": max_rows},
                )
            columns = [
                _xlsx_column(sheet, column, name)
                for column, name in zip(chunk.columns, chunk.schema.names, strict=True)
            ]
            for row in zip(*columns, strict=True):
                sheet.append(row)
            rows += chunk.num_rows
        workbook.save(out)
    except BaseException:
        _discard(sheet)
        raise
    return rows


def write_parquet(
    batches: Iterable[pa.RecordBatch],
    out: BinaryIO,
    *,
    schema: pa.Schema,
    row_group_rows: int = 131_072,
) -> int:
    """Write the batches as Parquet (zstd) and return the number of rows.

    Small batches are gathered into row groups of about ``row_group_rows`` rows, since one row
    group per tiny batch compresses badly and slows readers; memory stays within one row group.
    Raises InvalidInput when a batch does not have ``schema`` (metadata aside).
    """
    rows = 0
    pending: list[pa.RecordBatch] = []
    pending_rows = 0
    with pq.ParquetWriter(out, schema, compression="zstd") as writer:
        for batch in batches:
            if not batch.schema.equals(schema, check_metadata=False):
                raise InvalidInput(
                    "a batch does not match the export schema",
                    details={"expected": str(schema), "actual": str(batch.schema)},
                )
            pending.append(batch)
            pending_rows += batch.num_rows
            rows += batch.num_rows
            if pending_rows >= row_group_rows:
                writer.write_table(pa.Table.from_batches(pending, schema=schema))
                pending.clear()
                pending_rows = 0
        if pending:
            writer.write_table(pa.Table.from_batches(pending, schema=schema))
    return rows


def write_geojson(
    batches: Iterable[pa.RecordBatch],
    out: BinaryIO,
    *,
    geometry_column: str,
    schema: pa.Schema | None = None,
) -> int:
    """Write the batches as a GeoJSON FeatureCollection (UTF-8), feature by feature.

    ``geometry_column`` holds GeoJSON geometry objects as JSON text; NULL or blank text gives
    ``"geometry": null``. Every other column is a property, keyed by column name: dates and
    timestamps as ISO 8601 text, decimals as numbers when a float holds them exactly (else
    text), binary as hex, NaN and infinities as null. Returns the number of features.

    Raises InvalidInput when the column is missing or a geometry is not a JSON object with a
    ``type``; the error names the 1-based row.
    """
    schema, batches = _start(batches, schema)
    if schema is not None and (
        geometry_column not in schema.names or not _is_text(schema.field(geometry_column).type)
    ):
        raise InvalidInput(
            f"there is no text column {geometry_column!r} of GeoJSON geometries",
            details={"column": geometry_column},
        )
    out.write(b'{"type": "FeatureCollection", "features": [')
    rows = 0
    for chunk in _chunks(batches):
        columns = {
            name: _json_column(column)
            for name, column in zip(chunk.schema.names, chunk.columns, strict=True)
        }
        geometries = columns.pop(geometry_column)
        pieces = []
        for index, text in enumerate(geometries):
            feature = {
                "type": "Feature",
                "geometry": _geometry(text, rows + index + 1, geometry_column),
                "properties": {name: values[index] for name, values in columns.items()},
            }
            separator = "\n" if rows + index == 0 else ",\n"
            pieces.append(separator + _dumps(feature))
        rows += chunk.num_rows
        try:
            out.write("".join(pieces).encode("utf-8"))
        except UnicodeEncodeError as error:  # only lone surrogates, from "\ud800" escapes
            raise InvalidInput("a geometry contains an invalid Unicode escape") from error
    out.write(b"\n]}\n")
    return rows


# --- batches and columns -------------------------------------------------------------------


def _start(
    batches: Iterable[pa.RecordBatch], schema: pa.Schema | None
) -> tuple[pa.Schema | None, Iterator[pa.RecordBatch]]:
    """The schema to write the header from (given, else the first batch's) and all batches."""
    iterator = iter(batches)
    first = next(iterator, None)
    if first is None:
        return schema, iterator
    return (schema or first.schema), _prepend([first], iterator)


def _prepend(
    head: list[pa.RecordBatch], rest: Iterator[pa.RecordBatch]
) -> Iterator[pa.RecordBatch]:
    """``head`` then ``rest``; popping ``head`` keeps no reference to the batch once yielded."""
    while head:
        yield head.pop()
    yield from rest


def _chunks(batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """The batches cut into zero-copy slices of at most ``CHUNK_ROWS`` rows; empty ones dropped."""
    for batch in batches:
        for start in range(0, batch.num_rows, CHUNK_ROWS):
            yield batch.slice(start, CHUNK_ROWS)


def _header(schema: pa.Schema, labels: Mapping[str, str] | None) -> list[str]:
    """The header row: the label of each column, or its name where it has none."""
    return [(labels or {}).get(name, name) for name in schema.names]


def _is_text(kind: pa.DataType) -> bool:
    """Whether Arrow type ``kind`` holds strings."""
    return bool(
        pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_string_view(kind)
    )


def _is_opaque(kind: pa.DataType) -> bool:
    """Whether Arrow type ``kind`` has no spreadsheet form: binary, lists, structs and maps."""
    return bool(
        pa.types.is_nested(kind) or pa.types.is_binary(kind) or pa.types.is_large_binary(kind)
    )


def _as_text(value: Any) -> str:
    """Binary as hex, nested values as JSON text (NaN inside as null)."""
    return value.hex() if isinstance(value, bytes) else _dumps(_finite(value))


def _pylist(column: pa.Array) -> list[Any]:
    """The Python values of a column, after the conversions every format wants."""
    kind = column.type
    if pa.types.is_dictionary(kind):
        column = column.dictionary_decode()
        kind = column.type
    if pa.types.is_timestamp(kind) and kind.unit == "ns":
        # Python's datetime stops at microseconds; truncate rather than fail.
        column = column.cast(pa.timestamp("us", kind.tz), safe=False)
    elif pa.types.is_time64(kind) and kind.unit == "ns":
        column = column.cast(pa.time64("us"), safe=False)
    elif pa.types.is_float16(kind) or pa.types.is_float32(kind):
        # Widened to a double, float32 0.1 reads 0.10000000149011612; Arrow prints it as 0.1.
        return [
            None if text is None else float(text) for text in column.cast(pa.string()).to_pylist()
        ]
    return list(column.to_pylist())


def _map(values: list[Any], convert: Callable[[Any], Any]) -> list[Any]:
    """``convert`` applied to every value except None."""
    return [None if value is None else convert(value) for value in values]


def _csv_column(column: pa.Array) -> list[Any]:
    """The CSV cells of a column (None is written as an empty cell)."""
    kind = column.type
    if pa.types.is_dictionary(kind):
        kind = kind.value_type
    if pa.types.is_floating(kind):
        return list(column.cast(pa.string()).to_pylist())  # shortest round-trip form
    values = _pylist(column)
    if _is_text(kind):
        return _map(values, neutralise)
    if pa.types.is_boolean(kind):
        return _map(values, lambda value: "true" if value else "false")
    if pa.types.is_timestamp(kind):
        return _map(values, lambda value: value.isoformat(sep=" "))
    if pa.types.is_date(kind) or pa.types.is_time(kind):
        return _map(values, lambda value: value.isoformat())
    if _is_opaque(kind):
        return _map(values, _as_text)
    return values


def _xlsx_column(sheet: Any, column: pa.Array, name: str) -> list[Any]:
    """The Excel cells of a column: plain values, or text cells that openpyxl cannot misread."""
    kind = column.type
    if pa.types.is_dictionary(kind):
        kind = kind.value_type
    values = _pylist(column)
    if _is_text(kind):
        return _map(values, lambda value: _text_cell(sheet, neutralise(value), column=name))
    if pa.types.is_integer(kind):
        return _map(
            values, lambda v: _text_cell(sheet, str(v)) if abs(v) >= EXCEL_EXACT_INTEGER else v
        )
    if pa.types.is_floating(kind):
        return _map(values, lambda v: v if math.isfinite(v) else _text_cell(sheet, str(v)))
    if pa.types.is_temporal(kind):
        return _map(
            values, lambda v: v.replace(tzinfo=None) if isinstance(v, datetime | time) else v
        )
    if _is_opaque(kind):
        return _map(values, lambda value: _text_cell(sheet, _as_text(value), column=name))
    return values


def _text_cell(sheet: Any, text: str, font: Any = None, *, column: str = "") -> Any:
    """An Excel cell holding ``text`` as text: typed "s", so never a formula or error value."""
    if len(text) > EXCEL_MAX_CELL_CHARS:
        raise InvalidInput(
            f"column {column!r} holds text of {len(text):,} characters, more than Excel's limit "
            f"of {EXCEL_MAX_CELL_CHARS:,}; export CSV instead",
            details={"column": column, "limit": EXCEL_MAX_CELL_CHARS},
        )
    cell = WriteOnlyCell(sheet, value=_XML_ILLEGAL.sub("\ufffd", text))
    cell.data_type = "s"  # after the value: openpyxl sets "f" for "=…" and "e" for "#N/A"
    if font is not None:
        cell.font = font
    return cell


def _discard(sheet: Any) -> None:
    """Remove the temporary file of an unsaved write-only sheet (openpyxl only does at exit)."""
    # Closing ends openpyxl's row generator, which would otherwise write to a closed file when
    # garbage-collected; errors here must not hide the one being raised.
    with contextlib.suppress(Exception):
        sheet.close()
    writer = getattr(sheet, "_writer", None)
    if writer is not None:
        with contextlib.suppress(Exception):
            writer.cleanup()


# --- JSON ------------------------------------------------------------------------------------


def _json_column(column: pa.Array) -> list[Any]:
    """The JSON-ready values of a column (NaN and infinities, which JSON lacks, are None)."""
    values = _pylist(column)
    if pa.types.is_floating(column.type) or pa.types.is_nested(column.type):
        return [_finite(value) for value in values]
    return values


def _finite(value: Any) -> Any:
    """``value`` with NaN and infinities inside lists and dicts replaced by None."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, list):
        return [_finite(item) for item in value]
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    return value


def _json_default(value: Any) -> Any:
    """The JSON form of the values ``json`` does not know."""
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        exact = value.is_finite() and Decimal(repr(float(value))) == value
        return float(value) if exact else str(value)
    if isinstance(value, bytes):
        return value.hex()
    return str(value)  # durations, intervals: their Python text rather than a failed export


def _no_constant(name: str) -> Any:
    """Refuse the NaN and Infinity that Python's JSON reader accepts but JSON does not have."""
    raise ValueError(f"{name} is not JSON")


# Made once: json.dumps with options builds a new encoder on every call.
_ENCODER = json.JSONEncoder(ensure_ascii=False, allow_nan=False, default=_json_default)
_DECODER = json.JSONDecoder(parse_constant=_no_constant)


def _dumps(value: Any) -> str:
    """JSON text for ``value``, Chinese kept as is."""
    return _ENCODER.encode(value)


def _geometry(text: str | None, row: int, column: str) -> Any:
    """The geometry object in ``text``; None for NULL or blank text."""
    if text is None or not text.strip():
        return None
    try:
        geometry = _DECODER.decode(text)
    except ValueError:
        geometry = None
    if not isinstance(geometry, dict) or not isinstance(geometry.get("type"), str):
        raise InvalidInput(
            f"row {row}: column {column!r} does not hold a GeoJSON geometry",
            details={"row": row, "column": column},
        )
    return geometry
