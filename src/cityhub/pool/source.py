"""What a reader hands to the ingest pipeline: named columns and a stream of Arrow batches."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import pyarrow as pa


@dataclass
class SourceTable:
    """A file opened for ingest.

    ``batches`` yields the rows in order, in bounded memory; every batch has the columns of
    ``schema`` (text formats give strings, typed formats such as Parquet their own types).
    ``encoding`` is the text encoding used (None for binary formats); ``notes`` are things the
    steward should know (for example, that a header was renamed).

    >>> source = open_source(Path("人口.csv"))
    >>> for batch in source.batches: ...
    """

    path_name: str
    format: str
    schema: pa.Schema
    batches: Iterator[pa.RecordBatch]
    encoding: str | None = None
    notes: list[str] = field(default_factory=list)
    geometry_columns: tuple[str, ...] = ()
