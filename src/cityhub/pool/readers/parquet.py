"""Parquet reader: the file's own column types, streamed row group by row group.

Column names go through :func:`check_headers` like any header. Nested columns (struct, list,
map, union) become compact JSON text, as nested JSON values do, because the warehouse tables are
flat; dictionary-encoded columns are decoded to their value type.
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa  # type: ignore[import-untyped, unused-ignore]
import pyarrow.parquet as pq  # type: ignore[import-untyped, unused-ignore]

from cityhub.errors import InvalidInput
from cityhub.pool.headers import check_headers, column_name
from cityhub.pool.source import SourceTable


def open_parquet(path: Path, *, display_name: str, batch_rows: int = 65_536) -> SourceTable:
    """A Parquet file with its native types; nested columns as JSON text."""
    file = display_name
    try:
        reader = pq.ParquetFile(path)
        arrow_schema = reader.schema_arrow
    except (pa.ArrowException, OSError) as exc:
        message = f"{file} is not a readable Parquet file: {exc}"
        raise InvalidInput(message, details={"file": file, "reason": "unreadable"}) from exc
    try:
        labels, names = check_headers([f.name for f in arrow_schema], file=file)
    except InvalidInput:
        reader.close()
        raise
    fields = []
    notes: list[str] = []
    for field, label, name in zip(arrow_schema, labels, names, strict=True):
        kind = _value_type(field.type)
        metadata = {**(field.metadata or {}), b"label": label.encode()}
        if pa.types.is_nested(kind):
            notes.append(f"column {label!r} ({kind}) is stored as JSON text")
            fields.append(pa.field(name, pa.string(), metadata=metadata))
        else:
            fields.append(pa.field(name, kind, nullable=field.nullable, metadata=metadata))
        if name != column_name(label):
            notes.append(f"column {label!r} is stored as {name!r}: another column has that name")
    # the file's schema-level metadata (pandas' index description, say) is dropped on purpose:
    # it names the columns by their old names
    schema = pa.schema(fields)

    def batches() -> Iterator[pa.RecordBatch]:
        with reader:
            first_row = 1
            for group in range(reader.num_row_groups):
                rows = reader.metadata.row_group(group).num_rows
                stream = reader.iter_batches(batch_size=batch_rows, row_groups=[group])
                while True:
                    try:
                        batch = next(stream, None)
                    except (pa.ArrowException, OSError) as exc:
                        last = first_row + rows - 1
                        raise InvalidInput(
                            f"{file}: row group {group + 1} (rows {first_row}–{last}) cannot be"
                            f" read: {str(exc).strip()}",
                            details={"file": file, "row_group": group + 1, "row": first_row},
                        ) from exc
                    if batch is None:
                        break
                    yield _converted(batch, schema)
                first_row += rows

    return SourceTable(
        path_name=file, format="parquet", schema=schema, batches=batches(), notes=notes
    )


def _value_type(kind: Any) -> Any:
    return kind.value_type if pa.types.is_dictionary(kind) else kind


def _converted(batch: pa.RecordBatch, schema: pa.Schema) -> pa.RecordBatch:
    """The batch with the new names, dictionaries decoded and nested columns as JSON text."""
    arrays = []
    for column in batch.columns:
        if pa.types.is_dictionary(column.type):
            column = column.dictionary_decode()
        if pa.types.is_nested(column.type):
            texts = [None if v is None else _json(v, column.type) for v in column.to_pylist()]
            column = pa.array(texts, pa.string())
        arrays.append(column)
    return pa.RecordBatch.from_arrays(arrays, schema=schema)


def _json(value: Any, kind: Any) -> str:
    plain = _plain(value, kind)
    return json.dumps(plain, ensure_ascii=False, separators=(",", ":"), default=_scalar)


def _plain(value: Any, kind: Any) -> Any:
    """A value from ``to_pylist`` as JSON-ready lists and dicts, guided by its Arrow type."""
    if value is None:
        return None
    if pa.types.is_dictionary(kind):
        kind = kind.value_type
    if pa.types.is_struct(kind):
        return {field.name: _plain(value.get(field.name), field.type) for field in kind}
    if pa.types.is_map(kind):  # to_pylist gives (key, value) pairs
        pairs = [(key, _plain(item, kind.item_type)) for key, item in value]
        text_keys = pa.types.is_string(kind.key_type) or pa.types.is_large_string(kind.key_type)
        return dict(pairs) if text_keys else [list(pair) for pair in pairs]
    if pa.types.is_nested(kind) and not pa.types.is_union(kind):  # the list types
        return [_plain(item, kind.value_type) for item in value]
    return value


def _scalar(value: Any) -> Any:
    """JSON for the scalars json.dumps does not know."""
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    return str(value)
