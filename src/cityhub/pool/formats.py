"""Choosing the reader for a file: by its name's extension, checked against its first bytes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from cityhub.errors import InvalidInput
from cityhub.pool.readers.delimited import open_delimited
from cityhub.pool.readers.excel import open_excel
from cityhub.pool.readers.geojson import open_geojson
from cityhub.pool.readers.jsonrecords import open_json, open_ndjson
from cityhub.pool.readers.parquet import open_parquet
from cityhub.pool.source import SourceTable

Opener = Callable[[Path, str], SourceTable]

READERS: dict[str, Opener] = {
    ".csv": lambda p, n: open_delimited(p, display_name=n),
    ".txt": lambda p, n: open_delimited(p, display_name=n),
    ".tsv": lambda p, n: open_delimited(p, display_name=n, delimiter="\t"),
    ".xlsx": lambda p, n: open_excel(p, display_name=n),
    ".xlsm": lambda p, n: open_excel(p, display_name=n),
    ".xls": lambda p, n: open_excel(p, display_name=n),
    ".ods": lambda p, n: open_excel(p, display_name=n),
    ".json": lambda p, n: open_json(p, display_name=n),
    ".ndjson": lambda p, n: open_ndjson(p, display_name=n),
    ".jsonl": lambda p, n: open_ndjson(p, display_name=n),
    ".geojson": lambda p, n: open_geojson(p, display_name=n),
    ".parquet": lambda p, n: open_parquet(p, display_name=n),
}
ZIP_FORMATS = {".xlsx", ".xlsm", ".ods"}


def open_source(path: Path, *, display_name: str) -> SourceTable:
    """Open ``path`` with the reader its ``display_name`` calls for; the error lists the formats."""
    suffix = Path(display_name).suffix.lower()
    opener = READERS.get(suffix)
    if opener is None:
        raise InvalidInput(
            f"{display_name}: unknown file type {suffix or '(none)'!r}; "
            f"use one of {', '.join(sorted(READERS))}",
            details={"file": display_name, "reason": "format"},
        )
    with path.open("rb") as handle:
        head = handle.read(4)
    if suffix == ".parquet" and head != b"PAR1":
        raise InvalidInput(f"{display_name} is not a Parquet file", details={"file": display_name})
    if suffix in ZIP_FORMATS and head != b"PK\x03\x04":
        raise InvalidInput(
            f"{display_name} is not an {suffix[1:]} workbook (not a zip archive)",
            details={"file": display_name},
        )
    return opener(path, display_name)
