"""Exporting a dataset version as a file: read under the sharing rules, masked, audited.

The export is written completely to a spooled temporary file (memory up to ``SPOOL_BYTES``, then
disk under the data directory) before the first byte is sent. An .xlsx file is a zip archive that
can only be written whole anyway, and writing first means that a failure (too many rows for Excel,
a bad geometry) becomes an error response rather than a truncated download, and that the audit
row counts the rows actually exported. Memory stays bounded: the engine streams Arrow batches
and the writers convert a few thousand rows at a time.
"""

from __future__ import annotations

import io
import re
import tempfile
from collections.abc import Iterator, Sequence
from typing import Any, BinaryIO, NamedTuple, cast

import pyarrow as pa  # type: ignore[import-untyped, unused-ignore]

from cityhub import audit
from cityhub.auth import Actor
from cityhub.catalog import ColumnType
from cityhub.errors import CityhubError, InvalidInput
from cityhub.pool.engine import quote
from cityhub.pool.export import (
    CSV_MEDIA_TYPES,
    EXPORT_FORMATS,
    CsvEncoding,
    write_csv,
    write_geojson,
    write_parquet,
    write_xlsx,
)
from cityhub.pool.service import Pool, Readable, RowsPage, readable
from cityhub.query import rows as row_query

SPOOL_BYTES = 8 << 20
CHUNK_BYTES = 64 << 10
# API encoding names → the codec write_csv uses; plain UTF-8 gets a BOM so that Excel reads it.
ENCODINGS: dict[str, CsvEncoding] = {
    "utf-8": "utf-8-sig",
    "utf-8-sig": "utf-8-sig",
    "gb18030": "gb18030",
}
# Characters that Windows forbids in file names, and control characters.
_UNSAFE_NAME = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]')


class ExportChunks(Iterator[bytes]):
    """The bytes of a finished export, read in chunks from its temporary file, then removed."""

    def __init__(self, spool: BinaryIO, size: int) -> None:
        self._spool = spool
        self.size = size

    def __next__(self) -> bytes:
        chunk = b"" if self._spool.closed else self._spool.read(CHUNK_BYTES)
        if not chunk:
            self.close()
            raise StopIteration
        return chunk

    def close(self) -> None:
        """Remove the temporary file (safe to call more than once)."""
        self._spool.close()


class Export(NamedTuple):
    """A finished export: its media type, file names (Chinese title, ASCII fallback), bytes."""

    media_type: str
    filename: str
    ascii_filename: str
    chunks: ExportChunks


def file_title(title: str, fallback: str) -> str:
    """A dataset title made safe as a file name on every system; ``fallback`` if nothing is left."""
    cleaned = _UNSAFE_NAME.sub("_", title).strip(" .")[:100]
    return cleaned or fallback


def export_dataset(
    pool: Pool,
    actor: Actor,
    name: str,
    *,
    version: int | None = None,
    fmt: str = "csv",
    encoding: str = "utf-8",
    filters: Sequence[row_query.Filter] = (),
    sort: Sequence[str] = (),
    select: Sequence[str] = (),
) -> Export:
    """The whole (filtered) dataset version as a CSV, Excel, Parquet or GeoJSON file.

    Masking applies exactly as for the row API, since the export reads the same relation. Raises
    InvalidInput for an unknown format or encoding, GeoJSON of a dataset without a geometry
    column, or data the format cannot hold; refusals and failures are audited too.
    """
    if fmt not in EXPORT_FORMATS:
        raise InvalidInput(
            f"format must be one of {', '.join(EXPORT_FORMATS)}",
            details={"field": "format", "value": fmt},
        )
    codec = ENCODINGS.get(encoding.lower())
    if codec is None or (fmt != "csv" and codec != "utf-8-sig"):
        raise InvalidInput(
            "encoding must be utf-8 or gb18030, and gb18030 is for CSV only",
            details={"field": "encoding", "value": encoding},
        )
    source = readable(pool, actor, name, version, "dataset.export")
    geometry = next((n for n, t in source.types.items() if t is ColumnType.GEOMETRY), None)
    if fmt == "geojson" and geometry is None:
        raise InvalidInput(
            f"dataset {source.dataset.name!r} has no geometry column, so no GeoJSON export",
            details={"dataset": source.dataset.name, "format": fmt},
        )
    details: dict[str, Any] = {
        "version": source.version.number,
        "format": fmt,
        "filters": [f"{f.column}__{f.op}" for f in filters],
        "masked": source.masked,
    }
    if fmt == "csv":
        details["encoding"] = codec
    folder = pool.settings.data_dir / "exports"
    folder.mkdir(parents=True, exist_ok=True)
    # Not a with block: the file outlives this call and ExportChunks closes it. typeshed's
    # SpooledTemporaryFile is an IO[bytes], not a BinaryIO, but has every method the writers use.
    spooled = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES, dir=str(folder))  # noqa: SIM115
    spool = cast(BinaryIO, spooled)
    try:
        details["rows"] = _write(pool, source, spool, fmt, codec, geometry, filters, sort, select)
    except BaseException as exc:
        spool.close()
        if isinstance(exc, CityhubError):
            _audit(pool, actor, source, audit.Outcome.FAILURE, details | {"error": exc.message})
        raise
    _audit(pool, actor, source, audit.Outcome.SUCCESS, details)
    size = spool.seek(0, io.SEEK_END)  # the writers need not leave the position at the end
    spool.seek(0)
    extension = EXPORT_FORMATS[fmt].extension
    media_type = CSV_MEDIA_TYPES[codec] if fmt == "csv" else EXPORT_FORMATS[fmt].media_type
    return Export(
        media_type,
        file_title(source.dataset.title, source.dataset.name) + extension,
        source.dataset.name + extension,
        ExportChunks(spool, size),
    )


def _write(
    pool: Pool,
    source: Readable,
    out: BinaryIO,
    fmt: str,
    codec: CsvEncoding,
    geometry: str | None,
    filters: Sequence[row_query.Filter],
    sort: Sequence[str],
    select: Sequence[str],
) -> int:
    """Stream the selected rows into ``out`` in format ``fmt``; the number of rows written."""
    # The row API's query builder checks columns and binds values; a page of "LIMIT 0 OFFSET 0"
    # is the one thing to strip, as an export has no row cap.
    query = row_query.RowQuery(tuple(filters), tuple(sort), tuple(select), limit=0, offset=0)
    built = row_query.build(source.relation.name, source.types, query, quote)
    sql = built.page_sql.removesuffix(" LIMIT 0 OFFSET 0")
    assert sql != built.page_sql, "the row query builder changed its paging clause"
    schema, batches = pool.engine.stream([source.relation], sql, built.params)
    labels = {c.name: c.label for c in source.dataset.columns if c.label}
    try:
        if fmt == "csv":
            return write_csv(batches, out, encoding=codec, labels=labels, schema=schema)
        if fmt == "xlsx":
            return write_xlsx(batches, out, labels=labels, schema=schema)
        if fmt == "parquet":
            return write_parquet(batches, out, schema=schema)
        assert geometry is not None
        return write_geojson(batches, out, geometry_column=geometry, schema=schema)
    finally:
        # A writer that stops early leaves the generator, and so its engine cursor, open.
        close = getattr(batches, "close", None)
        if close is not None:
            close()


def _audit(
    pool: Pool, actor: Actor, source: Readable, outcome: audit.Outcome, details: dict[str, Any]
) -> None:
    audit.record_alone(
        pool.db,
        actor,
        "dataset.export",
        object_type="dataset",
        object_id=source.dataset.name,
        outcome=outcome,
        details=details,
    )


def page_csv(page: RowsPage) -> bytes:
    """One page of the row API as CSV (UTF-8 with BOM), through the same writer as exports."""
    table = pa.Table.from_pylist([dict(zip(page.columns, row, strict=True)) for row in page.rows])
    if not page.rows:
        table = pa.table({name: pa.array([], pa.string()) for name in page.columns})
    out = io.BytesIO()
    write_csv(table.to_batches(), out, schema=table.schema)
    return out.getvalue()
